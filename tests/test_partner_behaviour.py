"""res.partner's own behaviour as Odoo 17 has it, one test per behaviour (the recorded answers of a
real Odoo 17.0 in test_golden_partner replay the same behaviours on mixed data), and the same care
for res.partner.category, res.company and res.users."""
from __future__ import annotations

import uuid
from typing import Any

import pytest

from conftest import Client

ADDRESS = ("street", "street2", "zip", "city", "state_id", "country_id")


def sfx() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture()
def countries(client: Client) -> dict[str, int]:
    return {c["code"]: c["id"] for c in client.x("res.country", "search_read", [("code", "in", ["BE", "FR", "CH"])],
                                                 ["code"])}


def read(client: Client, pid: int, *fields: str) -> dict[str, Any]:
    return dict(client.x("res.partner", "read", [pid], list(fields))[0])


def address(client: Client, pid: int) -> tuple[Any, ...]:
    row = read(client, pid, *ADDRESS)
    return tuple(row[f] if not isinstance(row[f], list) else row[f][0] for f in ADDRESS)


def test_a_contact_takes_its_companys_address(client: Client, countries: dict[str, int]) -> None:
    """A contact (type contact) created under a company that has an address takes the whole
    address (empty parts too); other address types keep their own."""
    company = client.x("res.partner", "create", {"name": f"Addr Co {sfx()}", "is_company": True, "city": "Liège",
                                                 "country_id": countries["BE"]})
    person = client.x("res.partner", "create", {"name": "Person", "parent_id": company, "city": "Paris",
                                                "street": "Rue X", "country_id": countries["FR"]})
    invoice = client.x("res.partner", "create", {"name": "Billing", "parent_id": company, "type": "invoice",
                                                 "city": "Paris", "country_id": countries["FR"]})
    assert address(client, person) == (False, False, False, "Liège", False, countries["BE"])
    assert address(client, invoice) == (False, False, False, "Paris", False, countries["FR"])


def test_a_company_without_address_leaves_its_contacts_theirs(client: Client, countries: dict[str, int]) -> None:
    """Nothing to copy from a company without any address; and the first contact created under it
    gives it its own address."""
    company = client.x("res.partner", "create", {"name": f"Bare Co {sfx()}", "is_company": True})
    first = client.x("res.partner", "create", {"name": "First", "parent_id": company, "city": "Zürich",
                                               "country_id": countries["CH"]})
    assert address(client, first) == (False, False, False, "Zürich", False, countries["CH"])
    assert address(client, company) == (False, False, False, "Zürich", False, countries["CH"])
    second = client.x("res.partner", "create", {"name": "Second", "parent_id": company, "city": "Paris"})
    assert address(client, second)[3] == "Zürich"  # now the company has one: it is the contact's


def test_a_company_address_flows_down_one_level(client: Client, countries: dict[str, int]) -> None:
    company = client.x("res.partner", "create", {"name": f"Flow Co {sfx()}", "is_company": True, "city": "A"})
    person = client.x("res.partner", "create", {"name": "Person", "parent_id": company})
    delivery = client.x("res.partner", "create", {"name": "Dock", "parent_id": company, "type": "delivery",
                                                  "city": "Dock city"})
    below = client.x("res.partner", "create", {"name": "Assistant", "parent_id": person})
    client.x("res.partner", "write", [company], {"city": "B", "country_id": countries["FR"]})
    assert address(client, person)[3:] == ("B", False, countries["FR"])
    assert read(client, delivery, "city")["city"] == "Dock city"  # not a contact: keeps its own
    # what the person took this way does not flow on to the person's own contacts
    assert read(client, below, "city")["city"] == "A"


def test_a_new_parent_or_type_brings_the_parents_address(client: Client) -> None:
    one = client.x("res.partner", "create", {"name": f"One {sfx()}", "is_company": True, "city": "One city"})
    two = client.x("res.partner", "create", {"name": f"Two {sfx()}", "is_company": True, "city": "Two city"})
    person = client.x("res.partner", "create", {"name": "Mover", "parent_id": one})
    client.x("res.partner", "write", [person], {"parent_id": two})
    assert read(client, person, "city")["city"] == "Two city"
    other = client.x("res.partner", "create", {"name": "Other", "parent_id": one, "type": "other", "city": "Mine"})
    client.x("res.partner", "write", [other], {"type": "contact"})
    assert read(client, other, "city")["city"] == "One city"


def test_commercial_partner(client: Client) -> None:
    """The company at the top, or the partner itself (a company, or a partner without parent);
    stored, so it is searched and ordered like a column."""
    company = client.x("res.partner", "create", {"name": f"Top Co {sfx()}", "is_company": True})
    person = client.x("res.partner", "create", {"name": "Person", "parent_id": company})
    assistant = client.x("res.partner", "create", {"name": "Assistant", "parent_id": person})
    branch = client.x("res.partner", "create", {"name": "Branch", "is_company": True, "parent_id": company})
    alone = client.x("res.partner", "create", {"name": f"Alone {sfx()}"})
    got = {r["id"]: r["commercial_partner_id"][0] for r in client.x(
        "res.partner", "read", [company, person, assistant, branch, alone], ["commercial_partner_id"])}
    assert got == {company: company, person: company, assistant: company, branch: branch, alone: alone}
    name = read(client, company, "name")["name"]
    assert sorted(client.x("res.partner", "search", [("commercial_partner_id.name", "=", name)])) == \
        sorted([company, person, assistant])
    # making the person a company makes it the commercial partner of the assistant too
    client.x("res.partner", "write", [person], {"is_company": True})
    assert read(client, assistant, "commercial_partner_id")["commercial_partner_id"][0] == person


def test_commercial_fields_flow_from_the_commercial_partner(client: Client) -> None:
    """vat and company registry are the commercial partner's: contacts below it take them,
    on create and when the company changes them; a company below keeps its own."""
    company = client.x("res.partner", "create", {"name": f"VAT Co {sfx()}", "is_company": True, "vat": "BE0123"})
    person = client.x("res.partner", "create", {"name": "Person", "parent_id": company, "vat": "mine"})
    branch = client.x("res.partner", "create", {"name": "Branch", "is_company": True, "parent_id": company,
                                                "vat": "BRANCH"})
    assert read(client, person, "vat")["vat"] == "BE0123"
    client.x("res.partner", "write", [company], {"vat": "BE9999", "company_registry": "REG-1"})
    assert read(client, person, "vat", "company_registry") == {"id": person, "vat": "BE9999",
                                                               "company_registry": "REG-1"}
    assert read(client, branch, "vat")["vat"] == "BRANCH"


def test_complete_name(client: Client) -> None:
    """"Company, Person" under a company; a nameless address shows its type; a company under a
    company keeps its name; renaming the company renames every contact below it."""
    tag = sfx()
    company = client.x("res.partner", "create", {"name": f"Name Co {tag}", "is_company": True})
    person = client.x("res.partner", "create", {"name": "Ann", "parent_id": company})
    assistant = client.x("res.partner", "create", {"name": "Bob", "parent_id": person})
    billing = client.x("res.partner", "create", {"parent_id": company, "type": "invoice"})
    branch = client.x("res.partner", "create", {"name": "Branch", "is_company": True, "parent_id": company})
    names = lambda: {r["id"]: r["complete_name"] for r in client.x(  # noqa: E731
        "res.partner", "read", [person, assistant, billing, branch], ["complete_name"])}
    assert names() == {person: f"Name Co {tag}, Ann", assistant: f"Name Co {tag}, Bob",
                       billing: f"Name Co {tag}, Invoice Address", branch: "Branch"}
    client.x("res.partner", "write", [company], {"name": f"Renamed {tag}"})
    assert names()[assistant] == f"Renamed {tag}, Bob"
    assert read(client, assistant, "display_name")["display_name"] == f"Renamed {tag}, Bob"


def test_deleting_a_company_leaves_its_contacts_on_their_own(client: Client) -> None:
    company = client.x("res.partner", "create", {"name": f"Gone Co {sfx()}", "is_company": True})
    person = client.x("res.partner", "create", {"name": "Left", "parent_id": company})
    client.x("res.partner", "unlink", [company])
    assert read(client, person, "parent_id", "commercial_partner_id", "complete_name") == {
        "id": person, "parent_id": False, "commercial_partner_id": [person, "Left"], "complete_name": "Left"}


def test_display_name_leaves_are_ignored(client: Client) -> None:
    """Odoo 17.0 gives display_name no search method: a leaf on it is ignored (TRUE), whatever the
    operator, on contacts as on every model; name_search searches the name fields."""
    pid = client.x("res.partner", "create", {"name": f"Shown {sfx()}"})
    for op, value in (("=", "nothing like it"), ("ilike", "zzz"), ("not ilike", "Shown"), ("in", ["x"]),
                      ("=like", "nope"), ("!=", False)):
        assert client.x("res.partner", "search", [("id", "=", pid), ("display_name", op, value)]) == [pid]
    name = read(client, pid, "name")["name"]
    assert client.x("res.partner", "name_search", name) == [[pid, name]]


def test_like_false_matches_as_the_empty_string(client: Client) -> None:
    """`ilike False` matches what `ilike ''` matches (everything, empty values included), and
    `not ilike False` only the empty values, as Odoo 17 answers."""
    tag = sfx()
    with_city = client.x("res.partner", "create", {"name": f"LF {tag} a", "city": "Somewhere"})
    without = client.x("res.partner", "create", {"name": f"LF {tag} b"})
    scope = [("name", "like", f"LF {tag}")]
    assert sorted(client.x("res.partner", "search", scope + [("city", "ilike", False)])) == [with_city, without]
    assert client.x("res.partner", "search", scope + [("city", "not ilike", False)]) == [without]
    assert client.x("res.partner", "search", scope + [("city", "not ilike", "")]) == [without]


def test_child_ids_list_active_contacts_only(client: Client) -> None:
    """child_ids has Odoo's domain [('active', '=', True)]: archived contacts are not listed, even
    with active_test off."""
    company = client.x("res.partner", "create", {"name": f"Kids Co {sfx()}", "is_company": True})
    kept = client.x("res.partner", "create", {"name": "Kept", "parent_id": company})
    archived = client.x("res.partner", "create", {"name": "Archived", "parent_id": company})
    client.x("res.partner", "write", [archived], {"active": False})
    assert read(client, company, "child_ids")["child_ids"] == [kept]
    rows = client.x("res.partner", "read", [company], ["child_ids"], context={"active_test": False})
    assert rows[0]["child_ids"] == [kept]


def test_tags_display_and_name_search_by_path(client: Client) -> None:
    """Tags display their whole path; a name search takes the last part of a path, so that it is
    symmetric to the display name; child_of follows the tag tree."""
    tag = sfx()
    parent = client.x("res.partner.category", "create", {"name": f"Root {tag}"})
    child = client.x("res.partner.category", "create", {"name": f"Leaf {tag}", "parent_id": parent})
    assert client.x("res.partner.category", "read", [child], ["display_name"]) == [
        {"id": child, "display_name": f"Root {tag} / Leaf {tag}"}]
    assert client.x("res.partner.category", "name_search", f"Root {tag} / Leaf {tag}") == [
        [child, f"Root {tag} / Leaf {tag}"]]
    holder = client.x("res.partner", "create", {"name": "Tagged", "category_id": [(6, 0, [child])]})
    assert client.x("res.partner", "search", [("category_id", "child_of", parent)]) == [holder]
    assert client.x("res.partner", "search", [("category_id", "ilike", f"Root {tag} / Leaf {tag}")]) == [holder]


def test_a_company_and_its_partner_show_the_same_values(client: Client, countries: dict[str, int]) -> None:
    """A company's name, address and contact details are its partner's: written on either, read
    the same on both."""
    name = f"Sync Co {sfx()}"
    company = client.x("res.company", "create", {"name": name, "currency_id": 1, "city": "Ghent",
                                                 "email": "hello@sync.example"})
    partner = client.x("res.company", "read", [company], ["partner_id"])[0]["partner_id"][0]
    assert read(client, partner, "name", "city", "email", "is_company") == {
        "id": partner, "name": name, "city": "Ghent", "email": "hello@sync.example", "is_company": True}
    client.x("res.company", "write", [company], {"city": "Namur", "country_id": countries["BE"]})
    assert address(client, partner)[3:] == ("Namur", False, countries["BE"])
    client.x("res.partner", "write", [partner], {"city": "Liège", "phone": "+32 4"})
    assert client.x("res.company", "read", [company], ["city", "phone"]) == [
        {"id": company, "city": "Liège", "phone": "+32 4"}]


def test_a_user_reads_and_writes_its_partner_fields(client: Client, countries: dict[str, int]) -> None:
    """res.users has the fields of its partner (Odoo's _inherits): read, written and searched
    through the user."""
    login = f"pu-{sfx()}"
    uid = client.x("res.users", "create", {"name": "Partnered", "login": login, "city": "Antwerp",
                                           "country_id": countries["BE"]})
    partner = client.x("res.users", "read", [uid], ["partner_id"])[0]["partner_id"][0]
    assert read(client, partner, "city")["city"] == "Antwerp"
    client.x("res.users", "write", [uid], {"city": "Bruges", "phone": "+32 50"})
    assert read(client, partner, "city", "phone") == {"id": partner, "city": "Bruges", "phone": "+32 50"}
    assert client.x("res.users", "read", [uid], ["city", "country_id"]) == [
        {"id": uid, "city": "Bruges", "country_id": [countries["BE"], "Belgium"]}]
    assert client.x("res.users", "search", [("login", "=", login), ("city", "=", "Bruges")]) == [uid]


def test_an_older_database_gets_the_new_base_fields(backend: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Base fields a newer server declares are added to an existing database at start, with
    their columns, and filled (here the commercial partner of every contact)."""
    import sqlalchemy as sa

    from conftest import require_backend, start_server, stop_server
    from dbstate import engine

    require_backend(backend)
    tmp = tmp_path_factory.mktemp(f"upgrade-{backend}")
    server = start_server(tmp, backend, ["--demo"])
    client = server.client()
    contact = client.x("res.partner", "search", [("parent_id", "!=", False), ("is_company", "=", False)], limit=1)[0]
    expected = client.x("res.partner", "read", [contact], ["commercial_partner_id"])[0]["commercial_partner_id"]
    server.proc.terminate()
    server.proc.wait(30)
    eng = engine(server)
    with eng.begin() as conn:  # as a database of an earlier version had it
        conn.execute(sa.text("DELETE FROM ir_model_fields WHERE model = 'res.partner' AND name IN "
                             "('commercial_partner_id', 'commercial_company_name')"))
        for index in ("ix_res_partner_commercial_partner_id", "res_partner__commercial_partner_id_index"):
            conn.execute(sa.text(f"DROP INDEX IF EXISTS {index}"))  # as an earlier version named it, and now
        for column in ("commercial_partner_id", "commercial_company_name"):
            conn.execute(sa.text(f"ALTER TABLE res_partner DROP COLUMN {column}"))
    eng.dispose()
    again = start_server(tmp, backend, ["--demo"], database=server.db)
    try:
        rows = again.client().x("res.partner", "read", [contact], ["commercial_partner_id"])
        assert rows == [{"id": contact, "commercial_partner_id": expected}] and expected[0] != contact
    finally:
        stop_server(again)


def test_children_created_with_their_company_are_synced(client: Client) -> None:
    """A company created with its contacts inline (child_ids commands): the contacts' complete
    name, commercial partner and commercial fields follow the company, as in Odoo."""
    tag = uuid.uuid4().hex[:6]
    company = client.x("res.partner", "create", {
        "name": f"Inline {tag}", "is_company": True, "vat": f"BE0{tag}",
        "child_ids": [(0, 0, {"name": "First"}), (0, 0, {"name": "Second"})]})
    kids = read(client, company, "child_ids")["child_ids"]
    rows = {r["name"]: r for r in client.x("res.partner", "read", kids,
                                            ["name", "complete_name", "commercial_partner_id", "vat"])}
    assert {n: (r["complete_name"], r["commercial_partner_id"], r["vat"]) for n, r in rows.items()} == {
        "First": (f"Inline {tag}, First", [company, f"Inline {tag}"], f"BE0{tag}"),
        "Second": (f"Inline {tag}, Second", [company, f"Inline {tag}"], f"BE0{tag}")}


def test_a_renamed_company_renames_every_level_below(client: Client) -> None:
    """complete_name follows a company's new name down the whole tree (contacts of contacts too),
    and the commercial partner of every level stays the company."""
    tag = uuid.uuid4().hex[:6]
    company = client.x("res.partner", "create", {"name": f"Deep {tag}", "is_company": True})
    person = client.x("res.partner", "create", {"name": "Person", "parent_id": company})
    assistant = client.x("res.partner", "create", {"name": "Assistant", "parent_id": person})
    intern = client.x("res.partner", "create", {"name": "Intern", "parent_id": assistant})
    client.x("res.partner", "write", [company], {"name": f"Deeper {tag}"})
    rows = client.x("res.partner", "read", [person, assistant, intern], ["complete_name", "commercial_partner_id"])
    assert [(r["complete_name"], r["commercial_partner_id"][0]) for r in rows] == [
        (f"Deeper {tag}, Person", company), (f"Deeper {tag}, Assistant", company), (f"Deeper {tag}, Intern", company)]
