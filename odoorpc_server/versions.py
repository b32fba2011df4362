"""The Odoo versions the server can answer as, and every difference between them a client notices.

`DIFFERENCES` is the single source: each row says from which version (`since`) or up to which
version (`until`) a behaviour holds. Code asks `profile(version).has("<name>")` and never compares
version numbers itself. The README's version table is generated from these rows (a test keeps the
two equal).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

VERSIONS = ("8.0", "9.0", "10.0", "11.0", "12.0", "13.0", "14.0", "15.0", "16.0", "17.0", "18.0", "19.0")
DEFAULT_VERSION = "17.0"


@dataclass(frozen=True)
class Difference:
    name: str
    what: str
    since: str | None = None
    until: str | None = None

    def holds(self, version: str) -> bool:
        rank = _rank(version)
        return ((self.since is None or rank >= _rank(self.since))
                and (self.until is None or rank <= _rank(self.until)))

    def label(self) -> str:
        if self.since and self.until:
            return f"{self.since}–{self.until}"
        return f"{self.since}+" if self.since else f"up to {self.until}"


DIFFERENCES: tuple[Difference, ...] = (
    Difference("workflow", "`exec_workflow(model, signal, id)` on `/xmlrpc/2/object` sends a workflow signal "
               "(here: runs the record's public button method of that name)", until="10.0"),
    Difference("report_xml", "the report model is `ir.actions.report.xml` and `/xmlrpc/2/report` serves "
               "`render_report`", until="10.0"),
    Difference("partner_customer_supplier", "res.partner has the `customer` and `supplier` booleans",
               until="12.0"),
    Difference("api_keys", "API keys (`res.users.apikeys`) work in place of the password", since="14.0"),
    Difference("xmlid_to_res_model_res_id", "`ir.model.data.xmlid_to_res_model_res_id` is public",
               until="14.0"),
    Difference("search_count_limit", "`search_count(domain, limit)` caps the count", since="16.0"),
    Difference("search_count_kwarg", "`search(domain, count=True)` answers the count (a TypeError later)",
               until="16.0"),
    Difference("last_update", "the magic field `__last_update` exists (an invalid field later)",
               until="16.0"),
    Difference("fields_get_states", "`fields_get` answers a `states` attribute", until="16.0"),
    Difference("web_read", "`web_search_read(domain, specification)` and `web_read` answer `{length, records}`",
               since="17.0"),
    Difference("web_search_read_fields", "`web_search_read(domain, fields)` answers `{length, records}` in "
               "search_read's format", since="14.0", until="16.0"),
    Difference("name_get", "`name_get` is callable (a 'method does not exist' fault later)", until="17.0"),
    Difference("copy_returns_list", "`copy` answers a list of ids, not an id", since="18.0"),
    Difference("aggregator", "`fields_get` says `aggregator` (earlier `group_operator`) and `groupable`",
               since="18.0"),
    Difference("has_access", "`check_access(ids, operation)` and `has_access(ids, operation)` check rights and "
               "rules in one call", since="18.0"),
    Difference("unknown_method_type_object", "an unknown method reads `type object '<model>' has no attribute "
               "'<method>'` (Python's own text; later Odoo's)", until="16.0"),
    Difference("quoted_private_method", "the private-method and unknown-method faults name `'<model>.<method>'`, "
               "and the model is looked up before a private name is refused", since="18.0"),
    Difference("call_kw_not_found", "`/web/dataset/call_kw` on an unknown model answers error code 404",
               since="18.0"),
    Difference("json2", "JSON-2 (`/json/2/<model>/<method>`), `/web/version`, `/doc` and `/doc-bearer`",
               since="19.0"),
    Difference("jsonrpc_error_code_0", "JSON-RPC errors carry `code` 0 (earlier 200)", since="19.0"),
    Difference("group_ids", "res.users' groups field is `group_ids` (earlier `groups_id`)", since="19.0"),
    Difference("partner_mobile_title", "res.partner has `mobile`, `title` (model `res.partner.title`) and "
               "`company_type`", until="18.0"),
    Difference("name_search_domain", "`name_search(name, domain, …)` and `default_get(fields)` (earlier "
               "`args` and `fields_list`) as keyword names", since="19.0"),
)
_BY_NAME = {d.name: d for d in DIFFERENCES}


# the edition letter the release string carried (only 9.0 spelled the community edition)
EDITIONS = {"9.0": "c"}


@dataclass(frozen=True)
class Profile:
    """One version's answers: its version strings and which differences hold."""

    version: str

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    @property
    def version_info(self) -> list[object]:
        """`common.version()`'s `server_version_info`: 8.0 had five items; 9.0 added the edition
        (`'c'` for the community edition, `''` from 10.0 on)."""
        if self.major <= 8:
            return [self.major, 0, 0, "final", 0]
        return [self.major, 0, 0, "final", 0, EDITIONS.get(self.version, "")]

    @property
    def release(self) -> str:
        """`server_version`: the series and the edition letter (`9.0c`)."""
        return self.version + EDITIONS.get(self.version, "")

    def has(self, name: str) -> bool:
        return _BY_NAME[name].holds(self.version)


@cache
def profile(version: str = DEFAULT_VERSION) -> Profile:
    if version not in VERSIONS:
        raise ValueError(f"unknown Odoo version {version!r}: one of {', '.join(VERSIONS)}")
    return Profile(version)


def _rank(version: str) -> int:
    return VERSIONS.index(version)


def markdown_table() -> str:
    """The README's table: one row per difference, one column per version."""
    head = "| behaviour | " + " | ".join(VERSIONS) + " |"
    rule = "|---|" + "---|" * len(VERSIONS)
    rows = [f"| {d.what} | " + " | ".join("yes" if d.holds(v) else "–" for v in VERSIONS) + " |"
            for d in DIFFERENCES]
    return "\n".join([head, rule, *rows])
