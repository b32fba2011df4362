"""Calls per second of our server against the ceiling, measured side by side in one run.

usage: .venv/bin/python bench/bench_ratio.py [--db sqlite|postgresql] [--seconds 3] [--clients 4]
                                             [--workers 2] [--rounds 3] [--only LABEL]

The ceiling (bench/ceiling.py) is a bare WSGI app on the same gunicorn with the same worker
count, which parses each request as its protocol must and answers our own answer to it, canned.
Both get the same requests from the same client processes (persistent connections), one row at
a time, in alternating slices (ceiling, ours, ceiling, ours...: `--rounds` of each, `--seconds`
per side in all), so that the machine's load drifting during a row weighs on both. The ratio
ours / ceiling is the figure to read; the calls per second move with the machine's load, the
ratio much less. The server answers as 19.0 so that JSON-2 is there;
XML-RPC and JSON-RPC answer the same as under 17.0.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import xmlrpc.client
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import free_port, start_server, stop_server  # noqa: E402

HERE = Path(__file__).resolve().parent
FIELDS5 = ["name", "email", "phone", "city", "country_id"]
FIELDS8 = [*FIELDS5, "street", "zip", "is_company"]


@dataclass
class Row:
    label: str
    path: str
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


def xmlrpc_row(label: str, db: str, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Row:
    body = xmlrpc.client.dumps((db, 2, "admin", model, method, args, kwargs), "execute_kw").encode()
    return Row(label, "/xmlrpc/2/object", body, "text/xml")


def jsonrpc_row(label: str, db: str, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Row:
    body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
        "service": "object", "method": "execute_kw", "args": [db, 2, "admin", model, method, args, kwargs]}})
    return Row(label, "/jsonrpc", body.encode(), "application/json")


def json2_row(label: str, db: str, key: str, model: str, method: str, params: dict[str, Any]) -> Row:
    return Row(label, f"/json/2/{model}/{method}", json.dumps(params).encode(), "application/json",
               {"Authorization": f"bearer {key}", "X-Odoo-Database": db})


def rows(db: str, key: str, pid: int) -> list[Row]:
    read1 = ([[pid], FIELDS5], {})
    sr80 = ([[]], {"fields": FIELDS8, "limit": 80})
    count = ([[("name", "ilike", "a")]], {})
    found: list[Row] = [Row("version", "/xmlrpc/2/common", xmlrpc.client.dumps((), "version").encode(), "text/xml")]
    for kind, make in (("xmlrpc", xmlrpc_row), ("jsonrpc", jsonrpc_row)):
        found += [make(f"{kind} read 1 x 5 fields", db, "res.partner", "read", *read1),
                  make(f"{kind} search_read 80 x 8 fields", db, "res.partner", "search_read", *sr80),
                  make(f"{kind} search_count ilike", db, "res.partner", "search_count", *count)]
    found += [json2_row("json2 read 1 x 5 fields", db, key, "res.partner", "read", {"ids": [pid], "fields": FIELDS5}),
              json2_row("json2 search_read 80 x 8 fields", db, key, "res.partner", "search_read",
                        {"domain": [], "fields": FIELDS8, "limit": 80}),
              json2_row("json2 search_count ilike", db, key, "res.partner", "search_count",
                        {"domain": [["name", "ilike", "a"]]})]
    for kind, make in (("xmlrpc", xmlrpc_row), ("jsonrpc", jsonrpc_row)):
        found.append(make(f"{kind} write 1 name", db, "res.partner", "write", [[pid], {"name": "Bench Written"}], {}))
    found.append(json2_row("json2 write 1 name", db, key, "res.partner", "write",
                           {"ids": [pid], "vals": {"name": "Bench Written"}}))
    for kind, make in (("xmlrpc", xmlrpc_row), ("jsonrpc", jsonrpc_row)):
        found.append(make(f"{kind} create", db, "res.partner", "create", [{"name": "Bench Created"}], {}))
    found.append(json2_row("json2 create", db, key, "res.partner", "create", {"vals_list": [{"name": "Bench"}]}))
    return found


def send(conn: http.client.HTTPConnection, row: Row) -> tuple[int, bytes, str]:
    conn.request("POST", row.path, row.body, {"Content-Type": row.content_type, **row.headers})
    response = conn.getresponse()
    return response.status, response.read(), response.getheader("Content-Type", "")


def hammer(port: int, row: Row, seconds: float) -> int:
    """Calls answered 200 by one client process in `seconds` (reconnecting when closed)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    done, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        try:
            status, _body, _ctype = send(conn, row)
        except (http.client.HTTPException, OSError):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        if status != 200:
            raise RuntimeError(f"{row.label}: HTTP {status}")
        done += 1
    conn.close()
    return done


def rate(pool: ProcessPoolExecutor, port: int, row: Row, clients: int, seconds: float) -> float:
    counts = list(pool.map(hammer, [port] * clients, [row] * clients, [seconds] * clients))
    return sum(counts) / seconds


def paired(pool: ProcessPoolExecutor, ports: tuple[int, int], row: Row,
           args: argparse.Namespace) -> tuple[float, float]:
    """(ceiling, ours) calls per second of one row, measured in `args.rounds` alternating slices
    of `args.seconds / args.rounds` each (ceiling, ours, ceiling, ours...), so that a change in
    the machine's load during the row weighs on both sides alike."""
    slice_ = args.seconds / args.rounds
    totals = [0.0, 0.0]
    for _ in range(args.rounds):
        for side, port in enumerate(ports):
            totals[side] += rate(pool, port, row, args.clients, slice_) / args.rounds
    return totals[0], totals[1]


def start_ceiling(canned: Path, workers: int, worker_class: str = "gthread") -> tuple[subprocess.Popen[bytes], int]:
    """The bare gunicorn app answering `canned`, on a free port; `worker_class` may be ours
    (bench_worker compares them), so the project is on the path."""
    port = free_port()
    env = {**os.environ, "BENCH_CANNED": str(canned), "PYTHONPATH": str(HERE.parent)}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class",
                             worker_class, "--threads", "8", "--bind", f"127.0.0.1:{port}", "--chdir", str(HERE),
                             "--log-level", "warning", "ceiling:app"], env=env)
    for _ in range(200):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"the ceiling app ({worker_class}) did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="alternating slices per row (each side)")
    parser.add_argument("--only", default=None, help="only the rows whose label contains this text")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        # without the access log, as `serve` runs by default and as the ceiling runs
        srv = start_server(Path(tmp), args.db, ["--demo", "--odoo-version", "19.0", "--workers", str(args.workers)],
                           access_log=False)
        try:
            measure(srv, Path(tmp), args)
        finally:
            stop_server(srv)


def measure(srv: Any, tmp: Path, args: argparse.Namespace) -> None:
    client = srv.client()
    wizard = client.x("res.users.apikeys.description", "create", {"name": "bench"})
    key = client.x("res.users.apikeys.description", "make_key", [wizard])["context"]["default_key"]
    pid = client.x("res.partner", "search", [("is_company", "=", True)], limit=1)[0]
    table = [row for row in rows(srv.db, key, pid) if args.only is None or args.only in row.label]
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    canned: dict[str, dict[str, list[str]]] = {}
    for row in table:
        status, body, ctype = send(conn, row)
        assert status == 200 and b"<fault>" not in body and b'"error"' not in body, (row.label, body[:300])
        canned.setdefault(row.path, {})[row.body.decode()] = [ctype, body.decode()]
    conn.close()
    (tmp / "canned.json").write_text(json.dumps(canned), encoding="utf-8")
    ceiling, cport = start_ceiling(tmp / "canned.json", args.workers)
    print(f"backend {args.db}, {args.clients} client processes, --workers {args.workers}, "
          f"{args.seconds:g} s per measure")
    print(f"{'call':34s} {'ceiling/s':>10s} {'ours/s':>9s} {'ratio':>6s}")
    try:
        with ProcessPoolExecutor(args.clients) as pool:
            for row in table:
                top, ours = paired(pool, (cport, srv.port), row, args)
                print(f"{row.label:34s} {top:10.0f} {ours:9.0f} {ours / top:6.2f}", flush=True)
    finally:
        ceiling.terminate()
        ceiling.wait(10)


if __name__ == "__main__":
    main()
