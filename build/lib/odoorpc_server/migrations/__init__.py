"""Alembic revisions of the server's metadata tables; installed as `odoorpc_server.migrations`."""
