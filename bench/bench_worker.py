"""What reading whole requests in the loop costs: the ceiling app (bench/ceiling.py, a canned answer
to `version`) on gunicorn's stock gthread worker and on ours (odoorpc_server.worker), side by side
in one run, with the same client processes, then the same with twelve clients trickling their heads
meanwhile (one byte a second), which on the stock worker take 12 of its 8 threads.

usage: .venv/bin/python bench/bench_worker.py [--seconds 3] [--clients 4] [--workers 1]

The figures to read are the ratios ours / stock: without tricklers, the loop's cost per request;
with them, whether the server answers at all (the stock worker answers nothing until they finish).
"""
from __future__ import annotations

import argparse
import http.client
import json
import socket
import tempfile
import threading
import time
import xmlrpc.client
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bench_ratio import Row, send, start_ceiling

WORKERS = {"stock gthread": "gthread", "odoorpc_server.worker": "odoorpc_server.worker.RequestBufferingWorker"}
VERSION = Row("version", "/xmlrpc/2/common", xmlrpc.client.dumps((), "version").encode(), "text/xml")


def trickle(port: int, stop: threading.Event) -> None:
    """A head sent one byte a second until `stop`; never completed."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        for byte in b"POST /xmlrpc/2/common HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"z" * 1000:
            if stop.wait(1.0):
                return
            sock.sendall(bytes([byte]))


def hammer(port: int, seconds: float) -> int:
    """`version` calls answered by one client process in `seconds`; a call waits no longer than that."""
    done, deadline = 0, time.perf_counter() + seconds
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=seconds)
    while time.perf_counter() < deadline:
        try:
            status, _body, _ctype = send(conn, VERSION)
        except (http.client.HTTPException, OSError):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=max(0.1, deadline - time.perf_counter()))
            continue
        done += status == 200
    conn.close()
    return done


def measure(pool: ProcessPoolExecutor, port: int, args: argparse.Namespace, tricklers: int) -> float:
    stop = threading.Event()
    threads = [threading.Thread(target=trickle, args=(port, stop)) for _ in range(tricklers)]
    for thread in threads:
        thread.start()
    time.sleep(1.5 if tricklers else 0)  # every trickler has sent its first byte
    try:
        return sum(pool.map(hammer, [port] * args.clients, [args.seconds] * args.clients)) / args.seconds
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    answer = xmlrpc.client.dumps(({"server_version": "17.0"},), methodresponse=True)
    with tempfile.TemporaryDirectory() as tmp, ProcessPoolExecutor(args.clients) as pool:
        canned = Path(tmp) / "canned.json"
        canned.write_text(json.dumps({VERSION.path: {VERSION.body.decode(): ["text/xml", answer]}}))
        rates: dict[tuple[str, int], float] = {}
        for label, worker_class in WORKERS.items():
            proc, port = start_ceiling(canned, args.workers, worker_class)
            try:
                for tricklers in (0, 12):
                    rates[label, tricklers] = measure(pool, port, args, tricklers)
            finally:
                proc.terminate()
                proc.wait(30)
    print(f"{args.workers} worker(s) x 8 threads, {args.clients} clients, {args.seconds:g} s per row")
    print(f"{'':28}{'stock gthread':>16}{'ours':>12}{'ours / stock':>14}")
    for tricklers in (0, 12):
        stock, ours = rates["stock gthread", tricklers], rates["odoorpc_server.worker", tricklers]
        ratio = f"{ours / stock:.2f}" if stock else "inf"
        print(f"{f'version, {tricklers} tricklers':28}{stock:>14.0f}/s{ours:>10.0f}/s{ratio:>14}")


if __name__ == "__main__":
    main()
