"""The pytest plugin's costs: its server's start-up, and a fresh database per test, per backend.

usage: .venv/bin/python bench/bench_fresh_db.py [--db sqlite,postgresql] [-n 30]

- start-up: from launching the plugin's `odoorpc-server serve` (the `odoo_server` fixture's
  start: a new template database, one worker) to its first `version()` answer, then to the
  template's first `authenticate` (the fixture is ready); the median of 3 starts.
- fresh database: the template cloned by `duplicate_database`, waited for; then the test's
  first call (an `authenticate` and a `search_count` as
  a user's code makes them, the copy's registry already built from the template's); then the
  drop after the test. Medians and 90th percentiles of `n` rounds, each timed from the client.
- the `odoo` fixture's wait as tests see it: on PostgreSQL the next clone is made while a test
  runs and the drop is in the background, so a test of `--body-ms` waits only for what of its
  clone is not done yet (on SQLite the clone is made when asked).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import xmlrpc.client
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import PG_URL, postgres_available  # noqa: E402
from odoorpc_server.pytest_plugin import OdooServer, start_server  # noqa: E402


def startup(backend: str) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        server = start_server(Path(tmp), PG_URL if backend == "postgresql" else None)
        answered = time.perf_counter() - started
        server.uid_of(server.template)
        ready = time.perf_counter() - started
        server.stop()
    return answered, ready


def fresh(server: OdooServer, rounds: int) -> dict[str, list[float]]:
    """The costs of one fresh database, step by step, each waited for (no spare clone)."""
    times: dict[str, list[float]] = {"clone": [], "first call": [], "drop": []}
    for _ in range(rounds):
        started = time.perf_counter()
        name = server._duplicate(server.template)
        times["clone"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        first_call(server, name)
        times["first call"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        server.drop(name)
        times["drop"].append((time.perf_counter() - started) * 1000)
    return times


def fixture_waits(server: OdooServer, rounds: int, body_ms: float) -> list[float]:
    """What a test waits for its `odoo` database as the fixture gives it (a spare clone made
    while the test before ran, the drop after it in the background), tests `body_ms` long."""
    waits = []
    for _ in range(rounds):
        started = time.perf_counter()
        name = server.clone(False)[0]
        waits.append((time.perf_counter() - started) * 1000)
        first_call(server, name)
        time.sleep(body_ms / 1000)
        server.drop_later(name)
    return waits[1:]  # the first has no spare before it


def first_call(server: OdooServer, name: str) -> None:
    """A user's code's first calls in a database: an authenticate and a search_count."""
    uid = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/common").authenticate(name, "admin", "admin", {})
    xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object").execute_kw(
        name, uid, "admin", "res.partner", "search_count", [[]])


def p90(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.9) - 1] if len(values) >= 10 else max(values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("-n", type=int, default=30)
    parser.add_argument("--body-ms", type=float, default=100.0, help="how long each simulated test runs")
    args = parser.parse_args()
    for backend in [b.strip() for b in args.db.split(",") if b.strip()]:
        if backend == "postgresql" and not postgres_available():
            print("postgresql: not reachable, skipped")
            continue
        starts = [startup(backend) for _ in range(3)]
        print(f"{backend}: start-up to first answer {statistics.median(s[0] for s in starts):.2f} s, "
              f"to a ready template {statistics.median(s[1] for s in starts):.2f} s")
        with tempfile.TemporaryDirectory() as tmp:
            server = start_server(Path(tmp), PG_URL if backend == "postgresql" else None)
            try:
                server.uid_of(server.template)
                for step, values in fresh(server, args.n).items():
                    print(f"  {step:<11} median {statistics.median(values):6.1f} ms   p90 {p90(values):6.1f} ms")
                waits = fixture_waits(server, args.n + 1, args.body_ms)
                print(f"  the odoo fixture's wait, tests of {args.body_ms:g} ms: median "
                      f"{statistics.median(waits):6.1f} ms   p90 {p90(waits):6.1f} ms")
            finally:
                server.stop()


if __name__ == "__main__":
    main()
