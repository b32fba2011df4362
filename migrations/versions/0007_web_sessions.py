"""Web sessions (cookie `session_id`), kept in the database they belong to so every worker
process and every server sharing the database knows them. Only a digest of the session id is
stored: whoever reads the table cannot take a session over.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "odoorpc_web_sessions",
        sa.Column("sid_digest", sa.String(64), primary_key=True),
        sa.Column("uid", sa.Integer, nullable=False, index=True),
        # a digest of the user's password hash when the session was opened: a new password
        # ends every session of the user, as Odoo's session token does
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("context", sa.Text, nullable=False),
        # seconds since the epoch (the same clock for SQLite and PostgreSQL)
        sa.Column("touched", sa.Float(precision=53), nullable=False),
        sa.Column("expires", sa.Float(precision=53), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("odoorpc_web_sessions")
