"""ir.attachment over the wire on both backends: files (base64 `datas`) and links, their size,
checksum and guessed mimetype, and Odoo's access check (`ir.attachment.check`): an attachment
follows the record it is attached to (read to read it, write to create, change or delete it),
an unattached one is its creator's unless public, portal users get none, and searches leave out
what the user could not read. Bodies over the request limit are refused with 413."""
from __future__ import annotations

import base64
import hashlib
import uuid
import xmlrpc.client
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from conftest import Client, Server, fault, last_line, require_backend, start_server, stop_server
from dbstate import changes, snapshot

FORBIDDEN = "Sorry, you are not allowed to access this document."
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@dataclass
class World:
    server: Server
    admin: Client
    internal: Client
    portal: Client
    visible: int  # a partner the internal user may read and write
    hidden: int  # a partner of another company: the internal user cannot read it


def new_user(admin: Client, server: Server, groups: list[int] | None = None) -> Client:
    login = f"att-{uuid.uuid4().hex[:8]}"
    vals: dict[str, Any] = {"name": f"Attachments {login}", "login": login, "password": "att-pw"}
    if groups is not None:
        vals["groups_id"] = [(6, 0, groups)]
    admin.x("res.users", "create", vals)
    return server.client(login, "att-pw")


@pytest.fixture(scope="module")
def world(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A server of its own: the administrator joins a second company whose partner the plain
    user cannot see (Odoo's multi-company rule on res.partner)."""
    require_backend(backend)
    server = start_server(tmp_path_factory.mktemp(f"att-{backend}"), backend, ["--demo"])
    try:
        admin = server.client()
        other = admin.x("res.company", "create", {"name": "Attachments Other Co"})
        admin.x("res.users", "write", [2], {"company_ids": [(4, other)]})
        hidden = admin.x("res.partner", "create", {"name": "Hidden partner", "company_id": other})
        visible = admin.x("res.partner", "create", {"name": "Visible partner"})
        portal = admin.x("ir.model.data", "check_object_reference", "base", "group_portal")[1]
        yield World(server, admin, new_user(admin, server), new_user(admin, server, [portal]), visible, hidden)
    finally:
        stop_server(server)


def attach(client: Client, **vals: Any) -> int:
    return int(client.x("ir.attachment", "create", {"name": "file.txt", **vals}))


# -- files and links -----------------------------------------------------------------------------

def test_a_file_gets_its_size_checksum_and_mimetype(world: World) -> None:
    raw = b"hello world"
    aid = attach(world.admin, datas=b64(raw), res_model="res.partner", res_id=world.visible)
    row = world.admin.x("ir.attachment", "read", [aid], ["name", "type", "datas", "file_size", "checksum",
                                                        "mimetype", "res_model", "res_id", "res_name", "public"])[0]
    assert row == {"id": aid, "name": "file.txt", "type": "binary", "datas": b64(raw), "file_size": 11,
                   "checksum": hashlib.sha1(raw).hexdigest(), "mimetype": "text/plain", "res_model": "res.partner",
                   "res_id": world.visible, "res_name": "Visible partner", "public": False}


def test_the_mimetype_comes_from_the_content_then_the_name(world: World) -> None:
    png = attach(world.admin, name="picture", datas=b64(PNG))
    pdf = attach(world.admin, name="report.pdf", datas=b64(b"not really a pdf \x00\x01"))
    given = attach(world.admin, name="data.bin", datas=b64(b"{}"), mimetype="application/json")
    found = {r["id"]: r["mimetype"] for r in world.admin.x("ir.attachment", "read", [png, pdf, given], ["mimetype"])}
    assert found == {png: "image/png", pdf: "application/pdf", given: "application/json"}


def test_xmlrpc_binary_values_are_stored_as_base64(world: World) -> None:
    raw = bytes(range(256)) * 4
    aid = attach(world.admin, name="bytes.bin", datas=xmlrpc.client.Binary(raw))
    row = world.admin.x("ir.attachment", "read", [aid], ["datas", "file_size", "checksum"])[0]
    assert (base64.b64decode(row["datas"]), row["file_size"], row["checksum"]) == (
        raw, 1024, hashlib.sha1(raw).hexdigest())


def test_a_link(world: World) -> None:
    aid = attach(world.admin, name="spec", type="url", url="https://example.com/spec.pdf")
    row = world.admin.x("ir.attachment", "read", [aid], ["type", "url", "datas", "file_size", "mimetype"])[0]
    assert row == {"id": aid, "type": "url", "url": "https://example.com/spec.pdf", "datas": False, "file_size": 0,
                   "mimetype": "application/pdf"}


def test_new_content_recomputes_size_and_checksum(world: World) -> None:
    aid = attach(world.admin, datas=b64(b"one"))
    world.admin.x("ir.attachment", "write", [aid], {"datas": b64(b"three"), "file_size": 999, "checksum": "x"})
    row = world.admin.x("ir.attachment", "read", [aid], ["file_size", "checksum"])[0]
    assert (row["file_size"], row["checksum"]) == (5, hashlib.sha1(b"three").hexdigest())
    assert world.admin.x("ir.attachment", "unlink", [aid]) is True
    assert world.admin.x("ir.attachment", "search", [("id", "=", aid)]) == []


def test_a_large_file_round_trips(world: World) -> None:
    raw = uuid.uuid4().bytes * (2 * 1024 * 1024 // 16)
    aid = attach(world.admin, name="big.bin", datas=b64(raw))
    row = world.admin.x("ir.attachment", "read", [aid], ["datas", "file_size"])[0]
    assert row["file_size"] == len(raw) and base64.b64decode(row["datas"]) == raw
    world.admin.x("ir.attachment", "unlink", [aid])


def test_malformed_values_are_refused_and_change_nothing(world: World) -> None:
    before = snapshot(world.server)
    f = fault(world.admin.x, "ir.attachment", "create", {"name": "bad", "datas": "a"})
    assert last_line(f).startswith("ValueError: Invalid base64 file content for ir.attachment.datas: ")
    f = fault(world.admin.x, "ir.attachment", "create", {"name": "bad", "type": "file"})
    assert last_line(f) == "ValueError: Wrong value for ir.attachment.type: 'file'"
    f = fault(world.admin.x, "ir.attachment", "create", {"datas": b64(b"no name")})
    assert f.faultCode == 2 and "Field: Name (name)" in f.faultString
    assert changes(before, snapshot(world.server)) == []


def test_a_body_over_the_limit_is_413_and_the_server_goes_on(world: World) -> None:
    body = b"<?xml version='1.0'?><methodCall>" + b" " * (65 * 1024 * 1024) + b"</methodCall>"
    with requests.Session() as http:
        response = http.post(world.server.url + "/xmlrpc/2/object", data=body, timeout=120,
                             headers={"Content-Type": "text/xml"})
        assert response.status_code == 413
        after = http.post(world.server.url + "/xmlrpc/2/common", timeout=60, headers={"Content-Type": "text/xml"},
                          data=xmlrpc.client.dumps((), "version").encode())
        assert after.status_code == 200 and b"17.0" in after.content


# -- access: the attached record's ----------------------------------------------------------------

def test_the_attached_records_read_right_decides_who_reads(world: World) -> None:
    seen = attach(world.admin, datas=b64(b"seen"), res_model="res.partner", res_id=world.visible)
    unseen = attach(world.admin, datas=b64(b"unseen"), res_model="res.partner", res_id=world.hidden)
    groups = world.admin.x("ir.model.data", "check_object_reference", "base", "group_user")[1]
    on_groups = attach(world.admin, datas=b64(b"g"), res_model="res.groups", res_id=groups)
    on_cron = attach(world.admin, datas=b64(b"c"), res_model="ir.cron", res_id=1)
    user = world.internal
    found = set(user.x("ir.attachment", "search", [("id", "in", [seen, unseen, on_groups, on_cron])]))
    assert found == {seen, on_groups}
    assert user.x("ir.attachment", "search_count", [("id", "in", [seen, unseen, on_groups, on_cron])]) == 2
    assert [r["id"] for r in user.x("ir.attachment", "search_read", [("id", "in", [unseen, seen])], ["name"])] \
        == [seen]
    groups_of = user.x("ir.attachment", "read_group", [("id", "in", [seen, unseen, on_groups, on_cron])],
                       ["res_model"], ["res_model"], orderby="res_model")
    assert [(g["res_model"], g["res_model_count"]) for g in groups_of] == [("res.groups", 1), ("res.partner", 1)]
    assert user.x("ir.attachment", "name_search", "file.txt", [("id", "in", [seen, unseen])]) == [[seen, "file.txt"]]
    assert user.x("ir.attachment", "read", [seen, on_groups], ["name"]) == [
        {"id": seen, "name": "file.txt"}, {"id": on_groups, "name": "file.txt"}]
    f = fault(user.x, "ir.attachment", "read", [unseen], ["name"])
    assert f.faultCode == 4 and f.faultString.startswith(
        "Uh-oh! Looks like you have stumbled upon some top-secret records.")
    f = fault(user.x, "ir.attachment", "read", [on_cron], ["name"])
    assert f.faultCode == 4 and f.faultString.startswith(
        "You are not allowed to access 'Scheduled Actions' (ir.cron) records.")


def test_changing_an_attachment_needs_the_write_right_on_its_record(world: World) -> None:
    user = world.internal
    groups = world.admin.x("ir.model.data", "check_object_reference", "base", "group_user")[1]
    on_groups = attach(world.admin, datas=b64(b"g"), res_model="res.groups", res_id=groups)
    unseen = attach(world.admin, datas=b64(b"unseen"), res_model="res.partner", res_id=world.hidden)
    mine = attach(user, datas=b64(b"mine"), res_model="res.partner", res_id=world.visible)
    before = snapshot(world.server)
    modify_groups = "You are not allowed to modify 'Access Groups' (res.groups) records."
    for method, args in (("write", [[on_groups], {"name": "renamed"}]), ("unlink", [[on_groups]]),
                         ("create", [{"name": "x", "res_model": "res.groups", "res_id": groups}]),
                         ("write", [[mine], {"res_model": "res.groups", "res_id": groups}])):
        f = fault(user.x, "ir.attachment", method, *args)
        assert f.faultCode == 4 and f.faultString.startswith(modify_groups), (method, f.faultString)
    for method, args in (("write", [[unseen], {"name": "renamed"}]), ("unlink", [[unseen]]),
                         ("create", [{"name": "x", "res_model": "res.partner", "res_id": world.hidden}]),
                         ("write", [[mine], {"res_id": world.hidden}])):
        f = fault(user.x, "ir.attachment", method, *args)
        assert f.faultCode == 4 and f.faultString.startswith("Uh-oh!"), (method, f.faultString)
    assert changes(before, snapshot(world.server)) == []
    assert user.x("ir.attachment", "write", [mine], {"name": "mine.txt"}) is True
    assert user.x("ir.attachment", "unlink", [mine]) is True


def test_an_unattached_file_is_its_creators_unless_public(world: World) -> None:
    user = world.internal
    private = attach(world.admin, datas=b64(b"admin's"))
    public = attach(world.admin, datas=b64(b"everyone's"), public=True)
    own = attach(user, datas=b64(b"own"))
    assert {private, public, own} <= set(user.x("ir.attachment", "search", []))  # as Odoo's search
    assert user.x("ir.attachment", "read", [public, own], ["name"]) == [
        {"id": public, "name": "file.txt"}, {"id": own, "name": "file.txt"}]
    before = snapshot(world.server)
    for method, args in (("read", [[private], ["name"]]), ("write", [[public], {"name": "mine now"}]),
                         ("unlink", [[private]])):
        f = fault(user.x, "ir.attachment", method, *args)
        assert (f.faultCode, f.faultString) == (4, FORBIDDEN), method
    assert changes(before, snapshot(world.server)) == []


def test_portal_users_reach_no_attachment(world: World) -> None:
    public = attach(world.admin, datas=b64(b"public"), public=True)
    before = snapshot(world.server)
    for method, args in (("search", [[]]), ("search_read", [[], ["name"]]), ("read", [[public], ["name"]]),
                         ("search_count", [[]])):
        f = fault(world.portal.x, "ir.attachment", method, *args)
        assert (f.faultCode, f.faultString) == (4, FORBIDDEN), method
    f = fault(world.portal.x, "ir.attachment", "create", {"name": "portal", "datas": b64(b"p")})
    assert f.faultCode == 4 and f.faultString.startswith("You are not allowed to create 'Attachment' (ir.attachment)")
    assert changes(before, snapshot(world.server)) == []


def test_without_credentials(world: World) -> None:
    anonymous = Client(world.server.url, world.server.db, "admin", "not the password", uid=2)
    f = fault(anonymous.x, "ir.attachment", "search", [])
    assert (f.faultCode, f.faultString) == (3, "Access Denied")
