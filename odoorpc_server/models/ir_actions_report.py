"""PDF reports: the report actions (`ir.actions.report`, `ir.actions.report.xml` up to Odoo 10)
name a model and a template; rendering one reads the records as the calling user, fills the
template (Jinja2, autoescaped: record values never become markup) and lays it out with
WeasyPrint, with the stylesheet data/reports/report.css.

`printable(env, name, ids)` reads and checks, in the caller's transaction; its `pdf()` and
`pdfs()` lay out afterwards, so no transaction waits on WeasyPrint. `render_pdf` and
`render_pdfs` do both at once.

The records are read through the caller's environment, so access rights and record rules apply
exactly as to a `read`; the report action itself is looked up as superuser, as Odoo's
`_get_report` does. The layout engine loads nothing: a report never fetches a URL or reads
a file, whatever the records contain.
"""
from __future__ import annotations

import json
import logging
import re
import threading
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from odoorpc_server.exceptions import UnknownReport, UserError
from odoorpc_server.orm.env import Env
from odoorpc_server.orm.models import normalize_ids

if TYPE_CHECKING:
    import jinja2

MAX_IDS = 200  # records per rendering: a report is laid out in memory, page by page
TEMPLATES = Path(__file__).resolve().parents[1] / "data" / "reports"
REPORT_MODELS = ("ir.actions.report", "ir.actions.report.xml")
TEMPLATE_NAME = re.compile(r"[a-z0-9_]{1,64}")
# one layout at a time per process: WeasyPrint's text stack (Pango, fontconfig, HarfBuzz) is not
# documented as safe across threads, and a server's threads would otherwise share it
_LAYOUT = threading.Lock()

# WeasyPrint and fontTools log every unsupported CSS property and font subsetting step at
# warning level; a report server renders the same known templates all day
for _noisy in ("weasyprint", "weasyprint.progress", "fontTools"):
    logging.getLogger(_noisy).setLevel(logging.ERROR)


def report_model(env: Env) -> str:
    """The report action model of the database: the version's name when the database has it."""
    preferred = "ir.actions.report.xml" if env.profile.has("report_xml") else "ir.actions.report"
    for name in (preferred, *REPORT_MODELS):
        if name in env:
            return name
    return preferred


def find_report(env: Env, report_name: Any) -> dict[str, Any]:
    """The report action named `report_name` (its model, type and template); UnknownReport
    when none has that name."""
    wording = "report_xml" if env.profile.has("report_xml") else "ref"
    model = report_model(env)
    if not isinstance(report_name, str) or not report_name or model not in env:
        raise UnknownReport(report_name, wording)
    found = env.sudo()[model].search_read([("report_name", "=", report_name)],
                                          ["name", "model", "report_type", "report_file"], limit=1)
    if not found:
        raise UnknownReport(report_name, wording)
    return found[0]


@dataclass(frozen=True)
class Printable:
    """What a report shows, read and checked, not yet laid out: the transaction that read it
    can end before the (slow) layout starts."""

    report_name: str
    template: str
    docs: tuple[tuple[int, dict[str, Any]], ...]

    def pdfs(self) -> list[tuple[int, bytes]]:
        """One PDF per record, in the order asked: (id, PDF bytes)."""
        return [(rid, _pdf(self.template, [doc], self.report_name)) for rid, doc in self.docs]

    def pdf(self) -> bytes:
        """One PDF of all the records, each from a new page (one document: fonts embedded once)."""
        return _pdf(self.template, [doc for _rid, doc in self.docs], self.report_name)


def printable(env: Env, report_name: str, res_ids: list[int]) -> Printable:
    """The report `report_name` of the records `res_ids`, read as `env`'s user: UnknownReport,
    AccessError, MissingError or a UserError beyond MAX_IDS records."""
    ids = normalize_ids(res_ids)
    if len(ids) > MAX_IDS:
        raise UserError(f"A report prints at most {MAX_IDS} records at once ({len(ids)} requested).")
    report = find_report(env, report_name)
    template = _template(report)
    rows = _read(env, str(report["model"]), template, ids)
    return Printable(report_name, template, tuple((rid, rows[rid]) for rid in ids))


def render_pdfs(env: Env, report_name: str, res_ids: list[int]) -> list[tuple[int, bytes]]:
    """One PDF per record, in the order of `res_ids`: (id, PDF bytes)."""
    return printable(env, report_name, res_ids).pdfs()


def render_pdf(env: Env, report_name: str, res_ids: list[int]) -> bytes:
    """One PDF of all the records of `res_ids`, each starting on a new page."""
    return printable(env, report_name, res_ids).pdf()


def _read(env: Env, model: str, template: str, ids: list[int]) -> dict[int, dict[str, Any]]:
    """The template's fields of `ids` as the user reads them (rights, rules, missing records
    refused as a `read` refuses them), relational values as their display names."""
    records = env[model]
    wanted = [f for f in _fields()[template] if f in records.model.fields]
    records._check_access("read")  # no right on the model: nothing said about which records exist
    records._check_exist(ids)
    found = {int(row["id"]): row for row in records.read(ids, wanted)}
    return {rid: {name: _text(value) for name, value in row.items()} for rid, row in found.items()}


def _text(value: Any) -> Any:
    if value is False or value is None:
        return ""
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], int):
        return value[1] or ""
    return value


def _template(report: dict[str, Any]) -> str:
    name = report.get("report_file") or ""
    if not isinstance(name, str) or not TEMPLATE_NAME.fullmatch(name) or name not in _fields():
        raise UserError(f"The report {report['name']!r} has no template {name!r}.")
    return name


def _pdf(template: str, docs: list[dict[str, Any]], title: str) -> bytes:
    html = _jinja().get_template(f"{template}.html").render(docs=docs, title=title)
    weasyprint, no_fetching = _weasyprint()
    with _LAYOUT:
        document = weasyprint.HTML(string=html, url_fetcher=no_fetching()).render(stylesheets=[_stylesheet()])
        return bytes(document.write_pdf())


@cache
def _weasyprint() -> tuple[Any, type]:
    """WeasyPrint and a resource loader of it refusing every URL, imported at the first
    report: its text stack (Pango through cffi) costs more than half a second of start-up,
    which a server that never prints would pay for nothing. A report is made of its template
    and stylesheet alone, so record values (escaped anyway) can never make it read a file or
    a URL."""
    with warnings.catch_warnings():
        # without the HarfBuzz subsetting library WeasyPrint subsets fonts itself, and says so
        # with a DeprecationWarning at import
        warnings.filterwarnings("ignore", "HarfBuzz-Subset", DeprecationWarning)
        import weasyprint
        import weasyprint.urls

    class NoFetching(weasyprint.urls.URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError("reports load no resources")

    return weasyprint, NoFetching


@cache
def _stylesheet() -> Any:
    weasyprint, no_fetching = _weasyprint()
    return weasyprint.CSS(string=(TEMPLATES / "report.css").read_text(encoding="utf-8"), url_fetcher=no_fetching())


@cache
def _jinja() -> jinja2.Environment:
    import jinja2  # at the first report, as WeasyPrint

    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.ChainableUndefined)


@cache
def _fields() -> dict[str, list[str]]:
    """The fields each template shows (data/reports/fields.json)."""
    found: dict[str, list[str]] = json.loads((TEMPLATES / "fields.json").read_text(encoding="utf-8"))
    return found
