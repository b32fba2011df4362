"""Hostile input over the wire, drawn by hypothesis: raw XML-RPC bodies, JSON-RPC and web
`call_kw` bodies, JSON-2 bodies on a 19.0 server, and domains, orders and values for
create/write sent through the protocols.

The properties, for every example:
- the answer is a well-formed protocol answer: an XML-RPC `methodResponse` with one value or
  a fault (int `faultCode`, str `faultString`); a JSON-RPC envelope echoing the id with a
  result or an error object (HTTP 400 only for a body that is no JSON object, as Odoo); a
  JSON-2 status of the documented set with Odoo's JSON error body. Never an HTML 500 or a
  traceback page, never a hung connection, never a driver's exception leaking through;
- the server process stays up;
- a call answered with a fault changed nothing: a fingerprint of the data clients can touch
  (every row's id and write_date, and the values of the records the examples target, read
  over the wire as admin) is the same before and after it.

Examples are derandomized and bounded, so a run is repeatable and short.
"""
from __future__ import annotations

import base64
import datetime as dt
import functools
import http.client
import json
import traceback
import xmlrpc.client
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import Client, Server, fault, last_line, serving
from json2wire import ERROR_KEYS, make_key

TIMEOUT = 30  # seconds a single answer may take before the connection counts as hung
LEAKED = ("sqlalchemy", "psycopg.", "sqlite3", "werkzeug.exceptions.InternalServerError")
SEEN: Counter[str] = Counter()


# no shrinking: each example costs server calls, and the failing example is reported as drawn
NO_SHRINK = (Phase.explicit, Phase.generate)


def fixed(n: int) -> Any:
    return settings(max_examples=n, deadline=None, derandomize=True, database=None, phases=NO_SHRINK,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.filter_too_much, HealthCheck.data_too_large])


def prop(n: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A property over `n` drawn examples (`data` drawn by hypothesis). The examples share one
    live server, so a failing one cannot be replayed as hypothesis would (the data moved on):
    every failure is recorded as it happened (the fingerprint taken afresh after it), and the
    test fails with the first one's message."""
    def decorate(body: Callable[..., None]) -> Callable[..., None]:
        failures: list[str] = []

        @functools.wraps(body)
        def example(*args: Any, **kwargs: Any) -> None:
            try:
                body(*args, **kwargs)
            except Exception as error:  # the answer was no proper one: any error is the property's failure
                text = str(error) if isinstance(error, AssertionError) else traceback.format_exc()[-3000:]
                failures.append(text)
                for value in (*args, *kwargs.values()):
                    if isinstance(value, World):
                        value._last = None

        inner = fixed(n)(given(data=st.data())(example))

        @functools.wraps(inner)
        def test(*args: Any, **kwargs: Any) -> None:
            failures.clear()
            inner(*args, **kwargs)
            assert not failures, failures[0]
        return test
    return decorate


# ---------------------------------------------------------------------------------------------
# the world: a server of our own per backend, records the examples aim at, a fingerprint
# ---------------------------------------------------------------------------------------------
PROP_FIELDS = {"x_name": "char", "x_text": "text", "x_html": "html", "x_int": "integer", "x_float": "float",
               "x_flag": "boolean", "x_day": "date", "x_when": "datetime", "x_state": "selection",
               "x_data": "binary"}
PARTNER_FIELDS = ["name", "email", "phone", "street", "city", "zip", "comment", "is_company", "active",
                  "parent_id", "category_id", "child_ids", "country_id", "state_id", "ref", "vat", "website",
                  "function", "type", "lang", "tz", "color", "user_ids", "company_id"]


@dataclass
class World:
    """One server and what the examples target there; `fingerprint()` is cached between
    calls that cannot have changed anything."""

    server: Server
    admin: Client
    models: dict[str, list[str]]           # model -> fields whose values the fingerprint reads
    ids: dict[str, list[int]] = field(default_factory=dict)
    _last: Any = None

    def fingerprint(self) -> Any:
        state = []
        for model, fnames in self.models.items():
            rows = self.admin.x(model, "search_read", [], ["write_date", *fnames], order="id",
                                context={"active_test": False})
            state.append((model, [sorted(r.items()) for r in rows]))
        return state

    def before(self) -> Any:
        if self._last is None:
            self._last = self.fingerprint()
        return self._last

    def after(self, faulted: bool, what: str) -> None:
        """Check the rejected call changed nothing; forget the fingerprint after an accepted one."""
        assert self.server.proc.poll() is None, f"the server died on {what}"
        if not faulted:
            self._last = None
            return
        before, now = self._last, self.fingerprint()
        assert now == before, f"a call answered with a fault changed the data: {what}"


def custom_models(admin: Client) -> None:
    """x_prop: one field of each type, a many2one to partners, tags, lines (one2many)."""
    mid = admin.x("ir.model", "create", {"name": "Prop", "model": "x_prop", "state": "manual"})
    lid = admin.x("ir.model", "create", {"name": "Prop line", "model": "x_prop_line", "state": "manual"})
    for fname, ttype in PROP_FIELDS.items():
        extra = {"selection": "[('a','A'),('b','B')]"} if ttype == "selection" else {}
        admin.x("ir.model.fields", "create", {"model_id": mid, "name": fname, "ttype": ttype, "state": "manual",
                                              **extra})
    admin.x("ir.model.fields", "create", {"model_id": mid, "name": "x_partner_id", "ttype": "many2one",
                                          "relation": "res.partner", "state": "manual"})
    admin.x("ir.model.fields", "create", {"model_id": mid, "name": "x_tag_ids", "ttype": "many2many",
                                          "relation": "res.partner.category", "state": "manual"})
    admin.x("ir.model.fields", "create", {"model_id": lid, "name": "x_name", "ttype": "char", "state": "manual"})
    admin.x("ir.model.fields", "create", {"model_id": lid, "name": "x_prop_id", "ttype": "many2one",
                                          "relation": "x_prop", "state": "manual", "on_delete": "cascade"})
    admin.x("ir.model.fields", "create", {"model_id": mid, "name": "x_line_ids", "ttype": "one2many",
                                          "relation": "x_prop_line", "relation_field": "x_prop_id",
                                          "state": "manual"})


def targets(admin: Client, with_props: bool) -> dict[str, list[int]]:
    tags = [admin.x("res.partner.category", "create", {"name": f"prop tag {n}"}) for n in range(3)]
    company = admin.x("res.partner", "create", {"name": "Prop Company", "is_company": True})
    partners = [company] + [admin.x("res.partner", "create", {"name": f"Prop contact {n}", "parent_id": company,
                                                               "category_id": [(6, 0, tags[:n])]})
                            for n in range(3)]
    ids = {"res.partner": partners, "res.partner.category": tags}
    if with_props:
        ids["x_prop"] = [admin.x("x_prop", "create", {"x_name": f"prop {n}", "x_int": n, "x_partner_id": partners[n],
                                                      "x_tag_ids": [(6, 0, tags[:n])],
                                                      "x_line_ids": [(0, 0, {"x_name": f"line {n}"})]})
                         for n in range(3)]
    return ids


@pytest.fixture(scope="module")
def world(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with serving(backend, tmp_path_factory, "props", "--demo") as srv:
        admin = srv.client()
        custom_models(admin)
        models = {"res.partner": ["name", "email", "comment", "active", "parent_id", "category_id", "child_ids"],
                  "res.partner.category": ["name", "parent_id"],
                  "x_prop": [*PROP_FIELDS, "x_partner_id", "x_tag_ids", "x_line_ids"],
                  "x_prop_line": ["x_name", "x_prop_id"]}
        w = World(srv, admin, models, targets(admin, with_props=True))
        yield w
        assert srv.proc.poll() is None
        assert admin.common.version()["server_version"] == "17.0"
        print(f"\n[{backend}] answers seen: {dict(sorted(SEEN.items()))}")


@pytest.fixture(scope="module")
def world19(server19: Server, admin19: Client) -> Iterator[World]:
    models = {"res.partner": ["name", "email", "comment", "active", "parent_id", "category_id", "child_ids"],
              "res.partner.category": ["name", "parent_id"]}
    yield World(server19, admin19, models, targets(admin19, with_props=False))
    print(f"\n[{server19.backend} 19.0] answers seen: {dict(sorted(SEEN.items()))}")


# ---------------------------------------------------------------------------------------------
# the wire: raw posts and what a well-formed answer is
# ---------------------------------------------------------------------------------------------
@dataclass
class Reply:
    status: int
    content_type: str
    body: bytes


@contextmanager
def about(what: str) -> Iterator[None]:
    """A failed check names the request it was about."""
    try:
        yield
    except AssertionError as error:
        raise AssertionError(f"{error}\n--- on the request: {what[:1500]}") from None


def post(server: Server, path: str, body: bytes, content_type: str, **headers: str) -> Reply:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        conn.request("POST", path, body, {"Content-Type": content_type, **headers})
        response = conn.getresponse()
        return Reply(response.status, response.getheader("Content-Type") or "", response.read())
    except TimeoutError:
        raise AssertionError(f"no answer within {TIMEOUT} s (a hung connection) to {path} {body[:300]!r}") from None
    finally:
        conn.close()


def error_name(text: str) -> str:
    """The exception a traceback or fault text names: the first line at column 0 after the
    last frame (its message may span lines)."""
    lines = text.strip().splitlines()
    frames = [n for n, line in enumerate(lines) if line.startswith("  File ")]
    for line in lines[frames[-1] + 1 if frames else 0:]:
        if line and not line.startswith(" "):
            return line.split(":", 1)[0]
    return lines[-1].split(":", 1)[0] if lines else ""


def no_leak(name: str, text: str) -> None:
    leaked = name.startswith(LEAKED) or "sqlalche.me" in text or "[SQL: " in text
    assert not leaked, f"a driver or server error leaked through: {text[-1500:]}"


def xmlrpc_answer(reply: Reply) -> tuple[bool, Any]:
    """(faulted, value or fault) of an XML-RPC answer, checked to be a proper methodResponse."""
    assert reply.status == 200, reply.body[-2000:]
    assert reply.content_type.startswith("text/xml"), reply.content_type
    assert b"<methodResponse>" in reply.body[:100], reply.body[:300]
    try:
        params, method = xmlrpc.client.loads(reply.body, use_builtin_types=True)
    except xmlrpc.client.Fault as f:
        assert type(f.faultCode) is int and isinstance(f.faultString, str), (f.faultCode, f.faultString)
        name = error_name(f.faultString) if f.faultCode == 1 else f"fault {f.faultCode}"
        no_leak(name, f.faultString)
        SEEN[f"xmlrpc {name}"] += 1
        return True, f
    assert method is None and len(params) == 1, reply.body[:300]
    SEEN["xmlrpc value"] += 1
    return False, params[0]


def json_error_object(error: Any) -> None:
    """Odoo's serialized exception: name, message, arguments, context, debug."""
    assert isinstance(error, dict) and set(error) == ERROR_KEYS, error
    assert isinstance(error["name"], str) and isinstance(error["message"], str), error
    assert isinstance(error["arguments"], list) and isinstance(error["debug"], str), error
    assert isinstance(error["context"], dict), error
    no_leak(error["name"], error["debug"])


def jsonrpc_answer(reply: Reply, request_id: Any) -> tuple[bool, Any]:
    """(faulted, result or error) of a JSON-RPC answer, checked to be Odoo's envelope."""
    assert reply.status == 200, reply.body[-2000:]
    assert reply.content_type.startswith("application/json"), reply.content_type
    envelope = json.loads(reply.body)
    assert isinstance(envelope, dict) and envelope.get("jsonrpc") == "2.0", envelope
    assert set(envelope) in ({"jsonrpc", "id"}, {"jsonrpc", "id", "result"}, {"jsonrpc", "id", "error"}), envelope
    assert envelope["id"] == request_id, (envelope["id"], request_id)
    if "error" not in envelope:
        SEEN["jsonrpc result"] += 1
        return False, envelope.get("result")
    error = envelope["error"]
    assert isinstance(error, dict) and set(error) == {"code", "message", "data"}, error
    assert type(error["code"]) is int and error["code"] in (100, 200, 404), error
    assert isinstance(error["message"], str), error
    json_error_object(error["data"])
    SEEN[f"jsonrpc {error['data']['name']}"] += 1
    return True, error


JSON2_STATUSES = {200, 400, 401, 403, 404, 405, 422, 500}


def json2_answer(reply: Reply) -> tuple[bool, Any]:
    """(faulted, value or error body) of a JSON-2 answer: a documented status, JSON either way."""
    assert reply.status in JSON2_STATUSES, (reply.status, reply.body[-2000:])
    assert reply.content_type == "application/json; charset=utf-8", (reply.content_type, reply.body[:500])
    body = json.loads(reply.body)
    if reply.status == 200:
        SEEN["json2 200"] += 1
        return False, body
    json_error_object(body)
    SEEN[f"json2 {reply.status} {body['name']}"] += 1
    return True, body


# ---------------------------------------------------------------------------------------------
# XML-RPC values, written by hand so that anything can be sent (nil, huge ints, junk)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Raw:
    """An XML fragment sent as a <value>'s content as is."""

    xml: str


def to_xml(value: Any, int_tag: str = "int") -> str:
    if isinstance(value, Raw):
        return f"<value>{value.xml}</value>"
    if value is None:
        return "<value><nil/></value>"
    if isinstance(value, bool):
        return f"<value><boolean>{int(value)}</boolean></value>"
    if isinstance(value, int):
        return f"<value><{int_tag}>{value}</{int_tag}></value>"
    if isinstance(value, float):
        return f"<value><double>{value!r}</double></value>"
    if isinstance(value, str):
        return f"<value><string>{escape(value)}</string></value>"
    if isinstance(value, bytes):
        return f"<value><base64>{base64.b64encode(value).decode()}</base64></value>"
    if isinstance(value, dt.datetime):
        return f"<value><dateTime.iso8601>{value.strftime('%Y%m%dT%H:%M:%S')}</dateTime.iso8601></value>"
    if isinstance(value, dict):
        members = "".join(f"<member><name>{escape(str(k))}</name>{to_xml(v)}</member>" for k, v in value.items())
        return f"<value><struct>{members}</struct></value>"
    if isinstance(value, (list, tuple)):
        return f"<value><array><data>{''.join(to_xml(v) for v in value)}</data></array></value>"
    raise TypeError(type(value))


def method_call(method: str, params: list[Any]) -> bytes:
    body = "".join(f"<param>{to_xml(p)}</param>" for p in params)
    return (f"<?xml version='1.0'?>\n<methodCall><methodName>{escape(method)}</methodName>"
            f"<params>{body}</params></methodCall>").encode("utf-8", "surrogatepass")


def to_json(value: Any) -> Any:
    """The same values as JSON carries them (Raw fragments as their text)."""
    if isinstance(value, Raw):
        return value.xml
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value


# ---------------------------------------------------------------------------------------------
# value strategies
# ---------------------------------------------------------------------------------------------
# ids and integers far from any real record, so a hostile call cannot hit demo data by chance
FAR_INTS = [0, -1, -2**31, 2**31 - 1, 2**31, 2**40, 2**63 - 1, 2**63, 2**64, -2**63 - 1, 10**30, 999_999]
JUNK = [Raw("<int>abc</int>"), Raw("<int></int>"), Raw("<boolean>2</boolean>"), Raw("<double>x</double>"),
        Raw("<dateTime.iso8601>garbage</dateTime.iso8601>"), Raw("<base64>!!!</base64>"), Raw("<foo>1</foo>"),
        Raw("<i8>12</i8>"), Raw("<i4>-7</i4>"), Raw(""), Raw("<array><data><value>x</value></data></array>"),
        Raw("<struct><member><value><int>1</int></value></member></struct>"), Raw("plain text")]
TEXTS = st.one_of(st.text(max_size=12), st.sampled_from(["", " ", "%", "_", "'", "\"; DROP TABLE res_partner; --",
                                                         "ü€", "\x00", "\ud800", "a" * 300, "False", "None"]))


def scalars(junk: bool = True) -> st.SearchStrategy[Any]:
    options = [st.none(), st.booleans(), st.integers(-5, 5), st.sampled_from(FAR_INTS),
               st.floats(allow_nan=True, allow_infinity=True), TEXTS, st.binary(max_size=12),
               st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31))]
    if junk:
        options.append(st.sampled_from(JUNK))
    return st.one_of(*options)


def values(junk: bool = True, leaves: int = 10) -> st.SearchStrategy[Any]:
    return st.recursive(scalars(junk), lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(TEXTS, inner, max_size=4)), max_leaves=leaves)


def json_values() -> st.SearchStrategy[Any]:
    """JSON values: any shape, huge numbers, but no NaN (which no JSON id can carry and compare)."""
    leaf = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.sampled_from(FAR_INTS),
                     st.floats(allow_nan=False), TEXTS)
    return st.recursive(leaf, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(TEXTS, inner, max_size=4)), max_leaves=10)


# ---------------------------------------------------------------------------------------------
# domains, orders, values for create / write
# ---------------------------------------------------------------------------------------------
PARTNER_PATHS = ["name", "email", "id", "parent_id", "child_ids", "category_id", "is_company", "active",
                 "create_date", "write_date", "country_id", "country_id.code", "parent_id.name", "user_ids.login",
                 "category_id.name", "display_name", "password", "x_unknown", "", "name.foo", "id.id",
                 "parent_id.parent_id.child_ids.email", "company_id", "color", "commercial_partner_id"]
PROP_PATHS = [*PROP_FIELDS, "x_partner_id", "x_partner_id.name", "x_tag_ids", "x_tag_ids.name", "x_line_ids",
              "x_line_ids.x_name", "x_line_ids.x_prop_id.x_int", "id", "x_missing", "x_data.x"]
OPERATORS = ["=", "!=", "<>", "<", "<=", ">", ">=", "=?", "like", "not like", "ilike", "not ilike", "=like",
             "=ilike", "in", "not in", "child_of", "parent_of", "any", "not any",
             "==", "LIKE", "IN", "in ", "", "~", "similar to", "; drop table res_partner", "!", "&", "|", "is"]


@st.composite
def leaves(draw: st.DrawFn, paths: list[str]) -> Any:
    kind = draw(st.integers(0, 9))
    if kind <= 6:
        op = draw(st.sampled_from(OPERATORS))
        if op in ("any", "not any") and draw(st.booleans()):
            value = draw(domains(paths, depth=1))
        elif op in ("in", "not in") and draw(st.booleans()):
            value = draw(st.lists(scalars(junk=False), max_size=4))
        else:
            value = draw(values(leaves=4))
        leaf: Any = [draw(st.sampled_from(paths)), op, value]
        return tuple(leaf) if draw(st.booleans()) else leaf
    if kind == 7:  # a leaf of the wrong arity
        return draw(st.lists(st.one_of(st.sampled_from(paths), st.sampled_from(OPERATORS), scalars()), max_size=5)
                    .filter(lambda v: len(v) != 3))
    if kind == 8:
        return draw(st.sampled_from([[1, "=", 1], [0, "=", 1], (1, "=", 1), True, False, 1, None, {}, "name",
                                     ["name", "=", "x", "y"], [["name", "=", "x"]]]))
    return draw(scalars())


@st.composite
def domains(draw: st.DrawFn, paths: list[str], depth: int = 3) -> Any:
    """A domain: valid Polish notation over random leaves, or a random token sequence where the
    operators' arities need not add up."""
    leaf = leaves(paths)
    if draw(st.booleans()):
        tokens = draw(st.lists(st.one_of(leaf, st.sampled_from(["&", "|", "!", "&", "|"])), max_size=8))
        return tokens

    def node(level: int) -> list[Any]:
        choice = draw(st.integers(0, 6)) if level > 0 else 0
        if choice <= 3:
            return [draw(leaf)]
        if choice == 4:
            return ["!", *node(level - 1)]
        return [draw(st.sampled_from(["&", "|"])), *node(level - 1), *node(level - 1)]

    return [t for _ in range(draw(st.integers(0, 3))) for t in node(depth)]


ORDERS = ["name", "name desc", "id asc, name desc", "parent_id", "country_id desc", "write_date desc nulls last",
          "name asc nulls first", "", "  id  ", "x_name", "x_int desc, id", "x_partner_id", "x_tag_ids",
          "name; DELETE FROM res_partner", "id desc, (SELECT 1)", "name collate \"C\"", "id desc desc", "name,",
          ",", "1", "id -- comment", "password", "name\x00", "nàme", "pg_sleep(5)", "name desc NULLS",
          "id" * 200, "random()", "name asc, name desc", "display_name", "x_unknown", "parent_id.name",
          "id DESC", "ID", "id nulls", "id desc nulls middle", "\"name\"", "res_partner.name", "name)", "(name"]


def orders() -> st.SearchStrategy[Any]:
    words = st.lists(st.sampled_from(["name", "id", "desc", "asc", ",", "nulls", "first", "last", "x_int",
                                      "email", ";", "(", ")", "'", "--", "select"]), max_size=6).map(" ".join)
    return st.one_of(st.sampled_from(ORDERS), words, TEXTS, scalars())


def x2many_commands(pool: list[int], comodel_fields: list[str]) -> st.SearchStrategy[Any]:
    ids = st.one_of(st.sampled_from(pool), st.sampled_from(FAR_INTS), scalars())
    sub_vals = st.dictionaries(st.sampled_from([*comodel_fields, "x_nope", "id"]), values(leaves=3), max_size=3)
    command = st.one_of(
        st.tuples(st.just(0), st.just(0), sub_vals), st.tuples(st.just(1), ids, sub_vals),
        st.tuples(st.just(2), ids), st.tuples(st.just(3), ids), st.tuples(st.just(4), ids),
        st.tuples(st.just(5)), st.tuples(st.just(6), st.just(0), st.lists(ids, max_size=3)),
        # malformed
        st.tuples(st.sampled_from([7, -1, 2**40, "0", None]), ids), st.tuples(st.just(0)),
        st.tuples(st.just(6), st.just(0), scalars()), st.tuples(st.just(1), ids, scalars()),
        st.tuples(st.just(0), st.just(0), sub_vals, st.just("extra")), st.lists(scalars(), max_size=4),
    )
    return st.one_of(st.lists(command, max_size=3), st.lists(ids, max_size=3), scalars())


def failing_commands(pool: list[int], name: str) -> st.SearchStrategy[Any]:
    """Right x2many commands on `pool`, then one that fails once the record itself is written."""
    right = st.one_of(st.tuples(st.just(4), st.sampled_from(pool)),
                      st.tuples(st.just(6), st.just(0), st.lists(st.sampled_from(pool), max_size=2)),
                      st.tuples(st.just(0), st.just(0), st.just({name: "made by a command"})))
    failing = st.sampled_from([(4, 999_999), (6, 0, [999_999]), (1, 999_999, {name: "x"}), (0, 0, {"x_nope": 1}),
                               (0, 0, {name: [1, 2]}), (7, 1), (2, 999_999), (3, 2**40), (4, "1"), (0, 0, "vals"),
                               (1, pool[0], {"x_nope": 1}), (6, 0, [pool[0], 1.5])])
    return st.tuples(st.lists(right, max_size=2), failing).map(lambda parts: [*parts[0], parts[1]])


def field_values(ttype: str, right_only: bool = False) -> st.SearchStrategy[Any]:
    """Values for a field of `ttype`: mostly wrong, some right (only right ones when asked, so
    that a call gets past its plain values and fails later, in its x2many commands, after
    writing the record itself)."""
    right = {"char": TEXTS, "text": TEXTS, "html": TEXTS, "integer": st.integers(-2**31, 2**31 - 1),
             "float": st.floats(-1e9, 1e9), "boolean": st.booleans(),
             "date": st.dates().map(str), "datetime": st.datetimes().map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S")),
             "selection": st.sampled_from(["a", "b", False, "c", "A"]),
             "binary": st.binary(max_size=8).map(lambda b: base64.b64encode(b).decode())}[ttype]
    wrong = st.one_of(values(leaves=4), st.sampled_from(["2024-02-30", "2024-13-01", "24:00", "0000-00-00",
                                                         "2024-01-01T10:00:00Z", "not base64!"]))
    return right if right_only else st.one_of(right, wrong, wrong)


@st.composite
def prop_values(draw: st.DrawFn, world: World) -> dict[str, Any]:
    right_only = draw(st.booleans())
    names = [*PROP_FIELDS, "x_partner_id", "x_tag_ids", "x_line_ids"]
    if not right_only:
        names += ["x_nope", "id", "create_date", "write_date", "display_name", "__last_update"]
    chosen = draw(st.lists(st.sampled_from(names), max_size=4, unique=True))
    if right_only:  # plain values first, then the commands that may fail
        chosen = [f for f in chosen if f in PROP_FIELDS] + [draw(st.sampled_from(["x_tag_ids", "x_line_ids"]))]
    vals: dict[str, Any] = {}
    for fname in chosen:
        if fname in PROP_FIELDS:
            vals[fname] = draw(field_values(PROP_FIELDS[fname], right_only))
        elif fname == "x_partner_id":
            vals[fname] = draw(st.one_of(st.sampled_from(world.ids["res.partner"]), values(leaves=3)))
        elif fname == "x_tag_ids":
            vals[fname] = draw(failing_commands(world.ids["res.partner.category"], "name") if right_only else
                               x2many_commands(world.ids["res.partner.category"], ["name", "color", "parent_id"]))
        elif fname == "x_line_ids":
            vals[fname] = draw(failing_commands([999_999], "x_name") if right_only else
                               x2many_commands([999_999], ["x_name", "x_prop_id"]))
        else:
            vals[fname] = draw(values(leaves=3))
    return vals


@st.composite
def partner_values(draw: st.DrawFn, world: World) -> dict[str, Any]:
    right_only = draw(st.booleans())
    names = PARTNER_FIELDS if right_only else PARTNER_FIELDS + ["x_nope", "id", "password",
                                                                "commercial_partner_id", "display_name"]
    chosen = draw(st.lists(st.sampled_from(names), max_size=4, unique=True))
    if right_only:
        chosen = [f for f in chosen if f in ("name", "email", "comment", "is_company", "color")] + \
            [draw(st.sampled_from(["category_id", "child_ids"]))]
    pool = world.ids["res.partner"]
    vals: dict[str, Any] = {}
    for fname in chosen:
        if fname in ("parent_id", "country_id", "state_id", "company_id"):
            vals[fname] = draw(st.one_of(st.sampled_from(pool), values(leaves=3)))
        elif fname == "category_id":
            vals[fname] = draw(failing_commands(world.ids["res.partner.category"], "name") if right_only else
                               x2many_commands(world.ids["res.partner.category"], ["name", "color", "parent_id"]))
        elif fname == "child_ids":
            vals[fname] = draw(failing_commands(pool[1:], "name") if right_only else
                               x2many_commands(pool, ["name", "email", "parent_id"]))
        elif fname in ("is_company", "active"):
            vals[fname] = draw(field_values("boolean", right_only))
        elif fname == "color":
            vals[fname] = draw(field_values("integer", right_only))
        else:
            vals[fname] = draw(field_values("char", right_only))
    return vals


# ---------------------------------------------------------------------------------------------
# hostile XML-RPC bodies
# ---------------------------------------------------------------------------------------------
OBJECT_METHODS = ["search", "search_read", "search_count", "read", "fields_get", "name_search", "default_get",
                  "read_group", "create", "name_create", "copy", "exists", "check_access_rights", "display_name",
                  "_sql", "__init__", "_write", "nonexistent", "", "search.read", "init"]
OBJECT_MODELS = ["res.partner", "x_prop", "x_prop_line", "res.partner.category", "res.nothing", "", "ir.model'",
                 "res_partner", "x_prop; --", "res.users.apikeys"]


def safe(value: Any) -> Any:
    """Never the master password (`admin`): the db service must not be able to drop anything."""
    if isinstance(value, str) and value.strip().lower().startswith("admin"):
        return value + "!"
    if isinstance(value, dict):
        return {safe(k): safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [safe(v) for v in value]
    return value


@st.composite
def object_call(draw: st.DrawFn, world: World) -> tuple[str, list[Any]]:
    """execute_kw / execute with every slot right or hostile; the methods leave data alone or add."""
    db = draw(st.one_of(st.just(world.server.db), st.just(world.server.db), scalars()))
    uid = draw(st.one_of(st.just(world.admin.uid), st.just(world.admin.uid), st.sampled_from(FAR_INTS), scalars()))
    password = draw(st.one_of(st.just("admin"), st.just("admin"), scalars()))
    model = draw(st.one_of(st.sampled_from(OBJECT_MODELS), scalars()))
    method = draw(st.one_of(st.sampled_from(OBJECT_METHODS), scalars()))
    args = draw(st.one_of(st.lists(values(), max_size=4), values()))
    kwargs = draw(st.one_of(st.dictionaries(st.sampled_from(["context", "fields", "limit", "offset", "order",
                                                             "domain", "attributes", "lazy", "groupby", "x"]),
                                            values(leaves=4), max_size=3), values()))
    name = draw(st.sampled_from(["execute_kw", "execute_kw", "execute_kw", "execute", "exec_workflow",
                                 "execute_kw\x01", "render_report", "", "ExecuteKw", "system.listMethods"]))
    params = [db, uid, password, model, method, args, kwargs]
    if draw(st.integers(0, 4)) == 0:
        params = params[:draw(st.integers(0, 8))] + draw(st.lists(values(), max_size=2))
    return name, params


COMMON_METHODS = ["version", "login", "authenticate", "about", "nope", "", "set_loglevel", "version\n"]
DB_METHODS = ["list", "server_version", "db_exist", "list_lang", "list_countries", "create_database", "drop",
              "dump", "restore", "duplicate_database", "rename", "change_admin_password", "migrate_databases",
              "exp_list", "nope"]


@st.composite
def service_call(draw: st.DrawFn, world: World, methods: list[str]) -> tuple[str, list[Any]]:
    method = draw(st.one_of(st.sampled_from(methods), TEXTS))
    params = draw(st.lists(st.one_of(st.just(world.server.db), st.just("admin!"), values()), max_size=6))
    return method, safe(params)


def nested(depth: int, kind: str) -> bytes:
    if kind == "array":
        inner = "<value><array><data>" * depth + "</data></array></value>" * depth
    else:
        inner = "<value><struct><member><name>k</name>" * depth + "</member></struct></value>" * depth
    return method_call("execute_kw", []).replace(b"<params></params>", f"<params><param>{inner}</param></params>"
                                                 .encode())


ENTITY_TRICKS = [
    # exponential entity expansion
    b"<?xml version='1.0'?><!DOCTYPE m [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>"
    b"<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'><!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'>"
    b"<!ENTITY e '&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;'><!ENTITY f '&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;'>"
    b"<!ENTITY g '&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;'><!ENTITY h '&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;'>]>"
    b"<methodCall><methodName>version</methodName><params><param><value><string>&h;</string></value></param>"
    b"</params></methodCall>",
    # an external entity naming a local file
    b"<?xml version='1.0'?><!DOCTYPE m [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><methodCall><methodName>"
    b"version</methodName><params><param><value><string>&x;</string></value></param></params></methodCall>",
    # a parameter entity from the network
    b"<?xml version='1.0'?><!DOCTYPE m [<!ENTITY % p SYSTEM 'http://127.0.0.1:9/x.dtd'> %p;]><methodCall>"
    b"<methodName>version</methodName></methodCall>",
    # an entity in the method name, an undefined entity, a character reference out of XML's range
    b"<?xml version='1.0'?><!DOCTYPE m [<!ENTITY v 'version'>]><methodCall><methodName>&v;</methodName>"
    b"</methodCall>",
    b"<?xml version='1.0'?><methodCall><methodName>&nope;</methodName></methodCall>",
    b"<?xml version='1.0'?><methodCall><methodName>version</methodName><params><param><value><string>&#0;"
    b"</string></value></param></params></methodCall>",
    b"<?xml version='1.0' encoding='latin-1'?><methodCall><methodName>vers\xe9on</methodName></methodCall>",
    b"<?xml version='1.0' encoding='x-nope'?><methodCall><methodName>version</methodName></methodCall>",
    b"<?xml version='1.0'?><methodResponse><params><param><value><int>1</int></value></param></params>"
    b"</methodResponse>",
    b"<?xml version='1.0'?><methodCall><params></params></methodCall>",
    b"<?xml version='1.0'?><methodCall><methodName>version</methodName><params><param></param></params>"
    b"</methodCall>",
    b"", b"   ", b"{\"jsonrpc\": \"2.0\"}", b"<html></html>", b"\xff\xfe<\x00m\x00",
]


@st.composite
def xmlrpc_bodies(draw: st.DrawFn, world: World) -> tuple[str, bytes]:
    path = draw(st.sampled_from(["/xmlrpc/2/object", "/xmlrpc/2/object", "/xmlrpc/2/common", "/xmlrpc/2/db"]))
    if path.endswith("object"):
        name, params = draw(object_call(world))
    else:
        name, params = draw(service_call(world, COMMON_METHODS if path.endswith("common") else DB_METHODS))
    body = method_call(name, params)
    how = draw(st.integers(0, 9))
    if how == 5:  # truncated
        body = body[:draw(st.integers(0, max(len(body) - 1, 0)))]
    elif how == 6:  # bad UTF-8 somewhere
        at = draw(st.integers(0, len(body)))
        body = body[:at] + draw(st.sampled_from([b"\xff", b"\xc3(", b"\xed\xa0\x80", b"\x80\x80", b"\x00"])) + body[at:]
    elif how == 7:
        body = draw(st.sampled_from(ENTITY_TRICKS))
    elif how == 8:
        body = nested(draw(st.sampled_from([50, 500, 5000, 50000])), draw(st.sampled_from(["array", "struct"])))
    return path, body


# ---------------------------------------------------------------------------------------------
# the properties over XML-RPC
# ---------------------------------------------------------------------------------------------
READ_ONLY = {"search", "search_read", "search_count", "read", "fields_get", "name_search", "default_get",
             "read_group", "exists", "check_access_rights", "version", "list", "server_version", "db_exist"}


def xmlrpc_call(world: World, path: str, body: bytes, what: str) -> tuple[bool, Any]:
    world.before()
    with about(what):
        faulted, value = xmlrpc_answer(post(world.server, path, body, "text/xml"))
    world.after(faulted, what)
    return faulted, value


@prop(60)
def test_xmlrpc_bodies(world: World, data: st.DataObject) -> None:
    path, body = data.draw(xmlrpc_bodies(world))
    xmlrpc_call(world, path, body, f"{path} {body[:400]!r}")


def execute(world: World, model: str, method: str, args: list[Any], kwargs: dict[str, Any],
            protocol: str) -> tuple[bool, Any]:
    """One execute_kw as admin over XML-RPC or JSON-RPC, checked; the data checked after a fault."""
    params = [world.server.db, world.admin.uid, "admin", model, method, args, kwargs]
    what = f"{protocol} {model}.{method} {args!r} {kwargs!r}"[:1500]
    world.before()
    with about(what):
        faulted, value = send(world, params, protocol)
    world.after(faulted, what)
    return faulted, value


def send(world: World, params: list[Any], protocol: str) -> tuple[bool, Any]:
    """An execute_kw over XML-RPC or JSON-RPC: (faulted, value or fault)."""
    if protocol == "xmlrpc":
        faulted, value = xmlrpc_answer(post(world.server, "/xmlrpc/2/object", method_call("execute_kw", params),
                                            "text/xml"))
    else:
        body = {"jsonrpc": "2.0", "method": "call", "id": 7,
                "params": {"service": "object", "method": "execute_kw", "args": to_json(params)}}
        faulted, value = jsonrpc_answer(post(world.server, "/jsonrpc", json.dumps(body).encode(),
                                             "application/json"), 7)
    return faulted, value


PROTOCOLS = st.sampled_from(["xmlrpc", "xmlrpc", "jsonrpc"])


@prop(60)
def test_domains(world: World, data: st.DataObject) -> None:
    model = data.draw(st.sampled_from(["res.partner", "x_prop"]))
    domain = data.draw(domains(PARTNER_PATHS if model == "res.partner" else PROP_PATHS))
    method = data.draw(st.sampled_from(["search", "search_count", "search_read", "read_group"]))
    kwargs: dict[str, Any] = {"limit": 5, "fields": ["id"]} if method == "search_read" else {}
    if method == "read_group":
        kwargs = {"fields": ["id:count"], "groupby": ["create_uid"], "lazy": True}
    if method == "search":
        kwargs = {"limit": 5}
    faulted, value = execute(world, model, method, [domain], kwargs, data.draw(PROTOCOLS))
    if not faulted:
        assert isinstance(value, int if method == "search_count" else list), value


@prop(30)
def test_orders(world: World, data: st.DataObject) -> None:
    model = data.draw(st.sampled_from(["res.partner", "x_prop"]))
    order = data.draw(orders())
    method = data.draw(st.sampled_from(["search", "search_read"]))
    kwargs = {"order": order, "limit": 3, **({"fields": ["id"]} if method == "search_read" else {})}
    faulted, value = execute(world, model, method, [[]], kwargs, data.draw(PROTOCOLS))
    if not faulted:
        assert isinstance(value, list) and len(value) <= 3, value


@prop(70)
def test_create_write_values(world: World, data: st.DataObject) -> None:
    model = data.draw(st.sampled_from(["res.partner", "x_prop", "x_prop"]))
    vals = data.draw(prop_values(world) if model == "x_prop" else partner_values(world))
    method = data.draw(st.sampled_from(["create", "write", "write"]))
    pool = world.ids[model]
    if method == "create":
        args: list[Any] = [data.draw(st.one_of(st.just(vals), st.lists(st.just(vals), max_size=2), values(leaves=3)))]
    else:
        ids = data.draw(st.one_of(st.lists(st.sampled_from(pool), min_size=1, max_size=2),
                                  st.lists(st.sampled_from(FAR_INTS), max_size=2), scalars()))
        args = [ids, data.draw(st.one_of(st.just(vals), st.just(vals), values(leaves=3)))]
    faulted, value = execute(world, model, method, args, {}, data.draw(PROTOCOLS))
    if not faulted and method == "write":
        assert value is True, value
    if not faulted and method == "create":
        assert type(value) is int or (isinstance(value, list) and all(type(v) is int for v in value)), value


# ---------------------------------------------------------------------------------------------
# JSON-RPC and the web routes
# ---------------------------------------------------------------------------------------------
def garble(data: st.DataObject, body: bytes) -> tuple[bytes, bool]:
    """(body, still a JSON object): sometimes truncated, bad UTF-8 or no JSON at all."""
    how = data.draw(st.integers(0, 9))
    if how == 7:
        return body[:data.draw(st.integers(0, max(len(body) - 1, 0)))], False
    if how == 8:
        at = data.draw(st.integers(0, len(body)))
        return body[:at] + data.draw(st.sampled_from([b"\xff", b"\xc3(", b"\xed\xa0\x80"])) + body[at:], False
    if how == 9:
        return data.draw(st.sampled_from([b"", b"[" * 100000 + b"]" * 100000, b"{" * 5000, b"nul", b"<xml/>",
                                          b"NaN", b"1e999999", b'"\\ud800"'])), False
    return body, True


def is_object(body: bytes) -> bool:
    try:
        return isinstance(json.loads(body), dict)
    except (ValueError, RecursionError):
        return False


@st.composite
def jsonrpc_envelopes(draw: st.DrawFn, world: World) -> tuple[dict[str, Any], Any]:
    service = draw(st.one_of(st.sampled_from(["object", "common", "db", "report", "nope"]), json_values()))
    if service == "object":
        name, args = draw(object_call(world))
        args = to_json(args)
    elif service in ("common", "db"):
        name, args = draw(service_call(world, COMMON_METHODS if service == "common" else DB_METHODS))
        args = to_json(args)
    else:
        name, args = draw(st.one_of(TEXTS, json_values())), draw(json_values())
    params: Any = {"service": service, "method": name, "args": args}
    if draw(st.integers(0, 5)) == 0:
        params = draw(st.one_of(json_values(), st.lists(st.tuples(TEXTS, json_values()), max_size=3),
                                st.just({"service": service, "method": name})))
    request_id = draw(json_values())
    envelope: dict[str, Any] = {"jsonrpc": "2.0", "method": "call", "params": safe(params), "id": request_id}
    for key in draw(st.lists(st.sampled_from(["jsonrpc", "method", "params", "id"]), max_size=2)):
        envelope.pop(key, None)
    return envelope, envelope.get("id")


def jsonrpc_call(world: World, path: str, body: bytes, request_id: Any, as_object: bool, what: str,
                 **headers: str) -> None:
    world.before()
    with about(what):
        reply = post(world.server, path, body, "application/json", **headers)
        if not (as_object and is_object(body)):
            # Odoo's answer to a body that is no JSON object: werkzeug's 400, before any call runs
            assert reply.status == 400, (reply.status, reply.body[:500])
            assert b"Traceback" not in reply.body, reply.body[:2000]
            SEEN["jsonrpc 400"] += 1
            faulted = True
        else:
            faulted, _ = jsonrpc_answer(reply, request_id)
    world.after(faulted, what)


@prop(45)
def test_jsonrpc_bodies(world: World, data: st.DataObject) -> None:
    envelope, request_id = data.draw(jsonrpc_envelopes(world))
    body, as_object = garble(data, json.dumps(envelope).encode())
    jsonrpc_call(world, "/jsonrpc", body, request_id, as_object, f"/jsonrpc {body[:500]!r}")


@pytest.fixture(scope="module")
def session_cookie(world: World) -> str:
    body = {"jsonrpc": "2.0", "method": "call", "id": 1,
            "params": {"db": world.server.db, "login": "admin", "password": "admin"}}
    conn = http.client.HTTPConnection("127.0.0.1", world.server.port, timeout=TIMEOUT)
    try:
        conn.request("POST", "/web/session/authenticate", json.dumps(body), {"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        cookie = response.getheader("Set-Cookie") or ""
    finally:
        conn.close()
    assert cookie.startswith("session_id="), cookie
    return cookie.split(";", 1)[0]


@prop(30)
def test_call_kw_bodies(world: World, session_cookie: str, data: st.DataObject) -> None:
    model = data.draw(st.one_of(st.sampled_from(OBJECT_MODELS), json_values()))
    method = data.draw(st.one_of(st.sampled_from(OBJECT_METHODS), json_values()))
    params: Any = {"model": model, "method": method, "args": data.draw(st.one_of(st.lists(json_values(), max_size=3),
                                                                                   json_values())),
                   "kwargs": data.draw(st.one_of(st.dictionaries(TEXTS, json_values(), max_size=3), json_values()))}
    for key in data.draw(st.lists(st.sampled_from(list(params)), max_size=2)):
        params.pop(key, None)
    if data.draw(st.integers(0, 5)) == 0:
        params = data.draw(json_values())
    envelope = {"jsonrpc": "2.0", "method": "call", "params": params, "id": 3}
    body, as_object = garble(data, json.dumps(envelope).encode())
    path = data.draw(st.sampled_from(["/web/dataset/call_kw", f"/web/dataset/call_kw/{model}/{method}"[:200]]))
    path = "/web/dataset/call_kw/" + quote(path[len("/web/dataset/call_kw/"):]) \
        if path.startswith("/web/dataset/call_kw/") else path
    jsonrpc_call(world, path, body, 3, as_object, f"{path} {body[:500]!r}", Cookie=session_cookie)


# ---------------------------------------------------------------------------------------------
# JSON-2 on a 19.0 server
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def key19(world19: World) -> str:
    return make_key(world19.admin, "wire properties")


JSON2_METHODS = ["search", "search_read", "search_count", "read", "fields_get", "name_search", "create",
                 "write", "web_search_read", "default_get", "read_group", "nope", "_read", "__class__",
                 "unlink"]
JSON2_PARAMS = ["ids", "context", "domain", "fields", "limit", "offset", "order", "vals_list", "vals", "name",
                "operator", "attributes", "groupby", "aggregates", "specification", "x"]


JSON2_RIGHT: dict[str, dict[str, Any]] = {
    "search": {"domain": [["name", "ilike", "prop"]], "limit": 3}, "search_count": {"domain": []},
    "search_read": {"domain": [["is_company", "=", True]], "fields": ["name", "email"], "limit": 3},
    "read": {"ids": [], "fields": ["name"]}, "fields_get": {"attributes": ["type"]},
    "name_search": {"name": "Prop", "limit": 3}, "create": {"vals_list": [{"name": "json2 prop"}]},
    "write": {"ids": [], "vals": {"comment": "json2 prop"}}, "default_get": {"fields": ["name", "active"]},
    "web_search_read": {"domain": [], "specification": {"name": {}}, "limit": 2},
    "read_group": {"domain": [], "groupby": ["is_company"], "aggregates": ["__count"]},
}


@prop(50)
def test_json2_bodies(world19: World, key19: str, data: st.DataObject) -> None:
    # 0-2: the right parameters of a real model (2: one of them hostile); 3: random parameters;
    # 4: any JSON at all; 5: the right parameters with a wrong key or a garbled body
    mode = data.draw(st.integers(0, 5))
    models = ["res.partner", "res.partner.category"] if mode in (0, 1, 2, 5) else \
        ["res.partner", "res.partner.category", "res.nope", "res.partner'", "x"]
    model = data.draw(st.sampled_from(models))
    method = data.draw(st.sampled_from(JSON2_METHODS))
    if mode in (0, 1, 2, 5):
        params: dict[str, Any] = dict(JSON2_RIGHT.get(method, {}))
        if mode == 2:
            params.update(data.draw(st.dictionaries(st.sampled_from(JSON2_PARAMS), json_values(), min_size=1,
                                                    max_size=1)))
    else:
        params = data.draw(st.dictionaries(st.sampled_from(JSON2_PARAMS), json_values(), max_size=4))
    if method in ("unlink", "write", "read") or "ids" in params:
        # ids only of the records made for the examples, or far from any
        params["ids"] = data.draw(st.one_of(st.lists(st.sampled_from(world19.ids[model] if mode < 3 else
                                                                     world19.ids["res.partner"]), max_size=2),
                                            st.lists(st.sampled_from(FAR_INTS), max_size=2), json_values()
                                            .filter(lambda v: not isinstance(v, (int, list)))))
        if method == "unlink" and model == "res.partner.category":
            params["ids"] = [2**40]
    if "domain" in params and mode in (2, 3) and data.draw(st.booleans()):
        params["domain"] = to_json(data.draw(domains(PARTNER_PATHS)))
    raw: Any = data.draw(json_values()) if mode == 4 else params
    body = json.dumps(raw).encode()
    key = f"bearer {key19}"
    if mode >= 3:
        body, _ = garble(data, body)
        key = data.draw(st.sampled_from([key, key, "bearer nope", "basic x", ""]))
    headers = {"Authorization": key, "X-Odoo-Database": world19.server.db}
    path = f"/json/2/{quote(model)}/{quote(method)}"
    world19.before()
    with about(f"{path} {body[:500]!r}"):
        faulted, _ = json2_answer(post(world19.server, path, body, "application/json", **headers))
    world19.after(faulted, f"{path} {body[:500]!r}")


def test_servers_answer_afterwards(world: World, world19: World) -> None:
    """Both servers still answer a plain call after every example above."""
    for w in (world, world19):
        assert w.server.proc.poll() is None
        assert w.admin.x("res.users", "read", [w.admin.uid], ["login"])[0]["login"] == "admin"


# ---------------------------------------------------------------------------------------------
# defects the properties found, pinned
# ---------------------------------------------------------------------------------------------
def test_dates_before_year_1000_read_back(world: World) -> None:
    """A date or datetime before year 1000 is stored zero-padded on SQLite (strftime's `%Y` is
    not), so the row reads back and compares as a date; before, the whole table became
    unreadable (`Invalid isoformat string: '197-08-16'`)."""
    rid = world.admin.x("x_prop", "create", {"x_name": "old", "x_day": "0197-08-16", "x_when": "0999-01-02 03:04:05"})
    world._last = None
    try:
        row = world.admin.x("x_prop", "read", [rid], ["x_day", "x_when"])[0]
        assert (row["x_day"], row["x_when"]) == ("197-08-16", "999-01-02 03:04:05")  # Odoo's strftime output
        assert world.admin.x("x_prop", "search", [("x_day", "<", "1000-01-01"), ("id", "=", rid)]) == [rid]
        assert world.admin.x("x_prop", "search", [("x_when", ">", "1000-01-01"), ("id", "=", rid)]) == []
        every = world.admin.x("x_prop", "search_read", [], ["x_day", "x_when"])  # the table stays readable
        assert len(every) == world.admin.x("x_prop", "search_count", []) and rid in [r["id"] for r in every]
    finally:
        world.admin.x("x_prop", "unlink", [rid])


NOT_IDS = [([1.5], "1.5"), ([{"a": 1}], "{'a': 1}"), (["3", [4]], "'3'"), ([True], "True"),
           (xmlrpc.client.Binary(b"\x01ab"), "<xmlrpc.client.Binary")]


@pytest.mark.parametrize(("value", "named"), NOT_IDS,
                         ids=["float", "dict", "mixed-list", "true", "binary"])
@pytest.mark.parametrize("fname", ["x_tag_ids", "x_line_ids"])
def test_x2many_leaf_with_non_integer_ids(world: World, fname: str, value: Any, named: str) -> None:
    """An x2many leaf whose ids are no integers is the client's ValueError on both backends,
    not the driver's refusal to bind them (`type 'Binary' is not supported`)."""
    f = fault(world.admin.x, "x_prop", "search", [(fname, "in", value)])
    assert f.faultCode == 1
    text = last_line(f)
    assert text.startswith(f"ValueError: Invalid id {named}"), text
    assert text.endswith(": a record id must be an integer"), text


def test_lone_surrogates_are_echoed_as_json_escapes(world: World, world19: World, key19: str) -> None:
    """JSON lets a client send a lone surrogate (`"\\ud800"`), which UTF-8 cannot encode: the
    answer carries it back as JSON's escape instead of failing with an HTML 500."""
    body = b'{"jsonrpc": "2.0", "method": "call", "id": "\\ud800", "params": {"service": "common", ' \
           b'"method": "version", "args": []}}'
    reply = post(world.server, "/jsonrpc", body, "application/json")
    assert reply.status == 200 and b'"id": "\\ud800"' in reply.body, reply.body[:300]
    assert jsonrpc_answer(reply, "\ud800")[1]["server_version"] == "17.0"
    body = b'{"domain": [["\\ud800", "=", 1]]}'
    reply = post(world19.server, "/json/2/res.partner/search", body, "application/json",
                 Authorization=f"bearer {key19}", **{"X-Odoo-Database": world19.server.db})
    faulted, error = json2_answer(reply)
    assert faulted and reply.status == 500, error
    assert error["message"] == "Invalid field res.partner.\ud800 in leaf ('\\ud800', '=', 1)", error
