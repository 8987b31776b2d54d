"""本番・試行 on the フォーム定義 screen (issue 14 trust gate) over HTTP: each installed version's
state and first batch, 「本番に切り替える」 disabled until enough pages were reviewed, the
change posted with the CSRF token and checked on the server (admin only: 403 and audited for
anyone else; refused before enough reviewed pages), audited, and 「試行に戻す」."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from intake import jobs
from intake.services import Services
from tests.intake.test_form_trust import FORM, VERSION, NoOcr, _approve, _confirm_all, _read
from tests.review_ui.conftest import audit_actions, login

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def worker(services: Services, kyokai_kofu_folder: Path) -> Iterator[None]:
    jobs._context = jobs.WorkerContext(services, NoOcr())
    yield
    jobs._context = None


def _row(page: str, form_id: str) -> str:
    """The 本番・試行 table's row of a form (its HTML)."""
    found = re.search(rf'<tr class="trust-row" data-form="{form_id}".*?</tr>', page, re.S)
    assert found is not None, form_id
    return found.group(0)


def _post(app: TestClient, action: str, csrf: str) -> tuple[int, str]:
    response = app.post(
        f"/admin/forms/{action}",
        data={"csrf": csrf, "form_id": FORM, "version": VERSION},
        follow_redirects=False,
    )
    return response.status_code, response.text


def test_the_list_shows_each_version_state_and_its_first_batch(
    app: TestClient, services: Services, kyokai_kofu_folder: Path, worker: None
) -> None:
    """GIVEN the 交付申請書 installed from a forms folder, two of its pages read and one
    reviewed (its fields confirmed at once, a value corrected) WHEN an admin opens フォーム定義 THEN our shipped forms
    are 本番（同梱） without a button, the 交付申請書 is 試行中 with its figures (2 read, 1
    reviewed, 1 field corrected and its rate, the field by its printed label) and
    「本番に切り替える」 disabled, 19 pages still to review."""
    first = _read(services, kyokai_kofu_folder, 1)
    reviewed = len(_confirm_all(services, first) | {"name"})
    _approve(services, first, {"name": "健保 花子"})
    _read(services, kyokai_kofu_folder, 2)
    login(app, "adm")

    page = app.get("/admin/forms").text

    shipped = _row(page, "kofu_shinsei")
    assert "本番（同梱）" in shipped and "<button" not in shipped
    row = _row(page, FORM)
    assert "試行中" in row and "本番（同梱）" not in row
    assert '<td class="pages-read">2</td><td class="pages-reviewed">1</td>' in row
    # The fields confirmed or corrected (the 個人番号 is left to an approver), 1 corrected.
    assert reviewed == 17
    assert "<td>17</td>" in row and "1（5.9 %）" in row
    assert re.search(r'class="most-corrected">[^<]*氏名[^<]* 1<', row)
    assert re.search(r'class="promote" disabled title="あと 19 枚', row)
    # The explanation names the number (a clerk saw 「その版のページを 枚以上」 without it).
    assert "その版のページを 20 枚以上確認すると" in page


def test_promotion_is_checked_on_the_server_audited_and_undone(
    app: TestClient, services: Services, kyokai_kofu_folder: Path, worker: None
) -> None:
    """GIVEN two reviewed pages of the trial version (two needed) WHEN a reviewer, then an
    approver posts 「本番に切り替える」 THEN 403 each, audited, still 試行中; a post without
    the CSRF token is refused; an admin's post makes it 本番 (audited, the notice shown, the
    button now 「試行に戻す」), and 「試行に戻す」 puts it back on trial."""
    services.settings.form_trial_pages = 2
    _approve(services, _read(services, kyokai_kofu_folder, 1))
    _approve(services, _read(services, kyokai_kofu_folder, 2))
    for name in ("rev", "appr"):
        status, text = _post(app, "promote", login(app, name))
        assert status == 403 and "管理者のみ" in text
    assert audit_actions(services).count("form_promotion_refused") == 2
    csrf = login(app, "adm")
    assert "試行中" in _row(app.get("/admin/forms").text, FORM)
    assert _post(app, "promote", "not-the-token")[0] == 403

    status, _ = _post(app, "promote", csrf)

    assert status == 303 and "form_promoted" in audit_actions(services)
    page = app.get("/admin/forms?trust=promoted").text
    assert "本番に切り替えました" in page
    row = _row(page, FORM)
    assert "本番" in row and "試行中" not in row and "試行に戻す" in row
    assert _post(app, "demote", csrf)[0] == 303
    assert "試行中" in _row(app.get("/admin/forms").text, FORM)
    assert "form_demoted" in audit_actions(services)


def test_promotion_before_enough_reviewed_pages_is_refused_with_the_reason(
    app: TestClient, services: Services, kyokai_kofu_folder: Path, worker: None
) -> None:
    """GIVEN one reviewed page of 20 needed WHEN an admin posts 「本番に切り替える」 anyway (the
    button is disabled on the page, the post is not) THEN refused with the reason in
    Japanese, audited, still 試行中."""
    _approve(services, _read(services, kyokai_kofu_folder, 1))
    csrf = login(app, "adm")

    status, text = _post(app, "promote", csrf)

    assert status == 409 and "20 枚以上" in text
    assert "form_promotion_refused" in audit_actions(services)
    assert "試行中" in _row(app.get("/admin/forms").text, FORM)


def test_the_reviewer_sees_every_field_of_a_trial_form_to_confirm(
    app: TestClient, services: Services, kyokai_kofu_folder: Path, worker: None
) -> None:
    """GIVEN a page of the trial version read WHEN a reviewer opens its task THEN the page
    says it is a new form on trial, and every field is one to confirm (none left as read)."""
    from sqlalchemy import select

    from intake.store.db import transaction
    from intake.store.models import ReviewTaskRow

    document_id = _read(services, kyokai_kofu_folder, 1)
    with transaction(services.sessions) as session:
        task_id = session.scalars(
            select(ReviewTaskRow.id).where(ReviewTaskRow.document_id == document_id)
        ).one()
    login(app, "rev")

    page = app.get(f"/tasks/{task_id}").text

    assert "新しい様式（試行中）です。全項目を確認してください。" in page
    fields = re.findall(r'<div class="field ([^"]*)" data-field=', page)
    assert len(fields) == 18 and all("needs" in f for f in fields)


def test_an_onboarded_form_is_called_by_its_name_on_the_queue_and_its_task(
    app: TestClient, services: Services, kyokai_kofu_folder: Path, worker: None
) -> None:
    """GIVEN a page of 協会けんぽ's 交付申請書 (onboarded as data, its template named
    「協会けんぽ 資格確認書交付申請書」) read WHEN a reviewer opens the queue and the task THEN
    both call it by that name, and the queue's form filter offers it (a clerk's onboarded
    form showed as its id, ``kyokai_shikaku_soshitsu``)."""
    _read(services, kyokai_kofu_folder, 1)
    login(app, "rev")

    queue = app.get("/").text
    task_link = re.search(r'href="(/tasks/\d+)"', queue)

    name = "協会けんぽ 資格確認書交付申請書"
    assert f"<td>{name}</td>" in queue
    assert re.search(rf'<option value="{FORM}"[^>]*>{name}</option>', queue)
    assert task_link is not None
    assert f"<h1>{name} <small>" in app.get(task_link.group(1)).text
