"""What an integration test needs from the server around each call: a log of every call (one
JSON line each, secrets masked) and faults or latency injected on purpose, so that a client's
retry logic can be tested against real Odoo faults.

Every model method call of every protocol passes `observe` (services.call.run, JSON-2, the REST
API's method calls), and the common and db services pass it from `dispatch`. A request that
carries the harness token (the pytest plugin's own calls) is marked `own`: it is logged as such
and no injected fault applies to it. The rules live in the server process: the pytest plugin
runs one worker process; `serve --inject` rules apply in every worker, each counting `times`
on its own.
"""
from __future__ import annotations

import datetime
import fnmatch
import json
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from odoorpc_server.exceptions import (
    FAULT_ACCESS_DENIED,
    FAULT_ACCESS_ERROR,
    FAULT_APPLICATION,
    FAULT_WARNING,
    AccessDenied,
    AccessError,
    UserError,
    fault_code,
)
from odoorpc_server.settings import duration

TOKEN_HEADER = "X-Odoorpc-Harness"
MASK = "**********"
# keys whose values are secrets wherever they appear in arguments, keywords or answers (the
# secret fields of the base models, the db service's passwords, OAuth's and API keys' tokens)
SECRET_KEYS = frozenset({
    "password", "new_password", "old_password", "passwd", "old_passwd", "new_passwd", "user_password",
    "master_pwd", "admin_password", "key", "api_key", "secret", "client_secret", "secret_salt", "token",
    "access_token", "refresh_token", "digest", "verifier", "oauth_token_secret", "default_key",
})
SECRET_SUFFIXES = ("password", "_passwd", "_secret", "_token", "_key")  # new_api_key, x_password ...
# positional secrets of the common and db services: method → indexes of its arguments
SECRET_ARGS: Mapping[tuple[str, str], tuple[int, ...]] = {
    ("common", "login"): (2,), ("common", "authenticate"): (2,),
    ("db", "create_database"): (0, 4), ("db", "duplicate_database"): (0,), ("db", "drop"): (0,),
    ("db", "dump"): (0,), ("db", "restore"): (0,), ("db", "rename"): (0,),
    ("db", "change_admin_password"): (0, 1), ("db", "migrate_databases"): (0,),
}
MAX_LOGGED_TEXT = 65536  # a longer text (a dump, a report) is logged as its length

_OWN: ContextVar[bool] = ContextVar("harness_own", default=False)
_UID: ContextVar[list[int | None] | None] = ContextVar("harness_uid", default=None)


class InjectedServerError(Exception):
    """An injected fault with code 1: what a server error (a bug, a crash) looks like."""


FAULTS: Mapping[int, Callable[[str], Exception]] = {
    FAULT_APPLICATION: InjectedServerError, FAULT_WARNING: UserError,
    FAULT_ACCESS_DENIED: AccessDenied, FAULT_ACCESS_ERROR: AccessError,
}
DEFAULT_MESSAGE = "Fault injected by odoorpc-server"


@dataclass
class FaultRule:
    """Matching model method calls (fnmatch patterns) of `database` (None: any) wait `delay`
    seconds, then fail with `code` (None: they only answer late); `times` None is every call."""

    model: str
    method: str
    code: int | None = FAULT_WARNING
    message: str = DEFAULT_MESSAGE
    times: int | None = 1
    delay: float = 0.0
    database: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.model, str) or not isinstance(self.method, str):
            raise ValueError("model and method must be strings (fnmatch patterns)")
        if self.code is not None and self.code not in FAULTS:
            raise ValueError(f"code must be one of {sorted(FAULTS)} or null, not {self.code!r}")
        if self.times is not None and (not isinstance(self.times, int) or self.times < 1):
            raise ValueError(f"times must be a positive integer or null, not {self.times!r}")
        if not isinstance(self.delay, (int, float)) or not 0 <= self.delay <= 600:
            raise ValueError(f"delay must be between 0 and 600 seconds, not {self.delay!r}")
        if not isinstance(self.message, str):
            raise ValueError("message must be a string")

    def matches(self, database: str, model: str, method: str) -> bool:
        return (self.database is None or self.database == database) \
            and fnmatch.fnmatchcase(model, self.model) and fnmatch.fnmatchcase(method, self.method)


@dataclass
class Harness:
    """The fault rules and the call log of one server process."""

    log_path: str | None = None
    token: str | None = None
    rules: list[FaultRule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _log_fd: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.log_path or self.rules)

    def add(self, rule: FaultRule) -> None:
        with self._lock:
            self.rules.append(rule)

    def clear(self, database: str | None = None) -> None:
        with self._lock:
            self.rules = [rule for rule in self.rules if database is not None and rule.database != database]

    def take(self, database: str, model: str, method: str) -> FaultRule | None:
        """The first rule matching the call, one of its `times` used up."""
        with self._lock:
            for rule in self.rules:
                if rule.matches(database, model, method):
                    if rule.times is not None:
                        rule.times -= 1
                        if rule.times == 0:
                            self.rules.remove(rule)
                    return rule
        return None

    def write(self, entry: dict[str, Any]) -> None:
        """One JSON line, appended in one write so that processes sharing the file never mix."""
        line = (json.dumps(entry, ensure_ascii=False, default=_jsonable) + "\n").encode()
        with self._lock:
            if self._log_fd is None:
                assert self.log_path is not None
                self._log_fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.write(self._log_fd, line)


@contextmanager
def own(marked: bool) -> Iterator[None]:
    """Within this block, calls are the harness's own (the request carried its token)."""
    token = _OWN.set(marked)
    try:
        yield
    finally:
        _OWN.reset(token)


def saw_user(uid: int) -> None:
    """The user the current call authenticated as (the log's `uid`)."""
    holder = _UID.get()
    if holder is not None:
        holder[0] = uid


class Observation:
    """One call being observed: `keep` hands it the method's answer inside the transaction."""

    def __init__(self, logging: bool) -> None:
        self.logging = logging
        self.result: Any = None

    def keep(self, value: Any) -> Any:
        if self.logging and isinstance(value, Sequence) and not isinstance(value, (list, tuple, str, bytes)):
            value = list(value)  # a lazily fetched big read: logged and written from one list
        self.result = value
        return value


_IDLE = Observation(False)


@contextmanager
def observe(harness: Harness, protocol: str, service: str, database: Any, model: Any, method: Any,
            args: Any, kwargs: Any, uid: Any = None) -> Iterator[Observation]:
    """One call: its injected fault or latency first, then its log line once it ends."""
    if not harness.active:
        yield _IDLE
        return
    mine = _OWN.get()
    rule = harness.take(str(database), model, method) \
        if not mine and harness.rules and service == "object" and isinstance(model, str) \
        and isinstance(method, str) else None
    if harness.log_path is None:
        if rule is not None:
            _apply(rule)
        yield _IDLE
        return
    observation, holder = Observation(True), [uid if isinstance(uid, int) and uid else None]
    uid_token, started, failure = _UID.set(holder), time.perf_counter(), None
    try:
        if rule is not None:
            _apply(rule)  # logged as the call's fault
        yield observation
    except BaseException as error:
        failure = error
        raise
    finally:
        _UID.reset(uid_token)
        harness.write(entry(protocol, service, database, model, method, args, kwargs, holder[0],
                            time.perf_counter() - started, observation.result, failure, mine))


def _apply(rule: FaultRule) -> None:
    if rule.delay:
        time.sleep(rule.delay)
    if rule.code is not None:
        raise FAULTS[rule.code](rule.message)


def entry(protocol: str, service: str, database: Any, model: Any, method: Any, args: Any, kwargs: Any,
          uid: int | None, seconds: float, result: Any, failure: BaseException | None, mine: bool) -> dict[str, Any]:
    positional = SECRET_ARGS.get((service, method), ()) if isinstance(method, str) else ()
    args = [MASK if i in positional else masked(value) for i, value in enumerate(args or ())]
    return {
        "ts": datetime.datetime.now(datetime.UTC).isoformat(), "database": database,
        "protocol": protocol, "service": service, "model": model, "method": method, "args": args,
        "kwargs": masked(dict(kwargs or {})), "uid": uid, "duration_ms": round(seconds * 1000, 3),
        "result": None if failure is not None else masked(result),
        "fault": None if failure is None else {"code": fault_code(failure), "message": str(failure)},
        "harness": mine,
    }


def masked(value: Any) -> Any:
    """`value` with every secret-named key's value masked, at any depth."""
    if isinstance(value, Mapping):
        return {key: MASK if secret_key(key) else masked(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [masked(item) for item in value]
    if isinstance(value, str) and len(value) > MAX_LOGGED_TEXT:
        return f"<{len(value)} characters>"
    return value


def secret_key(key: Any) -> bool:
    return isinstance(key, str) and (key in SECRET_KEYS or key.endswith(SECRET_SUFFIXES))


def _jsonable(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(value)} bytes>"
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    return str(value)


# -- rules from the command line ------------------------------------------------------------------

def parse_rule(spec: str, latency: bool = False) -> FaultRule:
    """`res.partner.write:code=2,times=3,delay=100ms,message=Try again` (`--inject`; omitted
    `times` is every call) or `res.partner.*:200ms` (`--latency`). `message` takes the rest of
    the text, commas included."""
    target, sep, options = spec.partition(":")
    model, dot, method = target.strip().rpartition(".")
    if not sep or not dot or not model or not method:
        raise ValueError(f"expected MODEL.METHOD:OPTIONS, e.g. res.partner.write:code=2 — not {spec!r}")
    if latency:
        return FaultRule(model, method, code=None, times=None, delay=duration(options))
    values: dict[str, Any] = {"times": None}
    rest = options
    while rest:
        key, _, rest = rest.partition("=")
        key = key.strip()
        if key == "message":
            values["message"], rest = rest, ""
            break
        value, _, rest = rest.partition(",")
        if key in ("code", "times"):
            values[key] = int(value)
        elif key == "delay":
            values[key] = duration(value)
        else:
            raise ValueError(f"unknown option {key!r} in {spec!r} (code, times, delay, message)")
    return FaultRule(model, method, **values)
