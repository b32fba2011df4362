"""JSON-2 (`POST /json/2/<model>/<method>`) as Odoo 19 answers it: bearer API keys, named
parameters with Odoo 19's names, the bare value on success and `{name, message, arguments,
context, debug}` with the exception's HTTP status on failure; `/web/version`; and no such routes
on versions before 19.0."""
from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from conftest import Client, Server, start_server, stop_server
from dbstate import snapshot
from json2wire import Json2, cli_key, error_of, make_key, named, new_user

NO_KEY = "User not authenticated, use an API Key with a Bearer Authorization header."


@pytest.fixture(scope="module")
def j2(server19: Server, admin19: Client) -> Json2:
    """The administrator's key, with the database header, as odoo-client-lib sends it."""
    return Json2(server19.url, make_key(admin19), server19.db)


@pytest.fixture(scope="module")
def plain19(server19: Server) -> tuple[Client, Json2]:
    user = new_user(server19, "plain")
    return user, Json2(server19.url, make_key(user), server19.db)


@pytest.fixture(scope="module")
def portal19(server19: Server) -> tuple[Client, Json2]:
    """A portal user's key: the preferences refuse portal users one, the operator's CLI does not."""
    user = new_user(server19, "portal")
    return user, Json2(server19.url, cli_key(server19, user.login), server19.db)


def unauthorized(answer: Any, message: str = "Invalid apikey") -> None:
    body = error_of(answer, 401)
    assert named(body) == ("werkzeug.exceptions.Unauthorized", message)
    assert body["arguments"] == [message, 401]
    assert answer.headers["WWW-Authenticate"] == "Bearer"


# -- hostile callers first --------------------------------------------------------------------

@pytest.mark.parametrize("authorization", [None, "", "bearer", "bearer   ", "Basic YWRtaW46YWRtaW4=", "token abc"])
def test_no_bearer_key_is_401_and_changes_nothing(server19: Server, authorization: str | None) -> None:
    """Odoo 19's `_auth_method_bearer` without a token (and no session): 401, asking for a key."""
    before = snapshot(server19)
    caller = Json2(server19.url, None, server19.db)
    extra = {} if authorization is None else {"Authorization": authorization}
    unauthorized(caller.send("/json/2/res.partner/create", {"vals_list": [{"name": "anon"}]}, **extra), NO_KEY)
    assert snapshot(server19) == before


@pytest.mark.parametrize("key", ["0" * 40, "admin", "x" * 5000, "é" * 40, "deadbeef" + "0" * 32])
def test_wrong_keys_are_401_and_change_nothing(server19: Server, j2: Json2, key: str) -> None:
    before = snapshot(server19)
    caller = Json2(server19.url, key, server19.db)
    unauthorized(caller.post("res.partner", "create", vals_list=[{"name": "wrong key"}]))
    assert snapshot(server19) == before


def test_a_known_key_prefix_with_a_wrong_tail_is_401(server19: Server, j2: Json2) -> None:
    assert j2.key is not None
    forged = j2.key[:8] + ("0" if j2.key[8] != "0" else "1") + j2.key[9:]
    unauthorized(Json2(server19.url, forged, server19.db).post("res.partner", "search", domain=[]))


def test_the_password_is_no_bearer_key(server19: Server) -> None:
    """JSON-2 takes API keys only (Odoo 19 checks `res.users.apikeys`), never the password."""
    unauthorized(Json2(server19.url, "admin", server19.db).post("res.users", "context_get"))


def test_a_bad_key_is_401_before_the_model_or_method_is_looked_at(server19: Server) -> None:
    caller = Json2(server19.url, "0" * 40, server19.db)
    unauthorized(caller.post("no.such.model", "search"))
    unauthorized(caller.post("res.partner", "_private"))
    unauthorized(caller.send("/json/2/res.partner/search", {}, method="GET"))


def test_revoked_expired_wrong_scope_and_archived_users_keys_are_401(server19: Server, admin19: Client) -> None:
    user = new_user(server19, "plain")
    revoked, live = make_key(user, "to revoke"), make_key(user, "kept")
    key_id = admin19.x("res.users.apikeys", "search", [("user_id", "=", user.uid), ("name", "=", "to revoke")])
    admin19.x("res.users.apikeys", "unlink", key_id)
    unauthorized(Json2(server19.url, revoked, server19.db).post("res.users", "context_get"))
    expired = cli_key(server19, user.login, expires="2000-01-01")
    unauthorized(Json2(server19.url, expired, server19.db).post("res.users", "context_get"))
    website = cli_key(server19, user.login, scope="website")
    unauthorized(Json2(server19.url, website, server19.db).post("res.users", "context_get"))
    assert Json2(server19.url, live, server19.db).ok("res.users", "context_get")["uid"] == user.uid
    admin19.x("res.users", "write", [user.uid], {"active": False})
    unauthorized(Json2(server19.url, live, server19.db).post("res.users", "context_get"))


def test_a_portal_users_key_cannot_create_nor_write_contacts(server19: Server, portal19: tuple[Client, Json2]) -> None:
    user, caller = portal19
    assert caller.ok("res.users", "context_get")["uid"] == user.uid
    before = snapshot(server19)
    body = caller.error("res.partner", "create", 403, vals_list=[{"name": "portal"}])
    assert body["name"] == "odoo.exceptions.AccessError"
    assert body["message"].startswith("You are not allowed to create 'Contact' (res.partner) records.")
    body = caller.error("res.partner", "write", 403, ids=[1], vals={"name": "portal"})
    assert body["name"] == "odoo.exceptions.AccessError"
    assert snapshot(server19) == before


def test_a_plain_user_writing_what_they_may_not_is_403(server19: Server, plain19: tuple[Client, Json2]) -> None:
    _, caller = plain19
    before = snapshot(server19)
    body = caller.error("res.country", "write", 403, ids=[1], vals={"name": "Plainland"})
    assert named(body) == ("odoo.exceptions.AccessError",
                           "You are not allowed to modify 'Country' (res.country) records.\n\n"
                           "This operation is allowed for the following groups:\n\t- Settings\n\n"
                           "Contact your administrator to request access if necessary.")
    assert body["arguments"] == [body["message"]]
    body = caller.error("res.users", "write", 403, ids=[2], vals={"login": "taken-over"})
    assert body["name"] == "odoo.exceptions.AccessError"
    assert snapshot(server19) == before


def test_a_body_over_the_size_limit_is_413(server19: Server, j2: Json2) -> None:
    before = snapshot(server19)
    huge = b'{"vals_list": [{"name": "' + b"a" * (65 * 1024 * 1024) + b'"}]}'
    body = error_of(j2.send("/json/2/res.partner/create", data=huge), 413)
    assert body["name"] == "werkzeug.exceptions.RequestEntityTooLarge"
    assert body["arguments"] == [body["message"], 413]
    assert snapshot(server19) == before


@pytest.mark.parametrize(("data", "message"), [
    (b"{nope", "could not parse the body as json: Expecting property name enclosed in double quotes: "
               "line 1 column 2 (char 1)"),
    (b"[" * 100_000 + b"]" * 100_000, "could not parse the body as json: JSON nested too deeply"),
    (b"\xff\xfe", "could not parse the body as json: utf-8"),
    # Odoo merges the body into a dict: JSON that is no object fails there
    (b"[1, 2]", "could not parse the body, expecting a json object"),
    (b"42", "could not parse the body, expecting a json object"),
    (b"null", "could not parse the body, expecting a json object"),
    (b'"abc"', "could not parse the body as json: dictionary update sequence element #0 has length 1; 2 is required"),
    # positional arguments, as XML-RPC would send them: no such thing in JSON-2
    (b'[[["is_company", "=", true]]]', "could not parse the body as json: dictionary update sequence element #0 "
                                       "has length 1; 2 is required"),
])
def test_malformed_and_non_object_bodies_are_400(server19: Server, j2: Json2, data: bytes, message: str) -> None:
    before = snapshot(server19)
    body = error_of(j2.send("/json/2/res.partner/search", data=data), 400)
    assert named(body) == ("werkzeug.exceptions.BadRequest", message)
    assert body["arguments"] == [message, 400]
    assert snapshot(server19) == before


def test_an_empty_body_is_no_parameters(j2: Json2, admin19: Client) -> None:
    """Odoo 19 reads the body only when there is one (Content-Length 0 is accepted)."""
    answer = j2.send("/json/2/res.users/context_get", data=b"")
    assert answer.status == 200 and answer.body["uid"] == admin19.uid
    body = error_of(j2.send("/json/2/res.partner/create", data=b""), 422)
    assert body["message"] == "missing a required argument: 'vals_list'"


def test_a_list_of_pairs_merges_like_an_object(j2: Json2) -> None:
    """Odoo 19 merges the body with `dict |=`, which takes a list of pairs too."""
    answer = j2.send("/json/2/res.partner/search_count", [["domain", [["id", "=", 1]]]])
    assert (answer.status, answer.body) == (200, 1)


@pytest.mark.parametrize("method", ["_private", "_check_access", "_read", "__init__", "sudo", "with_context",
                                    "with_user", "browse", "mro", "init"])
def test_private_methods_are_403(server19: Server, j2: Json2, method: str) -> None:
    before = snapshot(server19)
    body = j2.error("res.partner", method, 403)
    assert named(body) == ("odoo.exceptions.AccessError",
                           f"Private methods (such as 'res.partner.{method}') cannot be called remotely.")
    assert snapshot(server19) == before


def test_unknown_models_and_methods_are_404(j2: Json2) -> None:
    body = j2.error("no.such.model", "search", 404)
    assert named(body) == ("werkzeug.exceptions.NotFound", "the model 'no.such.model' does not exist")
    assert body["arguments"] == ["the model 'no.such.model' does not exist", 404]
    body = j2.error("res.partner", "no_such_method", 404)
    assert named(body) == ("werkzeug.exceptions.NotFound", "The method 'res.partner.no_such_method' does not exist")
    # removed in Odoo 18: not callable on the 19.0 profile
    assert named(j2.error("res.partner", "name_get", 404, ids=[1]))[1] == \
        "The method 'res.partner.name_get' does not exist"


def test_an_unknown_database_is_odoos_html_404(server19: Server, j2: Json2) -> None:
    for name in ("no_such_db", "postgres", "../etc/passwd", "x" * 300):
        answer = Json2(server19.url, j2.key, name).send("/json/2/res.partner/search", {"domain": []})
        assert answer.status == 404 and answer.headers["Content-Type"].startswith("text/html")
        assert answer.text.startswith("No database is selected and the requested URL was not found in the "
                                      "server-wide controllers.")


def test_an_empty_database_header_means_the_servers_database(server19: Server, j2: Json2) -> None:
    assert Json2(server19.url, j2.key, "").ok("res.partner", "search_count", domain=[["id", "=", 1]]) == 1
    assert Json2(server19.url, j2.key, None).ok("res.partner", "search_count", domain=[["id", "=", 1]]) == 1


@pytest.mark.parametrize("content_type", ["text/plain", "application/json-rpc", "application/x-www-form-urlencoded",
                                          None])
def test_a_body_that_is_not_application_json_is_an_html_415(server19: Server, j2: Json2,
                                                              content_type: str | None) -> None:
    before = snapshot(server19)
    headers = {"Authorization": f"bearer {j2.key}"} | ({"Content-Type": content_type} if content_type else {})
    response = requests.post(f"{server19.url}/json/2/res.partner/create", data=b'{"vals_list": [{"name": "x"}]}',
                             headers=headers, timeout=60)
    assert response.status_code == 415 and response.headers["Content-Type"].startswith("text/html")
    assert "Unsupported Media Type" in response.text
    assert snapshot(server19) == before


def test_other_http_methods_are_405_after_authentication(j2: Json2) -> None:
    for verb in ("GET", "PUT", "DELETE"):
        body = error_of(j2.send("/json/2/res.partner/search", {"domain": []}, method=verb), 405)
        assert body["name"] == "werkzeug.exceptions.MethodNotAllowed"


def test_ids_given_to_a_model_method_is_422(server19: Server, j2: Json2) -> None:
    before = snapshot(server19)
    body = j2.error("res.partner", "create", 422, ids=[1], vals_list=[{"name": "with ids"}])
    assert named(body) == ("werkzeug.exceptions.UnprocessableEntity", "cannot call res.partner.create with ids")
    assert snapshot(server19) == before
    assert j2.ok("res.partner", "search", ids=[], domain=[["id", "=", 1]]) == [1]


@pytest.mark.parametrize(("model", "method", "params", "message"), [
    ("res.partner", "create", {}, "missing a required argument: 'vals_list'"),
    ("res.partner", "create", {"vals": {"name": "x"}}, "missing a required argument: 'vals_list'"),
    ("res.partner", "create", {"vals_list": [], "foo": 1}, "got an unexpected keyword argument 'foo'"),
    ("res.partner", "write", {"ids": [1]}, "missing a required argument: 'vals'"),
    ("res.partner", "search", {"args": []}, "missing a required argument: 'domain'"),
    # Odoo 19's names, not the older ones
    ("res.partner", "name_search", {"name": "a", "args": []}, "got an unexpected keyword argument 'args'"),
    ("res.partner", "default_get", {"fields_list": ["name"]}, "missing a required argument: 'fields'"),
    ("res.partner", "read", {"ids": [1], "ids_": [1]}, "got an unexpected keyword argument 'ids_'"),
])
def test_parameters_that_do_not_bind_are_422_with_pythons_text(server19: Server, j2: Json2, model: str, method: str,
                                                               params: dict[str, Any], message: str) -> None:
    before = snapshot(server19)
    body = j2.error(model, method, 422, **params)
    assert named(body) == ("werkzeug.exceptions.UnprocessableEntity", message)
    assert snapshot(server19) == before


# -- what works -------------------------------------------------------------------------------

def test_context_get_is_the_documented_way_to_learn_ones_uid(j2: Json2, admin19: Client,
                                                             plain19: tuple[Client, Json2]) -> None:
    assert j2.ok("res.users", "context_get") == {"lang": "en_US", "tz": False, "uid": admin19.uid}
    user, caller = plain19
    assert caller.ok("res.users", "context_get")["uid"] == user.uid


def test_success_is_the_bare_json_value_without_a_cookie(server19: Server, j2: Json2) -> None:
    answer = j2.post("res.partner", "search_read", domain=[["id", "=", 1]], fields=["name", "create_date"])
    assert answer.status == 200 and answer.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "Set-Cookie" not in answer.headers
    [row] = answer.body
    assert row["id"] == 1 and row["name"] == "YourCompany"
    assert len(row["create_date"]) == 19 and row["create_date"][10] == " "  # Odoo's datetime string
    none = j2.post("res.partner", "action_archive")  # a method returning None
    assert (none.status, none.text) == (200, "null")


def test_create_read_write_unlink_with_named_parameters(j2: Json2, admin19: Client) -> None:
    name = f"J2 {uuid.uuid4().hex[:6]}"
    one = j2.ok("res.partner", "create", vals_list={"name": name})
    assert isinstance(one, list) and len(one) == 1  # records come back as their ids, even one
    many = j2.ok("res.partner", "create", vals_list=[{"name": f"{name} a"}, {"name": f"{name} b"}])
    assert len(many) == 2
    assert j2.ok("res.partner", "read", ids=one, fields=["name"]) == [{"id": one[0], "name": name}]
    assert j2.ok("res.partner", "write", ids=many, vals={"comment": "named"}) is True
    assert [r["comment"] for r in admin19.x("res.partner", "read", many, ["comment"])] == ["named", "named"]
    assert j2.ok("res.partner", "search", domain=[["name", "ilike", name]], order="id desc", limit=2) == many[::-1]
    assert j2.ok("res.partner", "search_count", domain=[["name", "ilike", name]]) == 3
    copied = j2.ok("res.partner", "copy", ids=one, default={"name": f"{name} copy"})
    assert isinstance(copied, list) and len(copied) == 1
    assert j2.ok("res.partner", "unlink", ids=one + many + copied) is True
    assert admin19.x("res.partner", "search", [("name", "ilike", name)]) == []


def test_record_methods_without_ids_run_on_no_records(server19: Server, j2: Json2) -> None:
    before = snapshot(server19)
    assert j2.ok("res.partner", "read", fields=["name"]) == []
    assert j2.ok("res.partner", "write", vals={"name": "nobody"}) is True
    assert snapshot(server19) == before


def test_odoo_19_parameter_names(j2: Json2) -> None:
    found = j2.ok("res.partner", "name_search", name="Mitchell", domain=[["is_company", "=", False]], limit=5)
    assert found == [[3, "Mitchell Admin"]]
    assert j2.ok("res.partner", "name_search", name="Mitchell", domain=[["is_company", "=", True]]) == []
    assert j2.ok("res.partner", "default_get", fields=["active"]) == {"active": True}
    groups = j2.ok("res.partner", "read_group", domain=[["id", "=", 1]], fields=["id:count"], groupby=["is_company"])
    assert [(g["is_company"], g["is_company_count"]) for g in groups] == [(True, 1)]


def test_extra_names_of_search_read_go_to_read(j2: Json2) -> None:
    domain = [["parent_id", "!=", False]]
    [row] = j2.ok("res.partner", "search_read", domain=domain, fields=["parent_id"], limit=1)
    parent_id, parent_name = row["parent_id"]
    assert isinstance(parent_name, str)
    rows = j2.ok("res.partner", "search_read", domain=domain, fields=["parent_id"], limit=1, load=None)
    assert rows == [{"id": row["id"], "parent_id": parent_id}]


def test_the_context_is_the_bodys_only(j2: Json2, admin19: Client) -> None:
    """No `context`: an empty one (archived records hidden); given: it replaces everything."""
    name = f"Archived {uuid.uuid4().hex[:6]}"
    [pid] = j2.ok("res.partner", "create", vals_list=[{"name": name, "active": False}])
    assert j2.ok("res.partner", "search", domain=[["name", "=", name]]) == []
    assert j2.ok("res.partner", "search", domain=[["name", "=", name]], context={"active_test": False}) == [pid]
    body = j2.error("res.partner", "search", 500, domain=[], context=["active_test"])
    assert named(body) == ("builtins.ValueError", "context must be a JSON object, not list")


def test_odoo_errors_keep_their_status(server19: Server, j2: Json2) -> None:
    before = snapshot(server19)
    body = j2.error("res.partner", "create", 422, vals_list=[{"name": False}])
    assert body["name"] == "odoo.exceptions.ValidationError"
    body = j2.error("res.partner", "write", 404, ids=[999999], vals={"name": "gone"})
    assert body["name"] == "odoo.exceptions.MissingError"
    assert body["message"].startswith("Record does not exist or has been deleted.")
    body = j2.error("res.partner", "search", 500, domain=[["no_field", "=", 1]])
    assert named(body) == ("builtins.ValueError", "Invalid field res.partner.no_field in leaf ('no_field', '=', 1)")
    assert "Traceback (most recent call last)" in body["debug"]
    assert snapshot(server19) == before


def test_a_failing_call_is_rolled_back_whole(server19: Server, j2: Json2, admin19: Client) -> None:
    name = f"Half {uuid.uuid4().hex[:6]}"
    body = j2.error("res.partner", "create", 422, vals_list=[{"name": name}, {"name": False}])
    assert body["name"] == "odoo.exceptions.ValidationError"
    assert admin19.x("res.partner", "search", [("name", "=", name)]) == []


def test_a_body_key_model_replaces_the_urls(j2: Json2) -> None:
    """Odoo 19.0's dispatcher merges the body over the URL's values (`model`, `method`)."""
    answer = j2.send("/json/2/res.partner/search", {"model": "res.country", "domain": [["code", "=", "BE"]]})
    assert answer.status == 200
    assert answer.body == j2.ok("res.country", "search", domain=[["code", "=", "BE"]]) != []


def test_custom_models_are_callable(j2: Json2, admin19: Client) -> None:
    model = f"x_j2_{uuid.uuid4().hex[:6]}"
    mid = admin19.x("ir.model", "create", {"name": "JSON-2 things", "model": model, "state": "manual"})
    admin19.x("ir.model.fields", "create", {"model_id": mid, "name": "x_name", "ttype": "char", "state": "manual"})
    [rid] = j2.ok(model, "create", vals_list=[{"x_name": "thing"}])
    assert j2.ok(model, "search_read", domain=[], fields=["x_name"]) == [{"id": rid, "x_name": "thing"}]


def test_web_version_answers_the_profile(server19: Server) -> None:
    for verb in ("GET", "POST"):
        response = requests.request(verb, f"{server19.url}/web/version", timeout=60)
        assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
        assert response.json() == {"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"}


@pytest.mark.parametrize("path", ["/json/2/res.partner/search", "/web/version", "/doc-bearer/res.partner.json",
                                  "/doc-bearer/index.json", "/doc/res.partner.json", "/doc", "/json/2/openapi.json"])
def test_before_19_there_is_no_json2(server: Server, client: Client, path: str) -> None:
    """Odoo 18 and earlier have none of these routes (clients read the 404 as "no JSON-2")."""
    key = make_key(client)
    for verb in ("GET", "POST"):
        response = requests.request(verb, server.url + path, json={"domain": []}, timeout=60,
                                    headers={"Authorization": f"bearer {key}", "X-Odoo-Database": server.db})
        assert response.status_code == 404


# -- the API documentation (Odoo 19's api_doc) ------------------------------------------------

def doc_of(caller: Json2, model: str, status: int = 200) -> Any:
    answer = caller.send(f"/doc-bearer/{model}.json", method="GET")
    assert answer.status == status, answer.text
    return answer.body


def test_doc_bearer_needs_a_key_and_the_documentation_group(server19: Server, plain19: tuple[Client, Json2],
                                                            portal19: tuple[Client, Json2]) -> None:
    unauthorized(Json2(server19.url, None, server19.db).send("/doc-bearer/res.partner.json", method="GET"), NO_KEY)
    unauthorized(Json2(server19.url, "0" * 40, server19.db).send("/doc-bearer/index.json", method="GET"))
    for _, caller in (plain19, portal19):
        for path in ("/doc-bearer/res.partner.json", "/doc-bearer/index.json"):
            body = error_of(caller.send(path, method="GET"), 403)
            assert named(body) == ("odoo.exceptions.AccessError",
                                   "This page is only accessible to Technical Documentation users.")


def test_doc_bearer_of_an_unknown_model_is_404(j2: Json2) -> None:
    body = error_of(j2.send("/doc-bearer/no.such.model.json", method="GET"), 404)
    assert body["name"] == "werkzeug.exceptions.NotFound"


def test_doc_bearer_lists_fields_and_methods_as_odoo_19(j2: Json2) -> None:
    doc = doc_of(j2, "res.partner")
    assert (doc["model"], doc["name"], doc["doc"]) == ("res.partner", "Contact", None)
    assert doc["fields"]["name"]["type"] == "char" and doc["fields"]["name"]["module"] == "base"
    assert doc["fields"]["parent_id"]["relation"] == "res.partner"
    methods = doc["methods"]
    search = methods["search"]
    assert list(search["parameters"]) == ["domain", "offset", "limit", "order"]
    assert search["parameters"] == {"domain": {}, "offset": {"default": 0}, "limit": {"default": None},
                                    "order": {"default": None}}
    assert search["signature"] == "(domain, offset=0, limit=None, order=None)"
    assert search["api"] == ["model", "readonly"] and search["return"] == {"annotation": "list[int]"}
    assert (search["model"], search["module"]) == ("core", "core")
    assert list(methods["create"]["parameters"]) == ["vals_list"] and methods["create"]["api"] == ["model"]
    # record methods: no `ids` among the parameters, no "model" flag
    assert list(methods["write"]["parameters"]) == ["vals"] and "api" not in methods["write"]
    assert list(methods["read"]["parameters"]) == ["fields", "load"] and methods["read"]["api"] == ["readonly"]
    assert list(methods["name_search"]["parameters"]) == ["name", "domain", "operator", "limit"]
    assert list(methods["default_get"]["parameters"]) == ["fields"]
    assert methods["search_read"]["parameters"]["read_kwargs"] == {"kind": "VAR_KEYWORD"}
    assert "read_group" not in methods  # deprecated in Odoo 19: callable, not documented
    assert "name_get" not in methods and not any(m.startswith("_") for m in methods)


def test_doc_bearer_of_a_models_own_methods(j2: Json2) -> None:
    methods = doc_of(j2, "res.users")["methods"]
    assert methods["context_get"]["parameters"] == {} and methods["context_get"]["api"] == ["model", "readonly"]
    assert (methods["context_get"]["model"], methods["context_get"]["module"]) == ("res.users", "base")
    assert list(methods["change_password"]["parameters"]) == ["old_passwd", "new_passwd"]
    make_key_doc = doc_of(j2, "res.users.apikeys.description")["methods"]["make_key"]
    assert make_key_doc["parameters"] == {} and "api" not in make_key_doc


def test_doc_bearer_of_a_custom_model(j2: Json2, admin19: Client) -> None:
    model = f"x_doc_{uuid.uuid4().hex[:6]}"
    mid = admin19.x("ir.model", "create", {"name": "Documented things", "model": model, "state": "manual"})
    admin19.x("ir.model.fields", "create", {"model_id": mid, "name": "x_size", "ttype": "integer",
                                            "state": "manual", "field_description": "Size"})
    doc = doc_of(j2, model)
    assert (doc["model"], doc["name"]) == (model, "Documented things")
    assert doc["fields"]["x_size"]["type"] == "integer" and doc["fields"]["x_size"]["module"] is None
    assert list(doc["methods"]["create"]["parameters"]) == ["vals_list"]
    index = j2.send("/doc-bearer/index.json", method="GET").body
    [entry] = [m for m in index["models"] if m["model"] == model]
    assert entry["fields"]["x_size"] == {"string": "Size"} and "search_read" in entry["methods"]


def test_doc_bearer_index(j2: Json2) -> None:
    index = j2.send("/doc-bearer/index.json", method="GET").body
    assert set(index) == {"modules", "models"} and "base" in index["modules"]
    partner = next(m for m in index["models"] if m["model"] == "res.partner")
    assert partner["name"] == "Contact" and partner["fields"]["name"] == {"string": "Name"}
    assert "search_read" in partner["methods"] and "name_get" not in partner["methods"]


def web_session(server: Server, login: str = "admin", password: str = "admin") -> requests.Session:
    http = requests.Session()
    response = http.post(f"{server.url}/web/session/authenticate", timeout=60, json={
        "jsonrpc": "2.0", "method": "call", "id": 1, "params": {"db": server.db, "login": login,
                                                                "password": password}})
    assert "result" in response.json(), response.text
    return http


def test_doc_with_a_session_answers_what_the_bearer_route_does(server19: Server, j2: Json2) -> None:
    http = web_session(server19)
    response = http.get(f"{server19.url}/doc/res.partner.json", timeout=60)
    assert response.status_code == 200 and response.json() == doc_of(j2, "res.partner")
    index = http.get(f"{server19.url}/doc/index.json", timeout=60)
    assert index.status_code == 200 and index.json() == j2.send("/doc-bearer/index.json", method="GET").body


def test_doc_without_a_session(server19: Server) -> None:
    for path in ("/doc/res.partner.json", "/doc/index.json"):
        response = requests.get(server19.url + path, timeout=60)
        assert response.status_code == 403
        assert (response.json()["name"], response.json()["message"]) == ("odoo.http.SessionExpiredException",
                                                                         "Session expired")
    response = requests.get(server19.url + "/doc", timeout=60, allow_redirects=False)
    assert response.status_code == 303 and response.headers["Location"].endswith("/web/login?redirect=%2Fdoc")


def test_doc_page_lists_the_readable_models(server19: Server, plain19: tuple[Client, Json2]) -> None:
    response = web_session(server19).get(f"{server19.url}/doc", timeout=60)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    assert '<a href="/doc/res.partner.json">res.partner</a>' in response.text
    plain, _ = plain19
    response = web_session(server19, plain.login, plain.password).get(f"{server19.url}/doc", timeout=60)
    assert response.status_code == 403
    assert "This page is only accessible to Technical Documentation users." in response.text


# -- a browser's session instead of a key (Odoo 19's `auth='bearer'` fallback) ------------------

BROWSER = {"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "same-origin",
           "Sec-Fetch-User": "?1"}


def test_a_session_needs_the_browsers_navigation_headers(server19: Server, admin19: Client) -> None:
    http = web_session(server19)
    url = f"{server19.url}/json/2/res.users/context_get"
    response = http.post(url, json={}, timeout=60)
    assert response.status_code == 401
    assert response.json()["message"] == 'Missing "Authorization" or Sec-headers for interactive usage.'
    response = http.post(url, json={}, headers=BROWSER, timeout=60)
    assert response.status_code == 200 and response.json()["uid"] == admin19.uid
    http.cookies.clear()
    http.cookies.set("session_id", "garbage")
    response = http.post(url, json={}, headers=BROWSER, timeout=60)
    assert response.status_code == 401 and response.json()["message"] == NO_KEY


def test_a_session_and_another_databases_header_is_an_html_403(server19: Server) -> None:
    http = web_session(server19)
    response = http.post(f"{server19.url}/json/2/res.users/context_get", json={}, timeout=60,
                         headers={**BROWSER, "X-Odoo-Database": "other"})
    assert response.status_code == 403 and response.headers["Content-Type"].startswith("text/html")
    assert response.text == "Cannot use both the session_id cookie and the x-odoo-database header."


def test_doc_answers_carry_an_etag_and_a_304_for_it(j2: Json2) -> None:
    first = j2.send("/doc-bearer/res.partner.json", method="GET")
    assert first.headers["Cache-Control"] == "no-cache, private" and first.headers["ETag"]
    again = j2.send("/doc-bearer/res.partner.json", method="GET", **{"If-None-Match": first.headers["ETag"]})
    assert (again.status, again.text) == (304, "")
    fresh = j2.send("/doc-bearer/res.partner.json", method="GET",
                    **{"If-None-Match": first.headers["ETag"], "Cache-Control": "no-cache"})
    assert fresh.status == 200 and fresh.body == first.body


def test_wrong_keys_cool_the_address_down_with_a_401(backend: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Bearer keys go through the login throttle (per address): after the failures allowed, even
    a right key not verified before is refused, without hashing, until the cooldown ends."""
    server = start_server(tmp_path_factory.mktemp(f"j2-cool-{backend}"), backend,
                          ["--odoo-version", "19.0", "--login-cooldown-after", "3"])
    try:
        key = make_key(server.client())
        for _ in range(3):
            unauthorized(Json2(server.url, "0" * 40, server.db).post("res.users", "context_get"))
        unauthorized(Json2(server.url, key, server.db).post("res.users", "context_get"),
                     "Too many login failures, please wait a bit before trying again.")
    finally:
        stop_server(server)
