"""res.partner at 10 k / 100 k / 1 M rows on PostgreSQL: the time of the calls clients make most.

usage: .venv/bin/python bench/bench_scale.py [--sizes 10000,100000,1000000] [--repeat 15]
                                             [--big 100000] [--log-slow MS]

One server on PostgreSQL, one database, grown to each size in turn (each size is built once, in
SQL: `INSERT ... SELECT generate_series`, the table's indexes dropped for the load and made again
from their own definitions, then VACUUM ANALYZE as autovacuum would leave the table). The rows are
shaped as the server would store them: one partner in ten a company, five of the next nine its
contacts ("Company, Person" complete names, parent and commercial partner set), the others
individuals; e-mails, cities, countries, phones, one in fifty archived.

Each call goes over XML-RPC as admin, on one kept-alive connection: three warm-up calls, then the
median (and the slowest) of `--repeat`. The big search_read (`--big` rows, 8 fields) is timed
once, and the worker's peak RSS (VmHWM of the process the access log names) is read before and
after it. The database is dropped at the end. `--log-slow MS` has PostgreSQL log the statements
of that database slower than MS (its server log), to EXPLAIN what is slow.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import xmlrpc.client
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import Server, pg_conninfo, start_server, stop_server  # noqa: E402

FIELDS5 = ["name", "email", "phone", "city", "country_id"]
FIELDS8 = [*FIELDS5, "street", "zip", "is_company"]
TARGET_MS = 50.0

FIRST = ("Marie Jean Pierre Anne Michel Sophie Thomas Julie Nicolas Camille Laura Lucas Emma Hugo Léa "
         "Louis Chloé Paul Sarah Antoine Manon Maxime Inès Alexandre Clara David Elena James Mary Robert "
         "Patricia John Jennifer Michael Linda William Elizabeth Richard Barbara Joseph Susan Charles Jessica "
         "Daniel Karen Matthew Nancy Mark").split()
LAST = ("Martin Bernard Dubois Durand Lefebvre Leroy Moreau Simon Laurent Michel Garcia Roux Fournier "
        "Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Muller Schmidt Schneider Fischer Weber "
        "Meyer Wagner Becker Hoffmann Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson "
        "Taylor Thomas Moore Jackson White Harris Clark Lewis Robinson Walker Young Allen King Wright "
        "Rossi").split()
WORDS = ("Logistics Consulting Solutions Systems Industries Foods Motors Textiles Energy Media Design "
         "Pharma Robotics Software Holdings Partners Builders Trading Networks Analytics Optics Marine "
         "Airways Furniture Paper Plastics Metals Chemicals Labs Studios Gardens").split()
SUFFIX = ("SA SARL GmbH Ltd Inc BV SpA").split()
CITIES = ("Paris Lyon Marseille Lille Bordeaux Brussels Antwerp Ghent Berlin Hamburg Munich Madrid "
          "Barcelona Milan Rome Amsterdam Rotterdam London Manchester Leeds Boston Chicago Denver Austin "
          "Seattle").split()
STREETS = ("Rue de la Paix|Main Street|Avenue Louise|Hauptstraße|Calle Mayor|Via Roma|Kerkstraat|"
           "High Street|Boulevard Haussmann|Elm Street|Oak Avenue").split("|")
DOMAINS = "example.com mail.test example.org inbox.test post.example".split()
JOBS = "Sales Manager|Accountant|CEO|Purchaser|Engineer|Assistant|Director|Consultant".split("|")
COUNTRIES = ("FR", "BE", "DE", "ES", "IT", "NL", "GB", "US")


def sql_array(values: tuple[str, ...] | list[str]) -> str:
    return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def fill_sql(first_id: int, k0: int, k1: int) -> str:
    """The INSERT of rows k in [k0, k1) (numbers of our own, written in the SQL): partner id
    `first_id + k`; k % 10 == 0 a company, 1..5 its contacts, 6..9 individuals. Names are
    functions of k (a contact computes its company's name the way the company does), so no row
    needs another to be written first."""
    company_name = (f"(({sql_array(LAST)})[1 + ((k / 10) / 7) % {len(LAST)}] || ' ' || "
                    f"({sql_array(WORDS)})[1 + (k / 10) % {len(WORDS)}] || ' ' || "
                    f"({sql_array(SUFFIX)})[1 + (k / 10) % {len(SUFFIX)}])")
    first = f"({sql_array(FIRST)})[1 + k % {len(FIRST)}]"
    last = f"({sql_array(LAST)})[1 + (k / {len(FIRST)}) % {len(LAST)}]"
    person = f"({first} || ' ' || {last})"
    company_id = f"({first_id} + k - k % 10)"
    return f"""
WITH src AS (
    SELECT k, k % 10 AS pos, {company_name} AS cname, {person} AS pname, {first} AS fname, {last} AS lname
    FROM generate_series({int(k0)}, {int(k1) - 1}) AS k
), countries AS (
    SELECT array_agg(id ORDER BY id) AS ids FROM res_country WHERE code IN ({", ".join(f"'{c}'" for c in COUNTRIES)})
)
INSERT INTO res_partner (id, create_uid, create_date, write_uid, write_date, name, complete_name, parent_id,
    ref, lang, vat, website, active, function, type, street, zip, city, country_id, email, phone,
    is_company, color, commercial_partner_id, commercial_company_name)
SELECT {first_id} + k, 2, timestamp '2024-01-01' + k * interval '1 minute', 2,
       timestamp '2024-01-01' + k * interval '1 minute',
       CASE WHEN pos = 0 THEN cname ELSE pname END,
       CASE WHEN pos = 0 THEN cname WHEN pos <= 5 THEN cname || ', ' || pname ELSE pname END,
       CASE WHEN pos BETWEEN 1 AND 5 THEN {company_id} END,
       CASE WHEN pos = 0 THEN 'C' || lpad(k::text, 7, '0') END,
       'en_US',
       CASE WHEN pos = 0 THEN 'FR' || lpad(((k::bigint * 7919) % 99999999999)::text, 11, '0') END,
       CASE WHEN pos = 0 THEN 'https://www.' || lower(replace(cname, ' ', '-')) || '.example' END,
       k % 50 <> 49,
       CASE WHEN pos BETWEEN 1 AND 5 THEN ({sql_array(JOBS)})[1 + k % {len(JOBS)}] END,
       'contact',
       (1 + k % 197) || ' ' || ({sql_array(STREETS)})[1 + k % {len(STREETS)}],
       lpad(((k * 37) % 99999)::text, 5, '0'),
       ({sql_array(CITIES)})[1 + (k / 3) % {len(CITIES)}],
       (SELECT ids FROM countries)[1 + (k / 10) % {len(COUNTRIES)}],
       CASE WHEN pos = 0 THEN 'info' || k || '@' || lower(replace(cname, ' ', '')) || '.example'
            ELSE lower(fname || '.' || lname) || k || '@' || ({sql_array(DOMAINS)})[1 + k % {len(DOMAINS)}] END,
       '+33 1 ' || lpad(((k::bigint * 104729) % 100000000)::text, 8, '0'),
       pos = 0, 0,
       CASE WHEN pos BETWEEN 1 AND 5 THEN {company_id} ELSE {first_id} + k END,
       CASE WHEN pos <= 5 THEN cname END
FROM src"""


class Filler:
    """Grows res.partner in the server's database, straight in SQL."""

    def __init__(self, db: str) -> None:
        self.conn = psycopg.connect(pg_conninfo(db), autocommit=True)
        self.first_id = int(self.conn.execute("SELECT max(id) + 1 FROM res_partner").fetchone()[0])  # type: ignore[index]
        self.done = 0

    def grow(self, rows: int) -> float:
        """Add partners until the bench's own rows number `rows`; returns the seconds it took."""
        start = time.perf_counter()
        indexes = self.conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'res_partner' "
            "AND indexname <> 'res_partner_pkey'").fetchall()
        for name, _ in indexes:
            self.conn.execute(f'DROP INDEX "{name}"')
        self.conn.execute("SET maintenance_work_mem = '256MB'")
        self.conn.execute(fill_sql(self.first_id, self.done, rows))
        for _, definition in indexes:
            self.conn.execute(definition)
        self.done = rows
        self.conn.execute("SELECT setval('res_partner_id_seq', (SELECT max(id) FROM res_partner))")
        self.conn.execute("VACUUM ANALYZE res_partner")
        return time.perf_counter() - start

    def sample(self) -> dict[str, Any]:
        """Values the calls look for: an existing e-mail, a rare company name, a contact id."""
        k = self.done // 2 - self.done // 2 % 10 + 3  # a contact of a company, halfway
        pid = self.first_id + k
        email, = self.conn.execute("SELECT email FROM res_partner WHERE id = %s", (pid,)).fetchone()  # type: ignore[misc]
        ref, = self.conn.execute("SELECT ref FROM res_partner WHERE id = %s", (pid - 3,)).fetchone()  # type: ignore[misc]
        france, = self.conn.execute("SELECT id FROM res_country WHERE code = 'FR'").fetchone()  # type: ignore[misc]
        return {"pid": pid, "email": email, "ref": ref, "france": france}

    def log_slow(self, db: str, ms: int) -> None:
        self.conn.execute(f'ALTER DATABASE "{db}" SET log_min_duration_statement = {int(ms)}')

    def close(self) -> None:
        self.conn.close()


def calls(s: dict[str, Any]) -> list[tuple[str, str, list[Any], dict[str, Any]]]:
    """(label, method, args, kwargs) of every timed call; `s` from Filler.sample."""
    return [
        ("search email = (indexed)", "search", [[("email", "=", s["email"])]], {}),
        ("search name ilike, many (limit 80)", "search", [[("name", "ilike", "marie")]], {"limit": 80}),
        ("search name ilike, few", "search", [[("name", "ilike", "wagner robotics")]], {"limit": 80}),
        ("search name ilike, none", "search", [[("name", "ilike", "zqxjv")]], {"limit": 80}),
        ("search_count country_id = (indexed)", "search_count", [[("country_id", "=", s["france"])]], {}),
        ("search_count parent_id = (indexed)", "search_count", [[("parent_id", "=", s["pid"] - 3)]], {}),
        ("read 1 x 5 fields", "read", [[s["pid"]], FIELDS5], {}),
        ("name_search, many", "name_search", ["marie"], {"limit": 8}),
        ("name_search, few (ref)", "name_search", [s["ref"]], {"limit": 8}),
        ("name_search, none", "name_search", ["zqxjv"], {"limit": 8}),
        ("search_read 80 x 8 fields", "search_read", [[]], {"fields": FIELDS8, "limit": 80}),
    ]


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Median and slowest time (ms) of `repeat` calls after three warm-up ones, and one answer."""
    answer = None
    for _ in range(3):
        answer = fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times), answer


def worker_pid(server: Server) -> int:
    """The pid of the process that answered the last request (the access log's last line)."""
    return int(server.answering_pids()[-1].strip("<>"))


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for {pid}")


def measure(server: Server, filler: Filler, size: int, repeat: int, big: int) -> None:
    models = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object", allow_none=True)

    def call(method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        return models.execute_kw(server.db, 2, "admin", "res.partner", method, args, kwargs)

    total = call("search_count", [[]], {"context": {"active_test": False}})
    print(f"\n## res.partner: {size:,} bench rows ({total:,} in the table), median of {repeat}")
    print(f"| {'call':38s} | {'median ms':>9s} | {'max ms':>7s} | {'answer':>14s} |")
    print(f"|{'-' * 40}|{'-' * 11}|{'-' * 9}|{'-' * 16}|")
    slow = []
    for label, method, args, kwargs in calls(filler.sample()):
        median, worst, answer = timed(lambda m=method, a=args, k=kwargs: call(m, a, k), repeat)  # type: ignore[misc]
        shown = f"{len(answer)} rows" if isinstance(answer, list) else str(answer)
        flag = "" if median < TARGET_MS else "  <-- over 50 ms"
        if median >= TARGET_MS:
            slow.append(label)
        print(f"| {label:38s} | {median:9.1f} | {worst:7.1f} | {shown:>14s} |{flag}", flush=True)
    pid = worker_pid(server)
    before = peak_rss_mb(pid)
    start = time.perf_counter()
    rows = call("search_read", [[]], {"fields": FIELDS8, "limit": big})
    seconds = time.perf_counter() - start
    after = peak_rss_mb(pid)
    print(f"| {f'search_read {big:,} x 8 fields':38s} | {seconds * 1000:9.0f} | {'':7s} | {f'{len(rows)} rows':>14s} |")
    print(f"worker {pid} peak RSS (VmHWM): {before:.0f} MB before the big search_read, {after:.0f} MB after "
          f"(+{after - before:.0f} MB)")
    print("every call under 50 ms" if not slow else f"over 50 ms: {', '.join(slow)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--log-slow", type=int, default=None)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp), "postgresql")
        filler = Filler(server.db)
        try:
            if args.log_slow is not None:  # a database setting: seen by the connections of a new start
                filler.log_slow(server.db, args.log_slow)
                server.proc.terminate()
                server.proc.wait(10)
                server = start_server(Path(tmp), "postgresql", database=server.db)
            for size in sizes:
                seconds = filler.grow(size)
                print(f"\nfilled to {size:,} bench rows in {seconds:.1f} s (indexes made again, VACUUM ANALYZE)",
                      flush=True)
                measure(server, filler, size, args.repeat, args.big)
        finally:
            filler.close()
            stop_server(server)  # drops the database


if __name__ == "__main__":
    main()
