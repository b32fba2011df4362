"""Load with failures: 8 client processes run mixed create/write/unlink/search calls over
XML-RPC against `serve --workers 2` for LOAD_SECONDS, while one worker is killed with SIGKILL
and later the master reloads on SIGHUP. Afterwards the database must hold exactly what the
clients were told was committed, with no duplicate and no record nobody asked for; a call whose
answer was lost (the connection reset under it) may have committed or not, and is reported
apart; any answer other than a result, a clean Odoo fault or a lost connection fails the test.

The ledgers come from tests/loadclient.py (one per client process); the database is read back
as admin over the wire, on the same server, after gunicorn replaced the killed worker and then
every worker on reload.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import re
import signal
import time
import uuid
import xmlrpc.client
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import loadclient
from conftest import FreshConnection, Server, pg_conninfo, require_backend, start_server, stop_server

CLIENTS = 8
WORKERS = 2
LOAD_SECONDS = 30.0
KILL_AT = 10.0  # seconds into the load: SIGKILL to one worker
HUP_AT = 20.0  # seconds into the load: SIGHUP to the master
SPAWN_SECONDS = 2.0  # the client processes start together after this
CALL_TIMEOUT = 20.0  # a call unanswered for this long counts as a stuck worker (an error)
WAIT_SECONDS = 30.0  # bound on waiting for gunicorn to replace workers
# an error in the server's log: gunicorn's `[ERROR]`/`[CRITICAL]`, our ` ERROR `, a traceback
ERROR_LINE = re.compile(r"\[(ERROR|CRITICAL)\]| (ERROR|CRITICAL) |Traceback")


def children(pid: int) -> set[int]:
    """Live child processes of `pid` (the gunicorn master's workers), from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.add(int(entry.name))
    return found


def wait_workers(master: int, done: Callable[[set[int]], bool], what: str) -> set[int]:
    """The master's workers once `done(workers)` holds (bounded wait)."""
    deadline = time.time() + WAIT_SECONDS
    while not done(workers := children(master)):
        assert time.time() < deadline, f"{what}: workers are {sorted(workers)} after {WAIT_SECONDS} s"
        time.sleep(0.05)
    return workers


def sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.time()))


def admin(srv: Server) -> Callable[..., Any]:
    """A res.partner method call as admin, on a connection of its own (callable from threads)."""
    def call(method: str, *args: Any, **kwargs: Any) -> Any:
        proxy = xmlrpc.client.ServerProxy(f"{srv.url}/xmlrpc/2/object", transport=FreshConnection())
        return proxy.execute_kw(srv.db, 2, "admin", "res.partner", method, list(args), kwargs)
    return call


def run_load(srv: Server, prefix: str, tmp: Path) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Run the clients with the kill and the reload; the client outputs and the worker pids seen."""
    master = srv.proc.pid
    first = wait_workers(master, lambda w: len(w) == WORKERS, "start")
    ctx = multiprocessing.get_context("spawn")
    start = time.time() + SPAWN_SECONDS
    outs = [tmp / f"client-{i}.json" for i in range(CLIENTS)]
    procs = [ctx.Process(target=loadclient.run, args=(srv.url, srv.db, i, prefix, start, LOAD_SECONDS,
                                                      CALL_TIMEOUT, str(outs[i])))
             for i in range(CLIENTS)]
    for p in procs:
        p.start()
    try:
        sleep_until(start + KILL_AT)
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        respawned = wait_workers(master, lambda w: len(w) == WORKERS and victim not in w, "after SIGKILL")
        sleep_until(start + HUP_AT)
        os.kill(master, signal.SIGHUP)
        reloaded = wait_workers(master, lambda w: len(w) == WORKERS and not w & respawned, "after SIGHUP")
    finally:
        for p in procs:
            p.join(LOAD_SECONDS + CALL_TIMEOUT + WAIT_SECONDS)
    for p in procs:
        if p.is_alive():
            p.kill()
    assert [p.exitcode for p in procs] == [0] * CLIENTS
    pids = {"victim": victim, **{f"respawned {p}": p for p in respawned - first},
            **{f"reloaded {p}": p for p in reloaded}}
    return [json.loads(out.read_text()) for out in outs], pids


def lost_fates(ledger: list[dict[str, Any]], rows: dict[str, dict[str, Any]]) -> list[str]:
    """Each lost call and what the database says it did."""
    fates = []
    for e in ledger:
        if e["outcome"] != "lost":
            continue
        row = rows.get(e["marker"])
        if e["op"] == "create":
            fate = f"committed (id {row['id']})" if row else "not committed"
        elif e["op"] == "unlink":
            fate = "committed" if row is None else "not committed"
        elif e["op"] == "write":
            fate = "gone (its record was unlinked later)" if row is None else (
                "committed" if row["ref"] == e["value"] else f"not committed (holds {row['ref']})")
        else:
            fate = "read only"
        fates.append(f"lost {e['op']} {e['marker']} at {e['at']:.2f} s ({e['detail']}): {fate}")
    return fates


def check_database(outputs: list[dict[str, Any]], found: list[dict[str, Any]]) -> list[str]:
    """What the database holds against what the clients were told: the list of discrepancies."""
    wrong = []
    counts = Counter(r["name"] for r in found)
    wrong += [f"{name} exists {n} times" for name, n in counts.items() if n > 1]
    rows = {r["name"]: r for r in found}
    records = {rec["marker"]: rec for out in outputs for rec in out["records"]}
    sent = {e["marker"] for out in outputs for e in out["ledger"] if e["op"] == "create"}
    for name in rows.keys() - records.keys():
        wrong.append(f"{name} exists: {'its create faulted' if name in sent else 'no client sent it'}")
    for marker, rec in records.items():
        row = rows.get(marker)
        if row is None:
            if rec["exists"] == [True]:
                wrong.append(f"{marker} (id {rec['rid']}) acknowledged, missing")
            continue
        if rec["exists"] == [False]:
            wrong.append(f"{marker} (id {rec['rid']}) unlinked with an answer, still there")
        elif rec["rid"] is not None and row["id"] != rec["rid"]:
            wrong.append(f"{marker} has id {row['id']}, was told {rec['rid']}")
        elif row["ref"] != row["function"] or row["ref"] not in rec["values"]:
            wrong.append(f"{marker} holds {row['ref']!r}/{row['function']!r}, expected one of {rec['values']}")
    return wrong


def server_errors(srv: Server, victim: int) -> list[str]:
    """Error lines of the server's log (gunicorn's and ours) other than the kill we caused."""
    expected = f"Worker (pid:{victim}) was sent SIGKILL!"
    return [line for line in srv.log.read_text().splitlines()
            if ERROR_LINE.search(line) and expected not in line]


def open_pg_transactions(db: str) -> list[tuple[Any, ...]]:
    """Sessions on the test database inside a transaction, other than this one's."""
    import psycopg

    with psycopg.connect(pg_conninfo(), autocommit=True) as conn:
        return conn.execute("SELECT pid, state, left(query, 80) FROM pg_stat_activity WHERE datname = %s "
                            "AND pid <> pg_backend_pid() AND state <> 'idle'", [db]).fetchall()


def test_load_with_killed_worker_and_reload(backend: str, tmp_path: Path) -> None:
    require_backend(backend)
    srv = start_server(tmp_path, backend, ["--workers", str(WORKERS), "--statement-timeout", "10"])
    try:
        prefix = f"LD{uuid.uuid4().hex[:8]}"
        outputs, pids = run_load(srv, prefix, tmp_path)
        ledger = [e for out in outputs for e in out["ledger"]]

        # the server answers on every worker it now runs, all of them started by the reload
        call = admin(srv)
        domain = [("name", "=like", f"{prefix}-%")]
        reloaded = {p for k, p in pids.items() if k.startswith("reloaded")}
        skip = len(srv.answering_pids())
        srv.on_every_worker(WORKERS, lambda: call("search_count", domain))
        assert {int(p.strip("<>")) for p in srv.answering_pids(skip)} == reloaded

        found = call("search_read", domain, fields=loadclient.FIELDS, context={"active_test": False})
        rows = {r["name"]: r for r in found}
        summary = Counter((e["op"], e["outcome"]) for e in ledger)
        print(f"\n{backend}: {len(ledger)} calls by {CLIENTS} clients in {LOAD_SECONDS:.0f} s; workers {pids}")
        print("  " + ", ".join(f"{op} {outcome}: {n}" for (op, outcome), n in sorted(summary.items())))
        for line in lost_fates(ledger, rows):
            print("  " + line)
        for e in ledger:
            if e["outcome"] == "fault":
                print(f"  fault {e['op']} {e['marker']} at {e['at']:.2f} s: {e['detail']}")

        # every discrepancy at once (the first 20 of each kind): calls answered otherwise than
        # by a result, a fault or a lost connection; what the clients read back during the
        # load; what the database holds now
        errors = [f"{e['op']} {e['marker']} at {e['at']:.2f} s: {e['detail']}"
                  for e in ledger if e["outcome"] == "error"]
        live = [p for out in outputs for p in out["problems"]]
        wrong = check_database(outputs, found)
        assert {"errors": errors[:20], "live": live[:20], "database": wrong[:20]} == \
            {"errors": [], "live": [], "database": []}
        assert server_errors(srv, pids["victim"]) == []
        if backend == "postgresql":
            assert open_pg_transactions(srv.db) == []
        # nothing left holds a lock on the survivors: one write of all of them goes through
        ids = sorted(r["id"] for r in found)
        assert call("write", ids, {"function": "after"}) is True
        assert call("search_count", domain + [("function", "=", "after")]) == len(ids)
    finally:
        stop_server(srv)
