"""Trust gate for onboarded forms (issue 14): ``form_trust`` holds the state of one form
version's template content, 本番 (``production``) or 試行中 (``trial``), keyed by form id,
version and the content fingerprint (sha256 of the template JSON and its blank), so an
edited file of the same id and version has no row and is back on trial. Shipped templates
are production without a row; a folder template is trial until an admin promotes it.
``form_trial_pages`` notes each form a worker read with a template on trial (document, form
index, form version and fingerprint): the first batch the admin screen measures.

Revision ID: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "form_trust",
        sa.Column("form_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.String(64), primary_key=True),
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.Column("changed_at", TS, nullable=False),
    )
    op.create_table(
        "form_trial_pages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "document_id",
            sa.Integer,
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("form_index", sa.Integer, nullable=False),
        sa.Column("form_id", sa.String(64), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("document_id", "form_index"),
    )
    op.create_index("ix_form_trial_pages_version", "form_trial_pages", ["form_id", "version", "fingerprint"])


def downgrade() -> None:
    op.drop_index("ix_form_trial_pages_version", "form_trial_pages")
    op.drop_table("form_trial_pages")
    op.drop_table("form_trust")
