"""Statistics and the audit page (issue 15 item 10): review time counted only while the page
is visible (the page's beacons), per form and per reviewer; the backlog and documents per day
as inline SVG charts; the audit log in Japanese, filtered, paged and exported as CSV (the export
itself audited)."""

from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from extractors.model import FieldReading, FormReading
from extractors.template import template_for
from intake.services import Services
from intake.store import repo
from intake.store.db import transaction
from intake.store.models import AuditEventRow, ReviewTaskRow
from review_ui.stats import review_times
from tests.helpers import document_in_processing
from tests.review_ui.conftest import login


def _task(services: Services) -> int:
    """A review task of one SK-01 page (no OCR: a reading stored as the worker stores it)."""
    template = template_for("kofu_shinsei")
    assert template is not None
    form = FormReading(
        "kofu_shinsei", template.form_version, (1,), (FieldReading("insured_name", "健保 太郎", 0.5, True),)
    )
    with transaction(services.sessions) as session:
        document_id = document_in_processing(session)
        repo.save_extraction(
            session,
            document_id,
            {"documents": []},
            [form],
            [repo.StoredPage(1, "d" * 64, 1654, 2339, 0, "kofu_shinsei")],
            "test",
        )
        return int(
            session.scalars(select(ReviewTaskRow.id).where(ReviewTaskRow.document_id == document_id)).one()
        )


def test_review_time_is_the_visible_time_summed_per_task_median_per_form_and_reviewer() -> None:
    events = [
        ("rev", {"task": 1, "ms": 12_000, "form": "kofu_shinsei"}),
        ("rev", {"task": 1, "ms": 8_000, "form": "kofu_shinsei"}),  # came back to it: 20 s
        ("rev", {"task": 2, "ms": 40_000, "form": "kofu_shinsei"}),
        ("rev2", {"task": 3, "ms": 30_000, "form": "messhitsu"}),
        ("rev2", {"task": "x", "ms": 99}),  # not a beacon: left out
    ]
    by_form, by_reviewer = review_times(events)
    assert by_form == {"kofu_shinsei": 30, "messhitsu": 30}
    assert by_reviewer == {"rev": 30, "rev2": 30}


def test_the_beacon_counts_visible_time_and_the_statistics_show_it(
    app: TestClient, services: Services
) -> None:
    """GIVEN a reviewer who had a task's page visible for 20 s (two beacons: the tab was hidden
    in between) WHEN a supervisor opens the statistics THEN the form and the reviewer show 20 s,
    not the minutes between opening and leaving; the backlog names the oldest task and both
    charts are inline SVG. A user who never opened the task cannot report time on it."""
    task_id = _task(services)
    csrf = login(app, "rev2")
    assert app.post(f"/tasks/{task_id}/seen", data={"csrf": csrf, "ms": "5000"}).status_code == 409
    csrf = login(app, "rev")
    assert app.get(f"/tasks/{task_id}").status_code == 200
    assert app.post(f"/tasks/{task_id}/seen", data={"csrf": csrf, "ms": "12000"}).status_code == 204
    assert app.post(f"/tasks/{task_id}/seen", data={"csrf": csrf, "ms": "8000"}).status_code == 204
    assert app.post(f"/tasks/{task_id}/seen", data={"ms": "8000"}).status_code in (400, 403)  # no CSRF token
    assert app.get("/stats").status_code == 403

    login(app, "appr")
    page = app.get("/stats").text
    forms = re.search(r'<table id="review-time-forms">.*?</table>', page, re.S)
    reviewers = re.search(r'<table id="review-time-reviewers">.*?</table>', page, re.S)
    assert forms and "資格確認書（新規・再）交付申請書</td><td>20<" in forms.group(0)
    assert reviewers and "<td>rev</td><td>20</td>" in reviewers.group(0)
    assert 'id="backlog-chart"' in page and 'id="days-chart"' in page
    assert re.search(rf'id="backlog">確認・承認待ち 1 件.*?href="/tasks/{task_id}"', page)
    assert "http://" not in page and "https://" not in page  # no external asset (the CSP)


def test_the_audit_page_is_japanese_filtered_paged_and_exported_as_audited_csv(
    app: TestClient, services: Services
) -> None:
    with transaction(services.sessions) as session:
        for i in range(60):
            repo.audit(session, "rev", "record_viewed", None, record=i)
        repo.audit(session, "appr", "my_number_revealed", 7, task=3, field="insured_my_number")
    login(app, "rev")
    assert app.get("/admin/audit.csv").status_code == 403
    login(app, "adm")
    page = app.get("/admin/audit", params={"actor": "rev", "action": "record_viewed"}).text
    assert "記録の閲覧" in page and "60 件（1 / 2 ページ）" in page
    assert 'rel="next" href="?actor=rev&amp;action=record_viewed&amp;page=2"' in page
    second = app.get("/admin/audit", params={"actor": "rev", "action": "record_viewed", "page": 2}).text
    assert "60 件（2 / 2 ページ）" in second and second.count("記録の閲覧</td>") == 10
    revealed = app.get("/admin/audit", params={"action": "my_number_revealed"}).text
    assert "個人番号の表示" in revealed and "項目: 被保険者 個人番号" in revealed and "タスク: 3" in revealed
    assert (
        "1 件" in app.get("/admin/audit", params={"action": "my_number_revealed", "since": "2000-01-01"}).text
    )
    assert (
        "0 件" in app.get("/admin/audit", params={"action": "my_number_revealed", "until": "2000-01-01"}).text
    )

    exported = app.get("/admin/audit.csv", params={"actor": "rev", "action": "record_viewed"})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert exported.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["日時(UTC)", "担当者", "操作"] and len(rows) == 61
    assert all(r[1] == "rev" and r[2] == "記録の閲覧" for r in rows[1:])
    with transaction(services.sessions) as session:
        export = session.scalars(select(AuditEventRow).where(AuditEventRow.action == "audit_exported")).one()
        assert (
            export.actor == "adm"
            and export.detail["rows"] == 60
            and export.detail["filter"]["actor"] == "rev"
        )
