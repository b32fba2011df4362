"""Unit tests of the XML-RPC adapter: Odoo's marshalling rules and fault mapping."""
from __future__ import annotations

import datetime as dt
import xmlrpc.client

import pytest

from odoorpc_server.exceptions import AccessDenied, AccessError, MissingError, UserError, ValidationError
from odoorpc_server.protocols.xmlrpc import dumps, fault, handle


def roundtrip(value: object) -> object:
    (result,), _ = xmlrpc.client.loads(dumps((value,)))
    return result


def test_dates_are_strings() -> None:
    assert roundtrip(dt.datetime(2024, 1, 2, 3, 4, 5, 678)) == "2024-01-02 03:04:05"
    assert roundtrip(dt.date(2024, 1, 2)) == "2024-01-02"


def test_control_characters_are_stripped_but_whitespace_kept() -> None:
    # (an XML parser reads a raw carriage return as a line feed, for Odoo as for us)
    assert roundtrip("a\x00b\x07c\td\ne\rf") == "abc\td\ne\nf"


def test_bytes_go_out_as_strings() -> None:
    assert roundtrip(b"aGVsbG8=") == "aGVsbG8="


def test_none_cannot_be_marshalled() -> None:
    with pytest.raises(TypeError, match="cannot marshal None"):
        dumps((None,))


def test_integers_past_32_bits_are_refused() -> None:
    with pytest.raises(OverflowError):
        dumps((2**31,))


@pytest.mark.parametrize(("error", "code"), [
    (AccessError("no"), 4), (AccessDenied(), 3), (UserError("no"), 2), (ValidationError("no"), 2),
    (MissingError("gone"), 2), (ValueError("bad"), 1), (KeyError("k"), 1),
])
def test_fault_codes(error: Exception, code: int) -> None:
    assert fault(error, legacy=False).faultCode == code


def test_application_errors_carry_a_traceback() -> None:
    try:
        raise ValueError("Invalid field 'x'")
    except ValueError as error:
        text = fault(error, legacy=False).faultString
    assert text.startswith("Traceback (most recent call last):") and text.endswith("ValueError: Invalid field 'x'\n")


def test_legacy_faults_use_string_codes() -> None:
    assert fault(AccessDenied(), legacy=True).faultCode == "AccessDenied"
    assert fault(UserError("nope"), legacy=True).faultCode == "warning -- UserError\n\nnope"
    assert fault(MissingError("gone"), legacy=True).faultCode == "warning -- MissingError\n\ngone"


def test_a_none_result_becomes_a_fault_after_the_call() -> None:
    calls = []
    body = handle(xmlrpc.client.dumps((1,), "m"), lambda m, p: calls.append((m, p)))
    assert calls == [("m", (1,))]
    with pytest.raises(xmlrpc.client.Fault) as err:
        xmlrpc.client.loads(body)
    assert err.value.faultCode == 1 and "cannot marshal None" in err.value.faultString


def test_malformed_xml_is_a_fault() -> None:
    with pytest.raises(xmlrpc.client.Fault) as err:
        xmlrpc.client.loads(handle(b"<methodCall><oops", lambda m, p: 1))
    assert err.value.faultCode == 1
