"""PDF reports over the wire: the report actions (base data), `GET /report/pdf/<report>/<ids>`
with a web session, and Odoo 10's `/xmlrpc/2/report` service (`render_report`, `report` and
`report_get`) with the `ir.actions.report.xml` model — absent from 11.0 on.

Every PDF is read back with pypdf and its text checked. Rendering is slow, so the tests share
the session's 17.0 server and one server per older version.
"""
from __future__ import annotations

import base64
import io
import uuid
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import odoorpc
import pypdf
import pytest
import requests

from conftest import (
    PG_URL,
    Client,
    Server,
    drop_pg_database,
    fault,
    last_line,
    require_backend,
    serving,
)
from jsonwire import Web
from odoorpc_server.exceptions import MissingError, UnknownReport, UserError
from odoorpc_server.models.ir_actions_report import render_pdf, render_pdfs
from odoorpc_server.services import bootstrap
from odoorpc_server.services.app import App
from odoorpc_server.settings import Settings
from odoorpc_server.storage.database import Backend

ADDRESS = {"street": "12 Rue des Lilas", "street2": "Bâtiment C", "zip": "69003", "city": "Lyon",
           "email": "claire@lilas.example.com", "phone": "+33 4 78 00 00 00", "vat": "FR40303265045"}


def texts(pdf: bytes) -> list[str]:
    """The text of each page of a PDF, each line without its trailing blanks."""
    assert pdf.startswith(b"%PDF-")
    return ["\n".join(line.rstrip() for line in page.extract_text().splitlines())
            for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def session(server: Server, login: str = "admin", password: str = "admin") -> requests.Session:
    web = Web(server.url)
    web.login(server.db, login, password)
    return web.http


def get(http: requests.Session | Any, server: Server, path: str) -> requests.Response:
    return http.get(server.url + path, allow_redirects=False, timeout=120)


def country(c: Client, code: str) -> int:
    found: int = c.x("res.country", "search", [("code", "=", code)])[0]
    return found


def partner(c: Client, name: str, **values: Any) -> int:
    pid: int = c.x("res.partner", "create", {"name": name, **values})
    return pid


@pytest.fixture(scope="module")
def admin(server: Server) -> Client:
    return server.client()


@pytest.fixture(scope="module")
def http(server: Server) -> requests.Session:
    return session(server)


@pytest.fixture(scope="module")
def server10(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server answering as Odoo 10.0 (the report service and ir.actions.report.xml)."""
    with serving(backend, tmp_path_factory, "r10", "--demo", "--odoo-version", "10.0") as srv:
        yield srv


@pytest.fixture(scope="module")
def server11(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(backend, tmp_path_factory, "r11", "--demo", "--odoo-version", "11.0") as srv:
        yield srv


# -- the report actions -----------------------------------------------------------------------

def test_the_report_actions_are_base_data(admin: Client) -> None:
    found = admin.x("ir.actions.report", "search_read", [("report_name", "like", "base.report_")],
                    ["name", "model", "report_name", "report_type", "type", "binding_type"], order="report_name")
    assert [{k: v for k, v in r.items() if k != "id"} for r in found] == [
        {"name": "Company", "model": "res.company", "report_name": "base.report_company", "report_type": "qweb-pdf",
         "type": "ir.actions.report", "binding_type": "report"},
        {"name": "Contact", "model": "res.partner", "report_name": "base.report_partner", "report_type": "qweb-pdf",
         "type": "ir.actions.report", "binding_type": "report"}]
    assert admin.x("ir.model.data", "check_object_reference", "base", "report_company") == [
        "ir.actions.report", found[0]["id"]]
    # bound to their models' Print menu
    bindings = admin.x("ir.actions.report", "read", [r["id"] for r in found], ["binding_model_id"])
    assert [b["binding_model_id"][1] for b in bindings] == ["Companies", "Contact"]
    selection = admin.x("ir.actions.report", "fields_get", ["report_type"], ["selection"])
    assert selection["report_type"]["selection"] == [["qweb-html", "HTML"], ["qweb-pdf", "PDF"], ["qweb-text", "Text"]]


def test_everyone_reads_the_report_actions_and_administrators_write_them(server: Server, admin: Client) -> None:
    login = f"reader-{uuid.uuid4().hex[:6]}"
    admin.x("res.users", "create", {"name": "Reader", "login": login, "password": "pw-reader"})
    user = server.client(login, "pw-reader")
    rid = user.x("ir.actions.report", "search", [("report_name", "=", "base.report_partner")])
    assert len(rid) == 1
    refused = fault(user.x, "ir.actions.report", "write", rid, {"name": "Mine"})
    assert refused.faultCode == 4
    new = admin.x("ir.actions.report", "create", {"name": "Contact card", "model": "res.partner",
                                                   "report_name": "x_contact_card", "report_file": "partner"})
    assert user.x("ir.actions.report", "read", [new], ["report_name"]) == [{"id": new, "report_name": "x_contact_card"}]


def test_the_report_xml_model_is_absent_from_11(server: Server, admin: Client) -> None:
    missing = fault(admin.x, "ir.actions.report.xml", "search", [])
    assert (missing.faultCode, missing.faultString) == (2, "Object ir.actions.report.xml doesn't exist")


# -- /report/pdf ------------------------------------------------------------------------------

def test_a_partner_report_shows_its_address(server: Server, admin: Client, http: requests.Session) -> None:
    state = admin.x("res.country.state", "search", [("country_id.code", "=", "US"), ("code", "=", "NY")])[0]
    first = partner(admin, "Claire Lilas", **ADDRESS, country_id=country(admin, "FR"))
    second = partner(admin, "Hudson Rivers", street="1 Main St", zip="10001", city="New York", state_id=state,
                     country_id=country(admin, "US"), email="hudson@rivers.example.com")
    answer = get(http, server, f"/report/pdf/base.report_partner/{first},{second}")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/pdf"
    assert int(answer.headers["Content-Length"]) == len(answer.content)
    pages = texts(answer.content)
    assert len(pages) == 2
    assert pages[0].splitlines()[:8] == ["Claire Lilas", "12 Rue des Lilas", "Bâtiment C", "69003 Lyon", "France",
                                         "Email claire@lilas.example.com", "Phone +33 4 78 00 00 00",
                                         "Tax ID FR40303265045"]
    assert pages[1].splitlines()[:6] == ["Hudson Rivers", "1 Main St", "10001 New York", "New York (US)",
                                         "United States", "Email hudson@rivers.example.com"]
    # the order of the ids is the order of the pages
    again = texts(get(http, server, f"/report/pdf/base.report_partner/{second},{first}").content)
    assert [p.splitlines()[0] for p in again] == ["Hudson Rivers", "Claire Lilas"]


def test_a_company_report_shows_the_company(server: Server, admin: Client, http: requests.Session) -> None:
    admin.x("res.company", "write", [1], {"vat": "US12-3456789", "company_registry": "CR-778"})
    pages = texts(get(http, server, "/report/pdf/base.report_company/1").content)
    assert len(pages) == 1
    assert pages[0].splitlines() == ["YourCompany", "250 Executive Park Blvd, Suite 3400", "94134 San Francisco",
                                     "California (US)", "United States", "Email info@yourcompany.com",
                                     "Phone +1 (650) 555-0111", "Website http://www.example.com",
                                     "Tax ID US12-3456789", "Company ID CR-778", "Currency USD"]


def test_record_values_are_text_never_markup(server: Server, admin: Client, http: requests.Session) -> None:
    name = "<script>alert('x')</script> <b>Bold</b> & Co"
    pid = partner(admin, name, street="<img src=\"file:///etc/passwd\">", city="Lyon")
    pages = texts(get(http, server, f"/report/pdf/base.report_partner/{pid}").content)
    assert pages[0].splitlines()[:3] == [name, "<img src=\"file:///etc/passwd\">", "Lyon"]


def test_no_docids_is_an_empty_report(server: Server, http: requests.Session) -> None:
    answer = get(http, server, "/report/pdf/base.report_partner")
    assert (answer.status_code, answer.headers["Content-Type"]) == (200, "application/pdf")
    assert texts(answer.content) == [""]


def test_docids_are_the_digit_parts(server: Server, admin: Client, http: requests.Session) -> None:
    pid = partner(admin, "Digits Only")
    pages = texts(get(http, server, f"/report/pdf/base.report_partner/x,{pid},-3,").content)
    assert [p.splitlines()[0] for p in pages] == ["Digits Only"]


def test_a_record_rule_refuses_the_report(server: Server, admin: Client) -> None:
    """A plain user of another company may not read a partner of the main company: no PDF."""
    other = admin.x("res.company", "create", {"name": f"Other {uuid.uuid4().hex[:6]}"})
    hidden = partner(admin, "Hidden Partner", company_id=1, city="Elsewhere")
    login = f"plain-{uuid.uuid4().hex[:6]}"
    admin.x("res.users", "create", {"name": "Plain", "login": login, "password": "pw-plain", "company_id": other,
                                    "company_ids": [(6, 0, [other])]})
    user = server.client(login, "pw-plain")
    refused = fault(user.x, "res.partner", "read", [hidden], ["name"])
    assert refused.faultCode == 4
    answer = get(session(server, login, "pw-plain"), server, f"/report/pdf/base.report_partner/{hidden}")
    assert answer.status_code == 403
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "Hidden Partner" not in answer.text and not answer.content.startswith(b"%PDF")
    # the same user prints what it may read
    visible = partner(admin, "Visible Partner")
    ok = get(session(server, login, "pw-plain"), server, f"/report/pdf/base.report_partner/{visible}")
    assert [p.splitlines()[0] for p in texts(ok.content)] == ["Visible Partner"]


def test_a_missing_record_is_a_bad_request(server: Server, http: requests.Session) -> None:
    answer = get(http, server, "/report/pdf/base.report_partner/1,987654")
    assert answer.status_code == 400
    assert "Record does not exist or has been deleted." in answer.text
    assert "res.partner(987654,)" in answer.text


def test_an_unknown_report_is_a_server_error(server: Server, http: requests.Session) -> None:
    answer = get(http, server, "/report/pdf/base.no_such_report/1")
    assert answer.status_code == 500
    assert "no_such_report" not in answer.text  # Odoo hides the details of other errors


def test_too_many_records_are_refused(server: Server, http: requests.Session) -> None:
    ids = ",".join(str(i) for i in range(1, 202))
    answer = get(http, server, f"/report/pdf/base.report_partner/{ids}")
    assert answer.status_code == 400
    assert "A report prints at most 200 records at once (201 requested)." in answer.text


@pytest.mark.parametrize("cookie", [None, "not-a-session"])
def test_without_a_session_the_browser_goes_to_the_login_page(server: Server, cookie: str | None) -> None:
    http = requests.Session()
    if cookie:
        http.cookies.set("session_id", cookie)
    answer = get(http, server, "/report/pdf/base.report_partner/1,2")
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/web/login?redirect=%2Freport%2Fpdf%2Fbase.report_partner%2F1%2C2%3F")
    assert not answer.content.startswith(b"%PDF")


def test_a_logged_out_session_prints_nothing(server: Server) -> None:
    web = Web(server.url)
    web.login(server.db)
    assert get(web.http, server, "/report/pdf/base.report_company/1").status_code == 200
    web.result("/web/session/destroy")
    assert get(web.http, server, "/report/pdf/base.report_company/1").status_code == 303


# -- Odoo 10: ir.actions.report.xml and the report service --------------------------------------

def test_report_xml_under_10(server10: Server) -> None:
    """Row "report_xml": the report model and the report service of Odoo 10."""
    admin = server10.client()
    found = admin.x("ir.actions.report.xml", "search_read", [], ["model", "report_name", "type"], order="report_name")
    assert [{k: v for k, v in r.items() if k != "id"} for r in found] == [
        {"model": "res.company", "report_name": "base.report_company", "type": "ir.actions.report.xml"},
        {"model": "res.partner", "report_name": "base.report_partner", "type": "ir.actions.report.xml"}]
    missing = fault(admin.x, "ir.actions.report", "search", [])
    assert (missing.faultCode, missing.faultString) == (2, "Object ir.actions.report doesn't exist")

    pid = partner(admin, "Claire Lilas", **ADDRESS, country_id=country(admin, "FR"))
    service = xmlrpc.client.ServerProxy(f"{server10.url}/xmlrpc/2/report")
    answer = service.render_report(server10.db, admin.uid, "admin", "base.report_partner", [pid, 1])
    assert sorted(answer) == ["format", "result", "state"]
    assert (answer["state"], answer["format"]) == (True, "pdf")
    pages = texts(base64.b64decode(answer["result"]))
    assert [p.splitlines()[:4] for p in pages] == [["Claire Lilas", "12 Rue des Lilas", "Bâtiment C", "69003 Lyon"],
                                                   ["YourCompany", "250 Executive Park Blvd, Suite 3400",
                                                    "94134 San Francisco", "California (US)"]]
    # the web route answers under 10.0 too
    pdf = get(session(server10), server10, f"/report/pdf/base.report_partner/{pid}").content
    assert texts(pdf)[0].splitlines()[0] == "Claire Lilas"


def test_report_and_report_get_under_10(server10: Server) -> None:
    admin = server10.client()
    service = xmlrpc.client.ServerProxy(f"{server10.url}/xmlrpc/2/report")
    ticket = service.report(server10.db, admin.uid, "admin", "base.report_company", [1])
    assert isinstance(ticket, int)
    answer = service.report_get(server10.db, admin.uid, "admin", ticket)
    assert (answer["state"], answer["format"]) == (True, "pdf")
    assert texts(base64.b64decode(answer["result"]))[0].splitlines()[0] == "YourCompany"
    again = fault(service.report_get, server10.db, admin.uid, "admin", ticket)
    assert (again.faultCode, last_line(again)) == (1, "Exception: ReportNotFound")
    # a failed rendering is answered when collected
    failed = service.report(server10.db, admin.uid, "admin", "base.nope", [1])
    refused = fault(service.report_get, server10.db, admin.uid, "admin", failed)
    assert (refused.faultCode, refused.faultString) == (2, "Required report does not exist: base.nope: ")


def test_the_report_service_refuses_as_odoo_10(server10: Server) -> None:
    admin = server10.client()
    service = xmlrpc.client.ServerProxy(f"{server10.url}/xmlrpc/2/report")
    unknown = fault(service.render_report, server10.db, admin.uid, "admin", "base.nope", [1])
    assert (unknown.faultCode, unknown.faultString) == (2, "Required report does not exist: base.nope: ")
    missing = fault(service.render_report, server10.db, admin.uid, "admin", "base.report_partner", [987654])
    assert missing.faultCode == 2
    assert missing.faultString.startswith("Record does not exist or has been deleted.\n(Record: res.partner(987654,)")
    denied = fault(service.render_report, server10.db, admin.uid, "wrong", "base.report_partner", [1])
    assert (denied.faultCode, denied.faultString) == (3, "Access Denied")
    method = fault(service.render, server10.db, admin.uid, "admin")
    assert (method.faultCode, last_line(method)) == (1, "KeyError: 'Method not supported render'")


def test_odoorpc_lists_and_downloads_reports_under_10(server10: Server) -> None:
    """OCA odoorpc, unmodified: `report.list()` reads ir.actions.report.xml and
    `report.download()` calls the report service over /jsonrpc, as against Odoo 10."""
    parts = urlsplit(server10.url)
    odoo = odoorpc.ODOO(parts.hostname, port=parts.port)
    odoo.login(server10.db, "admin", "admin")
    listed = odoo.report.list()
    assert listed["res.partner"] == [{"name": "Contact", "report_name": "base.report_partner",
                                      "report_type": "qweb-pdf"}]
    assert [r["report_name"] for r in listed["res.company"]] == ["base.report_company"]
    pdf = odoo.report.download("base.report_company", [1]).read()
    assert texts(pdf)[0].splitlines()[:2] == ["YourCompany", "250 Executive Park Blvd, Suite 3400"]
    with pytest.raises(ValueError, match="The report 'base.nope' does not exist."):
        odoo.report.download("base.nope", [1])


@pytest.mark.parametrize("which", ["11.0", "17.0"])
def test_no_report_service_from_11(which: str, backend: str, request: pytest.FixtureRequest) -> None:
    server: Server = request.getfixturevalue("server11" if which == "11.0" else "server")
    admin = server.client()
    service = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/report")
    gone = fault(service.render_report, server.db, admin.uid, "admin", "base.report_partner", [1])
    assert (gone.faultCode, last_line(gone)) == (1, "KeyError: 'report'")
    assert admin.x("ir.actions.report", "search_count", [("report_name", "=", "base.report_partner")]) == 1


# -- the rendering functions other routes call --------------------------------------------------

def test_render_pdfs_and_render_pdf_as_a_user(backend: str, tmp_path: Path) -> None:
    """The functions behind every report route, on a database of their own: one PDF per id in
    the order asked, or one PDF of them all; unknown reports and too many ids refused."""
    require_backend(backend)
    name = f"rep{uuid.uuid4().hex[:8]}"
    settings = Settings(data_dir=str(tmp_path), db_url=PG_URL if backend == "postgresql" else None, database=name,
                        password_rounds=1000)
    bootstrap.create(Backend(tmp_path, settings.db_url), name, settings)
    app = App(settings)
    try:
        with app.env(name, 2) as env:
            first = env["res.partner"].create({"name": "Ada Lovelace", "city": "London"})
            second = env["res.partner"].create({"name": "Blaise Pascal", "city": "Clermont"})
        with app.env(name, 2, write=False) as env:
            each = render_pdfs(env, "base.report_partner", [second, first])
            together = render_pdf(env, "base.report_partner", [first, second])
            with pytest.raises(UnknownReport) as unknown:
                render_pdfs(env, "base.nope", [first])
            with pytest.raises(MissingError):
                render_pdf(env, "base.report_partner", [first, 987654])
            with pytest.raises(UserError, match="at most 200 records"):
                render_pdfs(env, "base.report_partner", list(range(1, 202)))
        assert [(rid, texts(pdf)[0].splitlines()) for rid, pdf in each] == [
            (second, ["Blaise Pascal", "Clermont"]), (first, ["Ada Lovelace", "London"])]
        assert [p.splitlines() for p in texts(together)] == [["Ada Lovelace", "London"], ["Blaise Pascal", "Clermont"]]
        assert unknown.value.http_status == 404
        assert str(unknown.value) == "External ID not found in the system: base.nope"
    finally:
        app.backend.dispose()
        if backend == "postgresql":
            drop_pg_database(name)
