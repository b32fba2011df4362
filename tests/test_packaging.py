"""A plain, non-editable install serves: the wheel carries the package, its data files and the
Alembic revisions, so `pip install` of it into a fresh virtualenv, then `odoorpc-server serve`
from a directory that is not the source tree, answers over XML-RPC."""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import time
import tomllib
import xmlrpc.client
import zipfile
from pathlib import Path

import pytest

from conftest import PG_URL, drop_pg_database, free_port, require_backend

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_directory_is_packaged() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.relative_to(ROOT).parts[:-1]) for p in (ROOT / "odoorpc_server").rglob("__init__.py")}
    found |= {"odoorpc_server.migrations", "odoorpc_server.migrations.versions"}
    assert listed == found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "--disable-pip-version-check",
                    "-w", str(out), str(ROOT)], check=True, timeout=600)
    [built] = out.glob("odoorpc_server-*.whl")
    return built


def test_the_wheel_carries_migrations_and_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "odoorpc_server/migrations/env.py" in names
    assert "odoorpc_server/migrations/script.py.mako" in names
    assert {"odoorpc_server/migrations/head/sqlite.json", "odoorpc_server/migrations/head/postgresql.json"} <= names
    assert {f"odoorpc_server/migrations/versions/{p.name}" for p in (ROOT / "migrations" / "versions").glob("0*.py")} \
        <= names
    assert "odoorpc_server/data/models.json" in names and "odoorpc_server/data/countries.csv" in names


def test_an_installed_wheel_serves(backend: str, wheel: Path, tmp_path: Path) -> None:
    require_backend(backend)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    "--disable-pip-version-check", str(wheel)], check=True, timeout=300)
    # the dependencies come from the test environment's site-packages, after the venv's own
    own = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         check=True, capture_output=True, text=True).stdout.strip()
    Path(own, "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    where = subprocess.run([str(python), "-c", "import odoorpc_server; print(odoorpc_server.__file__)"],
                           check=True, capture_output=True, text=True, cwd=tmp_path).stdout.strip()
    assert where.startswith(str(venv))
    port, db = free_port(), f"wheel{os.getpid()}"
    cmd = [str(venv / "bin" / "odoorpc-server"), "serve", "--port", str(port), "--data-dir", str(tmp_path / "data"),
           "--database", db, "--password-rounds", "1000", "--master-password", "wheel-master"]
    if backend == "postgresql":
        cmd += ["--db-url", PG_URL]
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
    try:
        common = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/xmlrpc/2/common")
        deadline = time.time() + 60
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                assert common.version()["server_version"] == "17.0"
                break
            except OSError:
                assert time.time() < deadline, log.read_text()
                time.sleep(0.2)
        assert common.authenticate(db, "admin", "admin", {}) == 2
    finally:
        proc.terminate()
        proc.wait(30)
        if backend == "postgresql":
            drop_pg_database(db)
