"""Start-up: seconds from `odoorpc-server serve` being launched to its first answers, on an
existing database and on a fresh one, per backend; and the import time of the entry points.

usage: .venv/bin/python bench/bench_startup.py [--db sqlite,postgresql] [-n 3]

Each figure is the median of `n` starts measured in this run: the process is launched, then
polled every 10 ms with `version()` until it answers (the first answer), then `authenticate`
and a `read` of the administrator are timed from the same launch, and the CPU time the
server's processes used until then is read from /proc (the server's own work, which the wall
time exceeds when other programs share the CPUs). "fresh" starts on a database name never
used (create + base data + admin); "existing" restarts on the database the fresh start made.
The import figures are `python -X importtime` totals of one cold interpreter each.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import xmlrpc.client
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import PG_URL, drop_pg_database, free_port, postgres_available  # noqa: E402


def launch(data_dir: Path, db: str, backend: str) -> tuple[subprocess.Popen[bytes], str, float]:
    port = free_port()
    cmd = [sys.executable, "-m", "odoorpc_server", "serve", "--host", "127.0.0.1", "--port", str(port),
           "--data-dir", str(data_dir), "--database", db, "--password-rounds", "1000",
           "--master-password", "admin", "--login-cooldown-after", "0"]
    if backend == "postgresql":
        cmd += ["--db-url", PG_URL]
    start = time.perf_counter()
    with open(data_dir / "server.log", "ab") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}", start


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by process `pid` and its descendants (Linux /proc):
    what a start costs whatever else the machine runs at the same time."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def first_answers(data_dir: Path, db: str, backend: str) -> tuple[float, float, float]:
    """(seconds to the first version(), seconds to the first authenticate + read, CPU seconds
    the server used until then) of one start."""
    proc, url, start = launch(data_dir, db, backend)
    try:
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
        deadline = start + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {(data_dir / 'server.log').read_text()}")
            try:
                common.version()
                break
            except OSError:
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"server did not start: {(data_dir / 'server.log').read_text()}") from None
                time.sleep(0.01)
        version = time.perf_counter() - start
        uid = common.authenticate(db, "admin", "admin", {})
        models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object")
        models.execute_kw(db, uid, "admin", "res.users", "read", [[uid], ["login", "name"]])
        read = time.perf_counter() - start
        cpu = cpu_seconds(proc.pid)
    finally:
        proc.terminate()
        proc.wait(15)
    return version, read, cpu


def import_ms(module: str) -> float:
    """Cumulative import time of `module` in a new interpreter, in milliseconds."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                         capture_output=True, text=True, check=True).stderr
    total = 0
    for line in out.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\S+)$", line)
        if m and m.group(2) == module:
            total = int(m.group(1))
    return total / 1000


def run_backend(backend: str, n: int) -> None:
    fresh_v, fresh_r, fresh_c, existing_v, existing_r, existing_c = [], [], [], [], [], []
    for _ in range(n):
        data_dir = Path(tempfile.mkdtemp(prefix="bench-startup-"))
        db = f"b{uuid.uuid4().hex[:10]}"
        try:
            v, r, c = first_answers(data_dir, db, backend)
            fresh_v.append(v)
            fresh_r.append(r)
            fresh_c.append(c)
            v, r, c = first_answers(data_dir, db, backend)
            existing_v.append(v)
            existing_r.append(r)
            existing_c.append(c)
        finally:
            if backend == "postgresql":
                drop_pg_database(db)
            shutil.rmtree(data_dir, ignore_errors=True)
    med = statistics.median
    rows = (("existing db", existing_v, existing_r, existing_c), ("fresh db", fresh_v, fresh_r, fresh_c))
    for label, v, r, c in rows:
        print(f"{backend:<11} {label:<12} version {med(v):6.2f} s   authenticate+read {med(r):6.2f} s   "
              f"server CPU until then {med(c):5.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("-n", type=int, default=3, help="starts per figure (the median is printed)")
    args = parser.parse_args()
    print(f"start-up, median of {args.n} starts, cpus {os.cpu_count()}")
    for module in ("odoorpc_server.cli", "odoorpc_server.wsgi", "sqlalchemy", "alembic"):
        print(f"import {module:<22} {import_ms(module):7.0f} ms")
    for backend in [b.strip() for b in args.db.split(",") if b.strip()]:
        if backend == "postgresql" and not postgres_available():
            print("postgresql  not reachable, skipped")
            continue
        run_backend(backend, args.n)


if __name__ == "__main__":
    main()
