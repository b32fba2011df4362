"""The XML-RPC answer writer against the stdlib marshaller, on a search_read answer of 80
contacts × 8 fields, in one process, interleaved (the ratio is the figure to read).

usage: .venv/bin/python bench/bench_marshal.py [--rounds 5] [--number 200]
"""
from __future__ import annotations

import argparse
import json
import timeit
import xmlrpc.client

from odoorpc_server.protocols import xmlcodec
from odoorpc_server.protocols.xmlrpc import OdooMarshaller


def answer() -> list[dict[str, object]]:
    return [{"id": i, "name": f"Partner {i}", "email": f"p{i}@example.com", "phone": "+32 2 555 01 23",
             "city": "Brussels", "country_id": [21, "Belgium"], "street": "Rue de la Loi 16", "zip": "1000",
             "is_company": i % 2 == 0} for i in range(80)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--number", type=int, default=200)
    args = parser.parse_args()
    rows = answer()
    assert xmlcodec.params_text((rows,), OdooMarshaller("utf-8", allow_none=False)) == \
        OdooMarshaller("utf-8", allow_none=False).dumps((rows,))
    candidates = {
        "ours (xmlcodec)": lambda: xmlcodec.params_text((rows,), OdooMarshaller("utf-8", allow_none=False)),
        "stdlib dumps": lambda: xmlrpc.client.dumps((rows,), methodresponse=True),
        "stdlib + Odoo rules": lambda: OdooMarshaller("utf-8", allow_none=False).dumps((rows,)),
        "json.dumps (floor)": lambda: json.dumps(rows),
    }
    best = {name: float("inf") for name in candidates}
    for _ in range(args.rounds):
        for name, fn in candidates.items():
            best[name] = min(best[name], timeit.timeit(fn, number=args.number) / args.number)
    print(f"{'writer':22s} {'µs':>8s} {'stdlib/it':>10s}")
    for name, spent in best.items():
        print(f"{name:22s} {spent * 1e6:8.0f} {best['stdlib dumps'] / spent:10.2f}")


if __name__ == "__main__":
    main()
