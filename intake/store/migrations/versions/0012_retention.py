"""Retention (issue 19 item 7): when a document's scans and page images were deleted and its
個人番号 masked (``documents.purged_at``), and when a record's 個人番号 was masked
(``records.purged_at``). A purged document has no original in the file store on purpose.

Revision ID: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.drop_column("purged_at")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("purged_at")
