"""The demo's `POST /start`: seconds per call (a template copy, a new admin password and the
bookkeeping), per backend, at the test rounds (1 000) and at Odoo's (600 000 pbkdf2 rounds).

usage: .venv/bin/python bench/bench_demo_start.py [--db sqlite,postgresql] [-n 10]

One demo server per backend and round count (`--demo --demo-max n`); `n` calls one after the
other, each followed by an `authenticate` with the answer (not timed); the median and the
slowest call are printed. The databases are dropped afterwards.
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
from conftest import postgres_available, start_server, stop_server  # noqa: E402


def measure(backend: str, rounds: int, n: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp), backend, ["--demo", "--demo-max", str(n), "--password-rounds", str(rounds)])
        try:
            proxy = xmlrpc.client.ServerProxy(f"{server.url}/start")
            common = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/common")
            times = []
            for _ in range(n):
                began = time.perf_counter()
                info = proxy.start()
                times.append(time.perf_counter() - began)
                assert common.authenticate(info["database"], "admin", info["password"], {}) == 2
            return times
        finally:
            stop_server(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("-n", type=int, default=10)
    args = parser.parse_args()
    for backend in args.db.split(","):
        if backend == "postgresql" and not postgres_available():
            print("postgresql: not reachable, skipped")
            continue
        for rounds in (1000, 600_000):
            times = measure(backend, rounds, args.n)
            print(f"{backend:10} rounds {rounds:>7}: /start median {statistics.median(times) * 1000:6.0f} ms, "
                  f"slowest {max(times) * 1000:6.0f} ms ({args.n} calls)")


if __name__ == "__main__":
    main()
