"""The db service over either wire, with one shape for its faults, so that a test runs the same
steps over XML-RPC (/xmlrpc/2/db) and JSON-RPC (/jsonrpc) and compares what clients see."""
from __future__ import annotations

import uuid
import xmlrpc.client
from typing import Any

from jsonwire import rpc

WIRES = ("xmlrpc", "jsonrpc")
HOUSTON = ("Houston, we have a database naming issue! Make sure you only use letters, numbers, underscores, "
           "hyphens, or dots in the database name, and you'll be golden.")
DENIED = ("odoo.exceptions.AccessDenied", "Access Denied")


class Refused(Exception):
    """A fault: the exception's name as Odoo's serializers give it (builtins without prefix),
    and its message."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(name, message)
        self.name, self.message = name, message

    @property
    def pair(self) -> tuple[str, str]:
        return self.name, self.message


def from_fault(f: xmlrpc.client.Fault) -> Refused:
    if f.faultCode == 3:
        return Refused("odoo.exceptions.AccessDenied", f.faultString)
    assert f.faultCode == 1, (f.faultCode, f.faultString)
    name, _, message = f.faultString.rstrip("\n").splitlines()[-1].partition(": ")
    return Refused(name, message)


class Db:
    """`db(method, *args)`: the service's answer, or `Refused`."""

    def __init__(self, url: str, wire: str) -> None:
        self.url, self.wire = url, wire

    def __call__(self, method: str, *args: Any) -> Any:
        if self.wire == "xmlrpc":
            try:
                return getattr(xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/db", allow_none=True), method)(*args)
            except xmlrpc.client.Fault as f:
                raise from_fault(f) from None
        envelope = rpc(self.url, "db", method, *args)
        if "error" in envelope:
            data = envelope["error"]["data"]
            raise Refused(data["name"].removeprefix("builtins."), data["message"])
        return envelope.get("result")

    def refused(self, method: str, *args: Any) -> tuple[str, str]:
        """The (name, message) of the fault the call must answer."""
        try:
            answer = self(method, *args)
        except Refused as error:
            return error.pair
        raise AssertionError(f"{method}{args!r} answered {answer!r} instead of a fault")


def new_name(prefix: str = "d") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"
