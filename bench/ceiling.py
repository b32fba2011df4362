"""The ceiling of bench_ratio.py: a bare WSGI app on the same gunicorn, which only parses the
request the way the protocol must (XML-RPC or JSON) and answers a canned copy of our own answer
to it. Whatever our server does beyond that is what the ratio measures.

The canned answers come from the JSON file named by BENCH_CANNED: {path: {request body (text):
[content type, answer body (text)]}}.
"""
from __future__ import annotations

import json
import os
import xmlrpc.client
from collections.abc import Callable, Iterable
from typing import Any

CANNED: dict[str, dict[str, list[str]]] = json.loads(open(os.environ["BENCH_CANNED"], encoding="utf-8").read())


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    ctype = environ.get("CONTENT_TYPE", "")
    if "xml" in ctype:
        xmlrpc.client.loads(body)  # the parse every XML-RPC server pays
    elif body:
        json.loads(body)
    found = CANNED.get(environ["PATH_INFO"], {}).get(body.decode("utf-8"))
    if found is None:
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "0")])
        return [b""]
    answer = found[1].encode("utf-8")
    start_response("200 OK", [("Content-Type", found[0]), ("Content-Length", str(len(answer)))])
    return [answer]
