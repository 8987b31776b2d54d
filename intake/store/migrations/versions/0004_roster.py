"""Member roster imported from CSV (記号・番号, names, birth dates, マイナ保険証, 任意継続).

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roster",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("symbol", sa.String(8), nullable=False),
        sa.Column("number", sa.String(8), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("name_kana", sa.String(128), nullable=False),
        sa.Column("birth_date", sa.String(10), nullable=False),
        sa.Column("relationship", sa.String(16), nullable=False),
        sa.Column("can_use_myna", sa.Boolean, nullable=False),
        sa.Column("voluntary", sa.Boolean, nullable=False),
        sa.Column("certificate_expiry", sa.String(10)),
        sa.UniqueConstraint("symbol", "number", "name"),
    )
    op.create_index("ix_roster_symbol", "roster", ["symbol"])
    op.create_index("ix_roster_number", "roster", ["number"])


def downgrade() -> None:
    op.drop_table("roster")
