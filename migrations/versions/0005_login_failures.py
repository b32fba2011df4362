"""Login failures, counted in the database so every worker process and every server sharing
the database sees the same counts: one row per (scope, name), scope 'login' or 'address'.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "odoorpc_login_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        # seconds since the epoch of the last failure (the same clock for SQLite and PostgreSQL)
        sa.Column("last_failure", sa.Float(precision=53), nullable=False, index=True),
        sa.UniqueConstraint("scope", "name", name="odoorpc_login_failures_scope_name_uniq"),
    )


def downgrade() -> None:
    op.drop_table("odoorpc_login_failures")
