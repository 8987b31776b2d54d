"""Webhooks for every state change (issue 18 item 5): ``webhook_targets`` (URL, per-target
secret, event types, enabled) and outbox rows that carry their own event: an idempotency key
(``event_id``, the Standard Webhooks ``webhook-id``), its type and the payload as it was when
the change happened (a snapshot: a decision superseded before delivery still goes out as it
was, issue 15 item 7). ``decision_id`` may be empty (a document's event has no decision).

Revision ID: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "webhook_targets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("events", sa.JSON, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", TS, nullable=False),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("decision_id", existing_type=sa.Integer, nullable=True)
        batch.add_column(sa.Column("event_id", sa.String(64)))
        batch.add_column(sa.Column("event_type", sa.String(32)))
        batch.add_column(sa.Column("payload", sa.JSON))
    op.create_index("ix_outbox_event_id", "outbox", ["event_id"])
    op.create_index("ix_outbox_pending", "outbox", ["delivered_at", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_pending", "outbox")
    op.drop_index("ix_outbox_event_id", "outbox")
    op.execute("DELETE FROM outbox WHERE decision_id IS NULL")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("payload")
        batch.drop_column("event_type")
        batch.drop_column("event_id")
        batch.alter_column("decision_id", existing_type=sa.Integer, nullable=False)
    op.drop_table("webhook_targets")
