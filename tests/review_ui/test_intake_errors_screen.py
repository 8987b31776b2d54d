"""The 受付エラー list on screen (issue 15 item 9): refused files (name, reason, time), duplicates
(the document they repeat), an acknowledge action that is audited; the queue shows each task's
file name and source."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from intake.accept import accept
from intake.errors import RejectedInput
from intake.services import Services
from tests.conftest import SAMPLES
from tests.review_ui.conftest import audit_actions, login


def _refuse_and_repeat(services: Services) -> int:
    with pytest.raises(RejectedInput):
        accept(services, b"", "empty-scan.pdf", "hotfolder")
    accept(services, b"%PDF-1.4 not really", "locked.pdf", "upload")
    data = (SAMPLES / "negative_letter.png").read_bytes()
    first = accept(services, data, "letter.png", "upload").document
    accept(services, data, "letter-again.png", "hotfolder")
    return first.id


def test_the_list_shows_refused_files_and_duplicates(app: TestClient, services: Services) -> None:
    first = _refuse_and_repeat(services)
    csrf = login(app, "rev")
    queue = app.get("/").text
    assert 'id="intake-errors-link"' in queue and "受付エラー 3 件" in queue
    page = app.get("/intake-errors").text
    rows = re.findall(r'<tr id="intake-error-(\d+)">(.*?)</tr>', page, re.S)
    texts = {re.sub(r"<[^>]+>|\s+", " ", row) for _, row in rows}
    assert any("empty-scan.pdf" in t and "ホットフォルダ" in t and "受付不可" in t for t in texts)
    assert any("locked.pdf" in t and "アップロード" in t for t in texts)
    assert any(
        "letter-again.png" in t and "重複" in t and f"受付番号 {first}（letter.png）と同じファイルです" in t
        for t in texts
    )
    assert all(re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", t) for t in texts)  # the time

    error_id = next(i for i, row in rows if "empty-scan.pdf" in row)
    done = app.post(f"/intake-errors/{error_id}/ack", data={"csrf": csrf}, follow_redirects=False)
    assert done.status_code == 303
    assert "empty-scan.pdf" not in app.get("/intake-errors").text
    assert "empty-scan.pdf" in app.get("/intake-errors?seen=1").text
    assert audit_actions(services).count("intake_error_acknowledged") == 1
    app.post(f"/intake-errors/{error_id}/ack", data={"csrf": csrf})  # twice: nothing more
    assert audit_actions(services).count("intake_error_acknowledged") == 1


def test_acknowledging_needs_the_csrf_token(app: TestClient, services: Services) -> None:
    _refuse_and_repeat(services)
    login(app, "rev")
    error_id = re.findall(r'<tr id="intake-error-(\d+)">', app.get("/intake-errors").text)[0]
    refused = app.post(f"/intake-errors/{error_id}/ack", data={"csrf": "forged"}, follow_redirects=False)
    assert refused.status_code in (400, 403)
    assert "intake_error_acknowledged" not in audit_actions(services)


@pytest.mark.ocr
def test_the_queue_shows_the_file_name_and_source(app: TestClient, task_id: int) -> None:
    login(app, "rev")
    queue = app.get("/").text
    row = re.search(rf'<tr>\s*<td><a href="/tasks/{task_id}".*?</tr>', queue, re.S)
    assert row is not None
    assert '<td class="file-name">k.tif</td>' in row.group(0) and "<td>アップロード</td>" in row.group(0)
