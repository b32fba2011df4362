"""The REST API `restapi/1.0` through the real wire, with requests and requests-oauthlib, as the
document that describes it shows every endpoint: its answers' shapes, its statuses (401 for
credentials, 403 for what a call raises, 404 for what is not there), OAuth 1.0a and 2.0, and
what hostile query strings get (400 or 403, never a 500, nothing changed).

The document's examples filter on `customer`, which res.partner has under the 12.0 profile: the
module's server answers as 12.0, with the demo data."""
from __future__ import annotations

import base64
import io
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from requests_oauthlib import OAuth1
from restwire import CALLBACK, Rest, api, cli_application, oauth1_session, oauth2_session, oauth2_token, start

from conftest import Client, Server, require_backend, serving, start_server, stop_server
from odoorpc_server.protocols import xmldata

COMPANY_CUSTOMERS = [("is_company", "=", True), ("customer", "=", True)]
DOMAIN = "[('is_company', '=', True), ('customer', '=', True)]"


@pytest.fixture(scope="module")
def srv(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(backend, tmp_path_factory, "rest", "--demo", "--odoo-version", "12.0") as server:
        yield server


@pytest.fixture(scope="module")
def admin(srv: Server) -> Client:
    return srv.client()


@pytest.fixture(scope="module")
def rest(srv: Server) -> Rest:
    """The demo admin's application, authorized with OAuth 2.0."""
    return Rest(srv, oauth2_session(srv, start(srv)))


def plain_user(admin: Client) -> Client:
    login = f"rest-{uuid.uuid4().hex[:8]}"
    admin.x("res.users", "create", {"name": f"Plain {login}", "login": login, "password": "plain-pw"})
    return Client(admin.url, admin.db, login, "plain-pw")


@pytest.fixture(scope="module")
def plain(srv: Server, admin: Client) -> Rest:
    """An application of a plain internal user (made by the command line), through OAuth 2.0."""
    user = plain_user(admin)
    return Rest(srv, oauth2_session(srv, cli_application(srv, user.login)))


# -- no authentication ----------------------------------------------------------------------------

def test_version_needs_no_credentials(srv: Server) -> None:
    answer = requests.get(api(srv, "common/version"), timeout=30)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json() == {"server_version": "12.0", "server_version_info": [12, 0, 0, "final", 0, ""],
                             "server_series": "12.0", "protocol_version": 1}


def test_version_as_xml(srv: Server) -> None:
    answer = requests.get(api(srv, "common/version"), headers={"Accept": "application/xml"}, timeout=30)
    assert answer.headers["Content-Type"].startswith("application/xml")
    assert answer.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<response type="dict">')
    assert xmldata.loads(answer.content) == requests.get(api(srv, "common/version"), timeout=30).json()


def test_start_answers_a_ready_application(srv: Server, admin: Client) -> None:
    found = start(srv)
    assert set(found) == {"client_id", "client_secret", "host", "database"}
    assert found["host"] == srv.url and found["database"] == srv.db
    session = Rest(srv, oauth2_session(srv, found))
    me = session.get(f"object/res.users/{admin.uid}", fields="['login']")
    assert me == {"res.users": {"id": admin.uid, "login": "admin"}}


@pytest.mark.parametrize("path", ["object/res.partner", "object/res.partner/search?domain=[]",
                                  "report/base.report_partner/1", "workflow/res.partner/1/action_archive"])
def test_no_credentials_is_401(srv: Server, path: str) -> None:
    answer = requests.get(api(srv, path), timeout=30)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == 'OAuth realm="restapi", Bearer realm="restapi"'
    assert answer.json()["error"]["code"] == 401
    assert answer.json()["error"]["name"] == "odoo.exceptions.AccessDenied"


def test_bad_bearer_is_401(srv: Server) -> None:
    answer = requests.get(api(srv, "object/res.partner/search"), params={"domain": "[]"},
                          headers={"Authorization": "Bearer not-a-token"}, timeout=30)
    assert answer.status_code == 401
    assert answer.json()["error"]["name"] == "odoo.exceptions.AccessDenied"


def test_unknown_route_is_404(rest: Rest) -> None:
    for path in ("nothing/here", "object", "common/oauth3/authorize"):
        status, body = rest.call("GET", path)
        assert (status, body["error"]["code"]) == (404, 404), path
        assert "Traceback" not in json.dumps(body)


# -- OAuth 2.0 ------------------------------------------------------------------------------------

def test_oauth2_token_answer(srv: Server) -> None:
    token = oauth2_token(srv, start(srv))
    assert token["token_type"] == "bearer"
    assert {"access_token", "refresh_token", "access_token_validity", "expires_in"} <= set(token)
    month, day, rest_ = token["access_token_validity"].split("/")
    assert 1 <= int(month) <= 12 and 1 <= int(day) <= 31 and len(rest_.split(" ")[1].split(":")) == 3


def test_oauth2_authorize_answers_code_and_state(srv: Server) -> None:
    app = start(srv)
    answer = requests.get(api(srv, "common/oauth2/authorize"), timeout=30,
                          params={"client_id": app["client_id"], "state": "Y1Ux1iNPvn6KYQK5Lj84WJ9VJrQw1L",
                                  "redirect_uri": CALLBACK, "response_type": "code"})
    assert answer.status_code == 200
    assert set(answer.json()) == {"code", "state"}
    assert answer.json()["state"] == "Y1Ux1iNPvn6KYQK5Lj84WJ9VJrQw1L"


def test_oauth2_code_is_single_use(srv: Server) -> None:
    app = start(srv)
    code = requests.get(api(srv, "common/oauth2/authorize"), timeout=30,
                        params={"client_id": app["client_id"], "redirect_uri": CALLBACK,
                                "response_type": "code", "state": "s"}).json()["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
            "client_id": app["client_id"], "client_secret": app["client_secret"]}
    first = requests.post(api(srv, "common/oauth2/access_token"), data=form, timeout=30)
    assert first.status_code == 200, first.text
    again = requests.post(api(srv, "common/oauth2/access_token"), data=form, timeout=30)
    assert again.status_code in (400, 401) and "access_token" not in again.json()


def test_oauth2_wrong_secret_is_refused(srv: Server) -> None:
    app = start(srv)
    code = requests.get(api(srv, "common/oauth2/authorize"), timeout=30,
                        params={"client_id": app["client_id"], "redirect_uri": CALLBACK,
                                "response_type": "code", "state": "s"}).json()["code"]
    answer = requests.post(api(srv, "common/oauth2/access_token"), timeout=30,
                           data={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
                                 "client_id": app["client_id"], "client_secret": "wrong"})
    assert answer.status_code == 401
    assert "access_token" not in answer.json()


def test_oauth2_refresh_rotates(srv: Server) -> None:
    app = start(srv)
    token = oauth2_token(srv, app)
    form = {"grant_type": "refresh_token", "refresh_token": token["refresh_token"],
            "client_id": app["client_id"], "client_secret": app["client_secret"]}
    fresh = requests.post(api(srv, "common/oauth2/access_token"), data=form, timeout=30)
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["access_token"] != token["access_token"]
    reused = requests.post(api(srv, "common/oauth2/access_token"), data=form, timeout=30)
    assert reused.status_code in (400, 401)
    call = requests.get(api(srv, "object/res.partner/search_count"), params={"domain": "[]"}, timeout=30,
                        headers={"Authorization": f"Bearer {fresh.json()['access_token']}"})
    assert call.status_code == 200 and call.json()["count"] > 0


def test_revoked_application_is_401(srv: Server, admin: Client) -> None:
    app = start(srv)
    token = oauth2_token(srv, app)
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert requests.get(api(srv, "object/res.partner/search_count"), params={"domain": "[]"}, headers=headers,
                        timeout=30).status_code == 200
    found = admin.x("oauth.application", "search", [("client_id", "=", app["client_id"])])
    assert len(found) == 1
    admin.x("oauth.application", "unlink", found)
    answer = requests.get(api(srv, "object/res.partner/search_count"), params={"domain": "[]"}, headers=headers,
                          timeout=30)
    assert answer.status_code == 401


# -- OAuth 1.0a -----------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["HMAC-SHA1", "HMAC-SHA256", "PLAINTEXT"])
def test_oauth1_three_legs_then_signed_calls(srv: Server, admin: Client, method: str) -> None:
    session = Rest(srv, oauth1_session(srv, start(srv), method))
    expected = admin.x("res.partner", "search", COMPANY_CUSTOMERS)
    assert session.get("object/res.partner/search", domain=DOMAIN) == {"res.partner": expected}
    # a signed write: the form body is part of what the signature covers
    status, body = session.call("POST", "object/res.partner", data={"vals": "{'name': 'Signed Body'}"})
    assert status == 200, body
    assert body["res.partner"]["name"] == "Signed Body"


def test_oauth1_replayed_nonce_is_refused(srv: Server) -> None:
    session = oauth1_session(srv, start(srv))
    request = requests.Request("GET", api(srv, "object/res.partner/search_count"), params={"domain": "[]"},
                               auth=session.auth).prepare()
    with requests.Session() as plain:
        assert plain.send(request, timeout=30).status_code == 200
        again = plain.send(request, timeout=30)
    assert again.status_code == 401
    assert again.json()["error"]["name"] == "odoo.exceptions.AccessDenied"


def test_oauth1_request_token_is_single_use(srv: Server) -> None:
    app = start(srv)
    first = requests.post(api(srv, "common/oauth1/request_token"), timeout=30,
                          auth=OAuth1(app["client_id"], app["client_secret"], callback_uri=CALLBACK))
    assert first.status_code == 200, first.text
    token = first.json()
    assert {"oauth_token", "oauth_token_secret"} <= set(token)
    verifier = requests.get(api(srv, "common/oauth1/authorize"), params={"oauth_token": token["oauth_token"]},
                            timeout=30).json()["oauth_verifier"]

    def exchange() -> requests.Response:
        return requests.post(api(srv, "common/oauth1/access_token"), timeout=30,
                             auth=OAuth1(app["client_id"], app["client_secret"], token["oauth_token"],
                                         token["oauth_token_secret"], verifier=verifier))
    assert exchange().status_code == 200
    assert exchange().status_code == 401


def test_oauth1_bad_signature_is_401(srv: Server) -> None:
    app = start(srv)
    answer = requests.post(api(srv, "common/oauth1/request_token"), timeout=30,
                           auth=OAuth1(app["client_id"], "not-the-secret", callback_uri=CALLBACK))
    assert answer.status_code == 401


# -- object: the document's examples ----------------------------------------------------------

def test_check_access_rights(rest: Rest, plain: Rest) -> None:
    assert rest.get("object/res.partner/check_access_rights", operation="['read']", raise_exception="True") \
        == {"return": True}
    assert plain.get("object/res.users/check_access_rights", operation="create", raise_exception="False") \
        == {"return": False}
    status, body = plain.call("GET", "object/res.users/check_access_rights", operation="create")
    assert status == 403
    assert body["error"]["name"] == "odoo.exceptions.AccessError"


def test_search_and_pagination(rest: Rest, admin: Client) -> None:
    expected = admin.x("res.partner", "search", COMPANY_CUSTOMERS)
    assert len(expected) >= 15
    assert rest.get("object/res.partner/search", domain=DOMAIN) == {"res.partner": expected}
    assert rest.get("object/res.partner/search", domain=DOMAIN, offset="10", limit="5") \
        == {"res.partner": expected[10:15]}
    assert rest.get("object/res.partner/search", domain=DOMAIN, count="True") == {"count": len(expected)}
    by_name = admin.x("res.partner", "search", COMPANY_CUSTOMERS, order="name desc")
    assert rest.get("object/res.partner/search", domain=DOMAIN, order="name desc") == {"res.partner": by_name}
    assert rest.get("object/res.partner/search", domain=DOMAIN, order="'name desc'") == {"res.partner": by_name}


def test_search_count(rest: Rest, admin: Client) -> None:
    assert rest.get("object/res.partner/search_count", domain=DOMAIN) \
        == {"count": admin.x("res.partner", "search_count", COMPANY_CUSTOMERS)}


def test_read_single_record(rest: Rest, admin: Client) -> None:
    pid = admin.x("res.partner", "search", COMPANY_CUSTOMERS, limit=1)[0]
    whole = rest.get(f"object/res.partner/{pid}")["res.partner"]
    expected = admin.x("res.partner", "read", [pid])[0]
    assert whole == json.loads(json.dumps(expected))
    assert {"id", "name", "street", "street2", "city", "state_id", "zip", "country_id", "create_date",
            "create_uid", "write_date", "write_uid"} <= set(whole)
    picked = rest.get(f"object/res.partner/{pid}", fields="['name','country_id']")
    assert picked == {"res.partner": {"id": pid, "name": expected["name"], "country_id": expected["country_id"]}}


def test_read_record_set(rest: Rest, admin: Client) -> None:
    ids = admin.x("res.partner", "search", COMPANY_CUSTOMERS, limit=2)
    both = rest.get("object/res.partner", ids=",".join(map(str, ids)), fields="['name','country_id']")
    assert both == {"res.partner": admin.x("res.partner", "read", ids, ["name", "country_id"])}


def test_search_read_with_and_without_trailing_slash(rest: Rest, admin: Client) -> None:
    expected = admin.x("res.partner", "search_read", COMPANY_CUSTOMERS, ["name", "country_id"], limit=5)
    assert len(expected) == 5
    for path in ("object/res.partner", "object/res.partner/"):
        answer = rest.get(path, domain=DOMAIN, fields="['name','country_id']", limit="5")
        assert answer == {"res.partner": expected}, path
        assert all(set(row) == {"id", "name", "country_id"} for row in answer["res.partner"])
    assert rest.get("object/res.partner", domain=DOMAIN, count="True") == {"count": len(
        admin.x("res.partner", "search", COMPANY_CUSTOMERS))}


def test_fields_get(rest: Rest) -> None:
    fields = rest.get("object/res.partner/fields_get", allfields="[]", attributes="['string','help','type']")
    assert set(fields) == {"res.partner"}
    assert fields["res.partner"]["customer"] == {
        "type": "boolean", "string": "Is a Customer",
        "help": "Check this box if this contact is a customer. It can be selected in sales orders."}
    # as Odoo's fields_get, an attribute a field does not have (no help text) is left out
    described = fields["res.partner"].values()
    assert all({"string", "type"} <= set(attrs) <= {"string", "help", "type"} for attrs in described)
    assert any("help" not in attrs for attrs in described)
    some = rest.get("object/res.partner/fields_get", allfields="['name']", attributes="['type']")
    assert some == {"res.partner": {"name": {"type": "char"}}}


def test_create_update_delete(rest: Rest, admin: Client) -> None:
    taiwan = admin.x("res.country", "search", [("code", "=", "TW")])[0]
    created = rest.ok("POST", "object/res.partner", vals="{'name':'Peter Mitchell','street':'31 Hong Kong street',"
                      f"'city':'Taipei','zip':'106','country_id':{taiwan}}}")["res.partner"]
    new_id = created["id"]
    assert (created["name"], created["street"], created["street2"], created["city"], created["zip"]) == \
        ("Peter Mitchell", "31 Hong Kong street", False, "Taipei", "106")
    assert created["country_id"] == [taiwan, "Taiwan"]
    assert created["create_uid"][0] == admin.uid
    one = rest.ok("PUT", f"object/res.partner/{new_id}", vals="{'street2':'Chung Hsiao East Road'}")
    assert one["res.partner"]["street2"] == "Chung Hsiao East Road" and one["res.partner"]["id"] == new_id
    other = rest.ok("POST", "object/res.partner", vals="{'name': 'Edward Foster'}")["res.partner"]["id"]
    both = rest.ok("PUT", "object/res.partner", ids=f"{other},{new_id}", vals="{'street2':'Chung Hsiao East Road'}")
    assert [(r["id"], r["street2"]) for r in both["res.partner"]] == \
        [(other, "Chung Hsiao East Road"), (new_id, "Chung Hsiao East Road")]
    assert rest.ok("DELETE", f"object/res.partner/{new_id}") == {}
    assert rest.ok("DELETE", "object/res.partner", ids=str(other)) == {}
    assert admin.x("res.partner", "search", [("id", "in", [new_id, other])]) == []


def test_vals_in_a_json_or_form_body(rest: Rest, admin: Client) -> None:
    status, body = rest.call("POST", "object/res.partner", json={"vals": {"name": "From JSON", "is_company": True}})
    assert status == 200, body
    assert (body["res.partner"]["name"], body["res.partner"]["is_company"]) == ("From JSON", True)
    status, body = rest.call("PUT", f"object/res.partner/{body['res.partner']['id']}",
                             data={"vals": "{'city': 'Form City'}"})
    assert status == 200, body
    assert admin.x("res.partner", "read", [body["res.partner"]["id"]], ["city"])[0]["city"] == "Form City"


def test_other_public_methods(rest: Rest, admin: Client) -> None:
    pid = admin.x("res.partner", "search", COMPANY_CUSTOMERS, limit=1)[0]
    name = admin.x("res.partner", "read", [pid], ["display_name"])[0]["display_name"]
    assert rest.get("object/res.partner/name_get", ids=str(pid)) == {"return": [[pid, name]]}
    found = rest.get("object/res.partner/name_search", name=repr(name), limit="1")
    assert found == {"return": [[pid, name]]}
    status, body = rest.call("GET", "object/res.partner/_private_thing")
    assert status == 403
    assert body["error"]["name"] == "odoo.exceptions.AccessError"
    status, body = rest.call("GET", "object/res.partner/no_such_method")
    assert status == 404
    assert body["error"]["name"] == "builtins.AttributeError"


def test_introspection(rest: Rest) -> None:
    """The document's custom model, field and record, made through the object endpoints."""
    model = f"x_custom_{uuid.uuid4().hex[:6]}"
    made = rest.ok("POST", "object/ir.model", vals=f"{{'name':'Custom Model','model':'{model}','state':'manual'}}")
    assert {k: made["ir.model"][k] for k in ("name", "model", "state")} == \
        {"name": "Custom Model", "model": model, "state": "manual"}
    fields = rest.get(f"object/{model}/fields_get", attributes="['string', 'help', 'type']")[model]
    assert {"id", "create_uid", "create_date", "write_uid", "write_date", "display_name", "__last_update"} \
        <= set(fields)
    assert fields["create_uid"]["type"] == "many2one" and fields["write_date"]["string"] == "Last Updated on"
    field = rest.ok("POST", "object/ir.model.fields", vals=f"{{'model_id':{made['ir.model']['id']},'name':'x_name',"
                    "'ttype':'char','state':'manual','required':True}")["ir.model.fields"]
    assert field["model_id"] == [made["ir.model"]["id"], "Custom Model"]
    assert (field["name"], field["ttype"], field["state"], field["required"]) == ("x_name", "char", "manual", True)
    record = rest.ok("POST", f"object/{model}", vals="{'x_name':'test record'}")[model]
    assert (record["x_name"], record["display_name"]) == ("test record", "test record")


# -- errors and their statuses ----------------------------------------------------------------

def test_missing_record_is_404(rest: Rest) -> None:
    for verb in ("GET", "PUT", "DELETE"):
        status, body = rest.call(verb, "object/res.partner/999999", vals="{'name': 'x'}")
        assert status == 404, (verb, body)
        assert body["error"]["name"] == "odoo.exceptions.MissingError"
    status, body = rest.call("GET", "object/res.partner", ids="1,999999")
    assert status == 404


def test_unknown_model_is_404(rest: Rest) -> None:
    status, body = rest.call("GET", "object/no.such.model/search", domain="[]")
    assert status == 404, body
    assert "no.such.model" in body["error"]["message"]


def test_call_errors_are_403(rest: Rest, plain: Rest, admin: Client) -> None:
    status, body = rest.call("GET", "object/res.partner/search", domain="[('no_such_field', '=', 1)]")
    assert status == 403
    assert body["error"]["name"] == "builtins.ValueError"
    assert "no_such_field" in body["error"]["message"] and "Traceback" not in body["error"]["message"]
    status, body = rest.call("POST", "object/res.partner", vals="{'name': False}")
    assert status == 403
    status, body = plain.call("PUT", f"object/res.users/{admin.uid}", vals="{'login': 'taken-over'}")
    assert status == 403
    assert body["error"]["name"] == "odoo.exceptions.AccessError"
    assert admin.x("res.users", "read", [admin.uid], ["login"])[0]["login"] == "admin"


def test_secrets_stay_on_the_server(plain: Rest, rest: Rest) -> None:
    status, body = rest.call("GET", "object/oauth.application", domain="[]")
    assert status == 200, body
    text = json.dumps(body)
    assert "client_secret" not in text and "secret" not in {k for row in body["oauth.application"] for k in row}
    # a leaf on the password is ignored (Odoo cannot search it): no oracle; reading it gives ''
    everyone = plain.get("object/res.users", domain="[]", fields="['login']")
    for leaf in ("[('password', '!=', False)]", "[('password', '=like', '$pbkdf2%')]", "[('password', '=', 'x')]"):
        assert plain.get("object/res.users", domain=leaf, fields="['login']") == everyone
    assert plain.get("object/res.users", domain="[('login', '=', 'admin')]", fields="['password']") == \
        {"res.users": [{"id": 2, "password": ""}]}


def test_errors_as_xml(rest: Rest) -> None:
    status, body = rest.call("GET", "object/res.partner/999999", xml=True)
    assert status == 404
    assert body["error"]["name"] == "odoo.exceptions.MissingError" and body["error"]["code"] == 404


def test_xml_answers_carry_the_json_data(rest: Rest) -> None:
    for path, params in (("object/res.partner", {"domain": DOMAIN, "fields": "['name','country_id','is_company']",
                                                 "limit": "3"}),
                         ("object/res.partner/search", {"domain": DOMAIN}),
                         ("object/res.partner/fields_get", {"attributes": "['type','string']"})):
        status, as_xml = rest.call("GET", path, xml=True, **params)
        assert status == 200
        assert as_xml == rest.get(path, **params), path


# -- hostile query strings ----------------------------------------------------------------------

HOSTILE = [
    ("domain", "__import__('os').system('touch {marker}')"),
    ("domain", "[('name', '=', open('{marker}', 'w').write('x'))]"),
    ("domain", "[(lambda: 1)()]"),
    ("domain", "[" * 5000 + "]" * 5000),
    ("domain", "[" + ",".join(["1"] * 200_000) + "]"),
    ("domain", "'" + "x" * 300_000 + "'"),
    ("domain", "[('name', '=', b'bytes')]"),
    ("domain", "{**{}}"),
    ("fields", "['name'] + ['email']"),
    ("limit", "10**100"),
    ("offset", "'ten'"),
    ("ids", "1,two,3"),
    ("vals", "[1, 2]"),
    ("count", "'maybe'"),
]


@pytest.mark.parametrize(("name", "text"), HOSTILE)
def test_hostile_parameters_are_refused(rest: Rest, admin: Client, tmp_path: Path, name: str, text: str) -> None:
    marker = tmp_path / "pwned"
    before = admin.x("res.partner", "search_count", [])
    verb = "PUT" if name in ("ids", "vals") else "GET"
    data = {name: text.replace("{marker}", str(marker))}
    if verb == "PUT":
        data.setdefault("ids", "1")
        data.setdefault("vals", "{'name': 'x'}")
    answer = rest.session.request(verb, api(rest.server, "object/res.partner"), data=data, timeout=60)
    assert answer.status_code in (400, 403), answer.text[:300]
    assert answer.json()["error"]["code"] == answer.status_code
    assert not marker.exists()
    assert admin.x("res.partner", "search_count", []) == before


def test_huge_query_string_is_refused_cleanly(rest: Rest) -> None:
    answer = rest.session.get(api(rest.server, "object/res.partner"), params={"domain": "[" + "1," * 4000 + "]"},
                              timeout=60)
    assert answer.status_code in (400, 414)


# -- workflow signals ---------------------------------------------------------------------------

def test_workflow_signal(rest: Rest, admin: Client) -> None:
    pid = admin.x("res.partner", "create", {"name": "Signal target"})
    assert rest.get(f"workflow/res.partner/{pid}/action_archive") == {}
    assert admin.x("res.partner", "search", [("id", "=", pid), ("active", "=", False)]) == [pid]
    status, body = rest.call("GET", f"workflow/res.partner/{pid}/no_such_signal")
    assert status == 404
    assert body["error"]["code"] == 404
    status, body = rest.call("GET", f"workflow/res.partner/{pid}/unlink")
    assert status == 404
    assert admin.x("res.partner", "search_count", [("id", "=", pid), ("active", "=", False)]) == 1
    status, body = rest.call("GET", "workflow/res.partner/999999/action_archive")
    assert status == 404


def test_workflow_signal_obeys_access_rights(plain: Rest, admin: Client) -> None:
    uid = admin.x("res.users", "search", [("login", "=", "admin")])[0]
    status, body = plain.call("GET", f"workflow/res.users/{uid}/action_archive")
    assert status == 403, body
    assert admin.x("res.users", "search_count", [("id", "=", uid)]) == 1


# -- reports --------------------------------------------------------------------------------------

def pdf_text(data: str) -> str:
    from pypdf import PdfReader

    raw = base64.b64decode(data)
    assert raw.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(raw)).pages)


def test_reports_are_listed(rest: Rest) -> None:
    found = rest.get("object/ir.actions.report", domain="[('model', '=', 'res.partner')]",
                     fields="['name', 'model', 'report_name', 'report_type']")["ir.actions.report"]
    assert "base.report_partner" in {r["report_name"] for r in found}


def test_print_single_report(rest: Rest, admin: Client) -> None:
    pid = admin.x("res.partner", "search", COMPANY_CUSTOMERS, limit=1)[0]
    partner = admin.x("res.partner", "read", [pid], ["name", "city", "country_id"])[0]
    answer = rest.get(f"report/base.report_partner/{pid}")
    assert set(answer) == {"report"}
    assert {k: answer["report"][k] for k in ("id", "state", "format")} == {"id": pid, "state": "true", "format": "pdf"}
    text = pdf_text(answer["report"]["result"])
    assert partner["name"] in text
    if partner["city"]:
        assert partner["city"] in text
    if partner["country_id"]:
        assert partner["country_id"][1] in text


def test_print_report_set(rest: Rest, admin: Client) -> None:
    ids = admin.x("res.partner", "search", COMPANY_CUSTOMERS, limit=2)
    names = [p["name"] for p in admin.x("res.partner", "read", ids, ["name"])]
    answer = rest.get("report/base.report_partner", ids=",".join(map(str, ids)))
    assert [r["id"] for r in answer["report"]] == ids
    for entry, name in zip(answer["report"], names, strict=True):
        assert (entry["state"], entry["format"]) == ("true", "pdf")
        assert name in pdf_text(entry["result"])


def test_company_report(rest: Rest, admin: Client) -> None:
    company = admin.x("res.company", "search_read", [], ["name"], limit=1)[0]
    answer = rest.get(f"report/base.report_company/{company['id']}")
    assert company["name"] in pdf_text(answer["report"]["result"])


def test_unknown_report_is_404(rest: Rest) -> None:
    status, body = rest.call("GET", "report/no.such_report/1")
    assert status == 404
    assert body["error"]["code"] == 404


# -- older profiles: the document's own version (8.0) and ir.actions.report.xml ---------------

@pytest.fixture(scope="module")
def older(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    """Servers answering as 8.0 and 10.0, the versions the document was written against."""
    require_backend(backend)
    servers = {v: start_server(tmp_path_factory.mktemp(f"rest{v[:-2]}-{backend}"), backend,
                               ["--demo", "--odoo-version", v]) for v in ("8.0", "10.0")}
    yield servers
    for server in servers.values():
        stop_server(server)


def test_version_as_the_document_shows_it(older: dict[str, Server]) -> None:
    answer = requests.get(api(older["8.0"], "common/version"), timeout=30).json()
    assert answer == {"server_version": "8.0", "server_version_info": [8, 0, 0, "final", 0],
                      "server_series": "8.0", "protocol_version": 1}


def test_reports_listed_as_report_xml_up_to_10(older: dict[str, Server]) -> None:
    """Up to 10.0 the document's `ir.actions.report.xml` lists the reports; the later name is
    not a model there."""
    srv = older["10.0"]
    rest = Rest(srv, oauth2_session(srv, start(srv)))
    found = rest.get("object/ir.actions.report.xml", domain="[('model', '=', 'res.company')]",
                     fields="['name', 'model', 'report_name']")["ir.actions.report.xml"]
    assert [r["report_name"] for r in found] == ["base.report_company"]
    status, body = rest.call("GET", "object/ir.actions.report/search", domain="[]")
    assert status == 404, body
    pid = Client(srv.url, srv.db).x("res.partner", "search", COMPANY_CUSTOMERS, limit=1)[0]
    assert rest.get(f"report/base.report_partner/{pid}")["report"]["format"] == "pdf"
    assert rest.get(f"workflow/res.partner/{pid}/action_archive") == {}


def test_start_again_leaves_earlier_visitors_working(srv: Server, rest: Rest) -> None:
    """Each `/start` hands out an application of its own: the module's session made from an
    earlier one keeps working after others asked."""
    others = [start(srv) for _ in range(3)]
    assert len({o["client_id"] for o in others}) == 3
    assert rest.get("object/res.partner/search_count", domain="[]")["count"] > 0
