"""What a newcomer sees when starting the server: a port in use is one clear line before any
banner, the banner names the login and password only when this start created them, and
`--access-log` writes a line per request carrying the pid of the process that answered."""
from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import uuid
import xmlrpc.client
from pathlib import Path

from conftest import free_port

SERVE = [sys.executable, "-m", "odoorpc_server", "serve", "--host", "127.0.0.1", "--password-rounds", "1000",
         "--master-password", "cli-master"]


def start(tmp: Path, port: int, *extra: str) -> tuple[subprocess.Popen[str], Path]:
    out = tmp / f"out-{uuid.uuid4().hex[:6]}.txt"
    with out.open("w") as sink:
        proc = subprocess.Popen([*SERVE, "--port", str(port), "--data-dir", str(tmp), "--database", "cli", *extra],
                                stdout=sink, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 60
    while True:
        assert proc.poll() is None, out.read_text()
        try:
            xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/xmlrpc/2/common").version()
            return proc, out
        except OSError:
            assert time.time() < deadline, out.read_text()
            time.sleep(0.1)


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    proc.wait(30)


def test_a_port_in_use_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([*SERVE, "--port", str(port), "--data-dir", str(tmp_path), "--database", "cli"],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (f"odoorpc-server: cannot listen on 127.0.0.1:{port}: the port is already in use "
                           "(is another server running? choose another with --port)\n")
    assert not (tmp_path / "cli.sqlite3").exists()  # nothing was set up


def test_the_banner_names_credentials_only_when_it_created_them(tmp_path: Path) -> None:
    port = free_port()
    proc, out = start(tmp_path, port)
    stop(proc)
    first = out.read_text()
    assert "created database 'cli'" in first and "login: admin  password: admin" in first
    proc, out = start(tmp_path, port)
    stop(proc)
    again = out.read_text()
    assert "existing database 'cli'" in again and "password: admin" not in again


def test_access_log_names_the_answering_process(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "access.log"
    proc, _ = start(tmp_path, port, "--access-log", str(log), "--workers", "2")
    try:
        for _ in range(3):
            xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/xmlrpc/2/common").version()
    finally:
        stop(proc)
    lines = [line for line in log.read_text().splitlines() if '"POST /xmlrpc/2/common HTTP/1.1" 200' in line]
    assert len(lines) >= 3
    assert all(re.search(r" pid <\d+>$", line) for line in lines)
