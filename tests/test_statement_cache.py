"""Statements built once and reused (the read's fetch, the record rules' SQL) are reused only
for what they were built for: the same user, the same superuser mode, the same registry. A
superuser read never hands its rule-free statement to the user, and the rules' SQL of one user
is not another's."""
from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from conftest import Server, serving
from odoorpc_server.exceptions import AccessError
from odoorpc_server.services.app import App
from odoorpc_server.settings import Settings


@pytest.fixture(scope="module")
def world(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, int]]]:
    with serving(backend, tmp_path_factory, "stmtcache") as srv:
        admin = srv.client()
        other = admin.x("res.company", "create", {"name": f"Other {uuid.uuid4().hex[:6]}", "currency_id": 1})
        admin.x("res.users", "write", [admin.uid], {"company_ids": [(4, other)]})
        hidden = admin.x("res.partner", "create", {"name": "Of the other company", "company_id": other})
        plain = admin.x("res.users", "create", {"name": "Plain", "login": f"plain{uuid.uuid4().hex[:6]}",
                                                 "password": "plain-pass"})
        both = admin.x("res.users", "create", {"name": "Both", "login": f"both{uuid.uuid4().hex[:6]}",
                                                "password": "both-pass", "company_ids": [(4, 1), (4, other)]})
        yield srv, {"hidden": hidden, "plain": plain, "both": both}


def app_of(srv: Server) -> App:
    return App(Settings(data_dir=str(srv.data_dir), db_url=srv.db_url, database=srv.db, password_rounds=1000))


def read_name(app: App, srv: Server, uid: int, rid: int, su: bool = False) -> str:
    with app.env(srv.db, uid, write=False) as env:
        records = env["res.partner"] if not su else type(env["res.partner"])(env.sudo(), env["res.partner"].model)
        return str(records.read([rid], ["name"])[0]["name"])


def test_a_superuser_read_does_not_lend_its_statement(world: tuple[Server, dict[str, int]]) -> None:
    srv, ids = world
    app = app_of(srv)
    assert read_name(app, srv, ids["plain"], ids["hidden"], su=True) == "Of the other company"
    with pytest.raises(AccessError):
        read_name(app, srv, ids["plain"], ids["hidden"])
    assert read_name(app, srv, ids["plain"], ids["hidden"], su=True) == "Of the other company"


def test_one_users_rules_are_not_anothers(world: tuple[Server, dict[str, int]]) -> None:
    srv, ids = world
    app = app_of(srv)
    assert read_name(app, srv, ids["both"], ids["hidden"]) == "Of the other company"
    with pytest.raises(AccessError):
        read_name(app, srv, ids["plain"], ids["hidden"])
    assert read_name(app, srv, ids["both"], ids["hidden"]) == "Of the other company"


def search_ids(app: App, srv: Server, uid: int, domain: list[object], su: bool = False) -> list[int]:
    with app.env(srv.db, uid, write=False) as env:
        records = env["res.partner"] if not su else type(env["res.partner"])(env.sudo(), env["res.partner"].model)
        return list(records.search(domain))


def test_a_superuser_search_does_not_lend_its_statement(world: tuple[Server, dict[str, int]]) -> None:
    srv, ids = world
    app = app_of(srv)
    domain: list[object] = [("id", "=", ids["hidden"])]
    assert search_ids(app, srv, ids["plain"], domain, su=True) == [ids["hidden"]]
    assert search_ids(app, srv, ids["plain"], domain) == []
    assert search_ids(app, srv, ids["both"], domain) == [ids["hidden"]]


def test_a_search_compiled_from_data_is_compiled_again(world: tuple[Server, dict[str, int]]) -> None:
    """child_of walks the tree while compiling: its statement holds the ids found, so it is not
    kept, and a contact added since is found by the same search."""
    srv, _ = world
    admin = srv.client()
    top = admin.x("res.partner", "create", {"name": f"Tree {uuid.uuid4().hex[:6]}", "is_company": True})
    first = admin.x("res.partner", "create", {"name": "First below", "parent_id": top})
    assert sorted(admin.x("res.partner", "search", [("id", "child_of", top)])) == [top, first]
    second = admin.x("res.partner", "create", {"name": "Second below", "parent_id": top})
    assert sorted(admin.x("res.partner", "search", [("id", "child_of", top)])) == [top, first, second]
    assert admin.x("res.partner", "search_count", [("id", "child_of", top)]) == 3
