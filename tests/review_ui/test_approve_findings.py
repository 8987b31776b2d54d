"""The approve screen uses the findings the approval returns (issue 17): a form approved with
values that still break its rules has the next page (the next task, or the record) tell the
clerk which, in Japanese, once."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from extractors.model import FieldReading, FormReading
from extractors.template import template_for
from intake import review
from intake.services import Services
from intake.store import repo
from intake.store.db import transaction
from intake.store.models import RecordRow, ReviewTaskRow
from tests.helpers import document_in_processing
from tests.review_ui.conftest import login


def _task(services: Services, form_id: str, readings: tuple[FieldReading, ...], sha: str = "c") -> int:
    """A review task of one page of ``form_id`` stored as the worker stores it (no OCR)."""
    template = template_for(form_id)
    assert template is not None
    form = FormReading(form_id, template.form_version, (1,), readings)
    with transaction(services.sessions) as session:
        document_id = document_in_processing(session, sha=sha * 64)
        page = repo.StoredPage(1, "d" * 64, 1654, 2339, 0, form_id)
        repo.save_extraction(session, document_id, {"documents": []}, [form], [page], "test")
        return int(
            session.scalars(select(ReviewTaskRow.id).where(ReviewTaskRow.document_id == document_id)).one()
        )


def _record_id(services: Services) -> int:
    with transaction(services.sessions) as session:
        return int(session.scalars(select(RecordRow.id)).one())


def _left(page: str, element: str) -> list[str]:
    found = re.search(rf'<div class="error" id="{element}">.*?<ul>(.*?)</ul>', page, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []


def test_the_findings_left_by_an_approval_are_shown_once_on_the_next_task(
    app: TestClient, services: Services
) -> None:
    """GIVEN two SK-01 tasks, each read with its 被保険者氏名 only WHEN a reviewer approves the
    first as read THEN the record is validated and the next task's page names, in Japanese
    with the field's label, what the values approved still leave (交付対象者 blank, the
    事業主 block), once: the page opened again no longer says it."""
    first = _task(services, "kofu_shinsei", (FieldReading("insured_name", "健保 太郎", 0.5, True),))
    second = _task(services, "kofu_shinsei", (FieldReading("insured_name", "健保 次郎", 0.5, True),), "e")
    csrf = login(app, "rev")
    app.get(f"/tasks/{first}")
    response = app.post(f"/tasks/{first}/approve", data={"csrf": csrf}, follow_redirects=False)
    record_id = _record_id(services)
    assert response.status_code == 303 and response.headers["location"] == f"/records/{record_id}/next"
    page = app.get(response.headers["location"])
    assert page.url.path == f"/tasks/{second}"
    left = _left(page.text, "done-left")
    assert "交付対象者1 氏名: 必須項目が空欄です（交付対象者）" in left
    assert "事業所名称: 必須項目が空欄です（事業主の証明）" in left
    assert _left(app.get(f"/tasks/{second}?done={record_id}").text, "done-left") == []


def test_the_findings_left_are_shown_on_the_record_when_no_task_follows(
    app: TestClient, services: Services
) -> None:
    """GIVEN one SK-01 task WHEN approved as read THEN the record page it leads to names the
    findings left; another record's page does not."""
    task_id = _task(services, "kofu_shinsei", (FieldReading("insured_name", "健保 太郎", 0.5, True),))
    csrf = login(app, "rev")
    app.get(f"/tasks/{task_id}")
    page = app.post(f"/tasks/{task_id}/approve", data={"csrf": csrf})
    record_id = _record_id(services)
    assert page.url.path == f"/records/{record_id}"
    assert "交付対象者1 区分: 必須項目が空欄です（交付対象者）" in _left(page.text, "record-left")
    assert _left(app.get(f"/records/{record_id}").text, "record-left") == []


def test_approving_a_form_without_findings_goes_straight_on(
    app: TestClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a form whose values break no rule WHEN approved THEN the clerk goes straight on to
    the next task (here: none, so the record), as before."""
    monkeypatch.setattr(review, "check_form", lambda form_id, values, today: [])
    task_id = _task(services, "kofu_shinsei", (FieldReading("insured_name", "健保 太郎", 0.5, True),))
    csrf = login(app, "rev")
    app.get(f"/tasks/{task_id}")
    response = app.post(f"/tasks/{task_id}/approve", data={"csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/records/{_record_id(services)}/next"
