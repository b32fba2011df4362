"""Server settings shared by the services (from the command line)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from odoorpc_server.security import DEFAULT_ROUNDS
from odoorpc_server.versions import DEFAULT_VERSION, Profile, profile


@dataclass(frozen=True)
class Settings:
    data_dir: str = "odoorpc-data"
    db_url: str | None = None
    database: str = "odoo"
    demo: bool = False
    password_rounds: int = DEFAULT_ROUNDS
    admin_password: str = "admin"
    # pbkdf2 hash of the db service's master password; empty: every master password is refused
    master_password_hash: str = ""
    # the config file holding that hash, read again at each check (see master_password)
    master_password_file: str | None = None
    # Odoo's `list_db`: False refuses the database list and every database management method
    list_db: bool = True
    public_url: str | None = None
    version: str = DEFAULT_VERSION
    login_cooldown_after: int = 5
    login_cooldown_duration: float = 60.0
    # PostgreSQL: seconds a statement may run before it is cancelled (0: no bound)
    statement_timeout: float = 60.0
    # demo mode: seconds a database made by /start lives, and how many may live at once
    demo_ttl: float = 3600.0
    demo_max: int = 20
    # the test harness (services.harness): a JSON-lines call log, the token marking the
    # harness's own requests, and `--inject` / `--latency` rules as given on the command line
    # Odoo's --proxy-mode: the client's address, scheme and host are taken from the
    # X-Forwarded-* headers of the one reverse proxy in front
    proxy_mode: bool = False
    call_log: str | None = None
    harness_token: str | None = None
    inject: tuple[str, ...] = ()
    latency: tuple[str, ...] = ()

    @property
    def profile(self) -> Profile:
        """The Odoo version this server answers as (see `odoorpc_server.versions`)."""
        return profile(self.version)


_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?)\s*(ms|s|m|h)?\s*$")
_UNITS = {None: 1.0, "ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def duration(text: str) -> float:
    """Seconds from a duration as the command line writes it: `90`, `1.5s`, `200ms`, `30m`, `1h`."""
    found = _DURATION.match(text)
    if not found:
        raise ValueError(f"not a duration: {text!r} (e.g. 200ms, 90s, 30m, 1h)")
    return float(found.group(1)) * _UNITS[found.group(2)]
