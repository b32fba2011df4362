"""Time of a domain's way to SQL (parse, bind, SQL expression, compiled statement) for 1k, 10k
and 50k leaves, in OR chains leaning either way and in an AND: the time per leaf should stay
about the same as the domain grows (linear work). The limit on leaves is lifted for the
measure; no database is queried (their planners are not linear, hence the limit).

    .venv/bin/python bench/bench_domains.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_domain import MODEL, REG  # noqa: E402

from odoorpc_server.orm import domains  # noqa: E402
from odoorpc_server.orm.env import Env  # noqa: E402
from odoorpc_server.orm.where import Compiler  # noqa: E402

SIZES = (1_000, 10_000, 50_000)


def shapes(n: int) -> dict[str, list[Any]]:
    leaves = [("x_int", "=", i) for i in range(n)]
    right: list[Any] = []
    for leaf in leaves[:-1]:
        right += ["|", leaf]
    return {"| left": ["|"] * (n - 1) + leaves, "| right": right + [leaves[-1]], "& implicit": leaves,
            "! chain": ["!"] * n + [leaves[0]]}


def measure(domain: list[Any]) -> tuple[float, float]:
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        start = time.perf_counter()
        clause = Compiler(Env(conn, REG, 1)).where(MODEL, domain)
        built = time.perf_counter()
        str(sa.select(MODEL.table.c.id).where(clause).compile(dialect=engine.dialect))
        return built - start, time.perf_counter() - built


def main() -> None:
    domains.MAX_DOMAIN_LEAVES = max(SIZES)
    print(f"{'shape':<12}{'leaves':>8}{'to SQL s':>10}{'compile s':>11}{'µs/leaf':>9}")
    for size in SIZES:
        for name, domain in shapes(size).items():
            build, compiled = measure(domain)
            print(f"{name:<12}{size:>8}{build:>10.3f}{compiled:>11.3f}{(build + compiled) / size * 1e6:>9.1f}")


if __name__ == "__main__":
    main()
