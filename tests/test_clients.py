"""Cross-language client tests: the seed document's examples, run by real XML-RPC clients.

Each script in tests/clients/ runs every example of the product's "External API" document (the
Odoo external API guide: connection, search, read, create, custom models) in its language against
the session's demo server
and checks the shapes of the answers; it prints one JSON line per example and exits
non-zero on the first mismatch.

    Ruby        seed_examples.rb          Ruby's xmlrpc library (Debian ruby-xmlrpc)
    JavaScript  seed_examples.js          the npm `xmlrpc` client (tests/clients/node_modules)
    PHP         seed_examples.php         PHP's xmlrpc extension behind a Ripcord-like client
    Java        java/SeedExamples.java    aXMLRPC (Debian libaxmlrpc-java)

`tests/clients/install.sh` installs the runtimes and libraries. A missing one skips its test,
except under CI=true, where it fails.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import xmlrpc.client
from pathlib import Path

import pytest

CLIENTS = Path(__file__).resolve().parent / "clients"
AXMLRPC_JAR = Path("/usr/share/java/axmlrpc.jar")
TIMEOUT = 300

# Every example of the seed document, in the order the scripts run them.
EXAMPLES = [
    "start",
    "version",
    "authenticate",
    "check_access_rights",
    "search",
    "search_offset_limit",
    "search_count",
    "read",
    "read_fields",
    "fields_get",
    "search_read",
    "create",
    "write",
    "name_get",
    "unlink",
    "search_deleted",
    "ir_model_create",
    "custom_model_fields_get",
    "ir_model_fields_create",
    "custom_record_create",
    "custom_record_read",
    "done",
]


def _missing(reason: str) -> None:
    message = f"{reason} (run tests/clients/install.sh)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"required under CI=true: {message}")
    pytest.skip(message)


def _works(cmd: list[str]) -> bool:
    try:
        return subprocess.run(cmd, capture_output=True, timeout=60, cwd=CLIENTS).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _ruby() -> list[str]:
    if not shutil.which("ruby"):
        _missing("ruby is not installed")
    if not _works(["ruby", "-e", 'require "xmlrpc/client"']):
        _missing("Ruby's xmlrpc library is not installed (Debian package ruby-xmlrpc)")
    return ["ruby", str(CLIENTS / "seed_examples.rb")]


def _javascript() -> list[str]:
    if not shutil.which("node"):
        _missing("node is not installed")
    if not (CLIENTS / "node_modules" / "xmlrpc" / "package.json").is_file():
        _missing("the npm xmlrpc client is not installed in tests/clients/node_modules")
    return ["node", str(CLIENTS / "seed_examples.js")]


def _php() -> list[str]:
    if not shutil.which("php"):
        _missing("php is not installed (Debian package php-cli)")
    if not _works(["php", "-r", 'exit(function_exists("xmlrpc_encode_request") ? 0 : 1);']):
        _missing("PHP's xmlrpc extension is not installed (Debian package php-xmlrpc)")
    return ["php", str(CLIENTS / "seed_examples.php")]


def _java() -> list[str]:
    if not shutil.which("java") or not shutil.which("javac"):
        _missing("a JDK (java and javac) is not installed")
    if not AXMLRPC_JAR.is_file():
        _missing(f"the aXMLRPC library is not installed ({AXMLRPC_JAR}, Debian package libaxmlrpc-java)")
    return ["java", "-cp", str(AXMLRPC_JAR), str(CLIENTS / "java" / "SeedExamples.java")]


def _cleanup(server, lines: list[dict]) -> None:
    """Best effort: drop the custom models the script made, so the shared demo database stays
    as other tests expect it. Failures here are not the script's business."""
    names = [
        line["result"]["model"]
        for line in lines
        if line.get("ok") and line.get("example") in ("ir_model_create", "ir_model_fields_create")
    ]
    if not names:
        return
    try:
        client = server.client()
        ids = client.x("ir.model", "search", [["model", "in", names]])
        if ids:
            client.x("ir.model", "unlink", ids)
    except (xmlrpc.client.Error, OSError):
        pass


def _run(server, lang: str, cmd: list[str]) -> None:
    env = {
        **os.environ,
        "ODOO_URL": server.url,
        "ODOO_DB": server.db,
        "ODOO_USER": "admin",
        "ODOO_PASSWORD": "admin",
    }
    env.pop("ODOO_SKIP_START", None)  # the fixture's server runs in demo mode: /start is there
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, env=env, cwd=CLIENTS)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{lang}: the seed examples did not finish within {TIMEOUT}s; "
                    f"output so far:\n{exc.stdout}\n{exc.stderr}")
    lines = []
    for raw in proc.stdout.splitlines():
        try:
            lines.append(json.loads(raw))
        except ValueError:
            pass
    _cleanup(server, lines)
    report = (f"exit code {proc.returncode}\n--- stdout ---\n{proc.stdout[-6000:]}\n"
              f"--- stderr ---\n{proc.stderr[-4000:]}")
    assert proc.returncode == 0, f"{lang} client failed on the seed examples: {report}"
    assert all(line.get("ok") is True and line.get("lang") == lang for line in lines), report
    assert [line["example"] for line in lines] == EXAMPLES, report


def test_ruby_client(server) -> None:
    _run(server, "ruby", _ruby())


def test_javascript_client(server) -> None:
    _run(server, "javascript", _javascript())


def test_php_client(server) -> None:
    _run(server, "php", _php())


def test_java_client(server) -> None:
    _run(server, "java", _java())
