"""Data files for fixtures (`services.datafile`): declared models and fields become usable,
records get xml ids that later files (and `env.ref` over RPC) find, a second load updates, and a
file that is wrong names what is wrong and leaves nothing behind. Loaded over XML-RPC (as the
pytest plugin loads) and in process (`odoorpc-server load`, `serve --load`), on both backends."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import uuid
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import Client, Server, drop_pg_database, require_backend, serving, start_server, stop_server
from odoorpc_server.services.datafile import Caller, DataFileError, load

SHIPMENTS = """
models:
  x_shipment:
    name: Shipment
    fields:
      x_name: {type: char, string: Name, required: true}
      x_partner_id: {type: many2one, relation: res.partner}
      x_weight: {type: float}
fields:
  res.partner:
    x_external_ref: {type: char}
records:
  res.partner.category:
    tag_vip: {name: VIP}
    tag_new: {name: New}
  res.partner:
    acme:
      name: Acme
      country_id: ref(base.be)
      category_id: [ref(tag_vip), ref(tag_new)]
      x_external_ref: A-1
  x_shipment:
    ship1: {x_name: S1, x_partner_id: ref(acme), x_weight: 2.5}
"""
MADE = ["data.model_x_shipment", "data.field_x_shipment__x_name", "data.field_x_shipment__x_partner_id",
        "data.field_x_shipment__x_weight", "data.field_res_partner__x_external_ref", "data.tag_vip", "data.tag_new",
        "data.acme", "data.ship1"]

# a billion laughs: six lines whose last value stands for 300 000 values
BOMB = "records:\n  res.partner:\n    a: {comment: &a [x, x, x, x, x, x, x, x, x, x]}\n" + "".join(
    f"    {n}: {{comment: &{n} [{', '.join([f'*{p}'] * 10)}]}}\n" for p, n in zip("abcd", "bcde", strict=True)) + \
    "    f: {comment: [*e, *e, *e]}\n"


@pytest.fixture(scope="module")
def srv(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(backend, tmp_path_factory, "datafile") as found:
        yield found


@pytest.fixture()
def admin(srv: Server) -> Iterator[Client]:
    """A fresh database (a copy of the server's), dropped afterwards."""
    name = f"t{uuid.uuid4().hex[:10]}"
    dbs = xmlrpc.client.ServerProxy(f"{srv.url}/xmlrpc/2/db")
    dbs.duplicate_database("admin", srv.db, name)
    try:
        yield Client(srv.url, name)
    finally:
        dbs.drop("admin", name)


def rpc(client: Client) -> Caller:
    """The caller the pytest plugin gives the loader: execute_kw over XML-RPC."""
    def call(model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        return client.models.execute_kw(client.db, client.uid, client.password, model, method, args, kwargs)
    return call


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(textwrap.dedent(text))
    return path


def cli(srv: Server, database: str, *files: Path) -> subprocess.CompletedProcess[str]:
    where = ["--db-url", srv.db_url] if srv.db_url else ["--data-dir", str(srv.data_dir)]
    return subprocess.run([sys.executable, "-m", "odoorpc_server", "load", *map(str, files), "--database", database,
                           *where], capture_output=True, text=True, timeout=120)


def xmlid(client: Client, full: str) -> Any:
    module, name = full.split(".")
    return client.x("ir.model.data", "check_object_reference", module, name)[1]


def snapshot(client: Client) -> dict[str, Any]:
    """What a failed load must not change: external ids, models, fields, partners, tags."""
    return {"xmlids": client.x("ir.model.data", "search_count", []),
            "models": client.x("ir.model", "search_read", [], fields=["model"]),
            "fields": client.x("ir.model.fields", "search_count", []),
            "partners": client.x("res.partner", "search_read", [], fields=["name", "category_id"],
                                 context={"active_test": False}),
            "tags": client.x("res.partner.category", "search_read", [], fields=["name"])}


def check_shipments(client: Client, made: dict[str, int]) -> None:
    assert sorted(made) == sorted(MADE)
    acme = made["data.acme"]
    assert client.x("res.partner", "read", [acme], ["name", "country_id", "category_id", "x_external_ref"]) == [
        {"id": acme, "name": "Acme", "country_id": [xmlid(client, "base.be"), "Belgium"],
         "category_id": [made["data.tag_new"], made["data.tag_vip"]], "x_external_ref": "A-1"}]  # tags by name
    assert client.x("x_shipment", "search_read", [], fields=["x_name", "x_partner_id", "x_weight"]) == [
        {"id": made["data.ship1"], "x_name": "S1", "x_partner_id": [acme, "Acme"], "x_weight": 2.5}]
    for full, rid in made.items():
        assert xmlid(client, full) == rid, full


def test_declared_models_and_fields_are_usable_over_xmlrpc(admin: Client, tmp_path: Path) -> None:
    made = load(write(tmp_path, "shipments.yaml", SHIPMENTS), rpc(admin))
    check_shipments(admin, made)
    assert admin.x("ir.model", "search_read", [["model", "=", "x_shipment"]], fields=["name", "state"]) == [
        {"id": made["data.model_x_shipment"], "name": "Shipment", "state": "manual"}]
    # the declared model is a real one: integration code creates its records
    other = admin.x("x_shipment", "create", {"x_name": "S2", "x_weight": 1})
    assert admin.x("x_shipment", "search", [["x_weight", "<", 2]]) == [other]


def test_json_files_load_the_same(admin: Client, tmp_path: Path) -> None:
    import yaml

    made = load(write(tmp_path, "shipments.json", json.dumps(yaml.safe_load(SHIPMENTS))), rpc(admin))
    check_shipments(admin, made)


def test_a_second_load_updates_instead_of_duplicating(admin: Client, tmp_path: Path) -> None:
    path = write(tmp_path, "shipments.yaml", SHIPMENTS)
    first = load(path, rpc(admin))
    before = snapshot(admin)
    path.write_text(SHIPMENTS.replace("name: Acme", "name: Acme Corp").replace(
        "[ref(tag_vip), ref(tag_new)]", "[ref(tag_new)]").replace("string: Name,", "string: Shipment name,"))
    again = load(path, rpc(admin))
    assert again == first
    after = snapshot(admin)
    assert after["xmlids"] == before["xmlids"] and after["fields"] == before["fields"]
    assert after["models"] == before["models"] and after["tags"] == before["tags"]
    assert admin.x("res.partner", "read", [first["data.acme"]], ["name", "category_id"]) == [
        {"id": first["data.acme"], "name": "Acme Corp", "category_id": [first["data.tag_new"]]}]
    assert admin.x("ir.model.fields", "read", [first["data.field_x_shipment__x_name"]], ["field_description"]) == [
        {"id": first["data.field_x_shipment__x_name"], "field_description": "Shipment name"}]


def test_a_deleted_record_is_made_again_under_its_key(admin: Client, tmp_path: Path) -> None:
    path = write(tmp_path, "tags.yaml", "records:\n  res.partner.category:\n    tag_vip: {name: VIP}\n")
    first = load(path, rpc(admin))
    admin.x("res.partner.category", "unlink", [first["data.tag_vip"]])
    again = load(path, rpc(admin))
    assert again["data.tag_vip"] != first["data.tag_vip"]
    assert xmlid(admin, "data.tag_vip") == again["data.tag_vip"]
    assert admin.x("ir.model.data", "search_count", [["module", "=", "data"]]) == 1


def test_an_xml_id_pointing_at_nothing_is_moved_to_the_new_record(admin: Client, tmp_path: Path) -> None:
    dangling = admin.x("ir.model.data", "create", {"module": "data", "name": "tag_vip",
                                                   "model": "res.partner.category", "res_id": 999999})
    made = load(write(tmp_path, "tags.yaml", "records:\n  res.partner.category:\n    tag_vip: {name: VIP}\n"),
                rpc(admin))
    assert admin.x("res.partner.category", "search_read", [["name", "=", "VIP"]], fields=["name"]) == [
        {"id": made["data.tag_vip"], "name": "VIP"}]
    assert admin.x("ir.model.data", "search_read", [["module", "=", "data"]], fields=["name", "res_id"]) == [
        {"id": dangling, "name": "tag_vip", "res_id": made["data.tag_vip"]}]


def test_refs_across_files_and_to_base_data(admin: Client, tmp_path: Path) -> None:
    first = load(write(tmp_path, "shipments.yaml", SHIPMENTS), rpc(admin))
    second = load(write(tmp_path, "contacts.yml", """
        module: crm_fixture
        records:
          res.partner:
            jane:
              name: Jane
              parent_id: ref(data.acme)
              company_id: ref(base.main_company)
              user_id: ref(base.user_admin)
              category_id: [ref(data.tag_vip)]
            base.partner_admin: {comment: edited by a fixture}
          x_shipment:
            ship2: {x_name: S2, x_partner_id: ref(jane)}
        """), rpc(admin))
    jane, admin_partner = second["crm_fixture.jane"], xmlid(admin, "base.partner_admin")
    assert sorted(second) == ["base.partner_admin", "crm_fixture.jane", "crm_fixture.ship2"]
    assert second["base.partner_admin"] == admin_partner  # a base record's key updates that record
    assert admin.x("res.partner", "read", [jane], ["parent_id", "company_id", "user_id", "category_id"]) == [
        {"id": jane, "parent_id": [first["data.acme"], "Acme"], "company_id": [1, "My Company"],
         "user_id": [2, "Administrator"], "category_id": [first["data.tag_vip"]]}]
    assert admin.x("res.partner", "read", [admin_partner], ["comment"])[0]["comment"] == "edited by a fixture"
    assert admin.x("x_shipment", "read", [second["crm_fixture.ship2"]], ["x_partner_id"])[0]["x_partner_id"] == [
        jane, "Acme, Jane"]


@pytest.mark.parametrize(("name", "text", "message"), [
    ("ref.yaml", "records:\n  res.partner:\n    acme: {name: Acme, country_id: ref(base.nowhere)}\n",
     "{path}: res.partner record 'acme', field 'country_id': ref(base.nowhere): no record has the xml id "
     "'base.nowhere' (a record of this file must come before the records that ref() it)"),
    ("later.yaml", "records:\n  res.partner:\n    jane: {name: Jane, parent_id: ref(acme)}\n    acme: {name: Acme}\n",
     "{path}: res.partner record 'jane', field 'parent_id': ref(acme): no record has the xml id 'data.acme' "
     "(a record of this file must come before the records that ref() it)"),
    ("field.yaml", "records:\n  res.partner:\n    acme: {name: Acme, x_nothing: 1}\n",
     "{path}: res.partner record 'acme', field 'x_nothing': res.partner has no field 'x_nothing'"),
    ("model.yaml", "records:\n  x_unknown:\n    one: {x_name: One}\n",
     "{path}: x_unknown record 'one': model 'x_unknown' does not exist (declare it under models:)"),
    ("type.yaml", "models:\n  x_box:\n    fields:\n      x_weight: {type: float}\n"
     "records:\n  x_box:\n    b1: {x_weight: heavy}\n",
     "{path}: x_box record 'b1', field 'x_weight': a float field takes a number, not text 'heavy'"),
    ("wrongmodel.yaml", "records:\n  res.partner:\n    acme: {name: Acme, parent_id: ref(base.be)}\n",
     "{path}: res.partner record 'acme', field 'parent_id': ref(base.be) is a res.country record, the field takes "
     "res.partner"),
    ("refchar.yaml", "records:\n  res.partner:\n    acme: {name: ref(base.be)}\n",
     "{path}: res.partner record 'acme', field 'name': ref() names a record, but this is a char field"),
    ("twice.yaml", "records:\n  res.partner.category:\n    same: {name: A}\n  res.partner:\n    same: {name: B}\n",
     "{path}: res.partner record 'same': the xml id 'data.same' is given to two records of the file"),
    ("fields.yaml", "fields:\n  res.partner:\n    x_a: {type: char, colour: red}\n",
     "{path}: res.partner field 'x_a': unknown attribute 'colour' (a field has type, string, column1, column2, "
     "copied, domain, groups, help, index, on_delete, readonly, relation, relation_field, relation_table, required, "
     "selection, size, store, translate)"),
    ("notx.yaml", "models:\n  shipment: {name: Shipment}\n",
     "{path}: shipment: a declared model's name starts with 'x_' (declare fields of existing models under fields:)"),
])
def test_a_wrong_file_names_what_is_wrong_and_writes_nothing(admin: Client, tmp_path: Path, name: str, text: str,
                                                             message: str) -> None:
    """Checked before anything is written, so nothing is left even over XML-RPC; the declared
    models of the file (x_box) are not made either."""
    path = write(tmp_path, name, "models:\n  x_first: {name: First}\n" + text if "models:" not in text else text)
    before = snapshot(admin)
    with pytest.raises(DataFileError) as error:
        load(path, rpc(admin))
    assert str(error.value) == message.format(path=path)
    assert snapshot(admin) == before


@pytest.mark.parametrize(("name", "text", "message"), [
    ("bad.yaml", "records: [unclosed\n", "not valid YAML at line 2, column 1: while parsing a flow sequence, "
     "expected ',' or ']', but got '<stream end>'"),
    ("list.yaml", "- a\n- b\n", "a data file is a mapping (with models, fields and records), not a list"),
    ("scalar.json", "42", "a data file is a mapping (with models, fields and records), not a number"),
    ("section.yaml", "record: {}\n", "unknown section 'record' (a data file has module, models, fields and records)"),
    ("python.yaml", "records: !!python/object/apply:os.system ['touch {marker}']\n",
     "not valid YAML at line 1, column 10: could not determine a constructor for the tag "
     "'tag:yaml.org,2002:python/object/apply:os.system'"),
    ("bomb.yaml", BOMB,
     "too big or too deeply nested (at most 200000 values, 16 levels in a record value)"),
    ("data.txt", "records: {}\n", "a data file ends in .yaml, .yml or .json"),
])
def test_a_file_that_is_no_data_file_is_refused_by_the_cli(srv: Server, admin: Client, tmp_path: Path, name: str,
                                                           text: str, message: str) -> None:
    marker = tmp_path / "marker"
    path = write(tmp_path, name, text.replace("{marker}", str(marker)))
    before = snapshot(admin)
    done = cli(srv, admin.db, path)
    assert (done.returncode, done.stdout, done.stderr) == (1, "", f"odoorpc-server: {path}: {message}\n")
    assert not marker.exists()  # safe_load built no Python object
    assert snapshot(admin) == before


def test_the_cli_loads_in_process_and_prints_the_ids(srv: Server, admin: Client, tmp_path: Path) -> None:
    path = write(tmp_path, "shipments.yaml", SHIPMENTS)
    done = cli(srv, admin.db, path)
    assert (done.returncode, done.stderr) == (0, "")
    made = json.loads(done.stdout)
    check_shipments(admin, made)  # the running server sees the models the command declared
    again = cli(srv, admin.db, path)
    assert json.loads(again.stdout) == made
    assert admin.x("res.partner", "search_count", [["name", "=", "Acme"]]) == 1


def test_the_cli_keeps_nothing_of_a_file_the_server_refuses(srv: Server, admin: Client, tmp_path: Path) -> None:
    """A refusal only the server can make (a required field left empty, after the model and
    other records were made): the whole load is one transaction, rolled back."""
    first = write(tmp_path, "tags.yaml", "records:\n  res.partner.category:\n    tag_vip: {name: VIP}\n")
    path = write(tmp_path, "shipments.yaml", SHIPMENTS + "    ship2: {x_weight: 1.0}\n")
    before = snapshot(admin)
    done = cli(srv, admin.db, first, path)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"odoorpc-server: {path}: x_shipment record 'ship2': The operation cannot be completed:\n"
        "- Create/update: a mandatory field is not set.\n"
        "- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n"
        "Model: Shipment (x_shipment)\nField: Name (x_name)\n")
    assert snapshot(admin) == before
    assert admin.x("ir.model", "search_count", [["model", "=", "x_shipment"]]) == 0


def test_the_cli_refuses_a_missing_database(srv: Server, tmp_path: Path) -> None:
    path = write(tmp_path, "tags.yaml", "records: {}\n")
    done = cli(srv, "nowhere_" + uuid.uuid4().hex[:6], path)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.endswith("does not exist\n") and done.stderr.startswith("odoorpc-server: database 'nowhere_")


def test_a_plain_user_cannot_declare_models(admin: Client, tmp_path: Path) -> None:
    login = f"u{uuid.uuid4().hex[:6]}"
    admin.x("res.users", "create", {"name": "Plain", "login": login, "password": "plain-pw"})
    plain = Client(admin.url, admin.db, login, "plain-pw")
    path = write(tmp_path, "shipments.yaml", SHIPMENTS)
    before = snapshot(admin)
    with pytest.raises(DataFileError) as error:
        load(path, rpc(plain))
    assert isinstance(error.value.__cause__, xmlrpc.client.Fault) and error.value.__cause__.faultCode == 4
    assert str(error.value).startswith(f"{path}: ")
    assert str(error.value) == f"{path}: x_shipment: {error.value.__cause__.faultString}"
    assert error.value.__cause__.faultString.startswith("You are not allowed to create 'Models' (ir.model) records.")
    assert snapshot(admin) == before


def test_serve_load_loads_at_start_and_updates_at_the_next(backend: str, tmp_path: Path) -> None:
    require_backend(backend)
    path = write(tmp_path, "shipments.yaml", SHIPMENTS)
    db = f"t{uuid.uuid4().hex[:10]}"
    first = start_server(tmp_path, backend, ["--load", str(path)], database=db)
    try:
        made = {full: xmlid(first.client(), full) for full in MADE}
        check_shipments(first.client(), made)
    finally:
        first.proc.terminate()
        first.proc.wait(30)
    again = start_server(tmp_path, backend, ["--load", str(path), "--load", str(path)], database=db)
    try:
        client = again.client()
        check_shipments(client, made)
        assert client.x("res.partner", "search_count", [["name", "=", "Acme"]]) == 1
        assert client.x("ir.model.data", "search_count", [["module", "=", "data"]]) == len(MADE)
    finally:
        stop_server(again)


def test_serve_does_not_start_on_a_file_it_cannot_load(backend: str, tmp_path: Path) -> None:
    require_backend(backend)
    path = write(tmp_path, "wrong.yaml", "records:\n  res.partner:\n    acme: {name: Acme, x_nothing: 1}\n")
    db = f"t{uuid.uuid4().hex[:10]}"
    with pytest.raises(RuntimeError) as error:
        start_server(tmp_path, backend, ["--load", str(path)], database=db)
    try:
        assert (f"odoorpc-server: {path}: res.partner record 'acme', field 'x_nothing': res.partner has no field "
                "'x_nothing'") in str(error.value)
    finally:
        if backend == "postgresql":
            drop_pg_database(db)


def test_the_readme_example_loads_twice(admin: Client, tmp_path: Path) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme.split("## Data files (fixtures)", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = write(tmp_path, "shop.yaml", example)
    made = load(path, rpc(admin))
    assert load(path, rpc(admin)) == made
    assert admin.x("x_shipment", "read", [made["shop_fixture.ship1"]], ["x_partner_id", "x_state"]) == [
        {"id": made["shop_fixture.ship1"], "x_partner_id": [made["shop_fixture.acme"], "Acme"], "x_state": "draft"}]
    for named in ("base.be", "base.EUR", "base.main_company", "base.main_partner", "base.user_admin",
                  "base.partner_admin", "base.group_user", "base.group_system"):  # the ids the README names
        assert isinstance(xmlid(admin, named), int), named


def test_serve_load_is_the_servers_own(backend: str, tmp_path: Path) -> None:
    """Neither logged nor failed by the faults `serve` injects into its clients' calls."""
    require_backend(backend)
    path = write(tmp_path, "shipments.yaml", SHIPMENTS)
    log = tmp_path / "calls.jsonl"
    srv = start_server(tmp_path, backend, ["--load", str(path), "--call-log", str(log),
                                           "--inject", "res.partner.create:code=2,message=Busy"])
    try:
        client = srv.client()
        assert client.x("res.partner", "search_count", [["name", "=", "Acme"]]) == 1
        calls = [json.loads(line) for line in log.read_text().splitlines()]
        assert [(c["model"], c["method"]) for c in calls if c["service"] == "object"] == [
            ("res.partner", "search_count")]
    finally:
        stop_server(srv)
