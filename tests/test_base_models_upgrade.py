"""A database created before the base models of the login workflows existed (languages,
modules, attachments, the identity check, the report actions, ...) gets them when a newer
server starts on it: the model rows, tables, access rights, rules and base records, as a new
database has them."""
from __future__ import annotations

import uuid
from pathlib import Path

import sqlalchemy as sa

from conftest import PG_URL, require_backend, start_server, stop_server
from odoorpc_server.services import bootstrap
from odoorpc_server.settings import Settings
from odoorpc_server.storage.database import Backend

NEW_MODELS = ("ir.module.module", "res.lang", "ir.cron", "ir.ui.menu", "ir.actions.actions", "ir.actions.act_window",
              "ir.attachment", "res.users.identitycheck", "res.users.apikeys.show", "ir.actions.report",
              # a token refers to its application: dropped first
              "oauth.token", "oauth.application")


def make_old(conn: sa.Connection) -> None:
    """Remove what the newer models.json added, as a database from before it looks."""
    param = sa.bindparam("names", expanding=True)
    ids = list(conn.execute(sa.text("SELECT id FROM ir_model WHERE model IN :names").bindparams(param),
                            {"names": list(NEW_MODELS)}).scalars())
    by_id = sa.bindparam("ids", expanding=True)
    rules = list(conn.execute(sa.text("SELECT id FROM ir_rule WHERE model_id IN :ids").bindparams(by_id),
                              {"ids": ids}).scalars())
    if rules:
        conn.execute(sa.text("DELETE FROM rule_group_rel WHERE rule_group_id IN :ids").bindparams(by_id),
                     {"ids": rules})
    for statement in ("DELETE FROM ir_rule WHERE model_id IN :ids",
                      "DELETE FROM ir_model_access WHERE model_id IN :ids",
                      "DELETE FROM ir_model_data WHERE model = 'ir.model' AND res_id IN :ids",
                      "DELETE FROM ir_model WHERE id IN :ids"):
        conn.execute(sa.text(statement).bindparams(by_id), {"ids": ids})
    conn.execute(sa.text("DELETE FROM ir_model_fields WHERE model IN :names").bindparams(param),
                 {"names": list(NEW_MODELS)})
    conn.execute(sa.text("DELETE FROM ir_model_data WHERE model IN :names").bindparams(param),
                 {"names": list(NEW_MODELS)})
    conn.execute(sa.text("DELETE FROM ir_model_fields WHERE model = 'ir.model.data' AND name = 'complete_name'"))
    for model in NEW_MODELS:
        conn.exec_driver_sql(f'DROP TABLE {model.replace(".", "_")}')


def test_an_older_database_gets_the_new_base_models(backend: str, tmp_path: Path) -> None:
    require_backend(backend)
    db_url = PG_URL if backend == "postgresql" else None
    name = f"old{uuid.uuid4().hex[:8]}"
    storage = Backend(tmp_path, db_url)
    settings = Settings(data_dir=str(tmp_path), db_url=db_url, database=name, password_rounds=1000)
    bootstrap.create(storage, name, settings)
    with storage.transaction(name) as conn:
        make_old(conn)
        assert not set(NEW_MODELS) & set(sa.inspect(conn).get_table_names())
    storage.dispose()

    server = start_server(tmp_path, backend, database=name)  # the start upgrades every database
    try:
        admin = server.client()
        assert admin.x("res.lang", "get_installed") == [["en_US", "English (US)"]]
        assert admin.x("ir.model.data", "check_object_reference", "base", "lang_en")[0] == "res.lang"
        modules = admin.x("ir.module.module", "search_read", [("state", "=", "installed")], ["name"])
        assert [m["name"] for m in modules] == ["contacts", "base", "web"]
        aid = admin.x("ir.attachment", "create", {"name": "after.txt", "datas": "aGk="})
        assert admin.x("ir.attachment", "read", [aid], ["file_size"]) == [{"id": aid, "file_size": 2}]
        found = admin.x("ir.model.data", "search_read", [("name", "=", "model_ir_attachment")], ["complete_name"])
        assert [r["complete_name"] for r in found] == ["base.model_ir_attachment"]
        # the access rights came too: a plain user reads modules, not scheduled actions
        admin.x("res.users", "create", {"name": "After", "login": "after", "password": "after-pw"})
        user = server.client("after", "after-pw")
        assert len(user.x("ir.module.module", "search", [])) == 3
        assert user.x("ir.cron", "check_access_rights", "read", raise_exception=False) is False
        assert user.x("res.users.identitycheck", "check_access_rights", "create", raise_exception=False) is True
        # OAuth applications: listed by their owner, never created over RPC
        assert user.x("oauth.application", "search", []) == []
        assert user.x("oauth.application", "check_access_rights", "unlink", raise_exception=False) is True
        assert user.x("oauth.application", "check_access_rights", "create", raise_exception=False) is False
        assert admin.x("ir.rule", "search_count", [("model_id.model", "=", "oauth.token")]) == 2
        # the report actions of the server's version, with their external ids, readable by everyone
        reports = user.x("ir.actions.report", "search_read", [], ["report_name", "model"], order="report_name")
        assert [(r["report_name"], r["model"]) for r in reports] == [
            ("base.report_company", "res.company"), ("base.report_partner", "res.partner")]
        assert admin.x("ir.model.data", "check_object_reference", "base", "report_partner") == [
            "ir.actions.report", reports[1]["id"]]
    finally:
        stop_server(server)
