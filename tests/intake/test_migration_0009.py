"""Migration 0009 frees the records the old two-person rule left stuck: pending approval while
their task stayed claimed by the reviewer (issue 15 item 2). The stuck rows are what the old
product wrote; after the upgrade an approver opens such a task through the product."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from intake import review
from intake.auth import User
from intake.services import Services
from intake.store.db import MIGRATIONS
from intake.store.db import upgrade as upgrade_to_head


def _to(engine: Engine, revision: str, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_a_record_stuck_pending_under_its_reviewers_claim_reaches_the_approvers(services: Services) -> None:
    engine = services.db
    _to(engine, "0008", down=True)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO documents (id, sha256, source, original_name, media_type, size_bytes, page_count,"
                " status, attempts, created_at, updated_at) VALUES (1, :sha, 'upload', 'k.tif', 'image/tiff',"
                " 1, 1, 'in_review', 1, :now, :now)"
            ),
            {"sha": "0" * 64, "now": now},
        )
        connection.execute(
            text(
                "INSERT INTO review_tasks (id, document_id, form_index, form_id, status, doubtful_fields,"
                " findings, claimed_by, created_at) VALUES (1, 1, 0, 'kofu_shinsei', 'claimed', 0, 0, 'rev', :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                'INSERT INTO records (id, document_id, form_index, form_id, "values", status, created_at)'
                " VALUES (1, 1, 0, 'kofu_shinsei', :values, 'pending_approval', :now)"
            ),
            {"values": '{"_reviewed_by": "rev", "_corrected": ["insured_my_number"]}', "now": now},
        )
    upgrade_to_head(engine)
    with engine.begin() as connection:
        row = connection.execute(text("SELECT status, claimed_by FROM review_tasks WHERE id = 1")).one()
    assert tuple(row) == ("pending_approval", None)
    review.claim(services, 1, User(3, "appr", "approver", False))
    with engine.begin() as connection:
        row = connection.execute(text("SELECT status, claimed_by FROM review_tasks WHERE id = 1")).one()
    assert tuple(row) == ("approving", "appr")
