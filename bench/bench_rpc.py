"""Throughput of typical XML-RPC calls, and the cost of a cold vs warm credential cache.

usage: .venv/bin/python bench/bench_rpc.py [--db sqlite|postgresql] [-n 200]

Starts a real server (demo data, Odoo's 600 000 pbkdf2 rounds) and reports milliseconds per
call; the interesting figures are the ratios printed at the end, measured in the same run.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import xmlrpc.client
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import start_server, stop_server  # noqa: E402


def timed(fn: Callable[[], Any], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) * 1000 / n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("-n", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        srv = start_server(Path(tmp), args.db, ["--demo", "--password-rounds", "600000"])
        try:
            run(srv.url, srv.db, args.n)
        finally:
            stop_server(srv)


def run(url: str, db: str, n: int) -> None:
    common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
    models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object")
    # the admin password was hashed at start with 600 000 rounds: the first check pays for it
    start = time.perf_counter()
    uid = common.authenticate(db, "admin", "admin", {})
    cold = (time.perf_counter() - start) * 1000

    def x(model: str, method: str, *a: Any, **kw: Any) -> Any:
        return models.execute_kw(db, uid, "admin", model, method, list(a), kw)

    results = {
        "version (no auth, no db)": timed(lambda: common.version(), n),
        "search_count (auth + 1 query)": timed(lambda: x("res.partner", "search_count", []), n),
        "search_read 80 partners, 5 fields": timed(
            lambda: x("res.partner", "search_read", [], fields=["name", "email", "country_id", "category_id",
                                                                 "parent_id"], limit=80), n),
        "read 1 partner, all fields": timed(lambda: x("res.partner", "read", [3]), n),
        "create + unlink partner": timed(lambda: x("res.partner", "unlink", [x("res.partner", "create",
                                                                              {"name": "Bench"})]), n // 2),
        "name_search 'a'": timed(lambda: x("res.partner", "name_search", "a"), n),
    }
    wizard = x("res.users.apikeys.description", "create", {"name": "bench"})
    key = x("res.users.apikeys.description", "make_key", [wizard])["context"]["default_key"]
    start = time.perf_counter()
    models.execute_kw(db, uid, key, "res.partner", "search_count", [[]], {})
    cold_key = (time.perf_counter() - start) * 1000
    results["search_count with an API key (warm)"] = timed(
        lambda: models.execute_kw(db, uid, key, "res.partner", "search_count", [[]], {}), n)
    warm = results["search_count (auth + 1 query)"]
    print(f"authenticate, cold credential cache: {cold:8.2f} ms")
    print(f"first call with an API key (cold):   {cold_key:8.2f} ms")
    for label, ms in results.items():
        print(f"{label:38s} {ms:8.2f} ms/call")
    print(f"ratio cold auth / warm authenticated call: {cold / warm:6.1f}x")
    print(f"ratio cold API-key call / warm API-key call: "
          f"{cold_key / results['search_count with an API key (warm)']:6.1f}x")


if __name__ == "__main__":
    main()
