"""XML-RPC requests a stock `xmlrpc.client` cannot send: integers beyond 32 bits (as `<i8>`, which
Java and other clients emit), so that tests can see what the server answers to them."""
from __future__ import annotations

import http.client
import urllib.parse
import xmlrpc.client
from typing import Any

from conftest import Client


def _dump_i8(m: xmlrpc.client.Marshaller, value: int, write: Any) -> None:
    write("<value><i8>")
    write(str(int(value)))
    write("</i8></value>\n")


class I8Marshaller(xmlrpc.client.Marshaller):
    dispatch: dict[Any, Any] = {**xmlrpc.client.Marshaller.dispatch, int: _dump_i8}  # type: ignore[assignment]


def call(url: str, method: str, *params: Any) -> Any:
    """One XML-RPC call with every int sent as `<i8>`; a fault is raised as xmlrpc.client.Fault."""
    body = I8Marshaller("utf-8", allow_none=False).dumps(params)
    request = f"<?xml version='1.0'?>\n<methodCall>\n<methodName>{method}</methodName>\n{body}</methodCall>\n"
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request("POST", parts.path, request.encode(), {"Content-Type": "text/xml"})
        answer = conn.getresponse().read()
    finally:
        conn.close()
    return xmlrpc.client.loads(answer)[0][0]


def execute_i8(client: Client, model: str, method: str, *args: Any, uid: int | None = None, **kwargs: Any) -> Any:
    return call(f"{client.url}/xmlrpc/2/object", "execute_kw", client.db, client.uid if uid is None else uid,
                client.password, model, method, list(args), kwargs)
