"""The Dockerfile, docker-compose.yml and deploy/nginx.conf, checked without a Docker engine.

- the compose file is validated by `docker-compose config` (Debian's docker-compose package;
  run-tests installs it when apt can);
- the image's entry command (ENTRYPOINT + CMD; on PostgreSQL, ENTRYPOINT + the compose app's
  command) runs here, with a temporary data directory and a free port instead of the image's:
  it answers, a demo /start works, its HEALTHCHECK command succeeds, and SIGTERM stops it with
  exit code 0;
- nginx (when installed) accepts deploy/nginx.conf (`nginx -t`) and proxies calls to that
  server; without nginx, the proxy directives are checked in the text.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import PG_URL, drop_demo_databases, drop_pg_database, free_port, require_backend

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
IMAGE_PORT = "8069"


# -- the Dockerfile ---------------------------------------------------------------------------------

def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments left out."""
    joined, found = "", []
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if not joined and (not line.strip() or line.lstrip().startswith("#")):
            continue
        joined += line.rstrip().removesuffix("\\") + " " if line.rstrip().endswith("\\") else line.strip()
        if not line.rstrip().endswith("\\"):
            word, _, rest = joined.strip().partition(" ")
            found.append((word.upper(), rest.strip()))
            joined = ""
    return found


def instruction(name: str) -> str:
    values = [rest for word, rest in instructions() if word == name]
    assert len(values) == 1, f"{name}: {values}"
    return values[0]


def exec_form(text: str) -> list[str]:
    value = json.loads(text)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), text
    return value


def healthcheck() -> list[str]:
    options, _, command = instruction("HEALTHCHECK").partition(" CMD ")
    assert re.fullmatch(r"(--[a-z-]+=\S+\s*)+", options), options
    return exec_form(command)


def compose() -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return config


def test_the_image_is_slim_unprivileged_and_installs_the_package() -> None:
    assert instruction("FROM") == "python:3.11-slim"
    assert instruction("USER") not in ("", "root", "0")
    runs = [rest for word, rest in instructions() if word == "RUN"]
    installs = [run for run in runs if "pip install" in run]
    assert installs == ["pip install . && cd / && rm -rf /build"]
    assert exec_form(instruction("VOLUME")) == ["/data"]
    assert exec_form(instruction("ENTRYPOINT")) == ["odoorpc-server", "serve"]
    assert healthcheck()[0] == "python" and "curl" not in instruction("HEALTHCHECK")
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "tests", "odoorpc-data"} <= set(ignored)


# -- the entry command, outside docker ---------------------------------------------------------------

def substituted(command: list[str], replace: dict[str, str], append: list[str]) -> list[str]:
    """`command` with the values of the options in `replace` changed (each must be there)."""
    out = list(command)
    for option, value in replace.items():
        assert option in out, f"{option} missing from {command}"
        out[out.index(option) + 1] = value
    return out + append


def entry_command(backend: str, data_dir: Path, port: int, database: str) -> list[str]:
    """What the container runs: ENTRYPOINT + CMD on SQLite, ENTRYPOINT + the compose app's
    command on PostgreSQL; our data dir, port, PostgreSQL and database name instead of theirs."""
    entry = exec_form(instruction("ENTRYPOINT"))
    replace = {"--data-dir": str(data_dir), "--port": str(port)}
    if backend == "sqlite":
        args = exec_form(instruction("CMD"))
        append = ["--database", database]
    else:
        args = compose()["services"]["app"]["command"]
        replace |= {"--db-url": PG_URL, "--database": database, "--public-url": f"http://127.0.0.1:{port}"}
        append = []
    return [str(BIN / entry[0]), *substituted(entry[1:] + args, replace, append)]


def health(port: int) -> subprocess.CompletedProcess[str]:
    command = [sys.executable if part == "python" else part.replace(f":{IMAGE_PORT}/", f":{port}/")
               for part in healthcheck()]
    return subprocess.run(command, capture_output=True, text=True, timeout=30)


def wait_answering(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        assert proc.poll() is None, f"the entry command exited: {log.read_text()}"
        try:
            xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").version()
            return
        except OSError:
            assert time.monotonic() < deadline, f"the entry command did not answer: {log.read_text()}"
            time.sleep(0.2)


class Entry:
    def __init__(self, backend: str, tmp: Path) -> None:
        self.backend, self.port, self.db = backend, free_port(), f"t{uuid.uuid4().hex[:10]}"
        self.url, self.log = f"http://127.0.0.1:{self.port}", tmp / "entry.log"
        self.command = entry_command(backend, tmp / "data", self.port, self.db)
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(self.command, stdout=out, stderr=subprocess.STDOUT)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        if self.backend == "postgresql":
            drop_pg_database(self.db)
            drop_demo_databases(self.db)


@pytest.fixture()
def entry(backend: str, tmp_path: Path) -> Iterator[Entry]:
    require_backend(backend)
    running = Entry(backend, tmp_path)
    try:
        wait_answering(running.proc, running.url, running.log)
        yield running
    finally:
        running.close()


def test_the_entry_command_serves_checks_healthy_and_stops_on_sigterm(entry: Entry) -> None:
    info = xmlrpc.client.ServerProxy(f"{entry.url}/start").start()
    common = xmlrpc.client.ServerProxy(f"{info['host']}/xmlrpc/2/common")
    assert common.authenticate(info["database"], info["user"], info["password"], {}) == 2
    checked = health(entry.port)
    assert checked.returncode == 0, checked.stderr
    entry.proc.send_signal(signal.SIGTERM)
    assert entry.proc.wait(15) == 0, entry.log.read_text()
    assert health(entry.port).returncode == 1  # the check fails once nothing answers


# -- docker-compose ------------------------------------------------------------------------------

def docker_compose() -> str:
    found = shutil.which("docker-compose")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("docker-compose is required under CI (run-tests installs Debian's package)")
        pytest.skip("docker-compose is not installed and could not be (Debian package docker-compose)")
    return found


def test_docker_compose_validates_the_compose_file() -> None:
    tool = docker_compose()
    run = [tool, "--project-directory", str(ROOT), "-f", str(ROOT / "docker-compose.yml"), "config"]
    checked = subprocess.run(run, capture_output=True, text=True, timeout=120, env={**os.environ, "PUBLIC_URL": ""})
    assert checked.returncode == 0, checked.stderr
    services = subprocess.run([*run, "--services"], capture_output=True, text=True, timeout=120)
    assert sorted(services.stdout.split()) == ["app", "db", "nginx"]
    rendered = yaml.safe_load(checked.stdout)["services"]
    assert rendered["db"]["healthcheck"]["test"] == ["CMD-SHELL", "pg_isready -U odoorpc -d postgres"]
    assert rendered["app"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert rendered["nginx"]["depends_on"] == {"app": {"condition": "service_healthy"}}
    command = rendered["app"]["command"]
    for option in ("--db-url", "--workers", "--public-url", "--demo-ttl", "--demo-max"):
        assert option in command
    assert "PGPASSWORD" in rendered["app"]["environment"]
    assert not any("PASSWORD" in part.upper() or ":" in part.split("@")[0].removeprefix("postgresql+psycopg://")
                   for part in command if part.startswith("postgresql"))  # no password on the command line
    assert any(v.startswith("pgdata:") for v in rendered["db"]["volumes"])
    assert f"{ROOT / 'deploy' / 'nginx.conf'}:/etc/nginx/conf.d/default.conf:ro" in rendered["nginx"]["volumes"]


# -- nginx -----------------------------------------------------------------------------------------

PROXY_DIRECTIVES = ("proxy_pass http://odoorpc;", "proxy_request_buffering on;", "proxy_buffering on;",
                    "client_max_body_size 70m;", "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
                    "proxy_set_header X-Forwarded-Proto $scheme;", "proxy_set_header Host $http_host;",
                    "server app:8069 fail_timeout=0;")


def nginx_config(tmp: Path, app_port: int, port: int) -> Path:
    """deploy/nginx.conf inside a main configuration of its own (pid, logs and temp files in
    `tmp`), the upstream being the server on `app_port` and nginx listening on `port`."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = site.replace("server app:8069 ", f"server 127.0.0.1:{app_port} ").replace(
        "listen 80 ", f"listen 127.0.0.1:{port} ")
    (tmp / "site.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = (f"{user}pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\nevents {{}}\nhttp {{\n"
            f"  access_log {tmp}/access.log;\n  client_body_temp_path {tmp}/body;\n  proxy_temp_path {tmp}/proxy;\n"
            f"  fastcgi_temp_path {tmp}/fastcgi;\n  uwsgi_temp_path {tmp}/uwsgi;\n  scgi_temp_path {tmp}/scgi;\n"
            f"  include {tmp}/site.conf;\n}}\n")
    (tmp / "nginx.conf").write_text(main)
    return tmp / "nginx.conf"


def test_the_nginx_config_has_the_proxy_directives() -> None:
    text = " ".join((ROOT / "deploy" / "nginx.conf").read_text().split())
    for directive in PROXY_DIRECTIVES:
        assert directive in text


def test_nginx_accepts_the_config_and_proxies_to_the_server(entry: Entry, tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is required under CI (run-tests installs Debian's package)")
        pytest.skip("nginx is not installed (the directives are checked by the test above)")
    port = free_port()
    config = nginx_config(tmp_path, entry.port, port)
    checked = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(config)], capture_output=True, text=True,
                             timeout=60)
    assert checked.returncode == 0 and "syntax is ok" in checked.stderr, checked.stderr
    proc = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(config), "-g", "daemon off;"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_answering(proc, url, tmp_path / "error.log")
        info = xmlrpc.client.ServerProxy(f"{url}/start").start()
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
        assert common.authenticate(info["database"], "admin", info["password"], {}) == 2
    finally:
        proc.terminate()
        proc.wait(15)
