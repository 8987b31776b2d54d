"""The clerk's language and safe approval through HTTP (issue 15 items 5 and 6): values typed
as written are taken, wrong ones refused on the server whatever the browser did, and an
approval leads to the next task nobody holds."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from intake import jobs
from intake.accept import accept
from intake.services import Services
from intake.store.db import transaction
from intake.store.models import RecordRow, ReviewTaskRow
from intake.worker import queue_worker
from ocr.engine import OcrEngine
from tests.conftest import SAMPLES
from tests.review_ui.conftest import login

pytestmark = pytest.mark.ocr


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def _records(services: Services) -> list[RecordRow]:
    with transaction(services.sessions) as session:
        rows = list(session.scalars(select(RecordRow)))
        for row in rows:
            session.expunge(row)
        return rows


def test_values_refused_as_typed_on_the_server(app: TestClient, task_id: int, services: Services) -> None:
    """A phone typed into 氏名, a mobile number a digit short and a letter O in an amount are
    refused on approval (no browser involved), each named; nothing is recorded."""
    login(app, "rev")
    csrf = _csrf(app.get(f"/tasks/{task_id}").text)
    response = app.post(
        f"/tasks/{task_id}/approve",
        data={
            "csrf": csrf,
            "f_insured_name": "090-1234-5678",
            "f_insured_phone": "080-7576-556",
            "f_fee_amount": "2O00",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["error"] == ["invalid"]
    assert set(query["fields"][0].split(",")) == {"insured_name", "insured_phone", "fee_amount"}
    assert _records(services) == []
    page = app.get(response.headers["location"]).text
    assert "被保険者 氏名" in page and "電話番号（日中連絡先）" in page and "手数料額" in page


def test_values_taken_as_written(app: TestClient, task_id: int, services: Services) -> None:
    """Dates in 和暦 (an era written or chosen from the list), options by their printed labels,
    a 郵便番号 with its hyphen and an amount with 円 are stored as canonical values."""
    login(app, "rev")
    csrf = _csrf(app.get(f"/tasks/{task_id}").text)
    response = app.post(
        f"/tasks/{task_id}/approve",
        data={
            "csrf": csrf,
            "f_submission_date": "R7.6.5",
            "f_insured_birth_date": "49.11.7",
            "era_insured_birth_date": "showa",
            "f_target1_birth_date": "令和2年3月4日",
            "f_insured_sex": "女",
            "g_reasons": ["", "no_card", "certificate_lost"],
            "f_insured_postal_code": "123-4567",
            "f_fee_amount": "2,000円",
            "f_insured_name_kana": "けんぽ はなこ",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and "error" not in response.headers["location"]
    (record,) = _records(services)
    assert record.values["submission_date"] == "2025-06-05"
    assert record.values["insured_birth_date"] == "1974-11-07"
    assert record.values["target1_birth_date"] == "2020-03-04"
    assert record.values["insured_sex"] == "female"
    assert record.values["reasons"] == ["certificate_lost", "no_card"]
    assert record.values["insured_postal_code"] == "1234567"
    assert record.values["fee_amount"] == 2000
    assert record.values["insured_name_kana"] == "ケンポ ハナコ"


def test_the_task_page_speaks_the_clerks_language(app: TestClient, task_id: int) -> None:
    """Japanese labels only (the id in a tooltip), dates in 和暦 with ISO beside and an era list,
    options by their printed labels with their keys, 〒 and 円, and the live check in 和暦."""
    login(app, "rev")
    page = app.get(f"/tasks/{task_id}").text
    assert "(insured_name)" not in page and 'title="insured_name"' in page
    date_box = re.search(r'id="in-submission_date" value="([^"]*)"', page)
    assert date_box and date_box.group(1).startswith("令和")
    assert re.search(r'<span class="iso" title="西暦">20\d\d-\d\d-\d\d</span>', page)
    assert 'name="era_insured_birth_date"' in page and ">昭和</option>" in page
    assert "<kbd>1</kbd> カード未取得" not in page  # the printed number is part of the label
    assert "<kbd>1</kbd> 1 カード未取得" in page and "<kbd>2</kbd> 女" in page
    assert "<span>〒</span>" in page and "<span>円</span>" in page
    assert "address,name" not in page and "no_card=" not in page
    csrf = _csrf(page)
    checked = app.post(
        f"/tasks/{task_id}/check", data={"csrf": csrf, "field": "submission_date", "value": "R7.6.5"}
    ).json()
    assert checked == {"ok": True, "value": "2025-06-05", "iso": "2025-06-05", "message": ""}
    refused = app.post(
        f"/tasks/{task_id}/check",
        data={"csrf": csrf, "field": "insured_birth_date", "value": "7.6.5", "era": "heisei"},
    ).json()
    assert refused["ok"] and refused["iso"] == "1995-06-05"
    missing = app.post(
        f"/tasks/{task_id}/check", data={"csrf": csrf, "field": "insured_phone", "value": "080-7576-556"}
    ).json()
    assert not missing["ok"] and "11桁" in missing["message"]


@pytest.fixture
def two_tasks(services: Services, engine: OcrEngine) -> list[int]:
    """Two review tasks (two sample scans through the real worker), oldest first."""
    for name in ("sample_2025_0002_kofu_shinsei.tif", "sample_2025_0003_messhitsu.pdf"):
        accept(services, (SAMPLES / name).read_bytes(), name, "upload")
    jobs._context = jobs.WorkerContext(services, engine)
    queue_worker(services).work(burst=True)
    jobs._context = None
    with transaction(services.sessions) as session:
        return list(session.scalars(select(ReviewTaskRow.id).order_by(ReviewTaskRow.id)))


def test_after_approving_the_next_free_task_opens(
    app: TestClient, two_tasks: list[int], services: Services
) -> None:
    """Approving leads to the next task nobody holds, saying which record was made; with none
    left, to the record."""
    first, second = two_tasks[:2]
    login(app, "rev")
    csrf = _csrf(app.get(f"/tasks/{first}").text)
    done = app.post(f"/tasks/{first}/approve", data={"csrf": csrf}, follow_redirects=False)
    (record,) = _records(services)
    assert done.headers["location"] == f"/records/{record.id}/next"
    following = app.get(done.headers["location"], follow_redirects=False)
    assert following.headers["location"] == f"/tasks/{second}?done={record.id}"
    page = app.get(following.headers["location"]).text
    assert 'id="done"' in page and f'href="/records/{record.id}"' in page
    csrf = _csrf(page)
    done = app.post(f"/tasks/{second}/approve", data={"csrf": csrf}, follow_redirects=False)
    last = max(r.id for r in _records(services))
    assert app.get(done.headers["location"], follow_redirects=False).headers["location"] == (
        f"/records/{last}?approved=1"
    )


def test_the_next_task_is_one_nobody_holds(app: TestClient, two_tasks: list[int], services: Services) -> None:
    first, second = two_tasks[:2]
    login(app, "rev2")
    app.get(f"/tasks/{second}")  # rev2 holds the second
    login(app, "rev")
    csrf = _csrf(app.get(f"/tasks/{first}").text)
    done = app.post(f"/tasks/{first}/approve", data={"csrf": csrf}, follow_redirects=False)
    (record,) = _records(services)
    assert app.get(done.headers["location"], follow_redirects=False).headers["location"] == (
        f"/records/{record.id}?approved=1"
    )


def test_after_an_approval_the_next_approval_opens(
    app: TestClient, two_tasks: list[int], services: Services
) -> None:
    """An approver approving from the 承認待ち list goes on to the next approval nobody holds."""
    first, second = two_tasks[:2]
    csrf = login(app, "rev")
    for task in (first, second):  # a corrected 記号 waits for a second person
        app.get(f"/tasks/{task}")
        sent = app.post(
            f"/tasks/{task}/approve", data={"csrf": csrf, "f_insured_symbol": "1234"}, follow_redirects=False
        )
        assert "pending_approval" in sent.headers["location"]
    csrf = login(app, "appr")
    page = app.get(f"/tasks/{first}").text
    assert 'name="back" value="approvals"' in page
    done = app.post(
        f"/tasks/{first}/approve", data={"csrf": csrf, "back": "approvals"}, follow_redirects=False
    )
    (record,) = [r for r in _records(services) if r.status == "validated"]
    assert done.headers["location"] == f"/records/{record.id}/next?from=approvals"
    following = app.get(done.headers["location"], follow_redirects=False)
    assert following.headers["location"] == f"/tasks/{second}?done={record.id}"
