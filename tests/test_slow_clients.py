"""Slow and hostile clients against one worker process (`--workers 1`, 8 threads): requests are
read whole by the worker's loop before a thread sees them, so clients trickling their heads do
not stop the others; a request past its deadline is answered 408 and closed; heads and bodies
over the limits are refused (431, 413) without the body being read; kept-alive connections,
pipelined requests, chunked bodies and `Expect: 100-continue` work as before.

Raw sockets speak HTTP here, as a hostile client would; every read has a generous socket timeout
only so that a broken server fails the test instead of hanging it."""
from __future__ import annotations

import http.client
import socket
import threading
import time
import xmlrpc.client
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from conftest import Server, serving

MAX_BODY = 64 * 1024 * 1024
WAIT = 60.0   # the longest any read waits before the test fails (a safety net, not a measure)
TRICKLE = 20.0
VERSION_BODY = xmlrpc.client.dumps((), "version").encode()


@pytest.fixture(scope="module")
def patient(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One worker whose request deadline (120 s) outlasts the trickle."""
    with serving(backend, tmp_path_factory, "patient", "--workers", "1", "--request-timeout", "120") as srv:
        yield srv


@pytest.fixture(scope="module")
def strict(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One worker with a 2 s request deadline."""
    with serving(backend, tmp_path_factory, "strict", "--workers", "1", "--request-timeout", "2") as srv:
        yield srv


def connect(server: Server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=WAIT)
    return sock


def version_request(extra: bytes = b"", body: bytes = VERSION_BODY) -> bytes:
    return (b"POST /xmlrpc/2/common HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\n" + extra
            + b"Content-Length: %d\r\n\r\n" % len(body) + body)


def until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


@dataclass
class Answer:
    status: bytes
    headers: dict[bytes, bytes]
    body: bytes


def read_answer(sock: socket.socket, pending: bytearray) -> Answer:
    """One answer with a Content-Length from `sock`, bytes beyond it kept in `pending`."""
    while b"\r\n\r\n" not in pending:
        chunk = sock.recv(65536)
        assert chunk, f"closed before a whole head: {bytes(pending)!r}"
        pending += chunk
    head, _, rest = bytes(pending).partition(b"\r\n\r\n")
    status, *lines = head.split(b"\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(b":") for line in lines)}
    length = int(headers[b"content-length"])
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, "closed before a whole body"
        rest += chunk
    pending[:] = rest[length:]
    return Answer(status, headers, rest[:length])


def version_of(answer: Answer) -> str:
    assert answer.status == b"HTTP/1.1 200 OK"
    return str(xmlrpc.client.loads(answer.body)[0][0]["server_version"])


class TimeoutTransport(xmlrpc.client.Transport):
    """The stdlib transport (one kept-alive connection) with a socket timeout."""

    def make_connection(self, host: str) -> http.client.HTTPConnection:  # type: ignore[override]
        conn = super().make_connection(host)
        conn.timeout = WAIT
        return conn


# -- clients trickling their heads ------------------------------------------------------------

@dataclass
class Trickler:
    """A client sending the head of a version call one byte every 50 ms until told to finish."""

    server: Server
    finish: threading.Event
    started: threading.Event = field(default_factory=threading.Event)
    trickled: threading.Event = field(default_factory=threading.Event)
    answer: str = ""
    error: BaseException | None = None

    def run(self) -> None:
        try:
            pad = b"".join(b"X-Slow-%02d: %s\r\n" % (i, b"z" * 100) for i in range(60))  # far more than 20 s of it
            request = version_request(pad)
            head_end = request.index(b"\r\n\r\n")
            with connect(self.server) as sock:
                since = time.monotonic()
                sent = 0
                while not self.finish.is_set():
                    assert sent < head_end, "the trickle ran out of head"
                    sock.sendall(request[sent:sent + 1])
                    sent += 1
                    self.started.set()
                    if time.monotonic() - since >= TRICKLE:
                        self.trickled.set()
                    time.sleep(0.05)
                sock.sendall(request[sent:])
                self.answer = version_of(read_answer(sock, bytearray()))
        except BaseException as error:  # reported by the test
            self.error = error
            self.started.set()
            self.trickled.set()


def test_twelve_trickling_clients_do_not_stop_the_answers(patient: Server) -> None:
    # the normal client: every call of it fails after WAIT seconds without an answer
    client = patient.client()
    client.models = xmlrpc.client.ServerProxy(f"{patient.url}/xmlrpc/2/object", transport=TimeoutTransport())
    common = xmlrpc.client.ServerProxy(f"{patient.url}/xmlrpc/2/common", transport=TimeoutTransport())
    finish = threading.Event()
    tricklers = [Trickler(patient, finish) for _ in range(12)]
    threads = [threading.Thread(target=t.run) for t in tricklers]
    for thread in threads:
        thread.start()
    try:
        for t in tricklers:
            assert t.started.wait(WAIT)
        calls = 0
        # every call below is answered while all twelve are still in the middle of their heads
        while not all(t.trickled.is_set() for t in tricklers):
            assert common.version()["server_version"] == "17.0"
            assert client.x("res.users", "read", [2], ["login"]) == [{"id": 2, "login": "admin"}]
            name = f"trickle {calls}"
            pid = client.x("res.partner", "create", {"name": name})
            assert client.x("res.partner", "search_read", [["id", "=", pid]], fields=["name"]) == \
                [{"id": pid, "name": name}]
            calls += 1
        assert [t.error for t in tricklers] == [None] * 12
        assert client.x("res.partner", "search_count", [["name", "=like", "trickle %"]]) == calls
    finally:
        finish.set()
        for thread in threads:
            thread.join(WAIT)
    # and the trickled requests themselves are answered once whole
    assert [(t.error, t.answer) for t in tricklers] == [(None, "17.0")] * 12


# -- deadlines ----------------------------------------------------------------------------------

def test_a_head_past_its_deadline_is_answered_408_and_closed(strict: Server) -> None:
    with connect(strict) as sock:
        sock.sendall(b"POST /xmlrpc/2/common HTTP/1.1\r\nHost: localhost\r\nContent-Ty")
        answer = until_closed(sock)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b"\r\n") == [b"HTTP/1.1 408 REQUEST TIMEOUT", b"Content-Type: text/html; charset=utf-8",
                                   b"Content-Length: %d" % len(body), b"Connection: close"]
    assert b"<title>408 Request Timeout</title>" in body
    assert xmlrpc.client.ServerProxy(f"{strict.url}/xmlrpc/2/common").version()["server_version"] == "17.0"


def test_a_body_past_its_deadline_is_answered_408_and_closed(strict: Server) -> None:
    with connect(strict) as sock:
        sock.sendall(version_request()[:-10])  # the head and all the body but its last 10 bytes
        answer = until_closed(sock)
    assert answer.split(b"\r\n", 1)[0] == b"HTTP/1.1 408 REQUEST TIMEOUT"


def test_a_connection_that_sends_nothing_is_closed_without_an_answer(strict: Server) -> None:
    with connect(strict) as sock:
        assert until_closed(sock) == b""


# -- limits ---------------------------------------------------------------------------------------

def test_an_announced_body_over_the_limit_is_413_before_it_is_sent(strict: Server) -> None:
    """The head alone is answered: the client sends 1 KB of its 64 MB + 1 and gets its 413."""
    with connect(strict) as sock:
        sock.sendall(b"POST /xmlrpc/2/object HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\n"
                     b"Content-Length: %d\r\n\r\n" % (MAX_BODY + 1) + b" " * 1024)
        pending = bytearray()
        answer = read_answer(sock, pending)
        assert answer.status == b"HTTP/1.1 413 REQUEST ENTITY TOO LARGE"
        assert answer.headers[b"connection"] == b"close"
        assert b"<title>413 Request Entity Too Large</title>" in answer.body
        assert pending + until_closed(sock) == b""


def test_a_chunked_body_over_the_limit_is_413(strict: Server) -> None:
    with connect(strict) as sock:
        sock.sendall(b"POST /xmlrpc/2/object HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"400000\r\n" + b" " * 0x400000 + b"\r\n" + b"%x\r\n" % (MAX_BODY - 0x400000 + 1) + b" " * 1024)
        answer = read_answer(sock, bytearray())
    assert answer.status == b"HTTP/1.1 413 REQUEST ENTITY TOO LARGE"
    assert answer.headers[b"connection"] == b"close"


def test_a_head_over_the_limit_is_431(strict: Server) -> None:
    with connect(strict) as sock:
        sock.sendall(b"GET /web HTTP/1.1\r\nHost: localhost\r\n" + b"X-Big: " + b"b" * 70_000)
        answer = read_answer(sock, bytearray())
    assert answer.status == b"HTTP/1.1 431 REQUEST HEADER FIELDS TOO LARGE"
    assert answer.headers[b"connection"] == b"close"


@pytest.mark.parametrize("head", [
    b"GET /web HTTP/1.1\nHost: localhost\n\n",  # bare line feeds: the head would never end
    b"POST /xmlrpc/2/common HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",  # two framings of one body
    b"POST /xmlrpc/2/common HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n12345",
])
def test_ambiguous_framing_is_400_at_once_and_closed(strict: Server, head: bytes) -> None:
    with connect(strict) as sock:
        sock.sendall(head)
        answer = until_closed(sock)
    assert answer.split(b"\r\n", 1)[0] == b"HTTP/1.1 400 Bad Request"


# -- what keeps working -------------------------------------------------------------------------

def test_a_kept_alive_connection_carries_many_calls(strict: Server) -> None:
    transport = TimeoutTransport()
    common = xmlrpc.client.ServerProxy(f"{strict.url}/xmlrpc/2/common", transport=transport)
    assert common.version()["server_version"] == "17.0"
    sock = transport._connection[1].sock  # type: ignore[union-attr]
    for _ in range(5):
        assert common.authenticate(strict.db, "admin", "admin", {}) == 2
    assert transport._connection[1].sock is sock  # type: ignore[union-attr]


def test_idle_kept_alive_connections_hold_no_thread(strict: Server) -> None:
    """Twelve connections left open after an answer: more than the worker's 8 threads."""
    idle = [connect(strict) for _ in range(12)]
    try:
        for sock in idle:
            sock.sendall(version_request())
            assert version_of(read_answer(sock, bytearray())) == "17.0"
        common = xmlrpc.client.ServerProxy(f"{strict.url}/xmlrpc/2/common", transport=TimeoutTransport())
        assert common.version()["server_version"] == "17.0"
    finally:
        for sock in idle:
            sock.close()


def test_pipelined_requests_are_answered_in_order(strict: Server) -> None:
    login = xmlrpc.client.dumps((strict.db, "admin", "admin", {}), "authenticate").encode()
    with connect(strict) as sock:
        sock.sendall(version_request() + version_request(body=login) + version_request(b"Connection: close\r\n"))
        pending = bytearray()
        assert version_of(read_answer(sock, pending)) == "17.0"
        second = read_answer(sock, pending)
        assert xmlrpc.client.loads(second.body)[0] == (2,)
        third = read_answer(sock, pending)
        assert version_of(third) == "17.0" and third.headers[b"connection"] == b"close"
        assert pending + until_closed(sock) == b""


def test_a_chunked_body_is_read_whole(strict: Server) -> None:
    chunks = [VERSION_BODY[:10], VERSION_BODY[10:30], VERSION_BODY[30:]]
    body = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\nX-Trailer: t\r\n\r\n"
    with connect(strict) as sock:
        for part in (b"POST /xmlrpc/2/common HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n",
                     body[:7], body[7:40], body[40:]):
            sock.sendall(part)
        assert version_of(read_answer(sock, bytearray())) == "17.0"


def test_expect_100_continue_is_answered_before_the_body(strict: Server) -> None:
    request = version_request(b"Expect: 100-continue\r\n")
    head_end = request.index(b"\r\n\r\n") + 4
    with connect(strict) as sock:
        sock.sendall(request[:head_end])
        pending = bytearray()
        while b"\r\n\r\n" not in pending:
            pending += sock.recv(65536)
        assert bytes(pending) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(request[head_end:])
        assert version_of(read_answer(sock, bytearray())) == "17.0"
