"""Secret fields: one flag on `ir_model_fields` keeps a field's value inside the server.

A secret field has a column for its value, but the column is not part of the table the ORM
queries: no read, search, order, group or aggregate can reach it. Password hashes and API-key
hashes and indexes are the secret fields of the base models.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SECRETS = (("res.users", "password"), ("res.users.apikeys", "key"), ("res.users.apikeys", "index"))


def upgrade() -> None:
    with op.batch_alter_table("ir_model_fields") as batch:
        batch.add_column(sa.Column("secret", sa.Boolean, nullable=False, server_default=sa.false()))
    fields = sa.table("ir_model_fields", sa.column("model"), sa.column("name"), sa.column("secret"))
    for model, name in SECRETS:
        op.execute(fields.update().where(fields.c.model == model, fields.c.name == name).values(secret=True))


def downgrade() -> None:
    with op.batch_alter_table("ir_model_fields") as batch:
        batch.drop_column("secret")
