"""Column indexes as Odoo declares them: `<table>__<column>_index` per indexed field, a GIN
trigram index on PostgreSQL where the field is declared `trigram`, a partial one where it is
`btree_not_null`, plain ones on SQLite; made for new databases, added to older ones at start,
and made or dropped with manual fields' `index`."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from conftest import PG_URL, Client, Server, require_backend, start_server, stop_server
from odoorpc_server.orm.env import SUPERUSER_ID, Env
from odoorpc_server.orm.indexes import ddl, index_name
from odoorpc_server.orm.registry import Registry
from odoorpc_server.services import bootstrap
from odoorpc_server.settings import Settings
from odoorpc_server.storage.database import Backend

PARTNER_INDEXES = {
    "name": "trigram", "complete_name": "trigram", "email": "trigram", "ref": "trigram", "vat": "trigram",
    "parent_id": "btree", "company_id": "btree", "commercial_partner_id": "btree",
    "state_id": "btree_not_null", "country_id": "btree_not_null",
}


def catalog(server: Server) -> dict[str, str]:
    """Index name -> its definition, as the database's catalog holds them."""
    storage = Backend(server.data_dir, server.db_url)
    try:
        with storage.transaction(server.db, write=False) as conn:
            return indexes_of(conn)
    finally:
        storage.dispose()


def indexes_of(conn: sa.Connection) -> dict[str, str]:
    if conn.dialect.name == "postgresql":
        query = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
    else:
        query = "SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'index'"
    return {str(name): str(sql) for name, sql in conn.execute(sa.text(query))}


def expect_kind(found: dict[str, str], table: str, column: str, kind: str, backend: str) -> None:
    definition = found[index_name(table, column)]
    if backend == "postgresql":
        if kind == "trigram":
            assert definition == (f"CREATE INDEX {table}__{column}_index ON public.{table} "
                                  f"USING gin ({column} gin_trgm_ops)")
        elif kind == "btree_not_null":
            assert definition == (f"CREATE INDEX {table}__{column}_index ON public.{table} "
                                  f"USING btree ({column}) WHERE ({column} IS NOT NULL)")
        else:
            assert definition == f"CREATE INDEX {table}__{column}_index ON public.{table} USING btree ({column})"
    else:
        where = f" WHERE {column} IS NOT NULL" if kind == "btree_not_null" else ""
        assert definition == f"CREATE INDEX {table}__{column}_index ON {table} ({column}){where}"


def test_index_names_follow_odoo() -> None:
    assert index_name("res_partner", "name") == "res_partner__name_index"
    long = index_name("x_" + "a" * 40, "x_" + "b" * 30)
    assert len(long) == 63
    assert long.startswith(("x_" + "a" * 40 + "__x_" + "b" * 30)[:54] + "_")
    assert long != index_name("x_" + "a" * 40, "x_" + "b" * 31)


def test_index_statements() -> None:
    pg, lite = postgresql.dialect(), sqlite.dialect()
    assert ddl(pg, "res_partner", "name", "trigram", True) == (
        "CREATE INDEX IF NOT EXISTS res_partner__name_index ON res_partner USING gin ((name) gin_trgm_ops)")
    # without pg_trgm, and on SQLite, a trigram index is a plain one
    assert ddl(pg, "res_partner", "name", "trigram", False) == (
        "CREATE INDEX IF NOT EXISTS res_partner__name_index ON res_partner (name)")
    assert ddl(lite, "res_partner", "name", "trigram", False) == (
        "CREATE INDEX IF NOT EXISTS res_partner__name_index ON res_partner (name)")
    assert ddl(pg, "res_partner", "state_id", "btree_not_null", True) == (
        "CREATE INDEX IF NOT EXISTS res_partner__state_id_index ON res_partner (state_id) WHERE state_id IS NOT NULL")
    assert ddl(lite, "res_users_apikeys", "index", "btree", True) == (  # a keyword there: quoted
        'CREATE INDEX IF NOT EXISTS res_users_apikeys__index_index ON res_users_apikeys ("index")')


def test_new_database_has_the_declared_indexes(server: Server) -> None:
    found = catalog(server)
    for column, kind in PARTNER_INDEXES.items():
        expect_kind(found, "res_partner", column, kind, server.backend)
    for table, column in (("res_partner_category", "parent_id"), ("res_company", "parent_id"),
                          ("res_users", "partner_id"), ("ir_rule", "model_id"), ("ir_attachment", "res_model"),
                          ("ir_attachment", "store_fname"), ("res_users_apikeys", "user_id"),
                          ("ir_model", "model"), ("ir_model_fields", "model"), ("ir_model_fields", "name"),
                          ("ir_model_fields", "model_id")):
        expect_kind(found, table, column, "btree", server.backend)
    assert not {f"ix_res_partner_{column}" for column in PARTNER_INDEXES} & set(found)
    assert index_name("res_partner", "street") not in found
    assert "ix_ir_model_fields_model_id" not in found  # the metadata schema's, replaced by Odoo's


def test_ir_model_fields_reads_the_index_flag(client: Client) -> None:
    rows = client.x("ir.model.fields", "search_read", [("model", "=", "res.partner"),
                    ("name", "in", ["name", "state_id", "street"])], ["name", "index"], order="name")
    assert rows == [{"id": rows[0]["id"], "name": "name", "index": True},
                    {"id": rows[1]["id"], "name": "state_id", "index": True},
                    {"id": rows[2]["id"], "name": "street", "index": False}]


def make_old(conn: sa.Connection) -> None:
    """The indexes as an earlier server left them: SQLAlchemy's names on the few fields it
    indexed, none on the fields declared indexed since (their `index` flag unset)."""
    for name in list(indexes_of(conn)):
        if "__" in name and name.endswith("_index"):
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
    conn.exec_driver_sql('CREATE INDEX "ix_res_partner_name" ON res_partner (name)')
    conn.exec_driver_sql('CREATE INDEX "ix_ir_model_fields_model_id" ON ir_model_fields (model_id)')
    conn.exec_driver_sql('CREATE INDEX "ix_res_partner_street" ON res_partner (street)')
    conn.execute(sa.text("UPDATE ir_model_fields SET \"index\" = :no WHERE model = 'res.partner' "
                         "AND name IN ('email', 'state_id')"), {"no": False})


@pytest.fixture()
def old_server(backend: str, tmp_path: Path) -> Iterator[Server]:
    require_backend(backend)
    db_url = PG_URL if backend == "postgresql" else None
    name = f"oldix{uuid.uuid4().hex[:8]}"
    storage = Backend(tmp_path, db_url)
    settings = Settings(data_dir=str(tmp_path), db_url=db_url, database=name, password_rounds=1000)
    bootstrap.create(storage, name, settings)
    with storage.transaction(name) as conn:
        make_old(conn)
        assert index_name("res_partner", "email") not in indexes_of(conn)
    storage.dispose()
    server = start_server(tmp_path, backend, database=name)  # the start upgrades every database
    yield server
    stop_server(server)


def test_an_older_database_gets_the_indexes_at_start(old_server: Server) -> None:
    found = catalog(old_server)
    for column, kind in PARTNER_INDEXES.items():
        expect_kind(found, "res_partner", column, kind, old_server.backend)
    expect_kind(found, "ir_model_fields", "model_id", "btree", old_server.backend)
    assert "ix_res_partner_name" not in found and "ix_ir_model_fields_model_id" not in found
    assert "ix_res_partner_street" in found  # an index of a field not declared indexed is kept
    admin = old_server.client()
    rows = admin.x("ir.model.fields", "search_read", [("model", "=", "res.partner"),
                   ("name", "in", ["email", "state_id"])], ["name", "index"], order="name")
    assert [(r["name"], r["index"]) for r in rows] == [("email", True), ("state_id", True)]
    # a second start finds nothing to do and changes nothing
    old_server.proc.terminate()  # the database stays (the fixture drops it)
    old_server.proc.wait(10)
    again = start_server(old_server.data_dir, old_server.backend, database=old_server.db)
    try:
        assert catalog(again) == found
    finally:
        again.proc.terminate()
        again.proc.wait(10)


def explain(server: Server, domain: list[object], seqscan: bool = True) -> str:
    """The plan of the query search() runs for `domain` (the compiler's SQL, as the server sends
    it): PostgreSQL's EXPLAIN, SQLite's EXPLAIN QUERY PLAN. On PostgreSQL `seqscan=False` asks the
    planner for any other plan it has, which shows whether the SQL can use an index at all,
    whatever the table's size."""
    storage = Backend(server.data_dir, server.db_url)
    try:
        with storage.transaction(server.db) as conn:
            postgres = conn.dialect.name == "postgresql"
            if postgres:
                # rows added since the GIN indexes were made wait in their pending lists (which a
                # scan reads in full) until a vacuum merges them: merged here, as autovacuum would
                for name in ("name", "email"):
                    conn.execute(sa.text("SELECT gin_clean_pending_list(CAST(:index AS regclass))"),
                                 {"index": index_name("res_partner", name)})
                if not seqscan:
                    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            conn.exec_driver_sql("ANALYZE res_partner")
            env = Env(conn, Registry.load(conn), SUPERUSER_ID, {"active_test": False}, su=True)
            query = env.compiler.ids_query(env.registry["res.partner"], domain)
            compiled = query.compile(dialect=conn.dialect)
            if postgres:
                rows = conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params).scalars()
            else:
                params = tuple(compiled.params[name] for name in compiled.positiontup or ())
                rows = (row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), params))
            return "\n".join(rows)
    finally:
        storage.dispose()


def add_partners(server: Server) -> Server:
    """5 000 partners named `Bulk <batch>-<i>`, with e-mails `bulk<batch>.<i>@example.com`."""
    admin = server.client()
    for batch in range(5):
        admin.x("res.partner", "create", [{"name": f"Bulk {batch}-{i}", "email": f"bulk{batch}.{i}@example.com"}
                                          for i in range(1000)])
    return server


@pytest.fixture(scope="module")
def many_partners(server: Server) -> Server:
    return add_partners(server)


def test_email_equality_uses_the_index(many_partners: Server) -> None:
    # PostgreSQL: a GIN trigram lookup costs more than reading 5 000 rows, less than reading a
    # million: the planner is asked for its indexed plan, which only SQL comparing the bare
    # column can have. SQLite: the plain index serves the equality.
    plan = explain(many_partners, [("email", "=", "bulk3.417@example.com")], seqscan=False)
    if many_partners.backend == "postgresql":
        assert "Bitmap Index Scan on res_partner__email_index" in plan
        assert "Seq Scan" not in plan
    else:
        assert plan.startswith("SEARCH res_partner USING ") and "INDEX res_partner__email_index (email=?)" in plan
    assert many_partners.client().x("res.partner", "search_count", [("email", "=", "bulk3.417@example.com")]) == 1


@pytest.fixture(scope="module")
def many_partners_pg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Trigram indexes are PostgreSQL's (SQLite's plain index cannot serve `ilike`): a server of
    its own on PostgreSQL, with 5 000 partners."""
    require_backend("postgresql")
    srv = add_partners(start_server(tmp_path_factory.mktemp("trigram"), "postgresql", ["--demo"]))
    yield srv
    stop_server(srv)


def test_ilike_uses_the_trigram_index(many_partners_pg: Server) -> None:
    plan = explain(many_partners_pg, [("name", "ilike", "3-417")])
    assert "Bitmap Index Scan on res_partner__name_index" in plan
    assert "Seq Scan" not in plan
    found = many_partners_pg.client().x("res.partner", "search_read", [("name", "ilike", "K 3-417")], ["name"])
    assert [r["name"] for r in found] == ["Bulk 3-417"]


def test_manual_field_index_follows_its_flag(server: Server) -> None:
    admin = server.client()
    name = f"x_code_{uuid.uuid4().hex[:6]}"
    mid = admin.x("ir.model", "search", [("model", "=", "res.partner")])[0]
    fid = admin.x("ir.model.fields", "create", {"model_id": mid, "name": name, "ttype": "char",
                                                "state": "manual", "index": True})
    index = index_name("res_partner", name)
    expect_kind(catalog(server), "res_partner", name, "btree", server.backend)
    admin.x("ir.model.fields", "write", [fid], {"index": False})
    assert index not in catalog(server)
    assert admin.x("ir.model.fields", "read", [fid], ["index"]) == [{"id": fid, "index": False}]
    admin.x("ir.model.fields", "write", [fid], {"index": True})
    expect_kind(catalog(server), "res_partner", name, "btree", server.backend)
    pid = admin.x("res.partner", "create", {"name": "Coded", name: "C-1"})
    assert admin.x("res.partner", "search", [(name, "=", "C-1")]) == [pid]
    admin.x("ir.model.fields", "unlink", [fid])
    assert index not in catalog(server)
    assert name not in admin.x("res.partner", "fields_get", [], attributes=["type"])


def test_manual_field_created_without_index_has_none(server: Server) -> None:
    admin = server.client()
    model = f"x_ix_{uuid.uuid4().hex[:6]}"
    mid = admin.x("ir.model", "create", {"name": "Indexed", "model": model, "state": "manual"})
    admin.x("ir.model.fields", "create", {"model_id": mid, "name": "x_plain", "ttype": "integer", "state": "manual"})
    fid = admin.x("ir.model.fields", "create", {"model_id": mid, "name": "x_ref", "ttype": "many2one",
                                                "relation": "res.partner", "state": "manual", "index": True})
    table = model.replace(".", "_")
    found = catalog(server)
    assert index_name(table, "x_plain") not in found
    expect_kind(found, table, "x_ref", "btree", server.backend)
    admin.x("ir.model.fields", "unlink", [fid])
    assert index_name(table, "x_ref") not in catalog(server)
    admin.x("ir.model", "unlink", [mid])
    assert not [n for n in catalog(server) if n.startswith(table + "__")]
