"""CPU time and SQL statements per call, in process: the WSGI application called directly.

usage: .venv/bin/python bench/profile_call.py [--db sqlite|postgresql] [--calls 300] [--only TEXT]
                                             [--profile LABEL [--sort tottime]]

No HTTP, no other process: the figure is what one call costs the worker (parse, call path,
SQL, render), which is what the ratio to the ceiling is made of: CPU µs (the least of a few
batches), SQL statements and Python function calls per call (the last two do not move with the
machine's load). `--profile LABEL` prints the
top of a cProfile of that row.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ratio import Row, rows  # noqa: E402

from conftest import start_server, stop_server  # noqa: E402
from odoorpc_server.settings import Settings  # noqa: E402
from odoorpc_server.wsgi import Application  # noqa: E402

BATCHES = 5
PROFILED = 50  # calls profiled per row: Python function calls per call, a figure load does not move


class Counter:
    """Counts the statements every engine executes (BEGIN/COMMIT are not statements here)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_args: Any) -> None:
        self.count += 1


def environ(row: Row) -> dict[str, Any]:
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in row.headers.items()}
    return {"REQUEST_METHOD": "POST", "PATH_INFO": row.path, "SERVER_NAME": "localhost", "SERVER_PORT": "8069",
            "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(row.body), "CONTENT_LENGTH": str(len(row.body)),
            "CONTENT_TYPE": row.content_type, "REMOTE_ADDR": "127.0.0.1", "wsgi.errors": sys.stderr, **headers}


def once(app: Application, row: Row) -> bytes:
    status: list[str] = []
    body = b"".join(app(environ(row), lambda s, h, *_: status.append(s)))
    assert status[0].startswith("200"), (row.label, status, body[:300])
    return body


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--profile", default=None)
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key of --profile")
    parser.add_argument("--only", default=None, help="rows whose label contains this")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        srv = start_server(Path(tmp), args.db, ["--demo", "--odoo-version", "19.0"])
        try:
            client = srv.client()
            wizard = client.x("res.users.apikeys.description", "create", {"name": "bench"})
            key = client.x("res.users.apikeys.description", "make_key", [wizard])["context"]["default_key"]
            pid = client.x("res.partner", "search", [("is_company", "=", True)], limit=1)[0]
            settings = Settings(data_dir=tmp, db_url=srv.db_url, database=srv.db,
                                version="19.0", password_rounds=1000)
            measure(Application(settings), rows(srv.db, key, pid), args)
        finally:
            stop_server(srv)


def measure(app: Application, table: list[Row], args: argparse.Namespace) -> None:
    counter = Counter()
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", counter)
    print(f"{'call':34s} {'µs CPU':>8s} {'µs wall':>8s} {'stmts':>6s} {'pycalls':>7s}")
    for row in table:
        if args.only and args.only not in row.label:
            continue
        for _ in range(20):
            once(app, row)
        counter.count = 0
        batches, walls = [], []
        for _ in range(BATCHES):  # the least of a few batches: other processes only add to it
            start, wall = time.process_time(), time.perf_counter()
            for _ in range(args.calls // BATCHES):
                once(app, row)
            batches.append((time.process_time() - start) / (args.calls // BATCHES) * 1e6)
            walls.append((time.perf_counter() - wall) / (args.calls // BATCHES) * 1e6)  # waits too: I/O, locks
        statements = counter.count / (args.calls // BATCHES * BATCHES)
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(PROFILED):
            once(app, row)
        prof.disable()
        stats = pstats.Stats(prof)
        calls = stats.total_calls / PROFILED  # type: ignore[attr-defined]
        print(f"{row.label:34s} {min(batches):8.0f} {min(walls):8.0f} {statements:6.1f} {calls:7.0f}", flush=True)
        if args.profile and args.profile == row.label:
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats(args.sort).print_stats(45)
            print(out.getvalue())


if __name__ == "__main__":
    main()
