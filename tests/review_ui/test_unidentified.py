"""A page none of ours (issue 15 item 8): the reviewer picks the form among the installed
templates and the page is read again as it through the worker, or rejects it with 様式が違う
preselected; it is never approved."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from extractors.template import load_templates
from intake import jobs
from intake.accept import accept
from intake.services import Services
from intake.store.db import transaction
from intake.store.models import DocumentRow, FieldReadingRow, PageRow, ReviewTaskRow
from intake.worker import queue_worker
from ocr.engine import OcrEngine
from tests.conftest import SAMPLES
from tests.review_ui.conftest import audit_actions, login

pytestmark = pytest.mark.ocr


def _work(services: Services, engine: OcrEngine) -> None:
    jobs._context = jobs.WorkerContext(services, engine)
    queue_worker(services).work(burst=True)
    jobs._context = None


@pytest.fixture
def unidentified(services: Services, engine: OcrEngine) -> int:
    """The task of a letter, a page none of the installed forms."""
    accept(services, (SAMPLES / "negative_letter.png").read_bytes(), "letter.png", "hotfolder")
    _work(services, engine)
    with transaction(services.sessions) as session:
        task = session.scalars(select(ReviewTaskRow)).one()
        assert task.form_id is None
        return int(task.id)


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def test_the_page_offers_the_installed_forms_and_wrong_form(app: TestClient, unidentified: int) -> None:
    login(app, "rev")
    page = app.get(f"/tasks/{unidentified}").text
    chooser = re.search(r'<select name="form_id" id="form-choice".*?</select>', page, re.S)
    assert chooser is not None
    for template in load_templates():  # every installed template, not a fixed list
        assert f'value="{template.form_id}"' in chooser.group(0) and template.form_code in chooser.group(0)
    assert re.search(r'<option value="wrong_form"\s+selected>様式が違う</option>', page)
    assert 'id="approve-form"' not in page and "で承認" not in page


def test_the_chosen_form_reads_the_page_again(
    app: TestClient, unidentified: int, services: Services, engine: OcrEngine
) -> None:
    csrf = login(app, "rev")
    app.get(f"/tasks/{unidentified}")
    refused = app.post(
        f"/tasks/{unidentified}/form", data={"csrf": csrf, "form_id": "nope"}, follow_redirects=False
    )
    assert "error=form_choice" in refused.headers["location"]
    chosen = app.post(
        f"/tasks/{unidentified}/form", data={"csrf": csrf, "form_id": "messhitsu"}, follow_redirects=False
    )
    assert chosen.status_code == 303 and chosen.headers["location"] == "/?notice=reread"
    assert "form_chosen" in audit_actions(services)
    with transaction(services.sessions) as session:
        assert session.scalars(select(ReviewTaskRow)).first() is None  # replaced by the new reading
        assert session.scalars(select(DocumentRow.status)).one() == "received"
    _work(services, engine)  # the worker's own job, with the form chosen
    with transaction(services.sessions) as session:
        task = session.scalars(select(ReviewTaskRow)).one()
        assert task.form_id == "messhitsu" and task.status == "open"
        assert session.scalars(select(PageRow.form_id)).one() == "messhitsu"
        readings = session.scalars(select(FieldReadingRow)).all()
        assert readings and all(r.needs_review for r in readings)  # a page that fits badly: all to a person
        assert "forced_forms" not in (session.scalars(select(DocumentRow.extraction)).one() or {})
    page = app.get(f"/tasks/{task.id}").text
    assert 'id="approve-form"' in page and 'id="form-choice"' not in page


def test_only_the_holder_chooses_and_never_approves(
    app: TestClient, unidentified: int, services: Services
) -> None:
    csrf = login(app, "rev")
    app.get(f"/tasks/{unidentified}")
    assert (
        "error=not_a_form"
        in app.post(f"/tasks/{unidentified}/approve", data={"csrf": csrf}, follow_redirects=False).headers[
            "location"
        ]
    )
    other = login(app, "rev2")
    refused = app.post(
        f"/tasks/{unidentified}/form", data={"csrf": other, "form_id": "messhitsu"}, follow_redirects=False
    )
    assert "error=claimed" in refused.headers["location"]
    assert "form_chosen" not in audit_actions(services)
    csrf = login(app, "rev")
    app.get(f"/tasks/{unidentified}")
    done = app.post(
        f"/tasks/{unidentified}/reject", data={"csrf": csrf, "reason": "wrong_form"}, follow_redirects=False
    )
    assert done.headers["location"] == "/?notice=rejected"
