"""Server settings shared by the services (from the command line)."""
from __future__ import annotations

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
    # the test harness (services.harness): a JSON-lines call log, the token marking the
    # harness's own requests, and `--inject` / `--latency` rules as given on the command line
    call_log: str | None = None
    harness_token: str | None = None
    inject: tuple[str, ...] = ()
    latency: tuple[str, ...] = ()

    @property
    def profile(self) -> Profile:
        """The Odoo version this server answers as (see `odoorpc_server.versions`)."""
        return profile(self.version)
