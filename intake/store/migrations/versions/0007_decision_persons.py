"""Decisions per person (forms README §4a): each person's outcome, validity and delivery.

Revision ID: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("decisions", sa.Column("persons", sa.JSON))


def downgrade() -> None:
    op.drop_column("decisions", "persons")
