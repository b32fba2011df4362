"""Column indexes as Odoo declares them: `<table>__<column>_index` per indexed field, a GIN
trigram index on PostgreSQL where the field is declared `trigram`, a partial one where it is
`btree_not_null`, plain ones on SQLite; made for new databases, added to older ones at start,
and made or dropped with manual fields' `index`."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from conftest import PG_URL, Client, Server, pg_conninfo, require_backend, start_server, stop_server
from odoorpc_server.orm.env import SUPERUSER_ID, Env
from odoorpc_server.orm.indexes import OrderIndex, ddl, includes, index_name, lacks_include, order_indexes
from odoorpc_server.orm.order import OrderBuilder
from odoorpc_server.orm.registry import Registry
from odoorpc_server.orm.where import name_domain
from odoorpc_server.services import bootstrap
from odoorpc_server.settings import Settings
from odoorpc_server.storage.database import Backend

PARTNER_INDEXES = {
    "name": "trigram", "complete_name": "trigram", "email": "trigram", "ref": "trigram", "vat": "trigram",
    "company_registry": "trigram",
    "parent_id": "btree", "company_id": "btree", "commercial_partner_id": "btree",
    "state_id": "btree_not_null", "country_id": "btree_not_null",
}


PARTNER_ORDER_INDEX = "res_partner__complete_name_id_desc_order_index"
INCLUDES = {"res_partner": ["active", "company_id"]}


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
        # res.partner's btree indexes carry the active flag and the company (index_include)
        cover = [c for c in INCLUDES.get(table, []) if c != column]
        include = f" INCLUDE ({', '.join(cover)})" if cover else ""
        if kind == "trigram":
            assert definition == (f"CREATE INDEX {table}__{column}_index ON public.{table} "
                                  f"USING gin ({column} gin_trgm_ops)")
        elif kind == "btree_not_null":
            assert definition == (f"CREATE INDEX {table}__{column}_index ON public.{table} "
                                  f"USING btree ({column}){include} WHERE ({column} IS NOT NULL)")
        else:
            assert definition == (f"CREATE INDEX {table}__{column}_index ON public.{table} "
                                  f"USING btree ({column}){include}")
    else:
        where = f" WHERE {column} IS NOT NULL" if kind == "btree_not_null" else ""
        assert definition == f"CREATE INDEX {table}__{column}_index ON {table} ({column}){where}"


def expect_order_index(found: dict[str, str], backend: str) -> None:
    """res.partner's default order (complete_name ASC, id DESC) has its btree index on PostgreSQL
    (SQLite's ascending order puts NULLs first where the ORDER BY asks them last: no index there)."""
    if backend == "postgresql":
        assert found[PARTNER_ORDER_INDEX] == (f"CREATE INDEX {PARTNER_ORDER_INDEX} ON public.res_partner "
                                              "USING btree (complete_name, id DESC) INCLUDE (active, company_id, name)")
    else:
        assert PARTNER_ORDER_INDEX not in found


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


def test_order_index_statements() -> None:
    partner = order_indexes()["res.partner"]
    assert partner == OrderIndex("res_partner", (("complete_name", False, None), ("id", True, None)), ("name",))
    assert partner.name == PARTNER_ORDER_INDEX
    assert partner.ddl(postgresql.dialect()) == (
        f"CREATE INDEX IF NOT EXISTS {PARTNER_ORDER_INDEX} ON res_partner (complete_name, id DESC) INCLUDE (name)")
    assert partner.ddl(postgresql.dialect(), ("active", "id")) == (  # a key column is not included again
        f"CREATE INDEX IF NOT EXISTS {PARTNER_ORDER_INDEX} ON res_partner (complete_name, id DESC) "
        "INCLUDE (active, name)")
    # NULLS is written when it is not the btree's own; `id` is added as the order builder adds it
    odd = OrderIndex("x_t", (("x_when", True, "last"), ("x_name", False, "first"), ("id", False, None)))
    assert odd.ddl(postgresql.dialect()) == ("CREATE INDEX IF NOT EXISTS x_t__x_when_desc_x_name_id_order_index "
                                            "ON x_t (x_when DESC NULLS LAST, x_name NULLS FIRST, id)")
    assert set(order_indexes()) == {"res.partner"}


def test_include_statements() -> None:
    assert includes() == {"res.partner": ("active", "company_id")}
    pg = postgresql.dialect()
    assert ddl(pg, "res_partner", "country_id", "btree_not_null", True, ("active", "company_id")) == (
        "CREATE INDEX IF NOT EXISTS res_partner__country_id_index ON res_partner (country_id) "
        "INCLUDE (active, company_id) WHERE country_id IS NOT NULL")
    assert ddl(pg, "res_partner", "parent_id", "btree", True, ("active", "company_id")) == (
        "CREATE INDEX IF NOT EXISTS res_partner__parent_id_index ON res_partner (parent_id) "
        "INCLUDE (active, company_id)")
    # an index made before its model declared the columns is one to make again
    before = "CREATE INDEX res_partner__parent_id_index ON public.res_partner USING btree (parent_id)"
    assert lacks_include(before, ("active", "company_id"))
    assert not lacks_include(before + " INCLUDE (active, company_id)", ("active", "company_id"))
    assert not lacks_include(before, ()) and not lacks_include(None, ("active",))


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
    expect_order_index(found, server.backend)


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
    # as the previous version made it, without the INCLUDE columns res.partner declares since
    conn.exec_driver_sql('CREATE INDEX res_partner__country_id_index ON res_partner (country_id) '
                         "WHERE country_id IS NOT NULL")
    if conn.dialect.name == "postgresql":  # (SQLite has no order index)
        conn.exec_driver_sql(f"CREATE INDEX {PARTNER_ORDER_INDEX} ON res_partner (complete_name, id DESC)")
    conn.execute(sa.text("UPDATE ir_model_fields SET \"index\" = :no WHERE model = 'res.partner' "
                         "AND name IN ('email', 'state_id', 'company_registry')"), {"no": False})


def started_after(backend: str, tmp_path: Path, change: Callable[[sa.Connection], None]) -> Server:
    """A server started on a database made, then changed by `change` (the start upgrades it)."""
    require_backend(backend)
    db_url = PG_URL if backend == "postgresql" else None
    name = f"oldix{uuid.uuid4().hex[:8]}"
    storage = Backend(tmp_path, db_url)
    settings = Settings(data_dir=str(tmp_path), db_url=db_url, database=name, password_rounds=1000)
    bootstrap.create(storage, name, settings)
    with storage.transaction(name) as conn:
        change(conn)
    storage.dispose()
    return start_server(tmp_path, backend, database=name)


@pytest.fixture()
def old_server(backend: str, tmp_path: Path) -> Iterator[Server]:
    def change(conn: sa.Connection) -> None:
        make_old(conn)
        assert index_name("res_partner", "email") not in indexes_of(conn)

    server = started_after(backend, tmp_path, change)
    yield server
    stop_server(server)


def test_indexes_made_before_their_include_columns_are_made_again(backend: str, tmp_path: Path) -> None:
    # every index is there under its name, two of them as the previous version made them (no
    # INCLUDE on PostgreSQL; on SQLite these are the current definitions, left as they are)
    def change(conn: sa.Connection) -> None:
        conn.exec_driver_sql(f"DROP INDEX {index_name('res_partner', 'parent_id')}")
        conn.exec_driver_sql(f"CREATE INDEX {index_name('res_partner', 'parent_id')} ON res_partner (parent_id)")
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"DROP INDEX {PARTNER_ORDER_INDEX}")
            conn.exec_driver_sql(f"CREATE INDEX {PARTNER_ORDER_INDEX} ON res_partner (complete_name, id DESC)")

    server = started_after(backend, tmp_path, change)
    try:
        found = catalog(server)
        expect_kind(found, "res_partner", "parent_id", "btree", backend)
        expect_order_index(found, backend)
        for column, kind in PARTNER_INDEXES.items():
            expect_kind(found, "res_partner", column, kind, backend)
    finally:
        stop_server(server)


def test_an_older_database_gets_the_indexes_at_start(old_server: Server) -> None:
    found = catalog(old_server)
    for column, kind in PARTNER_INDEXES.items():
        expect_kind(found, "res_partner", column, kind, old_server.backend)
    expect_kind(found, "ir_model_fields", "model_id", "btree", old_server.backend)
    expect_order_index(found, old_server.backend)
    assert "ix_res_partner_name" not in found and "ix_ir_model_fields_model_id" not in found
    assert "ix_res_partner_street" in found  # an index of a field not declared indexed is kept
    admin = old_server.client()
    rows = admin.x("ir.model.fields", "search_read", [("model", "=", "res.partner"),
                   ("name", "in", ["email", "state_id", "company_registry"])], ["name", "index"], order="name")
    assert [(r["name"], r["index"]) for r in rows] == [("company_registry", True), ("email", True), ("state_id", True)]
    # a second start finds nothing to do and changes nothing
    old_server.proc.terminate()  # the database stays (the fixture drops it)
    old_server.proc.wait(10)
    again = start_server(old_server.data_dir, old_server.backend, database=old_server.db)
    try:
        assert catalog(again) == found
    finally:
        again.proc.terminate()
        again.proc.wait(10)


def explain(server: Server, domain: list[object], seqscan: bool = True, page: int | None = None,
            uid: int | None = None, count: bool = False) -> str:
    """The plan of the query search() runs for `domain` (the compiler's SQL, as the server sends
    it): PostgreSQL's EXPLAIN, SQLite's EXPLAIN QUERY PLAN. On PostgreSQL `seqscan=False` asks the
    planner for any other plan it has, which shows whether the SQL can use an index at all,
    whatever the table's size. `uid`: the query as that user's search runs it (its active filter
    and record rules included; else the superuser's, without them); `page`: of a page of that many
    records in the model's default order, as search(domain, limit=page); `count`: search_count's."""
    storage = Backend(server.data_dir, server.db_url)
    try:
        with storage.transaction(server.db) as conn:
            postgres = conn.dialect.name == "postgresql"
            if postgres:
                # rows added since the GIN indexes were made wait in their pending lists (which a
                # scan reads in full) until a vacuum merges them: merged here, as autovacuum would
                for name in ("name", "complete_name", "email", "ref", "vat", "company_registry"):
                    conn.execute(sa.text("SELECT gin_clean_pending_list(CAST(:index AS regclass))"),
                                 {"index": index_name("res_partner", name)})
                if not seqscan:
                    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            conn.exec_driver_sql("ANALYZE res_partner")
            if uid is None:
                env = Env(conn, Registry.load(conn), SUPERUSER_ID, {"active_test": False}, su=True)
            else:
                env = Env(conn, Registry.load(conn), uid)
            model = env.registry["res.partner"]
            query = env.compiler.ids_query(model, domain)
            if page is not None:
                builder = OrderBuilder(env.registry)
                builder.add(model, model.table, model.order)
                query = builder.apply(query, model.table).limit(page)
            if count:
                query = sa.select(sa.func.count()).select_from(query.subquery())
            compiled = query.compile(dialect=conn.dialect)
            bound = {}  # the values as the statement binds them (an id list: an array, or JSON on SQLite)
            for name, value in compiled.params.items():
                process = compiled.binds[name].type.bind_processor(conn.dialect)
                bound[name] = process(value) if process else value
            if postgres:
                rows = conn.exec_driver_sql("EXPLAIN " + str(compiled), bound).scalars()
            else:
                params = tuple(bound[name] for name in compiled.positiontup or ())
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


def test_a_default_order_page_walks_the_order_index(many_partners: Server) -> None:
    # a page in res.partner's default order, as admin (active filter and multi-company rule):
    # read in the order index's order and stopped after 80 rows, no sort of every partner
    plan = explain(many_partners, [], seqscan=False, page=80, uid=2)
    if many_partners.backend == "postgresql":
        assert f"Scan using {PARTNER_ORDER_INDEX} on res_partner" in plan  # an index (only) scan
        assert "Sort" not in plan
    else:  # no order index there: the plain complete_name index orders, ties sorted apart
        assert "SCAN res_partner USING INDEX res_partner__complete_name_index" in plan
        assert "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY" in plan
    admin = many_partners.client()
    page = admin.x("res.partner", "search_read", [], ["complete_name"], limit=80)
    names = [r["complete_name"] for r in admin.x("res.partner", "search_read", [], ["complete_name"])]
    assert [r["complete_name"] for r in page] == sorted(names, key=lambda n: n.encode())[:80]


def test_a_count_on_an_indexed_many2one_reads_the_index_alone(many_partners_pg: Server) -> None:
    # the active filter and the multi-company rule of admin's search_count are answered from the
    # columns the country index carries: no visit of the table (once vacuumed, as autovacuum does)
    with psycopg.connect(pg_conninfo(many_partners_pg.db), autocommit=True) as conn:
        conn.execute("VACUUM res_partner")
    admin = many_partners_pg.client()
    belgium = admin.x("res.country", "search", [("code", "=", "BE")])[0]
    plan = explain(many_partners_pg, [("country_id", "=", belgium)], seqscan=False, uid=2, count=True)
    assert "Index Only Scan using res_partner__country_id_index on res_partner" in plan
    assert "Heap" not in plan
    expected = len(admin.x("res.partner", "search", [("country_id", "=", belgium)]))
    assert expected > 0
    assert admin.x("res.partner", "search_count", [("country_id", "=", belgium)]) == expected


def test_a_name_page_is_read_from_the_order_index_alone(many_partners_pg: Server) -> None:
    # `name ilike` on a page in the default order: the order index carries name, the active flag
    # and the company, so the walk through it never visits the table (once vacuumed)
    with psycopg.connect(pg_conninfo(many_partners_pg.db), autocommit=True) as conn:
        conn.execute("VACUUM res_partner")
    plan = explain(many_partners_pg, [("name", "ilike", "bulk 3")], seqscan=False, page=80, uid=2)
    assert f"Index Only Scan using {PARTNER_ORDER_INDEX} on res_partner" in plan
    assert "Sort" not in plan and "Heap" not in plan
    found = many_partners_pg.client().x("res.partner", "search_read", [("name", "ilike", "bulk 3")], ["name"],
                                        limit=80)
    assert [r["name"] for r in found] == sorted((f"Bulk 3-{i}" for i in range(1000)), key=str.encode)[:80]


def test_name_search_with_few_matches_uses_the_trigram_indexes(many_partners_pg: Server) -> None:
    # every field name_search looks in has its trigram index, so the OR of the five ilikes is an
    # OR of index lookups, never a scan of every partner
    domain = name_domain(registry_of(many_partners_pg)["res.partner"], "3-417", "ilike")
    plan = explain(many_partners_pg, domain, seqscan=False)
    assert "BitmapOr" in plan
    for name in ("complete_name", "email", "ref", "vat", "company_registry"):
        assert f"Bitmap Index Scan on res_partner__{name}_index" in plan
    assert "Seq Scan" not in plan
    found = many_partners_pg.client().x("res.partner", "name_search", "3-417")
    assert [name for _, name in found] == ["Bulk 3-417"]


def registry_of(server: Server) -> Registry:
    storage = Backend(server.data_dir, server.db_url)
    try:
        with storage.transaction(server.db, write=False) as conn:
            return Registry.load(conn)
    finally:
        storage.dispose()
