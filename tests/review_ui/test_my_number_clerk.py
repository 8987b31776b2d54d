"""The 事務取扱担当者 (issue 15 item 4): a user named by ``kakunin user my-number NAME`` sees a
個人番号 whatever their role — its digits on reveal and its boxes in the page image — and a
doubtful 個人番号 they check needs nobody else; taking the right back hides it again. Every
change of the right and every reveal is audited."""

from __future__ import annotations

import re

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from intake.services import Services
from intake.store.db import transaction
from intake.store.models import AuditEventRow, FieldReadingRow, RecordRow
from tests.review_ui.conftest import login
from tests.review_ui.test_accounts import _kakunin

pytestmark = pytest.mark.ocr


def _image(client: TestClient, task_id: int) -> np.ndarray:
    page = client.get(f"/tasks/{task_id}").text
    url = re.search(r'id="page-image" src="([^"]+)"', page)
    assert url, page
    image = cv2.imdecode(np.frombuffer(client.get(url.group(1)).content, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image is not None
    return image


def _audited(services: Services) -> list[tuple[str, str]]:
    with transaction(services.sessions) as session:
        return [
            (e.actor, e.action) for e in session.scalars(select(AuditEventRow).order_by(AuditEventRow.id))
        ]


def test_a_my_number_clerk_sees_the_my_number_and_a_reviewer_does_not(
    app: TestClient, task_id: int, services: Services
) -> None:
    """GIVEN two reviewers, one named 事務取扱担当者 on the command line WHEN each opens the task
    THEN only the named one gets the 個人番号 on reveal and its boxes in the page image (as an
    admin does), and a doubtful 個人番号 they approve is validated at once; after ``--off``
    they are refused again. The right's changes and the reveals are audited."""
    with transaction(services.sessions) as session:
        reading = session.scalars(
            select(FieldReadingRow).where(FieldReadingRow.field_name == "insured_my_number")
        ).one()
        reading.needs_review = True  # the setup: what the reader would flag
        my_number = reading.value

    done = _kakunin(services, "user", "my-number", "rev2")
    assert done.exit_code == 0, done.output
    assert _kakunin(services, "user", "my-number", "nobody").exit_code != 0

    csrf = login(app, "rev")
    masked = _image(app, task_id)
    refused = app.post(f"/tasks/{task_id}/reveal", data={"field": "insured_my_number", "csrf": csrf})
    assert refused.status_code == 403
    app.post(f"/tasks/{task_id}/release", data={"csrf": csrf})

    csrf = login(app, "adm")
    full = _image(app, task_id)
    app.post(f"/tasks/{task_id}/release", data={"csrf": csrf})
    assert not np.array_equal(masked, full)

    csrf = login(app, "rev2")
    page = app.get(f"/tasks/{task_id}").text
    assert "承認者（事務取扱担当者）が画像で確認します" not in page
    assert np.array_equal(_image(app, task_id), full)
    shown = app.post(f"/tasks/{task_id}/reveal", data={"field": "insured_my_number", "csrf": csrf})
    assert shown.status_code == 200 and shown.json()["value"] == my_number
    approved = app.post(f"/tasks/{task_id}/approve", data={"csrf": csrf}, follow_redirects=False)
    assert approved.headers["location"].startswith("/records/")
    with transaction(services.sessions) as session:
        record = session.scalars(select(RecordRow)).one()
        assert record.status == "validated" and "_unseen" not in record.values

    assert _kakunin(services, "user", "my-number", "rev2", "--off").exit_code == 0
    csrf = login(app, "rev2")
    refused = app.post(f"/tasks/{task_id}/reveal", data={"field": "insured_my_number", "csrf": csrf})
    assert refused.status_code == 403

    audited = _audited(services)
    assert ("cli", "my_number_clerk_set") in audited and ("cli", "my_number_clerk_unset") in audited
    assert ("rev2", "my_number_revealed") in audited
    assert ("rev", "my_number_reveal_refused") in audited and ("rev2", "my_number_reveal_refused") in audited


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_doubtful_my_number_is_routed_to_whoever_may_see_it(app: TestClient, services: Services) -> None:
    """GIVEN the oldest task with a doubtful 個人番号 and a later one without WHEN a reviewer
    and a 事務取扱担当者 each take the next task from the queue THEN the reviewer (who would only
    pass it on to an approver) gets the later one, the 事務取扱担当者 the one with the 個人番号."""
    from extractors.model import FieldReading, FormReading
    from extractors.template import template_for
    from intake import review
    from intake.auth import set_my_number_clerk
    from intake.store import repo
    from intake.store.models import ReviewTaskRow
    from tests.helpers import document_in_processing

    template = template_for("kofu_shinsei")
    assert template is not None
    ids = []
    for n, doubtful in enumerate((True, False)):
        readings = (
            FieldReading("insured_my_number", "123456789018", 0.5, doubtful),
            FieldReading("insured_name", "健保 太郎", 0.5, True),
        )
        form = FormReading("kofu_shinsei", template.form_version, (1,), readings)
        with transaction(services.sessions) as session:
            document_id = document_in_processing(session, name=f"{n}.tif", sha=str(n) * 64)
            repo.save_extraction(
                session,
                document_id,
                {"documents": []},
                [form],
                [repo.StoredPage(1, "d" * 64, 1654, 2339, 0, "kofu_shinsei")],
                "test",
            )
            ids.append(
                int(
                    session.scalars(
                        select(ReviewTaskRow.id).where(ReviewTaskRow.document_id == document_id)
                    ).one()
                )
            )
    with_my_number, without = ids
    set_my_number_clerk(services, "rev2", True)
    from intake.auth import User

    reviewer, clerk = (
        User(1, "rev", "reviewer", False),
        User(2, "rev2", "reviewer", False, my_number_clerk=True),
    )
    assert review.next_free_task(services, reviewer) == without
    assert review.next_free_task(services, clerk) == with_my_number
    assert review.next_free_task(services) == with_my_number  # the oldest, routed to nobody

    login(app, "rev")
    queue = app.get("/").text
    assert re.search(rf'href="/tasks/{without}"[^>]*data-routed', queue)
    assert not re.search(rf'href="/tasks/{with_my_number}"[^>]*data-routed', queue)
    login(app, "rev2")
    assert re.search(rf'href="/tasks/{with_my_number}"[^>]*data-routed', app.get("/").text)
