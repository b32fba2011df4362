"""The REST API's XML answers: every value the JSON answer carries comes back from the XML as
the same value, typed, whatever the keys and strings hold."""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from odoorpc_server.protocols import xmldata


@pytest.mark.parametrize("value", [
    {"res.partner": [7, 12], "count": 2},
    {"res.partner": {"id": 12, "name": "Think Big", "street2": False, "country_id": [486, "United Kingdom"],
                     "credit": 1.5, "parent_id": None}},
    {"report": [{"id": 1, "state": "true", "format": "pdf", "result": "JVBERi0="}]},
    {"1 odd key": {"": "empty key", "xml_starts": "x", "a/b": [[], {}]}},
    {"text": "control \x01 char and \ud800 surrogate", "plain": "é ü 中文 <&>"},
    [], {}, "top", 0, True,
])
def test_round_trip(value: object) -> None:
    assert xmldata.loads(xmldata.dumps(value)) == value


def test_shape() -> None:
    data = xmldata.dumps({"res.partner": [7], "ok": True})
    root = ET.fromstring(data)
    assert root.tag == "response" and root.get("type") == "dict"
    assert [(c.tag, c.get("type")) for c in root] == [("res.partner", "list"), ("ok", "bool")]
    assert root[0][0].tag == "item" and root[0][0].text == "7"
    assert root[1].text == "true"


def test_dates_as_odoo_writes_them() -> None:
    value = {"d": dt.date(2017, 7, 10), "t": dt.datetime(2017, 7, 10, 11, 2, 57)}
    assert xmldata.loads(xmldata.dumps(value)) == {"d": "2017-07-10", "t": "2017-07-10 11:02:57"}
