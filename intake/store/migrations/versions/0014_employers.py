"""The society's 事業所 master (issue 20 item 3): 事業所記号, 名称, 所在地, 電話番号, 事業主,
imported from CSV; roster.employer_code names a member's 事業所.

Revision ID: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "employers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(16), nullable=False, unique=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("address", sa.String(256), nullable=False),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("owner", sa.String(128), nullable=False),
    )
    op.add_column("roster", sa.Column("employer_code", sa.String(16)))


def downgrade() -> None:
    op.drop_column("roster", "employer_code")
    op.drop_table("employers")
