"""Field-level groups as a relation (ir.model.fields.groups), replacing the text column.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ir_model_fields_group_rel",
        sa.Column("field_id", sa.Integer, nullable=False, index=True),
        sa.Column("group_id", sa.Integer, nullable=False, index=True),
        sa.PrimaryKeyConstraint("field_id", "group_id"),
    )
    with op.batch_alter_table("ir_model_fields") as batch:
        batch.drop_column("groups")


def downgrade() -> None:
    with op.batch_alter_table("ir_model_fields") as batch:
        batch.add_column(sa.Column("groups", sa.String))
    op.drop_table("ir_model_fields_group_rel")
