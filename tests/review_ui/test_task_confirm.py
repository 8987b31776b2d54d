"""Confirming fields at once on the task screen (issue 14, clerk4 friction 1: a 127-field form on
trial took 2,540 Enter presses for 20 pages): 「この欄をまとめて確認」 (Alt+B) and
「残りをすべて確認」 (Alt+A) post ``/tasks/{id}/confirm``, checked on the server as every task
action is (the claim's holder only, an open task, the CSRF token), each field confirmed audited
(``field_confirmed``); a field with a finding, a value failing its checks or a 個人番号 the user
may not see is left for one-by-one review. The trial's 「確認した項目」 counts what was confirmed
or corrected (clerk5 item 11: one approval counted every field).

The page is 協会けんぽ's 交付申請書 (a form on trial: every field to confirm), read from its
text layer by a real worker."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from intake import jobs
from intake.services import Services
from intake.store.db import transaction
from intake.store.models import AuditEventRow, DocumentRow, FieldReadingRow, ReviewTaskRow
from tests.intake.test_form_trust import FORM, NoOcr, _read, _version
from tests.review_ui.conftest import login

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

BLOCK_2 = ["name_kana_2", "date_2"]


@pytest.fixture
def worker(services: Services, kyokai_kofu_folder: Path) -> Iterator[None]:
    jobs._context = jobs.WorkerContext(services, NoOcr())
    yield
    jobs._context = None


@pytest.fixture
def task(services: Services, kyokai_kofu_folder: Path, worker: None) -> int:
    """The task of a page of the 交付申請書 on trial."""
    document_id = _read(services, kyokai_kofu_folder, 1)
    with transaction(services.sessions) as session:
        return session.scalars(select(ReviewTaskRow.id).where(ReviewTaskRow.document_id == document_id)).one()


def _open(app: TestClient, name: str, task: int) -> str:
    """``name`` logs in and opens the task (claims it); the page's CSRF token."""
    login(app, name)
    page = app.get(f"/tasks/{task}").text
    found = re.search(r'data-csrf="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _token(app: TestClient) -> str:
    """The logged-in user's CSRF token, from the queue page."""
    found = re.search(r'name="csrf" value="([^"]+)"', app.get("/").text)
    assert found is not None
    return found.group(1)


def _confirm(app: TestClient, task: int, csrf: str | None, fields: list[str], scope: str) -> Any:
    data: dict[str, Any] = {"field": fields, "scope": scope}
    if csrf is not None:
        data["csrf"] = csrf
    return app.post(f"/tasks/{task}/confirm", data=data)


def _confirmed(services: Services) -> list[tuple[str, dict[str, Any]]]:
    with transaction(services.sessions) as session:
        rows = session.execute(
            select(AuditEventRow.actor, AuditEventRow.detail).where(AuditEventRow.action == "field_confirmed")
        )
        return [(actor, dict(detail)) for actor, detail in rows]


def _fields(page: str) -> dict[str, str]:
    """Each field of the task page with its block."""
    return dict(re.findall(r'data-field="([^"]+)" data-block="([^"]+)"', page))


def test_the_claim_holder_confirms_a_block_at_once_each_field_audited(
    app: TestClient, services: Services, task: int
) -> None:
    """GIVEN a reviewer with the trial form's task open WHEN they confirm block (2) at once
    THEN both its fields are confirmed, one audit row each (who, the task, the field, at once
    by block); the page offers both buttons and tells each field's block."""
    csrf = _open(app, "rev", task)
    page = app.get(f"/tasks/{task}").text
    assert "この欄をまとめて確認 (Alt+B)" in page and "残りをすべて確認 (Alt+A)" in page
    blocks = _fields(page)
    assert blocks["name_kana_2"] == blocks["date_2"] != blocks["name_kana_3"]

    response = _confirm(app, task, csrf, BLOCK_2, "block")

    assert response.status_code == 200
    assert response.json() == {"confirmed": BLOCK_2, "left": []}
    audited = _confirmed(services)
    assert [(actor, d["field"], d["task"], d["scope"]) for actor, d in audited] == [
        ("rev", "name_kana_2", task, "block"),
        ("rev", "date_2", task, "block"),
    ]


def test_another_reviewer_wrong_state_or_no_csrf_confirms_nothing(
    app: TestClient, services: Services, task: int
) -> None:
    """GIVEN the task held by one reviewer WHEN another reviewer, then a user who never opened
    it, posts a confirmation, or the holder posts without the CSRF token, or after the task
    was approved (waiting for an approver) THEN each is refused (409 / 403) and nothing is audited as confirmed."""
    _open(app, "rev", task)
    login(app, "rev2")
    assert app.get(f"/tasks/{task}").status_code == 409  # rev holds it
    other = _token(app)

    refused = _confirm(app, task, other, BLOCK_2, "all")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "claimed"

    csrf = _open(app, "rev", task)
    assert _confirm(app, task, None, BLOCK_2, "all").status_code == 403
    assert _confirm(app, task, "forged", BLOCK_2, "all").status_code == 403
    assert _confirm(app, task, csrf, BLOCK_2, "nonsense").status_code == 400

    approved = app.post(f"/tasks/{task}/approve", data={"csrf": csrf}, follow_redirects=False)
    assert approved.status_code == 303
    # Approved, the task waits for an approver (its 個人番号 was not seen): not the reviewer's.
    waiting = _confirm(app, task, csrf, BLOCK_2, "all")
    assert waiting.status_code == 409 and waiting.json()["error"]["code"] == "state"
    assert _confirmed(services) == []


def test_a_task_nobody_opened_cannot_be_confirmed(app: TestClient, services: Services, task: int) -> None:
    """GIVEN a task nobody holds WHEN a logged-in reviewer posts a confirmation without
    opening it THEN refused (state) and nothing audited."""
    login(app, "rev")

    response = _confirm(app, task, _token(app), BLOCK_2, "one")

    assert response.status_code == 409 and response.json()["error"]["code"] == "state"
    assert _confirmed(services) == []


def test_a_claim_gone_idle_is_taken_up_again_unless_another_opened_the_task(
    app: TestClient, services: Services, task: int
) -> None:
    """GIVEN a reviewer's claim left idle longer than the timeout WHEN they confirm a field
    THEN it is confirmed and the task is theirs again (as an approval would be accepted); once
    another reviewer opened it meanwhile, their confirmation is refused."""
    csrf = _open(app, "rev", task)
    _age_claim(services, task)

    assert _confirm(app, task, csrf, ["note"], "one").json() == {"confirmed": ["note"], "left": []}
    with transaction(services.sessions) as session:
        row = session.get(ReviewTaskRow, task)
        assert row is not None and row.claimed_by == "rev"
    login(app, "rev2")
    assert app.get(f"/tasks/{task}").status_code == 409  # taken up again: rev holds it

    _age_claim(services, task)
    _open(app, "rev2", task)
    login(app, "rev")
    assert app.get(f"/tasks/{task}").status_code == 409  # rev2 holds it now
    refused = _confirm(app, task, _token(app), ["name"], "one")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "claimed"
    assert [d["field"] for _, d in _confirmed(services)] == ["note"]


def _age_claim(services: Services, task: int) -> None:
    """The task's claim as it is after an hour without an action (longer than the idle time)."""
    with transaction(services.sessions) as session:
        row = session.get(ReviewTaskRow, task)
        assert row is not None and row.claimed_at is not None
        row.claimed_at = row.claimed_at - timedelta(hours=1)


def _spoil(services: Services, task: int) -> None:
    """The reading as the reader may leave it: a finding on 氏名, letters read in 電話番号, a
    個人番号 read (its digits in the box)."""
    with transaction(services.sessions) as session:
        document_id = session.get(ReviewTaskRow, task).document_id  # type: ignore[union-attr]
        document = session.get(DocumentRow, document_id)
        assert document is not None and document.extraction is not None
        extraction = dict(document.extraction)
        [form] = extraction["documents"]
        form = dict(form, findings=[*form["findings"], {"field": "name", "code": "x", "message": "要確認"}])
        document.extraction = dict(extraction, documents=[form])
        values = {"phone": "03ab", "my_number": "123456789018"}
        for row in session.scalars(select(FieldReadingRow).where(FieldReadingRow.document_id == document_id)):
            if row.field_name in values:
                row.value = values[row.field_name]


def test_fields_with_a_finding_a_failing_value_or_an_unseen_my_number_stay(
    app: TestClient, services: Services, task: int
) -> None:
    """GIVEN the trial form's task with a finding on 氏名, letters in 電話番号 and a 個人番号
    WHEN a reviewer confirms the rest of the page at once THEN those three stay unconfirmed
    with the reason said (one by one), every other field is confirmed and audited; an
    approver (who may see the 個人番号) confirms it at once."""
    _spoil(services, task)
    csrf = _open(app, "rev", task)
    names = list(_fields(app.get(f"/tasks/{task}").text))

    answer = _confirm(app, task, csrf, names, "all").json()

    left = {item["field"]: item["message"] for item in answer["left"]}
    assert set(left) == {"name", "phone", "my_number"}
    assert "指摘" in left["name"] and "チェック" in left["phone"] and "個人番号" in left["my_number"]
    assert set(answer["confirmed"]) == set(names) - set(left)
    assert {d["field"] for _, d in _confirmed(services)} == set(answer["confirmed"])

    app.post(f"/tasks/{task}/release", data={"csrf": csrf})
    csrf = _open(app, "appr", task)
    again = _confirm(app, task, csrf, ["name", "phone", "my_number"], "all").json()
    assert again["confirmed"] == ["my_number"]


def test_the_trial_counts_the_fields_confirmed_or_corrected_not_the_whole_page(
    app: TestClient, services: Services, task: int
) -> None:
    """GIVEN a trial page on which a reviewer confirmed block (2) (two fields) and corrected
    氏名 WHEN they approve it THEN the trial's 「確認した項目」 is 3 (not the page's 18 fields),
    1 corrected."""
    csrf = _open(app, "rev", task)
    _confirm(app, task, csrf, BLOCK_2, "block")

    app.post(f"/tasks/{task}/approve", data={"csrf": csrf, "f_name": "健保 花子"}, follow_redirects=False)

    batch = _version(services).batch
    assert (batch.pages_reviewed, batch.fields_reviewed, batch.fields_corrected) == (1, 3, 1)
    assert FORM
