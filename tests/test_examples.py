"""The examples under examples/ run their own pytest suites (with the plugin) on each backend."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import PG_URL, require_backend

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_contact_sync_suite(backend: str) -> None:
    require_backend(backend)
    extra = ["--odoo-db-url", PG_URL] if backend == "postgresql" else []
    env = {k: v for k, v in os.environ.items() if k != "ODOORPC_DB_URL"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra],
                          cwd=EXAMPLES / "contact_sync", capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^7 passed", done.stdout, re.M), done.stdout
