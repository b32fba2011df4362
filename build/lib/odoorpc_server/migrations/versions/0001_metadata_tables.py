"""Metadata tables: models, fields, external ids and the registry change signal.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _log_columns() -> list[sa.Column]:
    return [
        sa.Column("create_uid", sa.Integer),
        sa.Column("create_date", sa.String(26)),
        sa.Column("write_uid", sa.Integer),
        sa.Column("write_date", sa.String(26)),
    ]


def upgrade() -> None:
    op.create_table(
        "ir_model",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("model", sa.String, nullable=False, unique=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("order", sa.String, nullable=False, server_default="id"),
        sa.Column("info", sa.Text),
        sa.Column("state", sa.String, nullable=False, server_default="manual"),
        sa.Column("transient", sa.Boolean, server_default=sa.false()),
        # how the server treats the model: rec_name, parent field, display-name template
        sa.Column("rec_name", sa.String),
        sa.Column("parent_name", sa.String),
        sa.Column("display", sa.String),
        sa.Column("name_search", sa.String),
        *_log_columns(),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "ir_model_fields",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("model", sa.String, nullable=False),
        sa.Column("model_id", sa.Integer, nullable=False, index=True),
        sa.Column("field_description", sa.String, nullable=False),
        sa.Column("help", sa.Text),
        sa.Column("ttype", sa.String, nullable=False),
        sa.Column("relation", sa.String),
        sa.Column("relation_field", sa.String),
        sa.Column("relation_table", sa.String),
        sa.Column("column1", sa.String),
        sa.Column("column2", sa.String),
        sa.Column("selection", sa.Text),
        sa.Column("required", sa.Boolean, server_default=sa.false()),
        sa.Column("readonly", sa.Boolean, server_default=sa.false()),
        sa.Column("index", sa.Boolean, server_default=sa.false()),
        sa.Column("translate", sa.Boolean, server_default=sa.false()),
        sa.Column("copied", sa.Boolean, server_default=sa.true()),
        sa.Column("store", sa.Boolean, server_default=sa.true()),
        sa.Column("size", sa.Integer),
        sa.Column("state", sa.String, nullable=False, server_default="manual"),
        sa.Column("on_delete", sa.String, server_default="set null"),
        sa.Column("domain", sa.String, server_default="[]"),
        sa.Column("related", sa.String),
        sa.Column("compute", sa.Text),
        sa.Column("depends", sa.String),
        sa.Column("groups", sa.String),
        # JSON text of the default value applied on create
        sa.Column("default_value", sa.Text),
        *_log_columns(),
        sa.UniqueConstraint("model", "name", name="ir_model_fields_name_unique"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "ir_model_data",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("module", sa.String, nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("model", sa.String, nullable=False),
        sa.Column("res_id", sa.Integer),
        sa.Column("noupdate", sa.Boolean, server_default=sa.false()),
        *_log_columns(),
        sa.UniqueConstraint("module", "name", name="ir_model_data_module_name_uniq"),
        sa.Index("ir_model_data_model_res_id_index", "model", "res_id"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "odoorpc_signal",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("registry_sequence", sa.Integer, nullable=False),
    )
    op.execute("INSERT INTO odoorpc_signal (id, registry_sequence) VALUES (1, 1)")


def downgrade() -> None:
    for table in ("odoorpc_signal", "ir_model_data", "ir_model_fields", "ir_model"):
        op.drop_table(table)
