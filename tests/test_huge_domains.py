"""Huge and deeply nested domains over the wire: answered like their small equivalents, or refused
with a clear domain fault (fault 1, ValueError), never a server error or a lost connection."""
from __future__ import annotations

import uuid
from typing import Any

import pytest

from conftest import Client, Server, fault, last_line
from jsonwire import Web

LEAVES = 10_000  # the most a domain may have
DEPTH = 32       # the deepest nesting a domain may have, after flattening


@pytest.fixture(scope="module")
def tagged(server: Server) -> tuple[str, list[int]]:
    """Three partners named `<tag>-<n>` for n in 7, 4 000 and 9 999."""
    client = server.client()
    tag = uuid.uuid4().hex[:10]
    ids = [client.x("res.partner", "create", {"name": f"{tag}-{n}"}) for n in (7, 4_000, 9_999)]
    return tag, sorted(ids)


def names(tag: str, count: int) -> list[Any]:
    return [("name", "=", f"{tag}-{n}") for n in range(count)]


def left_or(leaves: list[Any]) -> list[Any]:
    return ["|"] * (len(leaves) - 1) + leaves


def right_or(leaves: list[Any]) -> list[Any]:
    out: list[Any] = []
    for leaf in leaves[:-1]:
        out += ["|", leaf]
    return out + [leaves[-1]]


def alternating(depth: int) -> list[Any]:
    """`| a & b | c ...`: every operator a new level, as no run of one operator can be flattened
    (each `|` with a leaf no record matches, each `&` with one every record matches)."""
    out: list[Any] = []
    for level in range(depth):
        out += ["|", ("id", "=", -level)] if level % 2 == 0 else ["&", ("id", ">", 0)]
    return out + [("id", ">", 0)]


@pytest.mark.parametrize("shape", [left_or, right_or])
def test_the_largest_or_domain_is_answered(client: Client, tagged: tuple[str, list[int]], shape: Any) -> None:
    tag, ids = tagged
    domain = shape(names(tag, LEAVES))
    small = [("name", "in", [f"{tag}-7", f"{tag}-4000", f"{tag}-9999"])]
    assert sorted(client.x("res.partner", "search", small)) == ids
    assert sorted(client.x("res.partner", "search", domain)) == ids
    assert client.x("res.partner", "search_count", domain) == 3
    groups = client.x("res.partner", "read_group", domain, ["name"], ["name"], orderby="name")
    assert [(g["name"], g["name_count"]) for g in groups] == [
        (f"{tag}-4000", 1), (f"{tag}-7", 1), (f"{tag}-9999", 1)]


def test_the_largest_and_domain_is_answered(client: Client, tagged: tuple[str, list[int]]) -> None:
    """Plain comparisons: an AND of many `(x != v OR x IS NULL)` is PostgreSQL's planner's own
    quadratic case (it looks for factors common to the ORs)."""
    tag, ids = tagged
    domain = [("name", "=like", f"{tag}-7"), *[("id", ">", -n) for n in range(LEAVES - 1)]]
    assert len(domain) == LEAVES
    found = client.x("res.partner", "search", domain)
    assert found == [ids[0]] == client.x("res.partner", "search", [("name", "=", f"{tag}-7")])
    assert client.x("res.partner", "search_count", domain) == 1


def test_more_leaves_than_the_limit_are_refused(client: Client, tagged: tuple[str, list[int]]) -> None:
    tag, _ = tagged
    before = client.x("res.partner", "search_count", [])
    for method, args in (("search", []), ("search_count", []), ("read_group", [["name"], ["name"]])):
        f = fault(client.x, "res.partner", method, left_or(names(tag, LEAVES + 1)), *args)
        assert f.faultCode == 1
        assert last_line(f) == f"ValueError: Domain too large: {LEAVES + 1} leaves (at most {LEAVES})"
    assert client.x("res.partner", "search_count", []) == before


def test_a_long_in_list_is_one_leaf(client: Client, tagged: tuple[str, list[int]]) -> None:
    tag, ids = tagged
    values = [f"{tag}-{n}" for n in range(LEAVES * 2)]
    assert sorted(client.x("res.partner", "search", [("name", "in", values)])) == ids


def test_nesting_up_to_the_limit_is_answered(client: Client, tagged: tuple[str, list[int]]) -> None:
    everyone = client.x("res.partner", "search", [("id", ">", 0)])
    assert client.x("res.partner", "search", alternating(DEPTH)) == everyone
    # sub-domains nest too: a partner without a parent matches `parent_id not any ...`, whatever
    # is nested below (SQLite's parser takes a few nested sub-selects only)
    _, ids = tagged
    domain: list[Any] = [("name", "=", "x")]
    for _ in range(5):
        domain = [("parent_id", "not any", domain)]
    assert client.x("res.partner", "search_count", [("id", "in", ids), *domain]) == 3


def test_nesting_beyond_the_limit_is_refused(client: Client) -> None:
    message = f"ValueError: Domain too deep: more than {DEPTH} nested levels of operators and sub-domains"
    f = fault(client.x, "res.partner", "search", alternating(DEPTH + 1))
    assert (f.faultCode, last_line(f)) == (1, message)
    f = fault(client.x, "res.partner", "search_count", [(".".join(["parent_id"] * 200) + ".name", "=", "x")])
    assert (f.faultCode, last_line(f)) == (1, message)
    nested: list[Any] = [("name", "=", "x")]
    for _ in range(DEPTH * 4):
        nested = [("child_ids", "any", nested)]
    f = fault(client.x, "res.partner", "read_group", nested, ["name"], ["name"])
    assert (f.faultCode, last_line(f)) == (1, message)
    assert client.x("res.partner", "search_count", [("id", "=", client.uid)]) == 0  # the server still answers


def test_a_long_not_chain_is_answered(client: Client, tagged: tuple[str, list[int]]) -> None:
    """`!` twice is nothing: 10 001 of them are one negation, as deep as the domain looks."""
    tag, ids = tagged
    leaf = ("name", "!=", f"{tag}-7")
    assert client.x("res.partner", "search", ["!"] * (LEAVES + 1) + [leaf]) == [ids[0]]
    assert client.x("res.partner", "search", ["!"] * LEAVES + [("name", "=", f"{tag}-7")]) == [ids[0]]


def test_json_rpc_refuses_too_large_domains_alike(server: Server, tagged: tuple[str, list[int]]) -> None:
    tag, ids = tagged
    web = Web(server.url)
    args = [server.db, server.client().uid, "admin", "res.partner", "search"]
    envelope = web.post("/jsonrpc", {"service": "object", "method": "execute_kw",
                                     "args": [*args, [left_or(names(tag, LEAVES + 1))]]})
    error = envelope["error"]["data"]
    assert (error["name"], error["message"]) == (
        "builtins.ValueError", f"Domain too large: {LEAVES + 1} leaves (at most {LEAVES})")
    envelope = web.post("/jsonrpc", {"service": "object", "method": "execute_kw",
                                     "args": [*args, [right_or(names(tag, LEAVES))]]})
    assert sorted(envelope["result"]) == ids
