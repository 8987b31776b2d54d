"""A choice of an onboarded form is shown to reviewers by its printed option labels (issue 14
leftovers, item 1): the template keeps each option's printed words (``option_labels``, as
the designer proposes them from the blank), the task screen's correction control offers the
options by them, the record screen shows the chosen one by it, while the value the API and
the exports carry stays the option's value (``shinki``). Our SK-01…04 keep their labels.

The page is 協会けんぽ's 交付申請書 as a born-digital PDF (no OCR) with a choice 交付区分 added
to its template, read by a real worker; the screens are driven in chromium."""

# ruff: noqa: F811 - the browser fixtures are imported from test_browser

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from extractors.template import TEMPLATE_DIR, TemplateError, load_template, parse_template
from intake import jobs, review
from intake.auth import User
from intake.domain import TaskStatus
from intake.services import Services
from intake.store.db import transaction
from intake.store.models import RecordRow, ReviewTaskRow
from review_ui.clerk_input import to_canonical
from review_ui.labels import option_label, value_label
from review_ui.screens.tasks import _field_rows, _task_error
from tests.conftest import KYOKAI_KOFU, REPO
from tests.intake.test_form_trust import TODAY, NoOcr, _read
from tests.review_ui.test_browser import _login, browser, server  # noqa: F401

KYOKAI = REPO / "fixtures" / "forms-kyokai"
REVIEWER = User(2, "rev", "reviewer", False)
#: 交付区分 as the designer saves it from 「選択肢を囲んで作成」: values romanised, words kept.
CHOICE = {
    "name": "koufu_kubun",
    "type": "choice",
    "label": "交付区分",
    "options": {"shinki": [470.0, 387.0, 484.0, 400.0], "saikoufu": [523.0, 386.5, 537.0, 400.5]},
    "option_labels": {"shinki": "新規", "saikoufu": "再交付"},
}


def _with_choice(folder: Path) -> Path:
    """The 交付申請書 in the forms folder ``folder``, its □ 交付理由 made the choice 交付区分."""
    for suffix in (".json", ".pdf"):
        shutil.copy2(KYOKAI / f"{KYOKAI_KOFU}{suffix}", folder / f"{KYOKAI_KOFU}{suffix}")
    path = folder / f"{KYOKAI_KOFU}.json"
    raw = json.loads(path.read_text("utf-8"))
    raw["fields"] = [f for f in raw["fields"] if f["name"] != "reason_checked"] + [CHOICE]
    path.write_text(json.dumps(raw, ensure_ascii=False), "utf-8")
    return path


def test_the_template_keeps_printed_option_labels_checked(tmp_path: Path) -> None:
    """GIVEN a template whose choice gives its options' printed labels THEN they load with
    it; a label for no option of the field, or an empty one, is refused on load."""
    spec = load_template(_with_choice(tmp_path)).field("koufu_kubun")
    assert spec.option_labels == (("shinki", "新規"), ("saikoufu", "再交付"))
    assert spec.option_label("saikoufu") == "再交付" and spec.option_label("other") == ""
    raw = json.loads((tmp_path / f"{KYOKAI_KOFU}.json").read_text("utf-8"))
    for labels in ({"kaigai": "海外"}, {"shinki": " "}):
        raw["fields"][-1]["option_labels"] = labels
        with pytest.raises(TemplateError, match="option_labels"):
            parse_template(raw, tmp_path / "x.json")


def test_reviewers_read_and_type_a_choice_by_its_printed_label(tmp_path: Path) -> None:
    """GIVEN the choice 交付区分 WHEN its value is shown, listed and typed THEN by 「新規」 and
    「再交付」, the value kept canonical; a template without labels (SK-01) shows ours, and a
    text that reads like an option value stays as written."""
    spec = load_template(_with_choice(tmp_path)).field("koufu_kubun")
    assert option_label("shinki", spec) == "新規" and value_label("saikoufu", "koufu_kubun", spec) == "再交付"
    assert to_canonical(spec, "再交付") == ("saikoufu", None)
    sk01 = load_template(TEMPLATE_DIR / "kofu_shinsei.sk01_2025_4.json")
    assert value_label("reissue", "application_type", sk01.field("application_type")) == "再交付"
    assert value_label(["no_card"], "reasons", sk01.field("reasons")) == "1 カード未取得"
    assert value_label("other", "insured_address", sk01.field("insured_address")) == "other"
    view = review.TaskView(
        1, 1, "kyokai_kofu_shinsei", TaskStatus.OPEN, None, None, (1190, 1684),
        [review.FieldView("koufu_kubun", "choice", "shinki", 0.9, True, None, ["shinki", "saikoufu"])],
        (), None,
    )  # fmt: skip
    [row] = _field_rows(view, load_template(tmp_path / f"{KYOKAI_KOFU}.json"), None, REVIEWER)
    assert (row["value"], row["code"], row["label"]) == ("新規", "shinki", "交付区分")
    assert row["options"] == [("shinki", "新規"), ("saikoufu", "再交付")]
    refused = _task_error("invalid", "koufu_kubun,gone", {"koufu_kubun": "交付区分"})
    assert refused == "値が正しくない項目があります：交付区分"


@pytest.fixture
def choice_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "forms"
    folder.mkdir()
    _with_choice(folder)
    monkeypatch.setenv("KAKUNIN_FORMS_DIRS", str(folder))
    return folder


@pytest.fixture
def worker(services: Services, choice_folder: Path) -> Iterator[None]:
    jobs._context = jobs.WorkerContext(services, NoOcr())
    yield
    jobs._context = None


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_task_and_record_screens_show_a_choice_by_its_printed_label(
    app: Any, server: str, browser: Any, services: Services, choice_folder: Path, worker: None
) -> None:
    """GIVEN a page of the form read by a worker WHEN a reviewer opens its task THEN 交付区分
    offers 「新規」 and 「再交付」 (never ``shinki``); approved as 再交付, the record screen shows
    「再交付」 and the record's value (what the API exports) is ``saikoufu``."""
    document_id = _read(services, choice_folder, 1)
    with transaction(services.sessions) as session:
        task_id = session.scalars(
            select(ReviewTaskRow.id).where(ReviewTaskRow.document_id == document_id)
        ).one()
    page = browser.new_page(viewport={"width": 1500, "height": 1000}, locale="ja-JP")
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    _login(page, server, "rev")
    page.goto(f"{server}/tasks/{task_id}")
    field = page.locator(".field[data-field='koufu_kubun']")
    assert field.locator(".label").inner_text() == "交付区分"
    offered = field.locator("div.choices label").all_inner_texts()
    assert [t.split(" ", 1)[1] for t in offered] == ["（空欄）", "新規", "再交付"], offered
    assert "shinki" not in field.inner_text() and "saikoufu" not in field.inner_text()
    page.close()
    review.claim(services, task_id, REVIEWER)
    result = review.approve(services, task_id, REVIEWER, {"koufu_kubun": "saikoufu"}, TODAY)
    with transaction(services.sessions) as session:
        values = session.scalars(select(RecordRow.values).where(RecordRow.id == result.record_id)).one()
    assert values["koufu_kubun"] == "saikoufu"
    page = browser.new_page(viewport={"width": 1500, "height": 1000}, locale="ja-JP")
    page.on("pageerror", lambda e: problems.append(str(e)))
    _login(page, server, "rev")
    page.goto(f"{server}/records/{result.record_id}")
    row = page.locator("tr", has_text="交付区分")
    assert row.locator("td").nth(1).inner_text().startswith("再交付")
    assert "saikoufu" not in page.inner_text("main")
    assert problems == []
