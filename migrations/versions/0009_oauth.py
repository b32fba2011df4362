"""OAuth for the REST API: a per-database server key and the nonces of OAuth 1.0a requests.

OAuth 1.0a's HMAC signatures need the consumer secret and the token secret in clear on the
server. Neither is stored: both are derived, HMAC-SHA256, from a random key of the database
(`odoorpc_oauth_keys`), which no model exposes and no dump carries. The nonces of signed
requests are kept for the timestamp window, so that a replayed request is refused by every
worker process. The applications and tokens themselves are models (`oauth.application`,
`oauth.token`) whose tokens are stored only as SHA-256 digests.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "odoorpc_oauth_keys",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("key", sa.String(64), nullable=False),  # 32 random bytes, hex
    )
    op.create_table(
        "odoorpc_oauth_nonces",
        sa.Column("client_key", sa.String(64), primary_key=True),
        sa.Column("nonce", sa.String(64), primary_key=True),
        sa.Column("timestamp", sa.BigInteger, primary_key=True),
        # a digest of the token the request was signed with ('' for none)
        sa.Column("token", sa.String(64), primary_key=True),
        sa.Column("seen", sa.Float(precision=53), nullable=False, index=True),  # seconds since the epoch
    )


def downgrade() -> None:
    op.drop_table("odoorpc_oauth_nonces")
    op.drop_table("odoorpc_oauth_keys")
