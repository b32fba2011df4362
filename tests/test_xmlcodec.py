"""The XML-RPC answer writer gives the stdlib marshaller's bytes (with Odoo's rules) for every
value, and refuses what it refuses with the same error."""
from __future__ import annotations

import datetime as dt
import xmlrpc.client
from collections import defaultdict
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from odoorpc_server.protocols import xmlcodec
from odoorpc_server.protocols.xmlrpc import OdooMarshaller


def reference(values: tuple[Any, ...]) -> str:
    return OdooMarshaller("utf-8", allow_none=False).dumps(values)


def ours(values: tuple[Any, ...]) -> str:
    return xmlcodec.params_text(values, OdooMarshaller("utf-8", allow_none=False))


scalars = st.one_of(
    st.text(), st.integers(min_value=xmlrpc.client.MININT, max_value=xmlrpc.client.MAXINT), st.booleans(),
    st.floats(allow_nan=True), st.binary(max_size=20).map(lambda b: b.hex().encode()),
    st.dates(), st.datetimes(), st.just(xmlrpc.client.DateTime("20240101T10:00:00")))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.lists(inner, max_size=5).map(tuple),
    st.dictionaries(st.text(max_size=8), inner, max_size=5),
    st.dictionaries(st.text(max_size=8), inner, max_size=3).map(lambda d: defaultdict(list, d))), max_leaves=30)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(values, max_size=3).map(tuple))
def test_same_bytes_as_the_marshaller(given_values: tuple[Any, ...]) -> None:
    assert ours(given_values) == reference(given_values)


def test_a_read_answer() -> None:
    rows = ({"id": 7, "name": "A & B <co>\x01", "country_id": [21, "Belgium"], "is_company": True,
             "credit": 12.5, "child_ids": [], "date": dt.date(2024, 2, 29), "write_date": "2024-01-01 00:00:00",
             "x\x02<k>": False},)
    assert ours((rows,)) == reference((rows,))


@pytest.mark.parametrize("bad", [2**31, -(2**31) - 1, None, {1: "a"}, object(), {"a": {2**40}}])
def test_refused_alike(bad: Any) -> None:
    with pytest.raises(Exception) as theirs:
        reference((bad,))
    with pytest.raises(type(theirs.value)) as mine:
        ours((bad,))
    assert str(mine.value) == str(theirs.value)


def test_cycles_refused_alike() -> None:
    loop: list[Any] = [1]
    loop.append(loop)
    knot: dict[str, Any] = {}
    knot["self"] = knot
    for bad in (loop, knot):
        with pytest.raises(TypeError) as theirs:
            reference((bad,))
        with pytest.raises(TypeError) as mine:
            ours((bad,))
        assert str(mine.value) == str(theirs.value)
