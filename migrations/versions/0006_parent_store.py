"""Odoo's _parent_store per model: hierarchies of such models follow the parent tree whatever
field names them (res.partner.category and res.company in the base data).

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

PARENT_STORE = ("res.partner.category", "res.company")


def upgrade() -> None:
    with op.batch_alter_table("ir_model") as batch:
        batch.add_column(sa.Column("parent_store", sa.Boolean, nullable=False, server_default=sa.false()))
    models = sa.table("ir_model", sa.column("model"), sa.column("parent_store"))
    op.execute(models.update().where(models.c.model.in_(PARENT_STORE)).values(parent_store=True))


def downgrade() -> None:
    with op.batch_alter_table("ir_model") as batch:
        batch.drop_column("parent_store")
