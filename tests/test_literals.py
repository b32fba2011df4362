"""The REST API's query-string literals: the document's Python syntax and JSON's spellings are
read as values, and nothing else is: no name, call, operator or comprehension is evaluated, and
size, element count and depth are bounded."""
from __future__ import annotations

import pytest

from odoorpc_server.protocols import literals


@pytest.mark.parametrize(("text", "value"), [
    ("[('is_company', '=', True), ('customer', '=', True)]",
     [["is_company", "=", True], ["customer", "=", True]]),
    ("['name','country_id']", ["name", "country_id"]),
    ("{'name':'Peter Mitchell','zip':'106','country_id':482}", {"name": "Peter Mitchell", "zip": "106",
                                                                  "country_id": 482}),
    ('[["active", "=", false], ["parent_id", "=", null]]', [["active", "=", False], ["parent_id", "=", None]]),
    ("-3", -3), ("+2.5", 2.5), ("'name desc'", "name desc"), ("None", None), ("  [ ]  ", []),
    ("{1: 'a'}", {1: "a"}),
])
def test_literals_are_read(text: str, value: object) -> None:
    assert literals.parse(text) == value


@pytest.mark.parametrize("text", [
    "__import__('os').system('id')", "open('/etc/passwd')", "[x for x in range(3)]", "1 + 1", "10**100",
    "lambda: 1", "{**{'a': 1}}", "b'bytes'", "f'{1}'", "[1, 2][0]", "name desc", "{[1]: 2}", "...", "1j",
    "(yield)", "[", "",
])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(literals.LiteralError) as error:
        literals.parse(text, "domain")
    assert "'domain'" in str(error.value)
    assert error.value.http_status == 400


def test_limits() -> None:
    with pytest.raises(literals.LiteralError, match="too long"):
        literals.parse("'" + "x" * literals.MAX_TEXT + "'")
    with pytest.raises(literals.LiteralError, match="nested more than"):
        literals.parse("[" * (literals.MAX_DEPTH + 2) + "]" * (literals.MAX_DEPTH + 2))
    with pytest.raises(literals.LiteralError, match="more than"):
        literals.parse("[" + "0," * literals.MAX_NODES + "]")
    deep = literals.MAX_DEPTH - 1
    assert literals.parse("[" * deep + "]" * deep) is not None
    with pytest.raises(literals.LiteralError):  # the parser's own recursion limit is an error too
        literals.parse("-" * 100_000 + "1")


@pytest.mark.parametrize(("text", "ids"), [("12,17", [12, 17]), ("12", [12]), ("[12, 17]", [12, 17]),
                                           (" 3 , 4 ,", [3, 4]), ("", [])])
def test_ids(text: str, ids: list[int]) -> None:
    assert literals.ids(text) == ids


@pytest.mark.parametrize("text", ["1,two", "[1, 'two']", "[True]", "1.5", "{1: 2}"])
def test_bad_ids(text: str) -> None:
    with pytest.raises(literals.LiteralError):
        literals.ids(text)
