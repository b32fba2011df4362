"""Schema of the server's own metadata tables, versioned with Alembic in `migrations/`."""
from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

# the top-level `migrations/` directory, installed as this subpackage (see pyproject.toml)
MIGRATIONS = files("odoorpc_server.migrations")


def upgrade(conn: Connection) -> None:
    """Bring the metadata tables of one database to the newest revision."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")
