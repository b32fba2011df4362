"""Password hashing compatible with Odoo (passlib pbkdf2-sha512), and a per-process cache of
verified credentials so that an authenticated call costs no hashing after the first one."""
from __future__ import annotations

import hashlib
import threading
import time
from functools import lru_cache

from passlib.context import CryptContext

DEFAULT_ROUNDS = 600_000
CACHE_TTL = 300.0


@lru_cache(maxsize=8)
def crypt_context(rounds: int = DEFAULT_ROUNDS) -> CryptContext:
    return CryptContext(["pbkdf2_sha512", "plaintext"], deprecated=["auto"], pbkdf2_sha512__rounds=rounds)


def hash_password(password: str, rounds: int = DEFAULT_ROUNDS) -> str:
    return str(crypt_context(rounds).hash(password))


def verify_password(password: str, stored: str | None) -> bool:
    if not password or not stored:
        return False
    try:
        return bool(crypt_context().verify(password, stored))
    except (ValueError, TypeError):
        return False


class CredentialCache:
    """Remembers (database, user, credential digest, stored hash) tuples that verified.

    The stored hash is part of the key, so a password change anywhere invalidates the entry
    on the next call of every process without any messaging.
    """

    def __init__(self, ttl: float = CACHE_TTL) -> None:
        self.ttl = ttl
        self._seen: dict[tuple[str, int, str, str], float] = {}
        self._lock = threading.Lock()

    @staticmethod
    def digest(secret: str) -> str:
        return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()

    def check(self, db: str, uid: int, secret: str, stored: str) -> bool:
        key = (db, uid, self.digest(secret), stored)
        with self._lock:
            expiry = self._seen.get(key)
        if expiry is not None and expiry > time.monotonic():
            return True
        if not verify_password(secret, stored):
            return False
        with self._lock:
            if len(self._seen) > 10_000:
                self._seen.clear()
            self._seen[key] = time.monotonic() + self.ttl
        return True
