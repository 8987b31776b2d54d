"""Roster: the last day of a 任意継続 period (voluntary_until), which caps a card's validity (R13).

Revision ID: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("roster", sa.Column("voluntary_until", sa.String(10)))


def downgrade() -> None:
    op.drop_column("roster", "voluntary_until")
