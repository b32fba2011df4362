"""Wrong passwords as a denial of service: a right call's latency alone, and while 16 client
threads send wrong passwords as fast as they can, with the login cooldown on and off.

usage: .venv/bin/python bench/bench_wrong_passwords.py [--db sqlite|postgresql] [-n 40] [--attackers 16]

Starts a real server per setting (Odoo's 600 000 pbkdf2 rounds, one worker process of 8
threads). The right call is an `execute_kw` whose credentials the server verified before (the
usual case of an integration); "first login" is a user whose password was never verified yet,
from another address than the attackers'. The figures under attack are taken once the attack
is steady (with the cooldown: once the attackers are refused by it) and count only that
window. Milliseconds, measured in one run; client and server share the machine's CPUs.
"""
from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import tempfile
import threading
import time
import xmlrpc.client
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import start_server, stop_server  # noqa: E402


class From(xmlrpc.client.Transport):
    """Calls from another loopback address than the attackers' 127.0.0.1."""

    def make_connection(self, host: str) -> http.client.HTTPConnection:  # type: ignore[override]
        conn = super().make_connection(host)
        conn.source_address = ("127.0.0.2", 0)
        return conn  # type: ignore[return-value]


def latencies(fn: Callable[[], Any], n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered):8.1f}   p95 {p95:8.1f}   max {ordered[-1]:8.1f}"


class Attack:
    """Threads sending wrong passwords for the administrator on execute_kw."""

    def __init__(self, url: str, db: str, threads: int, cooldown: bool) -> None:
        self.url, self.db, self.threads, self.cooldown = url, db, threads, cooldown
        self.stop = threading.Event()
        self.answers: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.workers = [threading.Thread(target=self.run, args=(i,), daemon=True) for i in range(threads)]

    def run(self, i: int) -> None:
        models = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/object")
        n = 0
        while not self.stop.is_set():
            n += 1
            try:
                models.execute_kw(self.db, 2, f"wrong-{i}-{n}", "res.partner", "search_count", [[]], {})
                answer = "accepted?!"
            except xmlrpc.client.Fault as f:
                answer = f.faultString.split(",")[0]
            except OSError as error:
                answer = type(error).__name__
            with self.lock:
                self.answers[answer] += 1

    def __enter__(self) -> Attack:
        begin = time.perf_counter()
        for t in self.workers:
            t.start()
        time.sleep(2.0)
        self.cooldown_after = None
        while self.cooldown and time.perf_counter() - begin < 120:  # steady state: refusals only
            with self.lock:
                if self.answers["Too many login failures"] >= 100:
                    self.cooldown_after = time.perf_counter() - begin
                    break
            time.sleep(0.1)
        with self.lock:
            self.answers.clear()
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.elapsed = time.perf_counter() - self.started
        self.stop.set()
        for t in self.workers:
            t.join(30)


def measure(db_kind: str, cooldown: bool, n: int, attackers: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        srv = start_server(Path(tmp), db_kind, ["--password-rounds", "600000", "--workers", "1",
                                                "--login-cooldown-after", "5" if cooldown else "0"])
        try:
            models = xmlrpc.client.ServerProxy(f"{srv.url}/xmlrpc/2/object")
            admin = xmlrpc.client.ServerProxy(f"{srv.url}/xmlrpc/2/common").authenticate(srv.db, "admin", "admin", {})

            def right() -> Any:
                return models.execute_kw(srv.db, admin, "admin", "res.partner", "search_count", [[]], {})

            logins = [models.execute_kw(srv.db, admin, "admin", "res.users", "create",
                                        [{"name": f"b{i}", "login": f"bench{i}", "password": f"pw{i}"}], {})
                      for i in range(2 * max(1, n // 4))]
            firsts = iter(range(len(logins)))
            common = xmlrpc.client.ServerProxy(f"{srv.url}/xmlrpc/2/common", transport=From())
            outcomes: Counter[str] = Counter()

            def first_login() -> None:
                i = next(firsts)
                uid = common.authenticate(srv.db, f"bench{i}", f"pw{i}", {})
                outcomes["ok" if uid == logins[i] else "refused"] += 1

            result: dict[str, Any] = {"alone": latencies(right, n)}
            result["first login alone"] = latencies(first_login, max(1, n // 4))
            with Attack(srv.url, srv.db, attackers, cooldown) as attack:
                result["under attack"] = latencies(right, n)
                outcomes.clear()
                result["first login under attack"] = latencies(first_login, max(1, n // 4))
            result["first logins accepted under attack"] = f"{outcomes['ok']}/{sum(outcomes.values())}"
            result["wrong passwords answered /s"] = sum(attack.answers.values()) / attack.elapsed
            result["answers"] = dict(attack.answers)
            result["cooldown after"] = attack.cooldown_after
            return result
        finally:
            stop_server(srv)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("-n", type=int, default=40)
    parser.add_argument("--attackers", type=int, default=16)
    args = parser.parse_args()
    for cooldown in (True, False):
        r = measure(args.db, cooldown, args.n, args.attackers)
        print(f"--- {args.db}, cooldown {'on (5 failures, 60 s)' if cooldown else 'off'}, "
              f"{args.attackers} attacking threads")
        for label in ("alone", "under attack", "first login alone", "first login under attack"):
            print(f"  {('right call, ' + label) if 'first' not in label else label:38s} {summary(r[label])} ms")
        if cooldown:
            onset = r["cooldown after"]
            print(f"  cooldown in force after {onset:.1f} s of attack" if onset else "  cooldown not reached in 120 s")
        print(f"  first logins accepted under attack: {r['first logins accepted under attack']}")
        print(f"  wrong passwords answered: {r['wrong passwords answered /s']:.0f}/s  {r['answers']}")
        ratio = statistics.median(r["under attack"]) / statistics.median(r["alone"])
        print(f"  ratio median under attack / alone: {ratio:6.1f}x")


if __name__ == "__main__":
    main()
