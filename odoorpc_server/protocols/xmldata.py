"""The REST API's answers as XML (`Accept: application/xml`): the same data as the JSON answer,
each element typed so that a client can read it back without guessing.

    <response type="dict">
      <res.partner type="list"><item type="int">7</item><item type="int">12</item></res.partner>
      <count type="int">2</count>
    </response>

A dictionary's entries are elements named by their key when the key is an XML name, otherwise
`<item key="...">`; a list's entries are `<item>`; `type` is one of dict, list, str, int, float,
bool (`true`/`false`), null, and `b64str` for a string holding characters XML 1.0 cannot carry
(its UTF-8 in base64).
"""
from __future__ import annotations

import base64
import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def dumps(value: Any, root: str = "response") -> bytes:
    element = ET.Element(root)
    _fill(element, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8")


def _child(parent: ET.Element, key: Any) -> ET.Element:
    if isinstance(key, str) and NAME.match(key) and not key.lower().startswith("xml"):
        return ET.SubElement(parent, key)
    return ET.SubElement(parent, "item", key=str(key))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        element.set("type", "dict")
        for key, item in value.items():
            _fill(_child(element, key), item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        element.set("type", "list")
        for item in value:
            _fill(ET.SubElement(element, "item"), item)
    elif value is None:
        element.set("type", "null")
    elif isinstance(value, bool):
        element.set("type", "bool")
        element.text = "true" if value else "false"
    elif isinstance(value, int):
        element.set("type", "int")
        element.text = str(value)
    elif isinstance(value, float):
        element.set("type", "float")
        element.text = repr(value)
    else:
        text = _text(value)
        if NOT_XML.search(text):
            element.set("type", "b64str")
            element.text = base64.b64encode(text.encode("utf-8", "surrogatepass")).decode("ascii")
        else:
            element.set("type", "str")
            element.text = text


def _text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def loads(data: bytes) -> Any:
    """The value an answer carries (the inverse of `dumps`, for clients and tests)."""
    return _value(ET.fromstring(data))


def _value(element: ET.Element) -> Any:
    kind = element.get("type")
    text = element.text or ""
    if kind == "dict":
        return {child.get("key", child.tag) if child.tag == "item" else child.tag: _value(child) for child in element}
    if kind == "list":
        return [_value(child) for child in element]
    if kind == "null":
        return None
    if kind == "bool":
        return text == "true"
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    if kind == "b64str":
        return base64.b64decode(text).decode("utf-8", "surrogatepass")
    return text
