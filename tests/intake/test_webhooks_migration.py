"""Migration 0015 (webhook targets, outbox rows with their own event): a decision waiting in the
outbox before the upgrade is still delivered after it, once; the downgrade drops the webhook
targets' events and leaves the decisions' rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from intake.events import record_event
from intake.outbox import deliver
from intake.services import Services
from intake.store.db import MIGRATIONS
from intake.store.db import upgrade as upgrade_to_head
from intake.webhooks import add_target


def _to(engine: Engine, revision: str, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_a_decision_waiting_before_the_upgrade_is_delivered_after_it(
    services: Services, tmp_path: Path
) -> None:
    """GIVEN a decision and its pending jsonl outbox row as 0014 stored them WHEN the database
    is upgraded and the outbox delivered THEN the line is written once, read from the decision
    (the row has no snapshot), and a second row for the same decision and target is refused."""
    engine = services.db
    _to(engine, "0014", down=True)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            text('INSERT INTO records (id, "values", status, created_at) VALUES (1, :values, :status, :now)'),
            {
                "values": json.dumps({"name": "健保 太郎", "_event": "myna_registered"}),
                "status": "validated",
                "now": now,
            },
        )
        connection.execute(
            text(
                "INSERT INTO decisions (id, record_id, decision, outcomes, persons, created_at)"
                " VALUES (1, 1, 'card_returned', '[]', '[]', :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO outbox (id, decision_id, target, created_at, attempts, next_attempt_at)"
                " VALUES (1, 1, 'jsonl', :now, 0, :now)"
            ),
            {"now": now},
        )
    upgrade_to_head(engine)
    services.settings.export_dir = tmp_path / "export"
    assert deliver(services) == {"delivered": 1, "failed": 0}
    assert deliver(services) == {"delivered": 0, "failed": 0}
    (line,) = next((tmp_path / "export").glob("*.jsonl")).read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["decision_id"] == 1 and json.loads(line)["values"] == {"name": "健保 太郎"}
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO outbox (decision_id, target, created_at, attempts, next_attempt_at)"
                " VALUES (1, 'jsonl', :now, 0, :now)"
            ),
            {"now": now},
        )


def test_the_downgrade_keeps_the_decisions_rows_and_drops_the_targets_events(
    services: Services, tmp_path: Path
) -> None:
    services.settings.export_dir = tmp_path / "export"
    add_target(services, "http://127.0.0.1:9/hook", [])
    record_event(services, "myna_registered", {"name": "健保 太郎"}, "api")
    _to(services.db, "0014", down=True)
    with services.db.begin() as connection:
        rows = connection.execute(text("SELECT decision_id, target FROM outbox")).all()
    assert [tuple(r) for r in rows] == [(1, "jsonl")]
    upgrade_to_head(services.db)
