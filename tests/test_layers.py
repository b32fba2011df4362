"""The package's layers, read from its imports with `ast`: protocols → services → models → orm →
storage (lowest), each importing only its own layer or lower ones, and no import cycle anywhere.

Imports under `if TYPE_CHECKING:` are annotations, not dependencies, and are left out.
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "odoorpc_server"
# lowest first; a module belongs to the first layer one of whose prefixes it starts with
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("odoorpc_server.exceptions", "odoorpc_server.migrations", "odoorpc_server.versions")),
    ("storage", ("odoorpc_server.storage", "odoorpc_server.security", "odoorpc_server.throttle",
                 "odoorpc_server.verification", "odoorpc_server.master_password")),
    ("orm", ("odoorpc_server.orm",)),
    ("models", ("odoorpc_server.models",)),
    ("services", ("odoorpc_server.services", "odoorpc_server.settings", "odoorpc_server.admin")),
    ("protocols", ("odoorpc_server.protocols",)),
    ("entry points", ("odoorpc_server.wsgi", "odoorpc_server.server", "odoorpc_server.cli",
                      "odoorpc_server.__main__", "odoorpc_server")),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> int:
    for rank, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")


def runtime_imports(path: Path) -> set[str]:
    """The package modules a module imports when it runs (TYPE_CHECKING blocks left out)."""
    tree = ast.parse(path.read_text(), str(path))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for child in node.body for n in ast.walk(child)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("odoorpc_server")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("odoorpc_server"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if (PACKAGE.parent / (sub.replace(".", "/") + ".py")).exists()
                          or (PACKAGE.parent / sub.replace(".", "/")).is_dir() else node.module)
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in runtime_imports(path) if m != name} for name, path in modules.items()}


def test_every_import_goes_down_the_layers() -> None:
    wrong = sorted(f"{src} ({LAYERS[layer(src)][0]}) imports {dst} ({LAYERS[layer(dst)][0]})"
                   for src, targets in graph().items() for dst in targets
                   if dst != "odoorpc_server" and layer(dst) > layer(src))
    assert wrong == []


def test_no_import_cycle() -> None:
    edges = {src: {d for d in dsts if d != "odoorpc_server"} for src, dsts in graph().items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    assert cycles == []


def test_the_layers_are_not_empty() -> None:
    """The test sees the package: each layer holds modules, and imports were found."""
    names = set(graph())
    for title, prefixes in LAYERS:
        assert any(layer(n) == LAYERS.index((title, prefixes)) for n in names), title
    assert sum(len(v) for v in graph().values()) > 50
