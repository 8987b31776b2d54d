"""Claims that let go (claimed_at, claim_nonce) and the second approval as a task state: a task
whose record waits for approval is no longer held by its reviewer (issue 15 items 1–3).

Revision ID: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review_tasks") as batch:
        batch.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("claim_nonce", sa.String(32), nullable=True))
    # Records stuck before: pending approval while their task stayed claimed by the reviewer.
    op.execute(
        "UPDATE review_tasks SET status = 'pending_approval', claimed_by = NULL "
        "WHERE status = 'claimed' AND EXISTS (SELECT 1 FROM records "
        "WHERE records.document_id = review_tasks.document_id "
        "AND records.form_index = review_tasks.form_index AND records.status = 'pending_approval')"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE review_tasks SET status = 'open', claimed_by = NULL "
        "WHERE status IN ('pending_approval', 'approving')"
    )
    with op.batch_alter_table("review_tasks") as batch:
        batch.drop_column("claim_nonce")
        batch.drop_column("claimed_at")
