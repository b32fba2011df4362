"""Where an HTTP/1.1 request ends, judged from the bytes received so far, without blocking.

The worker (worker.py) feeds a `RequestReader` whatever a socket had to give; the reader says
when the request is complete (head, then a body of `Content-Length` bytes or a chunked body up
to its last chunk and trailers), so that a thread only ever sees whole requests. It judges the
framing only: the head itself is parsed again, strictly, by gunicorn's parser in the thread, so
anything it cannot frame (two lengths, an unknown transfer coding, a broken chunk) is handed on
as it is, the connection marked to close after the answer, and the parser answers it with 400.
"""
from __future__ import annotations

from dataclasses import dataclass

CRLF = b"\r\n"
END_OF_HEAD = b"\r\n\r\n"
# a chunk-size line (hex digits, extensions) or a trailer line longer than this is no framing we serve
MAX_LINE = 8 * 1024


@dataclass(frozen=True)
class Head:
    """What the framing of a request head says."""

    end: int                 # offset of the first body byte in the received bytes
    length: int | None       # the Content-Length (None: chunked, or framing left to the parser)
    chunked: bool
    expects_continue: bool   # an HTTP/1.1 `Expect: 100-continue` with a body to come
    unframed: bool           # framing this reader does not judge: hand the head on, then close


@dataclass(frozen=True)
class Complete:
    """A whole request; `rest` is what came after it (a pipelined request), `must_close` says the
    connection cannot carry another request after the answer (its body was refused or unframed)."""

    request: bytes
    rest: bytes
    must_close: bool


@dataclass(frozen=True)
class Refused:
    """The request cannot be taken: 431 (head over the limit) or 413 (chunked body over it)."""

    status: int


def parse_head(data: bytes, end: int, max_body: int) -> Head:
    """The framing of the head `data[:end]` (ending with CRLF CRLF)."""
    lines = data[:end - 4].split(CRLF)
    if lines and lines[0] == b"":  # one empty line before the request line is allowed (RFC 9112 2.2)
        lines = lines[1:]
    http11 = bool(lines) and lines[0].rstrip().endswith(b"HTTP/1.1")
    lengths: set[bytes] = set()
    codings: list[bytes] = []
    expect = False
    bare_lf = any(b"\n" in line for line in lines)
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name, value = name.strip().lower(), value.strip()
        if name == b"content-length":
            lengths.add(value)
        elif name == b"transfer-encoding":
            codings += [c.strip().lower() for c in value.split(b",")]
        elif name == b"expect":
            expect = value.lower() == b"100-continue"
    if bare_lf or (lengths and codings) or len(lengths) > 1:
        return Head(end, None, False, False, True)
    if codings:
        if codings != [b"chunked"]:
            return Head(end, None, False, False, True)
        return Head(end, None, True, expect and http11, False)
    text = next(iter(lengths), b"0")
    if not text.isdigit() or len(text) > 19:
        return Head(end, None, False, False, True)
    length = int(text)
    return Head(end, length, False, expect and http11 and 0 < length <= max_body, False)


class RequestReader:
    """The bytes of one request as they arrive; `feed` answers None (more is needed), `Complete`
    or `Refused`. Work per byte is constant: searches resume where the previous one stopped."""

    def __init__(self, max_head: int, max_body: int) -> None:
        self.max_head = max_head
        self.max_body = max_body
        self.buf = bytearray()
        self.head: Head | None = None
        self._searched = 0     # the head's end was not found before this offset
        self._pos = 0          # chunked: next unread offset; _left > 0 while inside a chunk's data
        self._left = 0
        self._in_trailers = False
        self._decoded = 0

    @property
    def started(self) -> bool:
        return bool(self.buf)

    @property
    def body_received(self) -> int:
        return len(self.buf) - self.head.end if self.head else 0

    def feed(self, data: bytes) -> Complete | Refused | None:
        self.buf += data
        if self.head is None:
            start = max(0, self._searched - 3)
            end = self.buf.find(END_OF_HEAD, start)
            if end < 0:
                if self._bare_lf(start):
                    return self._cut(len(self.buf), must_close=True)  # the parser refuses it at once
                self._searched = len(self.buf)
                return Refused(431) if len(self.buf) > self.max_head else None
            if end + 4 > self.max_head:
                return Refused(431)
            self.head = parse_head(bytes(self.buf[:end + 4]), end + 4, self.max_body)
            self._pos = self.head.end
        head = self.head
        if head.unframed:
            return self._cut(head.end, must_close=True)
        if head.length is not None:
            if head.length > self.max_body:
                # the application answers 413 from the head alone (as werkzeug does, from the
                # length); the body is never read, and the connection closes after the answer
                return self._cut(head.end, must_close=True)
            if len(self.buf) >= head.end + head.length:
                return self._cut(head.end + head.length, must_close=False)
            return None
        return self._scan_chunks()

    def _bare_lf(self, start: int) -> bool:
        """A line feed without its carriage return after `start`: the head would never end."""
        lf = self.buf.find(b"\n", start)
        while lf >= 0:
            if lf == 0 or self.buf[lf - 1] != 0x0D:
                return True
            lf = self.buf.find(b"\n", lf + 1)
        return False

    def _scan_chunks(self) -> Complete | Refused | None:
        buf = self.buf
        while True:
            if self._left:
                if len(buf) < self._pos + self._left + 2:
                    return None
                if buf[self._pos + self._left:self._pos + self._left + 2] != CRLF:
                    return self._cut(len(buf), must_close=True)
                self._pos += self._left + 2
                self._left = 0
            eol = buf.find(CRLF, self._pos)
            if eol < 0:
                return self._cut(len(buf), must_close=True) if len(buf) - self._pos > MAX_LINE else None
            line = bytes(buf[self._pos:eol])
            self._pos = eol + 2
            if self._in_trailers:
                if not line:
                    return self._cut(self._pos, must_close=False)
                continue
            size = line.split(b";", 1)[0].strip()
            if not size or len(size) > 16 or size.strip(b"0123456789abcdefABCDEF"):
                return self._cut(len(buf), must_close=True)
            self._left = int(size, 16)
            self._decoded += self._left
            if self._decoded > self.max_body:
                return Refused(413)
            if self._left == 0:
                self._in_trailers = True

    def _cut(self, end: int, must_close: bool) -> Complete:
        return Complete(bytes(self.buf[:end]), b"" if must_close else bytes(self.buf[end:]), must_close)
