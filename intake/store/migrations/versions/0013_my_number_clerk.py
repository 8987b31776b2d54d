"""users.my_number_clerk: the society's 事務取扱担当者, who may see a 個人番号 whatever their
role (issue 15 item 4).

Revision ID: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "users", sa.Column("my_number_clerk", sa.Boolean, nullable=False, server_default=sa.false())
    )


def downgrade() -> None:
    op.drop_column("users", "my_number_clerk")
