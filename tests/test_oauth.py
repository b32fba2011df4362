"""OAuth 1.0a and 2.0 of the REST API, as clients sign and send them: requests prepared by
`requests` with `requests_oauthlib`'s signing, handed to the OAuth endpoints and to the call
path's credential check, on a database served by a real server (which the revocations and the
reads of the models go through, over XML-RPC)."""
from __future__ import annotations

import base64
import datetime as dt
import json
import re
import time
import xmlrpc.client
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
import sqlalchemy as sa
from oauthlib import oauth1 as oauthlib1
from requests_oauthlib import OAuth1

from conftest import Client, Server, fault, serving
from odoorpc_server.exceptions import AccessError, OAuthBadRequest, OAuthFailed
from odoorpc_server.services.app import App, remote_address
from odoorpc_server.services.oauth import demo_application, endpoint
from odoorpc_server.settings import Settings
from odoorpc_server.storage.oauth import SignedRequest

BASE = "http://127.0.0.1:8069/restapi/1.0"
CALLBACK = "https://127.0.0.1/callback"
METHODS = ("HMAC-SHA1", "HMAC-SHA256", "PLAINTEXT")


@pytest.fixture(scope="module")
def srv(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(backend, tmp_path_factory, "oauth", "--demo") as server:
        yield server


@pytest.fixture(scope="module")
def app(srv: Server) -> Iterator[App]:
    application = App(Settings(data_dir=str(srv.data_dir), db_url=srv.db_url, database=srv.db,
                               password_rounds=1000, login_cooldown_after=0))
    yield application
    application.backend.dispose()


@pytest.fixture(scope="module")
def plain(srv: Server) -> Client:
    """An internal user without any administration group."""
    admin = srv.client()
    admin.x("res.users", "create", {"name": "Plain User", "login": "plain", "password": "plain-pass"})
    return srv.client("plain", "plain-pass")


def signed(method: str, url: str, auth: Any = None, data: Any = None, headers: dict[str, str] | None = None,
           json_body: Any = None) -> SignedRequest:
    """The request as it reaches the server (header values as text, as the WSGI layer has them)."""
    prepared = requests.Request(method, url, auth=auth, data=data, headers=headers, json=json_body).prepare()
    text = {k: v.decode("latin-1") if isinstance(v, bytes) else str(v) for k, v in prepared.headers.items()}
    return SignedRequest(str(prepared.method), str(prepared.url), text, prepared.body)


def user_of(app: App, srv: Server, request: SignedRequest, write: bool = False, database: str | None = None) -> int:
    with app.env(database or srv.db, 0, write=write, password=request) as env:
        assert env.shared["auth_method"] == "oauth"
        return int(env.uid)


# -- OAuth 1.0a ---------------------------------------------------------------------------------

def oauth1_tokens(app: App, srv: Server, creds: dict[str, str], method: str = "HMAC-SHA1") -> dict[str, str]:
    """The three steps: request token, authorization, access token."""
    cid, secret = creds["client_id"], creds["client_secret"]
    first = endpoint(app, srv.db, "oauth1/request_token", signed(
        "POST", f"{BASE}/common/oauth1/request_token",
        OAuth1(cid, secret, callback_uri=CALLBACK, signature_method=method)))
    assert set(first) == {"oauth_token", "oauth_token_secret", "oauth_callback_confirmed"}
    assert first["oauth_callback_confirmed"] == "true"
    granted = endpoint(app, srv.db, "oauth1/authorize", signed(
        "GET", f"{BASE}/common/oauth1/authorize?{urlencode({'oauth_token': first['oauth_token']})}"))
    assert granted["oauth_token"] == first["oauth_token"]
    assert re.fullmatch(r"[A-Za-z0-9]{32}", granted["oauth_verifier"])
    final = endpoint(app, srv.db, "oauth1/access_token", signed(
        "POST", f"{BASE}/common/oauth1/access_token",
        OAuth1(cid, secret, first["oauth_token"], first["oauth_token_secret"], verifier=granted["oauth_verifier"],
               signature_method=method)))
    assert set(final) == {"oauth_token", "oauth_token_secret"}
    return final | {"request_token": first["oauth_token"], "request_secret": first["oauth_token_secret"],
                    "verifier": granted["oauth_verifier"]}


def resource1(creds: dict[str, str], tokens: dict[str, str], method: str = "HMAC-SHA1",
              **kwargs: Any) -> OAuth1:
    return OAuth1(creds["client_id"], creds["client_secret"], tokens["oauth_token"], tokens["oauth_token_secret"],
                  signature_method=method, **kwargs)


@pytest.mark.parametrize("method", METHODS)
def test_oauth1_flow_end_to_end(app: App, srv: Server, method: str) -> None:
    creds = demo_application(app, srv.db)
    tokens = oauth1_tokens(app, srv, creds, method)
    url = f"{BASE}/object/res.partner/search?{urlencode({'domain': '[]'})}"
    assert user_of(app, srv, signed("GET", url, resource1(creds, tokens, method))) == 2
    # the signature covers the request: the same signature on another URL does not authenticate
    good = signed("GET", url, resource1(creds, tokens, method))
    if method != "PLAINTEXT":
        with pytest.raises(OAuthFailed):
            user_of(app, srv, SignedRequest("GET", url + "&limit=1", good.headers))
    # signed in the query string instead of the header
    query = signed("GET", url, resource1(creds, tokens, method, signature_type="query"))
    assert "oauth_signature=" in query.uri and "Authorization" not in query.headers
    assert user_of(app, srv, query) == 2
    # signed in a form body, which the signature covers
    form = signed("POST", f"{BASE}/object/res.partner/write", resource1(creds, tokens, method, signature_type="body"),
                  data={"ids": "[3]", "values": "{}"}, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert "oauth_signature=" in str(form.body) and "Authorization" not in form.headers
    assert user_of(app, srv, form, write=True) == 2
    if method != "PLAINTEXT":  # a request never sent, its body changed after signing
        unsent = signed("POST", f"{BASE}/object/res.partner/write",
                        resource1(creds, tokens, method, signature_type="body"), data={"ids": "[3]", "values": "{}"},
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
        tampered = SignedRequest(unsent.http_method, unsent.uri, unsent.headers,
                                 str(unsent.body).replace("%5B3%5D", "%5B4%5D"))
        assert tampered.body != unsent.body
        with pytest.raises(OAuthFailed):
            user_of(app, srv, tampered, write=True)


def test_oauth1_wrong_secrets_are_refused(app: App, srv: Server) -> None:
    creds = demo_application(app, srv.db)
    with pytest.raises(OAuthFailed):
        endpoint(app, srv.db, "oauth1/request_token", signed(
            "POST", f"{BASE}/common/oauth1/request_token", OAuth1(creds["client_id"], "x" * 32, callback_uri=CALLBACK)))
    with pytest.raises(OAuthFailed):
        endpoint(app, srv.db, "oauth1/request_token", signed(
            "POST", f"{BASE}/common/oauth1/request_token", OAuth1("u" * 32, creds["client_secret"],
                                                                  callback_uri=CALLBACK)))
    tokens = oauth1_tokens(app, srv, creds)
    wrong = dict(tokens, oauth_token_secret="y" * 32)
    with pytest.raises(OAuthFailed):
        user_of(app, srv, signed("GET", f"{BASE}/object/res.partner/search", resource1(creds, wrong)))
    # a request token is no access token
    as_request = dict(tokens, oauth_token=tokens["request_token"], oauth_token_secret=tokens["request_secret"])
    with pytest.raises(OAuthFailed):
        user_of(app, srv, signed("GET", f"{BASE}/object/res.partner/search", resource1(creds, as_request)))


def test_oauth1_replayed_nonce_is_refused(app: App, srv: Server) -> None:
    creds = demo_application(app, srv.db)
    tokens = oauth1_tokens(app, srv, creds)
    request = signed("GET", f"{BASE}/object/res.partner/search", resource1(creds, tokens))
    assert user_of(app, srv, request) == 2
    with pytest.raises(OAuthFailed):
        user_of(app, srv, request)
    # in a read-write call too, and in a request-token request
    first = signed("POST", f"{BASE}/common/oauth1/request_token",
                   OAuth1(creds["client_id"], creds["client_secret"], callback_uri=CALLBACK))
    endpoint(app, srv.db, "oauth1/request_token", first)
    with pytest.raises(OAuthFailed):
        endpoint(app, srv.db, "oauth1/request_token", first)


def test_oauth1_stale_timestamp_is_refused(app: App, srv: Server) -> None:
    creds = demo_application(app, srv.db)
    tokens = oauth1_tokens(app, srv, creds)
    url = f"{BASE}/object/res.partner/search"
    stale = str(int(time.time()) - 700)
    client = oauthlib1.Client(creds["client_id"], creds["client_secret"], tokens["oauth_token"],
                              tokens["oauth_token_secret"], timestamp=stale)
    uri, headers, body = client.sign(url, "GET")
    with pytest.raises(OAuthFailed):
        user_of(app, srv, SignedRequest("GET", uri, dict(headers), body))
    fresh = oauthlib1.Client(creds["client_id"], creds["client_secret"], tokens["oauth_token"],
                             tokens["oauth_token_secret"], timestamp=str(int(time.time()) - 60))
    uri, headers, body = fresh.sign(url, "GET")
    assert user_of(app, srv, SignedRequest("GET", uri, dict(headers), body)) == 2


def test_oauth1_request_token_is_single_use(app: App, srv: Server) -> None:
    creds = demo_application(app, srv.db)
    tokens = oauth1_tokens(app, srv, creds)
    again = OAuth1(creds["client_id"], creds["client_secret"], tokens["request_token"], tokens["request_secret"],
                   verifier=tokens["verifier"])
    with pytest.raises(OAuthFailed):
        endpoint(app, srv.db, "oauth1/access_token", signed("POST", f"{BASE}/common/oauth1/access_token", again))
    with pytest.raises(OAuthFailed):
        endpoint(app, srv.db, "oauth1/authorize", signed(
            "GET", f"{BASE}/common/oauth1/authorize?oauth_token={tokens['request_token']}"))


def test_oauth1_wrong_verifier_and_missing_token(app: App, srv: Server) -> None:
    creds = demo_application(app, srv.db)
    first = endpoint(app, srv.db, "oauth1/request_token", signed(
        "POST", f"{BASE}/common/oauth1/request_token",
        OAuth1(creds["client_id"], creds["client_secret"], callback_uri=CALLBACK)))
    endpoint(app, srv.db, "oauth1/authorize", signed(
        "GET", f"{BASE}/common/oauth1/authorize?oauth_token={first['oauth_token']}"))
    with pytest.raises(OAuthFailed):
        endpoint(app, srv.db, "oauth1/access_token", signed(
            "POST", f"{BASE}/common/oauth1/access_token",
            OAuth1(creds["client_id"], creds["client_secret"], first["oauth_token"], first["oauth_token_secret"],
                   verifier="v" * 32)))
    with pytest.raises(OAuthBadRequest):
        endpoint(app, srv.db, "oauth1/authorize", signed("GET", f"{BASE}/common/oauth1/authorize"))


def test_oauth1_authorize_reads_the_token_from_a_header_and_oob_callbacks(app: App, srv: Server) -> None:
    creds = demo_application(app, srv.db)
    for callback in ("oob", CALLBACK):
        first = endpoint(app, srv.db, "oauth1/request_token", signed(
            "POST", f"{BASE}/common/oauth1/request_token",
            OAuth1(creds["client_id"], creds["client_secret"], callback_uri=callback)))
        header = {"Authorization": f'OAuth oauth_token="{first["oauth_token"]}"'}
        granted = endpoint(app, srv.db, "oauth1/authorize",
                           signed("GET", f"{BASE}/common/oauth1/authorize", headers=header))
        assert granted["oauth_token"] == first["oauth_token"]
        final = endpoint(app, srv.db, "oauth1/access_token", signed(
            "POST", f"{BASE}/common/oauth1/access_token",
            OAuth1(creds["client_id"], creds["client_secret"], first["oauth_token"], first["oauth_token_secret"],
                   verifier=granted["oauth_verifier"])))
        assert user_of(app, srv, signed("GET", f"{BASE}/object/res.partner/search", resource1(creds, final))) == 2


def test_oauth1_request_tokens_expire(app: App, srv: Server) -> None:
    creds = demo_application(app, srv.db)
    first = endpoint(app, srv.db, "oauth1/request_token", signed(
        "POST", f"{BASE}/common/oauth1/request_token",
        OAuth1(creds["client_id"], creds["client_secret"], callback_uri=CALLBACK)))
    age_tokens(app, srv, "request", dt.timedelta(minutes=10, seconds=1))
    with pytest.raises(OAuthFailed):
        endpoint(app, srv.db, "oauth1/authorize", signed(
            "GET", f"{BASE}/common/oauth1/authorize?oauth_token={first['oauth_token']}"))


# -- OAuth 2.0 ----------------------------------------------------------------------------------

def code_of(app: App, srv: Server, creds: dict[str, str], redirect_uri: str | None = CALLBACK) -> str:
    params = {"client_id": creds["client_id"], "state": "Y1Ux1iNPvn6KYQK5Lj84WJ9VJrQw1L", "response_type": "code"}
    if redirect_uri:
        params["redirect_uri"] = redirect_uri
    answer = endpoint(app, srv.db, "oauth2/authorize",
                      signed("GET", f"{BASE}/common/oauth2/authorize?{urlencode(params)}"))
    assert set(answer) == {"code", "state"} and answer["state"] == params["state"]
    return answer["code"]


def exchange(app: App, srv: Server, creds: dict[str, str], code: str, redirect_uri: str | None = CALLBACK,
             basic: bool = False) -> dict[str, Any]:
    form = {"grant_type": "authorization_code", "code": code}
    if redirect_uri:
        form["redirect_uri"] = redirect_uri
    headers = {}
    if basic:
        pair = f"{creds['client_id']}:{creds['client_secret']}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    else:
        form |= {"client_id": creds["client_id"], "client_secret": creds["client_secret"]}
    return endpoint(app, srv.db, "oauth2/access_token",
                    signed("POST", f"{BASE}/common/oauth2/access_token", data=form, headers=headers))


def refresh(app: App, srv: Server, creds: dict[str, str], token: str) -> dict[str, Any]:
    return endpoint(app, srv.db, "oauth2/access_token", signed(
        "POST", f"{BASE}/common/oauth2/access_token", json_body={
            "grant_type": "refresh_token", "refresh_token": token, "client_id": creds["client_id"],
            "client_secret": creds["client_secret"]}))


def bearer(token: str) -> SignedRequest:
    return signed("GET", f"{BASE}/object/res.partner/search", headers={"Authorization": f"Bearer {token}"})


def tampered(token: str) -> str:
    """The token with its last character changed: always a different one, whatever the token ends with."""
    return token[:-1] + ("y" if token.endswith("x") else "x")


def test_oauth2_flow_end_to_end(app: App, srv: Server) -> None:
    creds = demo_application(app, srv.db)
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    tokens = exchange(app, srv, creds, code_of(app, srv, creds))
    assert set(tokens) == {"access_token", "token_type", "access_token_validity", "expires_in", "refresh_token"}
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 3600
    validity = dt.datetime.strptime(tokens["access_token_validity"], "%m/%d/%Y %H:%M:%S")
    assert re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4} \d\d:\d\d:\d\d", tokens["access_token_validity"])
    assert before + dt.timedelta(hours=1) <= validity <= before + dt.timedelta(hours=1, seconds=5)
    assert user_of(app, srv, bearer(tokens["access_token"])) == 2
    # the token as a query parameter or in a form body
    query = signed("GET", f"{BASE}/object/res.partner/search?{urlencode({'access_token': tokens['access_token']})}")
    assert user_of(app, srv, query) == 2
    form = signed("POST", f"{BASE}/object/res.partner/search", data={"access_token": tokens["access_token"]})
    assert user_of(app, srv, form, write=True) == 2
    with pytest.raises(OAuthFailed):
        user_of(app, srv, bearer(tampered(tokens["access_token"])))
    with pytest.raises(OAuthFailed):
        user_of(app, srv, signed("GET", f"{BASE}/object/res.partner/search"))


def test_oauth2_parameters_in_an_oauth_header_json_and_basic(app: App, srv: Server) -> None:
    creds = demo_application(app, srv.db)
    header = (f"OAuth client_id='{creds['client_id']}', state='S1', redirect_uri='{CALLBACK.replace(':', '%3A')}', "
              "response_type='code'")
    answer = endpoint(app, srv.db, "oauth2/authorize", signed(
        "GET", f"{BASE}/common/oauth2/authorize", headers={"Authorization": header}))
    assert answer["state"] == "S1"
    tokens = endpoint(app, srv.db, "oauth2/access_token", signed(
        "POST", f"{BASE}/common/oauth2/access_token", json_body={
            "client_id": creds["client_id"], "client_secret": creds["client_secret"], "redirect_uri": CALLBACK,
            "code": answer["code"], "grant_type": "authorization_code"}))
    assert user_of(app, srv, bearer(tokens["access_token"])) == 2
    basic = exchange(app, srv, creds, code_of(app, srv, creds), basic=True)
    assert user_of(app, srv, bearer(basic["access_token"])) == 2


def test_oauth2_wrong_client_secret_or_id(app: App, srv: Server) -> None:
    creds = demo_application(app, srv.db)
    code = code_of(app, srv, creds)
    with pytest.raises(OAuthFailed, match="invalid_client"):
        exchange(app, srv, dict(creds, client_secret="z" * 32), code)
    with pytest.raises(OAuthFailed, match="invalid_client"):
        code_of(app, srv, dict(creds, client_id="q" * 32))
    with pytest.raises(OAuthBadRequest, match="unsupported_response_type"):
        endpoint(app, srv.db, "oauth2/authorize", signed("GET", f"{BASE}/common/oauth2/authorize?" + urlencode(
            {"client_id": creds["client_id"], "response_type": "token", "redirect_uri": CALLBACK})))
    with pytest.raises(OAuthBadRequest, match="unsupported_grant_type"):
        endpoint(app, srv.db, "oauth2/access_token", signed("POST", f"{BASE}/common/oauth2/access_token", data={
            "grant_type": "password", "client_id": creds["client_id"], "client_secret": creds["client_secret"]}))
    # the code survived the refusals above
    assert user_of(app, srv, bearer(exchange(app, srv, creds, code)["access_token"])) == 2


def test_oauth2_code_is_single_use_and_short_lived(app: App, srv: Server) -> None:
    creds = demo_application(app, srv.db)
    code = code_of(app, srv, creds)
    exchange(app, srv, creds, code)
    with pytest.raises(OAuthFailed, match="invalid_grant"):
        exchange(app, srv, creds, code)
    late = code_of(app, srv, creds)
    age_tokens(app, srv, "code", dt.timedelta(seconds=61))
    with pytest.raises(OAuthFailed, match="invalid_grant"):
        exchange(app, srv, creds, late)


def test_oauth2_redirect_uri_must_match(app: App, srv: Server) -> None:
    creds = demo_application(app, srv.db)
    code = code_of(app, srv, creds)
    with pytest.raises(OAuthBadRequest, match="Mismatching redirect URI"):
        exchange(app, srv, creds, code, redirect_uri="https://elsewhere.example/cb")
    with pytest.raises(OAuthBadRequest, match="Mismatching redirect URI"):
        exchange(app, srv, creds, code, redirect_uri=None)
    # no URI given nor registered: none is needed when exchanging the code either
    tokens = exchange(app, srv, creds, code_of(app, srv, creds, None), redirect_uri=None)
    assert user_of(app, srv, bearer(tokens["access_token"])) == 2
    # an application with a registered URI accepts that one only
    registered = new_application(srv, "Registered", "https://app.example/cb")
    with pytest.raises(OAuthBadRequest):
        code_of(app, srv, registered, "https://elsewhere.example/cb")
    tokens = exchange(app, srv, registered, code_of(app, srv, registered, None), redirect_uri=None)
    assert user_of(app, srv, bearer(tokens["access_token"])) == 2
    tokens = exchange(app, srv, registered, code_of(app, srv, registered, "https://app.example/cb"),
                      redirect_uri="https://app.example/cb")
    assert user_of(app, srv, bearer(tokens["access_token"])) == 2


def test_oauth2_access_token_expires(app: App, srv: Server) -> None:
    creds = demo_application(app, srv.db)
    tokens = exchange(app, srv, creds, code_of(app, srv, creds))
    assert user_of(app, srv, bearer(tokens["access_token"])) == 2
    age_tokens(app, srv, "access", dt.timedelta(hours=1, seconds=1))
    with pytest.raises(OAuthFailed):
        user_of(app, srv, bearer(tokens["access_token"]))
    renewed = refresh(app, srv, creds, tokens["refresh_token"])
    assert user_of(app, srv, bearer(renewed["access_token"])) == 2


def test_oauth2_refresh_rotates(app: App, srv: Server) -> None:
    creds = demo_application(app, srv.db)
    tokens = exchange(app, srv, creds, code_of(app, srv, creds))
    renewed = refresh(app, srv, creds, tokens["refresh_token"])
    assert renewed["refresh_token"] != tokens["refresh_token"]
    assert renewed["access_token"] != tokens["access_token"]
    with pytest.raises(OAuthFailed, match="invalid_grant"):
        refresh(app, srv, creds, tokens["refresh_token"])
    assert user_of(app, srv, bearer(renewed["access_token"])) == 2
    again = refresh(app, srv, creds, renewed["refresh_token"])
    assert user_of(app, srv, bearer(again["access_token"])) == 2
    other = new_application(srv, "Other")
    with pytest.raises(OAuthFailed, match="invalid_grant"):  # another client's refresh token
        refresh(app, srv, other, again["refresh_token"])


def test_each_demo_application_is_its_own(app: App, srv: Server) -> None:
    """Every `/start` visitor gets an application of their own: a second one leaves the first
    working; only the most recent DEMO_KEEP are kept, the older ones go with their tokens."""
    from odoorpc_server.services.oauth import DEMO_KEEP

    first = demo_application(app, srv.db)
    tokens = exchange(app, srv, first, code_of(app, srv, first))
    second = demo_application(app, srv.db)
    assert second["client_id"] != first["client_id"] and second["client_secret"] != first["client_secret"]
    assert user_of(app, srv, bearer(tokens["access_token"])) == 2
    assert user_of(app, srv, bearer(exchange(app, srv, second, code_of(app, srv, second))["access_token"])) == 2
    for _ in range(DEMO_KEEP - 1):
        demo_application(app, srv.db)
    with pytest.raises(OAuthFailed):  # the oldest left with its tokens
        user_of(app, srv, bearer(tokens["access_token"]))
    with pytest.raises(OAuthFailed):
        exchange(app, srv, first, code_of(app, srv, first))


# -- rights, revocation, secrecy ----------------------------------------------------------------

def test_the_token_runs_with_the_rights_of_the_applications_user(app: App, srv: Server, plain: Client) -> None:
    creds = demo_application(app, srv.db, "plain")
    tokens = exchange(app, srv, creds, code_of(app, srv, creds))
    with app.env(srv.db, 2, write=True, password=bearer(tokens["access_token"])) as env:
        assert env.uid == plain.uid
        with pytest.raises(AccessError):
            env["res.users"].write([2], {"name": "Taken Over"})
    one = oauth1_tokens(app, srv, creds)
    with app.env(srv.db, 2, write=True, password=signed("POST", f"{BASE}/object/res.users/write",
                                                        resource1(creds, one))) as env:
        assert env.uid == plain.uid
        with pytest.raises(AccessError):
            env["res.users"].write([2], {"login": "mine"})
    # nor mint API keys, which need the password itself
    with app.env(srv.db, 0, write=True, password=bearer(tokens["access_token"])) as env:
        wizard = env["res.users.apikeys.description"].create({"name": "from a token"})
        with pytest.raises(AccessError, match="not with an OAuth token"):
            env["res.users.apikeys.description"].make_key([wizard])
    assert srv.client().x("res.users", "read", [2], ["name", "login"])[0] | {"id": 2} == {
        "id": 2, "name": "Mitchell Admin", "login": "admin"}


def test_owner_revokes_a_token_and_other_users_cannot_see_it(app: App, srv: Server, plain: Client) -> None:
    creds = demo_application(app, srv.db, "plain")
    tokens = exchange(app, srv, creds, code_of(app, srv, creds))
    one = oauth1_tokens(app, srv, creds)
    admin = srv.client()
    admin.x("res.users", "create", {"name": "Other User", "login": "other", "password": "other-pass"})
    other = srv.client("other", "other-pass")
    apps = plain.x("oauth.application", "search_read", [], ["name", "user_id", "client_id"])
    assert {a["user_id"][0] for a in apps} == {plain.uid}  # earlier tests made demo applications of plain too
    this = [a["id"] for a in apps if a["client_id"] == creds["client_id"]]
    assert len(this) == 1
    mine = plain.x("oauth.token", "search", [["kind", "in", ["access", "access1"]], ["application_id", "=", this[0]]])
    assert len(mine) == 2
    assert other.x("oauth.application", "search", []) == []
    assert other.x("oauth.token", "search", []) == []
    refused = fault(other.x, "oauth.token", "unlink", mine)
    assert refused.faultCode == 4
    # no writes nor creates over RPC, even for their owner or an administrator
    assert fault(plain.x, "oauth.token", "write", mine, {"revoked": True}).faultCode == 4
    assert fault(admin.x, "oauth.application", "create", {"name": "X", "user_id": 2, "client_id": "c" * 32}
                 ).faultCode == 4
    access = plain.x("oauth.token", "search", [["kind", "=", "access"]])
    assert plain.x("oauth.token", "unlink", access) is True
    with pytest.raises(OAuthFailed):
        user_of(app, srv, bearer(tokens["access_token"]))
    assert user_of(app, srv, signed("GET", f"{BASE}/object/res.partner/search", resource1(creds, one))) == plain.uid
    # the administrator revokes the whole application
    assert admin.x("oauth.application", "search", [["user_id", "=", plain.uid]]) != []
    assert admin.x("oauth.application", "unlink", admin.x("oauth.application", "search",
                                                          [["user_id", "=", plain.uid]])) is True
    with pytest.raises(OAuthFailed):
        user_of(app, srv, signed("GET", f"{BASE}/object/res.partner/search", resource1(creds, one)))
    with pytest.raises(OAuthFailed):
        exchange(app, srv, creds, code_of(app, srv, creds))


def test_archived_user_tokens_stop_working(app: App, srv: Server) -> None:
    admin = srv.client()
    uid = admin.x("res.users", "create", {"name": "Leaving User", "login": "leaving", "password": "leaving-pass"})
    creds = demo_application(app, srv.db, "leaving")
    tokens = exchange(app, srv, creds, code_of(app, srv, creds))
    assert user_of(app, srv, bearer(tokens["access_token"])) == uid
    admin.x("res.users", "write", [uid], {"active": False})
    with pytest.raises(OAuthFailed):
        user_of(app, srv, bearer(tokens["access_token"]))


SECRET_FIELDS = {"oauth.application": ("secret_salt",), "oauth.token": ("digest", "verifier", "callback",
                                                                         "redirect_uri")}


@pytest.mark.parametrize("model", sorted(SECRET_FIELDS))
def test_no_secret_is_readable_over_rpc(app: App, srv: Server, model: str) -> None:
    creds = demo_application(app, srv.db)
    exchange(app, srv, creds, code_of(app, srv, creds))
    oauth1_tokens(app, srv, creds)
    admin = srv.client()
    fields = admin.x(model, "fields_get", [], ["type"])
    assert not set(SECRET_FIELDS[model]) & set(fields)
    assert {"secret", "client_secret", "token", "oauth_token_secret"}.isdisjoint(fields)
    rows = admin.x(model, "search_read", [], [])
    assert rows
    every = json.dumps(rows, default=str)
    for name in SECRET_FIELDS[model]:
        assert fault(admin.x, model, "read", [rows[0]["id"]], [name]).faultCode == 1
        assert fault(admin.x, model, "search", [[name, "!=", False]]).faultCode == 1
        assert fault(admin.x, model, "search", [], order=name).faultCode == 1
        assert fault(admin.x, model, "read_group", [], [name], [name]).faultCode == 1
    assert creds["client_secret"] not in every
    with app.backend.transaction(srv.db, write=False) as conn:  # nor in the database itself
        dumped = json.dumps([list(r) for r in conn.execute(sa.text("SELECT * FROM oauth_application")).all()] +
                            [list(r) for r in conn.execute(sa.text("SELECT * FROM oauth_token")).all()], default=str)
    assert creds["client_secret"] not in dumped


def test_failures_are_throttled_per_address(srv: Server) -> None:
    """Guessing tokens costs what guessing passwords does: after the cooldown threshold of
    failures from one address, even the right token is refused from there for a while."""
    throttled = App(Settings(data_dir=str(srv.data_dir), db_url=srv.db_url, database=srv.db, password_rounds=1000,
                             login_cooldown_after=3, login_cooldown_duration=60))
    try:
        creds = demo_application(throttled, srv.db)
        tokens = exchange(throttled, srv, creds, code_of(throttled, srv, creds))
        address = remote_address.set("203.0.113.7")
        try:
            for _ in range(3):
                with pytest.raises(OAuthFailed, match="^OAuth authentication failed$"):
                    user_of(throttled, srv, bearer("x" * 32))
            with pytest.raises(OAuthFailed, match="^Too many login failures"):
                user_of(throttled, srv, bearer(tokens["access_token"]))
            with pytest.raises(OAuthFailed, match="^Too many login failures"):
                code_of(throttled, srv, creds)
        finally:
            remote_address.reset(address)
        assert user_of(throttled, srv, bearer(tokens["access_token"])) == 2  # from elsewhere
    finally:
        throttled.backend.dispose()


def test_dumps_carry_neither_the_server_key_nor_nonces(app: App, srv: Server) -> None:
    """A restored dump gets a key of its own: the secrets of the original do not work there."""
    import io
    import zipfile

    creds = demo_application(app, srv.db)
    tokens = oauth1_tokens(app, srv, creds)
    assert user_of(app, srv, signed("GET", f"{BASE}/object/res.partner/search", resource1(creds, tokens))) == 2
    service = xmlrpc.client.ServerProxy(f"{srv.url}/xmlrpc/2/db")
    data = service.dump("admin", srv.db, "zip")
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(data))) as archive:
        names = set(archive.namelist())
        assert {"tables/oauth_application.jsonl", "tables/oauth_token.jsonl"} <= names
        assert not {"tables/odoorpc_oauth_keys.jsonl", "tables/odoorpc_oauth_nonces.jsonl"} & names
        every = b"".join(archive.read(n) for n in names)
    assert creds["client_secret"].encode() not in every and tokens["oauth_token"].encode() not in every
    copy = f"{srv.db}copy"
    assert service.restore("admin", copy, data) is True
    try:
        with pytest.raises(OAuthFailed):
            user_of(app, srv, signed("GET", f"{BASE}/object/res.partner/search", resource1(creds, tokens)),
                    database=copy)
        assert user_of(app, srv, signed("GET", f"{BASE}/object/res.partner/search", resource1(creds, tokens))) == 2
    finally:
        service.drop("admin", copy)


def test_an_unknown_endpoint_is_a_bad_request(app: App, srv: Server) -> None:
    with pytest.raises(OAuthBadRequest):
        endpoint(app, srv.db, "oauth3/token", signed("GET", f"{BASE}/common/oauth3/token"))


def test_unauthenticated_oauth_is_refused_over_xmlrpc_too(srv: Server) -> None:
    """OAuth secrets are no passwords: a consumer secret or token does not log in over XML-RPC."""
    common = xmlrpc.client.ServerProxy(f"{srv.url}/xmlrpc/2/common")
    assert common.authenticate(srv.db, "admin", "not-a-password", {}) is False


# -- helpers that reach into the database (time travel) -----------------------------------------

def age_tokens(app: App, srv: Server, kind: str, by: dt.timedelta) -> None:
    """Move the expiry of every token of `kind` back by `by`, as if that much time had passed."""
    from odoorpc_server.storage.oauth import TOKENS

    with app.backend.transaction(srv.db) as conn:
        rows = conn.execute(sa.select(TOKENS.c.id, TOKENS.c.expiry).where(TOKENS.c.kind == kind)).all()
        for row in rows:
            conn.execute(sa.update(TOKENS).where(TOKENS.c.id == row.id).values(expiry=row.expiry - by))


def new_application(srv: Server, name: str, redirect_uri: str | None = None) -> dict[str, str]:
    """An application made with the command line, as an operator makes one."""
    import subprocess
    import sys

    where = ["--db-url", srv.db_url] if srv.db_url else ["--data-dir", str(srv.data_dir)]
    done = subprocess.run([sys.executable, "-m", "odoorpc_server", "oauth", "create", "--database", srv.db,
                           "--login", "admin", "--name", name, *where,
                           *(["--redirect-uri", redirect_uri] if redirect_uri else [])],
                          capture_output=True, text=True, timeout=60, check=True)
    lines = done.stdout.splitlines()
    return {"client_id": lines[-2].removeprefix("client_id: "), "client_secret": lines[-1].removeprefix(
        "client_secret: ")}



