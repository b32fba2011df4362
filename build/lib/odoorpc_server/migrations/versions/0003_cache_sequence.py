"""A second signal: security data (access rights, rules, groups) changed, so every process
drops what it cached of them.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("odoorpc_signal") as batch:
        batch.add_column(sa.Column("cache_sequence", sa.Integer, nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("odoorpc_signal") as batch:
        batch.drop_column("cache_sequence")
