"""One client process of the load test (tests/test_load.py): a mixed sequence of XML-RPC calls
on res.partner records of its own, each call written to a ledger with what the client learnt.

Kept to the standard library so that spawned processes start fast. Every call uses a new
connection and is sent once: xmlrpc.client's own Transport re-sends a request once when a
kept-alive connection was reset, which would turn a lost answer into a second create.
"""
from __future__ import annotations

import http.client
import json
import random
import time
import xmlrpc.client
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# what a call whose answer never came raises: the worker died or closed the connection; the
# call may or may not have committed
LOST = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError, http.client.RemoteDisconnected,
        http.client.IncompleteRead)
FIELDS = ["name", "ref", "function"]
# relative weights of the operations a client picks from (write and unlink need a record)
WEIGHTS = {"create": 4, "write": 4, "unlink": 2, "search": 2}


class OneShot(xmlrpc.client.Transport):
    """A new connection per call, a bounded wait for the answer, no silent re-send, and a body
    cut short reported as such (IncompleteRead): the stdlib reads the body in pieces and takes
    a connection closed early for the end of a complete answer, then fails to parse it."""

    accept_gzip_encoding = False

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        self._connection = (None, None)  # type: ignore[assignment]
        conn = super().make_connection(host)
        conn.timeout = self.timeout
        return conn

    def request(self, host: Any, handler: Any, request_body: Any, verbose: bool = False) -> Any:
        try:
            return self.single_request(host, handler, request_body, verbose)
        finally:
            self.close()

    def parse_response(self, response: http.client.HTTPResponse) -> Any:
        if response.length is None:
            raise xmlrpc.client.ProtocolError("", response.status, "answer without Content-Length",
                                              dict(response.getheaders()))
        parser, unmarshaller = self.getparser()
        parser.feed(response.read())  # the whole Content-Length, or IncompleteRead
        parser.close()
        return unmarshaller.close()


@dataclass
class Entry:
    """One call as the client saw it: `outcome` is ack (answer received), fault (a clean Odoo
    fault, `detail` its code and last line), lost (connection reset or closed before the
    answer) or error (anything else: an HTTP error page, a timeout, a wrong answer)."""

    seq: int
    op: str
    marker: str
    rid: int | None
    value: str | None
    outcome: str
    detail: str = ""
    at: float = 0.0  # seconds since the load started, when the call was sent


@dataclass
class Record:
    """What the client may believe about one of its records: which existence states and which
    values are possible given the answers it got (a lost call widens both)."""

    marker: str
    rid: int | None
    exists: set[bool] = field(default_factory=lambda: {True})
    values: set[str] = field(default_factory=set)

    @property
    def usable(self) -> bool:
        """Known id, surely there and its value known: write and unlink only pick these, so
        that what a lost call did stays visible at the end."""
        return self.rid is not None and self.exists == {True} and len(self.values) == 1


class LoadClient:
    """One sequential client: it knows, from the answers alone, which of its records exist and
    what they hold, so every search of its own records can be checked against that knowledge
    while the load runs (`problems`), and the database against it afterwards."""

    def __init__(self, url: str, db: str, index: int, prefix: str, timeout: float, seed: int,
                 start: float = 0.0) -> None:
        self.start = start
        self.proxy = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", transport=OneShot(timeout))
        self.db = db
        self.mine = f"{prefix}-c{index}-"
        self.rng = random.Random(seed)
        self.ledger: list[Entry] = []
        self.records: dict[str, Record] = {}
        self.problems: list[str] = []

    def call(self, op: str, marker: str, rid: int | None, value: str | None, method: str,
             *args: Any, **kwargs: Any) -> tuple[str, Any]:
        sent = time.time() - self.start
        try:
            result = self.proxy.execute_kw(self.db, 2, "admin", "res.partner", method, list(args), kwargs)
            outcome, detail = "ack", ""
        except xmlrpc.client.Fault as f:
            result, outcome = None, "fault"
            detail = f"{f.faultCode}: {(f.faultString.strip().splitlines() or [''])[-1]}"
        except LOST as e:
            result, outcome, detail = None, "lost", type(e).__name__
        except Exception as e:  # an HTTP error page, a timeout (a stuck worker), a garbled answer
            result, outcome, detail = None, "error", f"{type(e).__name__}: {e}"
        self.ledger.append(Entry(len(self.ledger), op, marker, rid, value, outcome, detail, round(sent, 2)))
        return outcome, result

    def create(self) -> None:
        marker = f"{self.mine}{len(self.ledger)}"
        value = f"{marker}:0"
        outcome, rid = self.call("create", marker, None, value, "create",
                                 {"name": marker, "ref": value, "function": value})
        if outcome == "ack" and not isinstance(rid, int):
            self.problems.append(f"create {marker} answered {rid!r}")
        elif outcome == "ack":
            self.ledger[-1].rid = rid
            self.records[marker] = Record(marker, rid, {True}, {value})
        elif outcome == "lost":  # perhaps created, id unknown: never touched again
            self.records[marker] = Record(marker, None, {True, False}, {value})
        # a faulted create must have created nothing: the record stays unknown (absent)

    def write(self, rec: Record) -> None:
        value = f"{rec.marker}:{len(self.ledger)}"
        outcome, result = self.call("write", rec.marker, rec.rid, value, "write", [rec.rid],
                                    {"ref": value, "function": value})
        if outcome == "ack" and result is not True:
            self.problems.append(f"write {rec.marker} answered {result!r}")
        if outcome == "ack":
            rec.values = {value}
        elif outcome == "lost":
            rec.values.add(value)

    def unlink(self, rec: Record) -> None:
        outcome, result = self.call("unlink", rec.marker, rec.rid, None, "unlink", [rec.rid])
        if outcome == "ack" and result is not True:
            self.problems.append(f"unlink {rec.marker} answered {result!r}")
        if outcome == "ack":
            rec.exists = {False}
        elif outcome == "lost":
            rec.exists = {True, False}

    def search(self) -> None:
        """Read back every record of this client: what an acknowledged call did must show (the
        client is sequential, so its earlier answers came after their commits)."""
        outcome, rows = self.call("search", self.mine, None, None, "search_read",
                                  [("name", "=like", f"{self.mine}%")], fields=FIELDS,
                                  context={"active_test": False})
        if outcome != "ack":
            return
        seen = {}
        for row in rows:
            if row["name"] in seen:
                self.problems.append(f"search {len(self.ledger) - 1}: {row['name']} twice")
            seen[row["name"]] = row
        for marker, row in seen.items():
            rec = self.records.get(marker)
            if rec is None or True not in rec.exists:
                self.problems.append(f"search {len(self.ledger) - 1}: {marker} present, must not be")
            elif rec.rid is not None and row["id"] != rec.rid:
                self.problems.append(f"search {len(self.ledger) - 1}: {marker} has id {row['id']}, not {rec.rid}")
            elif row["ref"] != row["function"] or row["ref"] not in rec.values:
                self.problems.append(f"search {len(self.ledger) - 1}: {marker} reads {row['ref']!r}/"
                                     f"{row['function']!r}, expected one of {sorted(rec.values)}")
        for marker, rec in self.records.items():
            if rec.exists == {True} and marker not in seen:
                self.problems.append(f"search {len(self.ledger) - 1}: {marker} missing")

    def step(self) -> None:
        usable = [r for r in self.records.values() if r.usable]
        ops = [op for op in WEIGHTS if usable or op in ("create", "search")]
        op = self.rng.choices(ops, [WEIGHTS[o] for o in ops])[0]
        if op == "create":
            self.create()
        elif op == "search":
            self.search()
        elif op == "write":
            self.write(self.rng.choice(usable))
        else:
            self.unlink(self.rng.choice(usable))


def run(url: str, db: str, index: int, prefix: str, start: float, seconds: float, timeout: float,
        out: str) -> None:
    """The body of one client process: calls from `start` for `seconds` (epoch times, shared by
    every client), then the ledger as JSON in `out`."""
    client = LoadClient(url, db, index, prefix, timeout, seed=index, start=start)
    time.sleep(max(0.0, start - time.time()))
    while time.time() < start + seconds:
        client.step()
    records = [{"marker": r.marker, "rid": r.rid, "exists": sorted(r.exists), "values": sorted(r.values)}
               for r in client.records.values()]
    Path(out).write_text(json.dumps({"ledger": [asdict(e) for e in client.ledger], "records": records,
                                     "problems": client.problems}))
