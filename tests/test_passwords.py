"""Password and key hashes are Odoo's: pbkdf2-sha512 in passlib's modular format."""
from __future__ import annotations

import base64
import hashlib

from passlib.context import CryptContext

from odoorpc_server.security import CredentialCache, hash_password, verify_password

# Odoo's own CryptContext (pbkdf2_sha512 + plaintext, 600 000 rounds): a hash of ours must verify there, and theirs here
ODOO = CryptContext(["pbkdf2_sha512", "plaintext"], deprecated=["auto"], pbkdf2_sha512__rounds=600_000)


def ab64(data: bytes) -> str:
    return base64.b64encode(data, b"./").decode().rstrip("=")


def independent_hash(password: str, salt: bytes, rounds: int) -> str:
    """The format built by hand from hashlib: $pbkdf2-sha512$<rounds>$<salt>$<checksum>."""
    checksum = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, rounds)
    return f"$pbkdf2-sha512${rounds}${ab64(salt)}${ab64(checksum)}"


def test_our_hash_has_odoo_format_and_verifies_in_odoo_context() -> None:
    stored = hash_password("correct horse", rounds=1000)
    scheme, _, rounds, salt, checksum = stored.split("$")
    assert (scheme, rounds) == ("", "1000") and stored.startswith("$pbkdf2-sha512$1000$")
    assert ODOO.verify("correct horse", stored) and not ODOO.verify("wrong", stored)
    padded = salt + "=" * (-len(salt) % 4)
    raw_salt = base64.b64decode(padded.replace(".", "+"))
    assert independent_hash("correct horse", raw_salt, 1000) == stored
    assert len(checksum) == 86


def test_hashes_made_elsewhere_verify_here() -> None:
    vector = independent_hash("admin", b"0123456789abcdef", 600_000)
    assert verify_password("admin", vector)
    assert not verify_password("Admin", vector)
    assert verify_password("admin", ODOO.hash("admin"))
    assert verify_password("legacy", "legacy")  # plaintext stored passwords still verify, as in Odoo


def test_empty_passwords_never_verify() -> None:
    assert not verify_password("", hash_password("", rounds=1000))
    assert not verify_password("x", None)


def test_credential_cache_skips_hashing_but_follows_the_stored_hash() -> None:
    hashed: list[str] = []

    def counting(secret: str, stored_hash: str) -> bool:
        hashed.append(secret)
        return verify_password(secret, stored_hash)

    cache = CredentialCache(verify=counting)
    stored = hash_password("s3cret", rounds=1000)
    assert cache.check("db", 7, "s3cret", stored) and hashed == ["s3cret"]
    assert cache.cached("db", 7, "s3cret", stored)
    assert cache.check("db", 7, "s3cret", stored) and hashed == ["s3cret"]  # from the cache: no hashing
    assert not cache.check("db", 7, "s3cret", hash_password("other", rounds=1000))  # password changed
    assert hashed == ["s3cret", "s3cret"]
    assert not cache.check("db", 7, "nope", stored)
    assert not cache.check("db", 8, "s3cret", hash_password("x", rounds=1000))
    assert not cache.cached("other-db", 7, "s3cret", stored)  # per database
