"""The pytest plugin (odoorpc_server.pytest_plugin), run the way a user runs it: inner test
files written against the fixture contract, run by `pytester` in a pytest of their own, on each
backend (`--odoo-db-url` for PostgreSQL)."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from conftest import PG_URL, pg_conninfo, require_backend

pytest_plugins = ["pytester"]

HELPERS = '''
import json, time, urllib.request, xmlrpc.client
import pytest


def rpc(odoo, service="object"):
    return xmlrpc.client.ServerProxy(f"{odoo.url}/xmlrpc/2/{service}", allow_none=True)


def user_call(odoo, model, method, *args, **kwargs):
    """A call as the user's code makes it: no harness header."""
    return rpc(odoo).execute_kw(odoo.db, odoo.uid, odoo.password, model, method, list(args), kwargs)


def jsonrpc(odoo, model, method, *args):
    body = {"jsonrpc": "2.0", "id": 1, "method": "call", "params": {
        "service": "object", "method": "execute_kw",
        "args": [odoo.db, odoo.uid, odoo.password, model, method, list(args)]}}
    request = urllib.request.Request(f"{odoo.url}/jsonrpc", json.dumps(body).encode(),
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read())


def fault_of(fn, *args):
    with pytest.raises(xmlrpc.client.Fault) as err:
        fn(*args)
    return err.value.faultCode, err.value.faultString
'''


def run(pytester: pytest.Pytester, backend: str, source: str, *args: str) -> pytest.RunResult:
    """Run one inner test file (after the shared helpers) in a pytest of its own."""
    require_backend(backend)
    pytester.makepyfile(test_inner=HELPERS + textwrap.dedent(source))
    extra = ["--odoo-db-url", PG_URL] if backend == "postgresql" else []
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q", *extra, *args)


# -- hostile and cost-free first -----------------------------------------------------------------

def test_plugin_costs_nothing_until_a_fixture_is_used() -> None:
    """Loaded in every pytest run once installed: it imports nothing of the server."""
    code = ("import sys, odoorpc_server.pytest_plugin; "
            "print(sorted(m for m in sys.modules if m.startswith('odoorpc_server')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['odoorpc_server', 'odoorpc_server.pytest_plugin']"


def test_a_suite_without_the_fixtures_starts_no_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    # an unreachable database URL: a server started anyway would fail this run
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--odoo-db-url",
                                           "postgresql+psycopg://nobody@127.0.0.1:1")
    result.assert_outcomes(passed=1)


def test_a_server_that_cannot_start_fails_with_its_log(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_fail="def test_needs_odoo(odoo):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--odoo-db-url",
                                           "postgresql+psycopg://nobody@127.0.0.1:1")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*odoorpc-server exited with code 1 before answering; its log*"])
    result.stdout.fnmatch_lines(["*127.0.0.1*1*"])  # the driver's connection error, from the log


def test_the_marker_and_options_are_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.odoo(demo=False):*"])
    result = pytester.runpytest_subprocess("--help")
    result.stdout.fnmatch_lines(["*--odoo-db-url=URL*", "*--odoo-version=V*"])


# -- the fixtures --------------------------------------------------------------------------------

def test_attributes_and_call(pytester: pytest.Pytester, backend: str) -> None:
    result = run(pytester, backend, '''
        def test_attributes(odoo, odoo_server):
            assert odoo.url == odoo_server.url and odoo.url.startswith("http://127.0.0.1:")
            assert (odoo.login, odoo.password) == ("admin", "admin")
            assert rpc(odoo, "common").authenticate(odoo.db, odoo.login, odoo.password, {}) == odoo.uid == 2
            assert odoo.db in rpc(odoo, "db").list()

        def test_api_key_is_made_once_and_works(odoo):
            key = odoo.api_key
            assert len(key) == 40 and odoo.api_key == key
            assert rpc(odoo, "common").authenticate(odoo.db, "admin", key, {}) == 2
            answer = rpc(odoo).execute_kw(odoo.db, 2, key, "res.users", "read", [[2], ["login"]])
            assert answer == [{"id": 2, "login": "admin"}]
            names = odoo.call("res.users.apikeys", "search_read", [], fields=["name"])
            assert [n["name"] for n in names] == ["pytest"]

        def test_call_takes_args_and_kwargs(odoo):
            pid = odoo.call("res.partner", "create", {"name": "Dune"})
            assert odoo.call("res.partner", "read", [pid], fields=["name"]) == [{"id": pid, "name": "Dune"}]
            assert odoo.call("res.partner", "search", [["name", "=", "Dune"]], limit=1) == [pid]
    ''')
    result.assert_outcomes(passed=3)


def test_isolation_between_tests(pytester: pytest.Pytester, backend: str) -> None:
    result = run(pytester, backend, '''
        SEEN = []

        def test_first(odoo):
            SEEN.append(odoo.db)
            user_call(odoo, "res.partner", "create", {"name": "Isolated"})
            odoo.call("ir.model", "create", {"name": "Book", "model": "x_book", "state": "manual"})
            assert odoo.call("res.partner", "search_count", [["name", "=", "Isolated"]]) == 1

        def test_second(odoo, odoo_server):
            assert odoo.db != SEEN[0]
            assert odoo.call("res.partner", "search_count", [["name", "=", "Isolated"]]) == 0
            assert odoo.call("ir.model", "search_count", [["model", "=", "x_book"]]) == 0
            odoo_server.settle()  # the first test's database is dropped in the background
            assert SEEN[0] not in rpc(odoo, "db").list()
    ''')
    result.assert_outcomes(passed=2)


def test_postgresql_clones_come_ready_and_nothing_is_left(pytester: pytest.Pytester) -> None:
    """On PostgreSQL the next test's database is cloned while a test runs (a spare): each test
    still gets a database of its own, and at the end the spare, the tests' databases and the
    templates are all dropped."""
    before = plugin_databases()
    result = run(pytester, "postgresql", '''
        NAMES = []

        @pytest.mark.parametrize("n", range(3))
        def test_each(odoo, odoo_server, n):
            NAMES.append(odoo.db)
            assert len(set(NAMES)) == len(NAMES)
            user_call(odoo, "res.partner", "create", {"name": "Mine"})
            assert user_call(odoo, "res.partner", "search_count", [["name", "=", "Mine"]]) == 1
    ''')
    result.assert_outcomes(passed=3)
    assert plugin_databases() - before == set()


def plugin_databases() -> set[str]:
    """The PostgreSQL databases named as the plugin names its templates and clones."""
    import psycopg

    with psycopg.connect(pg_conninfo("postgres")) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE datname ~ '^(t|tpl|tpldemo)_[0-9a-f]{16}$'")
        return {row[0] for row in rows}


def test_demo_marker(pytester: pytest.Pytester, backend: str) -> None:
    result = run(pytester, backend, '''
        def test_plain(odoo, odoo_server):
            assert odoo.call("res.partner", "search_count", [["name", "=", "ASUSTeK"]]) == 0
            assert odoo_server.demo_template is None  # made only when a test asks for it

        @pytest.mark.odoo(demo=True)
        def test_demo(odoo):
            assert odoo.call("res.partner", "search_count", [["name", "=", "ASUSTeK"]]) == 1
            assert odoo.uid == 2

        @pytest.mark.odoo(demo=True)
        def test_demo_is_fresh_too(odoo):
            [asus] = odoo.call("res.partner", "search", [["name", "=", "ASUSTeK"]])
            odoo.call("res.partner", "write", [asus], {"name": "Renamed"})

        @pytest.mark.odoo(demo=True)
        def test_demo_again(odoo):
            assert odoo.call("res.partner", "search_count", [["name", "=", "Renamed"]]) == 0
    ''')
    result.assert_outcomes(passed=4)


def test_faults(pytester: pytest.Pytester, backend: str) -> None:
    result = run(pytester, backend, '''
        def test_xmlrpc_fault_consumed_after_times(odoo):
            odoo.inject_fault("res.partner", "create", code=2, message="Try again", times=2)
            for _ in range(2):
                assert fault_of(user_call, odoo, "res.partner", "create", {"name": "A"}) == (2, "Try again")
            pid = user_call(odoo, "res.partner", "create", {"name": "A"})
            assert odoo.call("res.partner", "search", [["name", "=", "A"]]) == [pid]  # the faults wrote nothing

        def test_codes_and_patterns(odoo):
            odoo.inject_fault("res.*", "search_*", code=3, message="Access Denied", times=1)
            odoo.inject_fault("res.partner", "read", code=4, message="Not yours", times=1)
            assert fault_of(user_call, odoo, "res.users", "search_count", [])[0] == 3
            assert fault_of(user_call, odoo, "res.partner", "read", [1], ["name"]) == (4, "Not yours")
            assert user_call(odoo, "res.partner", "search_count", [["id", "=", 1]]) == 1

        def test_jsonrpc_fault(odoo):
            odoo.inject_fault("res.partner", "write", code=2, message="Locked", times=1)
            error = jsonrpc(odoo, "res.partner", "write", [1], {"name": "X"})["error"]
            assert (error["data"]["name"], error["data"]["message"]) == ("odoo.exceptions.UserError", "Locked")
            assert jsonrpc(odoo, "res.partner", "write", [1], {"name": "X"})["result"] is True

        def test_the_harness_is_never_faulted(odoo):
            odoo.inject_fault("res.partner", "*", code=1, message="Boom", times=None)
            assert odoo.call("res.partner", "search_count", [["id", "=", 1]]) == 1
            assert fault_of(user_call, odoo, "res.partner", "search_count", [])[0] == 1
            assert fault_of(user_call, odoo, "res.partner", "search_count", [])[0] == 1  # times=None: every call

        def test_clear_faults(odoo):
            odoo.inject_fault("res.partner", "search_count", code=2, message="No", times=None)
            odoo.clear_faults()
            assert user_call(odoo, "res.partner", "search_count", [["id", "=", 1]]) == 1

        def test_delay_only(odoo):
            odoo.inject_fault("res.partner", "search_count", code=None, delay=0.3, times=1)
            started = time.monotonic()
            assert user_call(odoo, "res.partner", "search_count", [["id", "=", 1]]) == 1
            assert time.monotonic() - started >= 0.3  # the sleep's lower bound, not a speed claim

        NAME = []

        def test_leaves_a_rule_behind(odoo):
            odoo.inject_fault("res.partner", "search_count", code=2, message="Leftover", times=None)
            NAME.append(odoo.db)

        def test_rules_are_cleared_after_each_test(odoo, odoo_server):
            # the same database name again: no rule of the test before applies to it
            odoo_server.settle()
            rpc(odoo, "db").duplicate_database(odoo_server.master_password, odoo.db, NAME[0])
            again = type(odoo)(odoo_server, NAME[0], odoo.uid)
            try:
                assert user_call(again, "res.partner", "search_count", [["id", "=", 1]]) == 1
            finally:
                odoo_server.drop(NAME[0])
    ''')
    result.assert_outcomes(passed=8)


def test_inject_fault_refuses_without_the_token(pytester: pytest.Pytester, backend: str) -> None:
    result = run(pytester, backend, '''
        import urllib.error

        @pytest.mark.parametrize("token", [None, "wrong"])
        def test_no_token(odoo, token):
            body = json.dumps({"database": odoo.db, "model": "res.partner", "method": "create", "code": 2,
                               "message": "x", "times": None, "delay": 0.0}).encode()
            headers = {"Content-Type": "application/json", **({"X-Odoorpc-Harness": token} if token else {})}
            request = urllib.request.Request(f"{odoo.url}/odoorpc/harness/faults", body, headers, method="POST")
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request)
            assert refused.value.code == 403
            assert user_call(odoo, "res.partner", "create", {"name": "fine"}) > 0
    ''')
    result.assert_outcomes(passed=2)


def test_calls_logged(pytester: pytest.Pytester, backend: str) -> None:
    result = run(pytester, backend, '''
        def test_calls_in_order(odoo, odoo_calls):
            odoo.call("res.partner", "search_count", [])           # the harness's: not listed
            pid = user_call(odoo, "res.partner", "create", {"name": "Logged"})
            user_call(odoo, "res.partner", "write", [pid], {"city": "Ghent"})
            odoo.inject_fault("res.partner", "unlink", code=2, message="Not now", times=1)
            fault_of(user_call, odoo, "res.partner", "unlink", [pid])
            jsonrpc(odoo, "res.partner", "read", [pid], ["city"])
            assert [(c.protocol, c.service, c.model, c.method) for c in odoo_calls] == [
                ("xmlrpc", "object", "res.partner", "create"), ("xmlrpc", "object", "res.partner", "write"),
                ("xmlrpc", "object", "res.partner", "unlink"), ("jsonrpc", "object", "res.partner", "read")]
            create, write, unlink, read = odoo_calls
            assert (create.args, create.kwargs, create.uid, create.result, create.fault) == (
                [{"name": "Logged"}], {}, 2, pid, None)
            assert (write.args, write.result) == ([[pid], {"city": "Ghent"}], True)
            assert (unlink.fault.code, unlink.fault.message, unlink.result) == (2, "Not now", None)
            assert read.result == [{"id": pid, "city": "Ghent"}]
            assert all(isinstance(c.duration_ms, float) and c.duration_ms >= 0 for c in odoo_calls)
            assert odoo_calls.filter(method="write") == [write]
            assert odoo_calls.filter(model="res.users") == []
            assert odoo_calls[-1] == read and len(odoo_calls) == 4

        def test_only_this_tests_database(odoo, odoo_calls):
            assert list(odoo_calls) == []
            user_call(odoo, "res.partner", "search_count", [])
            assert [c.method for c in odoo_calls] == ["search_count"]

        def test_secrets_are_masked(odoo, odoo_calls):
            key = odoo.api_key
            assert rpc(odoo, "common").authenticate(odoo.db, "admin", key, {}) == 2
            [login] = odoo_calls
            assert (login.service, login.method, login.model, login.result) == ("common", "authenticate", None, 2)
            assert key not in json.dumps([login.args, login.kwargs]) and "**********" in login.args
    ''')
    result.assert_outcomes(passed=3)


def test_load(pytester: pytest.Pytester, backend: str) -> None:
    pytester.makefile(".json", shop=json.dumps({
        "module": "fx",
        "models": {"x_shipment": {"name": "Shipment", "fields": {
            "x_name": {"type": "char", "required": True},
            "x_partner_id": {"type": "many2one", "relation": "res.partner"}}}},
        "records": {"res.partner": {"acme": {"name": "Acme", "country_id": "ref(base.be)"}},
                    "x_shipment": {"ship1": {"x_name": "S1", "x_partner_id": "ref(acme)"}}}}))
    result = run(pytester, backend, '''
        from pathlib import Path

        def test_load(odoo, odoo_calls):
            ids = odoo.load(Path(__file__).parent / "shop.json")
            acme, ship = ids["fx.acme"], ids["fx.ship1"]
            [partner] = odoo.call("res.partner", "read", [acme], ["name", "country_id"])
            assert (partner["name"], partner["country_id"][1]) == ("Acme", "Belgium")
            assert odoo.call("x_shipment", "read", [ship], ["x_name", "x_partner_id"]) == [
                {"id": ship, "x_name": "S1", "x_partner_id": [acme, "Acme"]}]
            assert list(odoo_calls) == []  # the loader's calls are the harness's

        def test_loaded_records_are_gone_in_the_next_test(odoo):
            assert odoo.call("ir.model", "search_count", [["model", "=", "x_shipment"]]) == 0
    ''')
    result.assert_outcomes(passed=2)
