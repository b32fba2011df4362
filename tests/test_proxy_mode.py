"""`--proxy-mode` (Odoo's option): behind one reverse proxy the client's address is the one its
`X-Forwarded-For` names, so login throttling counts each client apart; without the option the
header is ignored, so a client talking to the server directly cannot choose the address it is
counted under (and escape a cooldown by forging one)."""
from __future__ import annotations

import uuid
import xmlrpc.client
from collections.abc import Iterator

import pytest

from conftest import Server, serving

AFTER = 2


class Forwarded(xmlrpc.client.Transport):
    """Requests as a proxy passes them on: with the client's address in X-Forwarded-For."""

    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def send_headers(self, connection: object, headers: list[tuple[str, str]]) -> None:
        super().send_headers(connection, [*headers, ("X-Forwarded-For", self.address)])


def common(srv: Server, address: str) -> xmlrpc.client.ServerProxy:
    return xmlrpc.client.ServerProxy(f"{srv.url}/xmlrpc/2/common", transport=Forwarded(address))


def new_user(srv: Server) -> tuple[int, str, str]:
    """A user whose password this server never verified (a cached credential would pass)."""
    login = f"u{uuid.uuid4().hex[:10]}"
    uid = srv.client().x("res.users", "create", {"name": login, "login": login, "password": "right-pw"})
    return uid, login, "right-pw"


def cool_down(srv: Server, address: str) -> tuple[int, str, str]:
    """`AFTER` failed logins (of different users) from `address`: the address is cooled down,
    a right password from it refused; the user of that right password."""
    for _ in range(AFTER):
        _, login, _ = new_user(srv)
        assert common(srv, address).authenticate(srv.db, login, "guess", {}) is False
    uid, login, password = new_user(srv)
    assert common(srv, address).authenticate(srv.db, login, password, {}) is False
    return uid, login, password


@pytest.fixture(scope="module")
def proxied(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(backend, tmp_path_factory, "proxy", "--proxy-mode", "--login-cooldown-after", str(AFTER)) as srv:
        yield srv


@pytest.fixture(scope="module")
def direct(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(backend, tmp_path_factory, "direct", "--login-cooldown-after", str(AFTER)) as srv:
        yield srv


def test_behind_a_proxy_each_client_is_counted_apart(proxied: Server) -> None:
    uid, login, password = cool_down(proxied, "198.51.100.7")
    assert common(proxied, "198.51.100.8").authenticate(proxied.db, login, password, {}) == uid


def test_without_proxy_mode_a_forged_address_is_ignored(direct: Server) -> None:
    _, login, password = cool_down(direct, "198.51.100.7")
    # the socket's address is the one counted: another forged one does not escape the cooldown
    assert common(direct, "198.51.100.9").authenticate(direct.db, login, password, {}) is False
