"""A gunicorn worker whose threads only ever see whole requests, so slow clients cannot starve it.

gunicorn's threaded worker gives a connection to a thread as soon as its first byte arrives; the
thread then reads the rest of the request blocking, so a client sending a byte now and then holds
a thread for as long as it likes, and as many such clients as threads stop the process. Here the
main loop (the one that accepts) reads every connection without blocking, through its selector,
until `framing.RequestReader` says the request is whole; only then does a thread parse it (from
memory, never from the socket) and run the application. Idle kept-alive connections wait in the
same selector. An event loop was chosen over an async server because the application and its
database drivers are synchronous: one cheap reading loop in front of the existing thread pool
changes nothing behind it.

Deadlines, checked by the loop every second:
- a request's head must be complete `request_timeout` seconds after its first byte; a new
  connection that sends nothing is closed after `request_timeout`, a kept-alive one after
  `keepalive` seconds (gunicorn's, 2 by default);
- the body gets `request_timeout` seconds from the end of the head, plus one second per
  megabyte received (a floor of 1 MB/s for large bodies);
- a connection past its deadline is answered 408 and closed (closed silently when it had sent
  nothing of a request); an answer a client does not take within `SEND_TIMEOUT` is abandoned.
Heads are bounded (`MAX_HEAD`, 431 beyond); a body announced beyond `wsgi.MAX_BODY` goes to the
application with its head only, which answers 413 in its protocol's words without reading it,
and the connection closes; a chunked body beyond the limit is answered 413 here. What a process
holds of requests is bounded too (`BUDGET`): beyond it, bodies wait unread, all but one.
"""
from __future__ import annotations

import errno
import math
import selectors
import socket
import time
from typing import Any

from gunicorn import http
from gunicorn.workers.gthread import ThreadWorker
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, RequestHeaderFieldsTooLarge, RequestTimeout

from odoorpc_server.framing import Complete, Refused, RequestReader
from odoorpc_server.wsgi import MAX_BODY

DEFAULT_REQUEST_TIMEOUT = 10.0
MAX_HEAD = 64 * 1024
BODY_RATE = 1024 * 1024          # bytes per second of body a deadline allows beyond request_timeout
SEND_TIMEOUT = 60.0              # one write of an answer to a client that does not read
LINGER = 2.0                     # a closing connection is drained this long, so the answer is not reset
RECV_SIZE = 256 * 1024
# bytes of requests a process holds (being received, or in threads): beyond, bodies being received
# wait, all but the one furthest along (which always goes on, so the wait always ends)
BUDGET = 4 * MAX_BODY
REFUSALS: dict[int, type[HTTPException]] = {408: RequestTimeout, 413: RequestEntityTooLarge,
                                             431: RequestHeaderFieldsTooLarge}


def refusal(status: int) -> bytes:
    """A whole `Connection: close` answer with werkzeug's page for `status`, as Odoo's werkzeug
    would send it; written from the loop, without a thread."""
    error = REFUSALS[status]()
    body = error.get_body().encode()
    head = (f"HTTP/1.1 {error.get_response().status}\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    return head.encode() + body


class Connection:
    """One client connection and the request being received on it."""

    def __init__(self, cfg: Any, sock: socket.socket, client: Any, server: Any) -> None:
        self.cfg, self.sock, self.client, self.server = cfg, sock, client, server
        self.parser: Any = None          # gunicorn's parser over one whole request (in a thread)
        self.reader = RequestReader(MAX_HEAD, MAX_BODY)
        self.deadline = math.inf
        self.body_since = 0.0             # when the head was complete
        self.continue_sent = False
        self.must_close = False
        self.pipelined = b""              # bytes received after the request in a thread
        self.held = 0                     # bytes of it counted in the worker's budget
        self.closing = False             # answered and shut down for writing: only drained now
        sock.setblocking(False)


class RequestBufferingWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's gthread worker with requests read by the loop (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        timeout = float(getattr(self.app, "request_timeout", DEFAULT_REQUEST_TIMEOUT))
        self.request_timeout = timeout if timeout > 0 else math.inf
        self.waiting: set[Connection] = set()      # waiting for bytes, with a deadline
        self.paused: dict[Connection, float] = {}  # of those, the ones out of the selector (budget), since
        self.held = 0                              # bytes of requests held, see BUDGET

    # -- the loop: accept, read, hand on ---------------------------------------------------------

    def accept(self, listener: socket.socket) -> None:
        try:
            sock, client = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = Connection(self.cfg, sock, client, listener.getsockname())
        self._wait(conn, time.monotonic() + self.request_timeout)

    def _wait(self, conn: Connection, deadline: float) -> None:
        conn.deadline = deadline
        self.waiting.add(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, lambda _sock: self._readable(conn))

    def _unwait(self, conn: Connection) -> None:
        self.waiting.discard(conn)
        self.paused.pop(conn, None)
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass

    def _readable(self, conn: Connection) -> None:
        if self.held > BUDGET and conn.reader.head is not None and not conn.closing and conn is not self._leader():
            self.poller.unregister(conn.sock)
            self.paused[conn] = time.monotonic()
            return
        try:
            data = conn.sock.recv(RECV_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._unwait(conn)
            self._close(conn)
        elif conn.closing:
            pass  # drained: the answer is out, what follows is dropped
        else:
            self._received(conn, data)

    def _received(self, conn: Connection, data: bytes) -> None:
        now = time.monotonic()
        reader = conn.reader
        conn.held += len(data)
        self.held += len(data)
        if not reader.started:
            conn.deadline = now + self.request_timeout  # the head's deadline runs from its first byte
        outcome = reader.feed(data)
        if isinstance(outcome, Complete):
            self._unwait(conn)
            self._dispatch(conn, outcome)
        elif isinstance(outcome, Refused):
            self._refuse(conn, outcome.status)
        elif reader.head is not None:
            if not conn.body_since:
                conn.body_since = now
                if reader.head.expects_continue and not conn.continue_sent:
                    self._send_now(conn, b"HTTP/1.1 100 Continue\r\n\r\n")
                    conn.continue_sent = True
            conn.deadline = conn.body_since + self.request_timeout + reader.body_received / BODY_RATE

    def _dispatch(self, conn: Connection, request: Complete) -> None:
        """Give a whole request to a thread; what came after it waits for the thread's end."""
        conn.parser = http.get_parser(self.cfg, [request.request], conn.client)
        conn.must_close = request.must_close
        conn.reader = RequestReader(MAX_HEAD, MAX_BODY)
        conn.pipelined = request.rest
        self.enqueue_req(conn)

    def _send_now(self, conn: Connection, data: bytes) -> None:
        try:
            conn.sock.send(data)  # a few hundred bytes into an empty send buffer: never partial in practice
        except OSError:
            pass

    def _refuse(self, conn: Connection, status: int) -> None:
        self._send_now(conn, refusal(status))
        self._unwait(conn)
        self._close_after_answer(conn)

    def _release(self, conn: Connection) -> None:
        """The bytes `conn` held leave the budget; bodies that waited for room go on."""
        self.held -= conn.held
        conn.held = 0
        conn.reader = RequestReader(MAX_HEAD, MAX_BODY)
        self._resume()

    def _leader(self) -> Connection | None:
        """The body being received that is furthest along."""
        bodies = [c for c in self.waiting if c.reader.head is not None and not c.closing]
        return max(bodies, key=lambda c: c.held, default=None)

    def _resume(self) -> None:
        if not self.paused:
            return
        leader = self._leader()
        now = time.monotonic()
        for conn in [c for c in self.paused if self.held <= BUDGET or c is leader]:
            waited = now - self.paused.pop(conn)
            conn.body_since += waited  # the wait was the server's: it does not count against the client
            conn.deadline += waited
            self.poller.register(conn.sock, selectors.EVENT_READ, lambda _sock, conn=conn: self._readable(conn))

    def _close_after_answer(self, conn: Connection) -> None:
        """Half-close, then drain for `LINGER` seconds: closing with unread bytes in the receive
        buffer would reset the connection and could destroy the answer before the client reads it."""
        self._release(conn)
        conn.closing = True
        try:
            conn.sock.setblocking(False)
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self._close(conn)
            return
        self._wait(conn, time.monotonic() + LINGER)

    def _close(self, conn: Connection) -> None:
        self._release(conn)
        self.nr_conns -= 1
        try:
            conn.sock.close()
        except OSError:
            pass

    # -- deadlines (gunicorn's loop calls these every second and at shutdown) -------------------

    def murder_keepalived(self, force: bool = False) -> None:
        now = time.monotonic()
        self._resume()  # the leader among paused bodies, whatever happened since
        for conn in [c for c in self.waiting if force or (c.deadline <= now and c not in self.paused)]:
            self._unwait(conn)
            if conn.reader.started and not conn.closing and not force:
                self._send_now(conn, refusal(408))
                self._close_after_answer(conn)
            else:
                self._close(conn)

    def murder_pending(self) -> None:
        """Nothing: connections without a request wait in `waiting` (see murder_keepalived)."""

    def _cap_keepalive(self, deadline: float) -> None:
        """At shutdown, connections without a request wait `deadline` at most."""
        for conn in self.waiting:
            if not conn.reader.started:
                conn.deadline = min(conn.deadline, deadline)

    # -- in a thread: one whole request -----------------------------------------------------------

    def handle(self, conn: Connection) -> bool:
        req = None
        try:
            conn.sock.settimeout(SEND_TIMEOUT)
            req = next(conn.parser)
            if conn.continue_sent:
                req._expected_100_continue = False  # the loop has sent it already
            if conn.must_close:
                req.must_close = True  # the answer says `Connection: close`
            return bool(self.handle_request(req, conn)) and not conn.must_close and conn.parser.finish_body()
        except (StopIteration, http.errors.NoMoreData):
            return False
        except OSError as error:  # the client left, or did not take the answer within SEND_TIMEOUT
            self.log.debug("Connection ended while answering: %s", error)
            return False
        except Exception as error:
            self.handle_error(req, conn.sock, conn.client, error)
            return False

    # -- back in the loop: the thread's verdict ---------------------------------------------------

    def finish_request(self, conn: Connection, fs: Any) -> None:
        try:
            keep = not fs.cancelled() and fs.result()
        except Exception:
            keep = False
        self._release(conn)
        conn.parser = None
        conn.continue_sent = False
        conn.body_since = 0.0
        if not keep:
            self._close_after_answer(conn)
            return
        conn.sock.setblocking(False)
        idle = self.cfg.keepalive if self.alive else min(self.cfg.keepalive, 2.0)
        self._wait(conn, time.monotonic() + idle)
        if conn.pipelined:
            pipelined, conn.pipelined = conn.pipelined, b""
            self._received(conn, pipelined)
