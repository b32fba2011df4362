"""When a web session last passed Odoo's identity check (`identity-check-last` in Odoo's
session): for ten minutes after it, the session's sensitive methods (creating an API key) run
without asking for the password again.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("odoorpc_web_sessions") as batch:
        # seconds since the epoch, as the other times of the table
        batch.add_column(sa.Column("identity_checked", sa.Float(precision=53), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("odoorpc_web_sessions") as batch:
        batch.drop_column("identity_checked")
