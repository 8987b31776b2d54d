"""「下の同じ欄に写す」 and 「マスの数」 over HTTP: ``POST /admin/forms/repeat`` and
``GET /admin/forms/cells`` are the admin's only (403 for everyone else), the copy needs the
CSRF token as the save does, and answers what was copied where, or why not, in Japanese."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from extractors.onboard.repeat import field_boxes
from intake.forms_cli import add
from intake.services import Services
from review_ui.screens.designer import drafts_dir
from tests.conftest import REPO
from tests.review_ui.conftest import login

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
REAL = REPO / "fixtures" / "real-forms"


@pytest.fixture
def shutoku(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, list[dict[str, object]]]:
    """The 資格取得届's draft in the drafts folder: its key and fields."""
    monkeypatch.setenv("KAKUNIN_FORMS_DIRS", str(tmp_path / "forms"))
    drafts = drafts_dir(services.settings)
    add(REAL / "kyokai_shikaku_shutoku.pdf", "shutoku_http", "2099.1", page=1, code="XX-01", out=drafts)
    [path] = drafts.glob("shutoku_http.*.json")
    return f"d:{path.name}", json.loads(path.read_text(encoding="utf-8"))["fields"]


def _block_1(fields: list[dict[str, object]]) -> list[int]:
    def top(field: dict[str, object]) -> float:
        return min(b[1] for b in field_boxes(field))  # a choice's too: its options' boxes

    return [i for i, f in enumerate(fields) if 219 < top(f) < 340]


def test_only_an_admin_with_the_token_repeats(
    app: TestClient, shutoku: tuple[str, list[dict[str, object]]]
) -> None:
    src, fields = shutoku
    data = {"src": src, "template": json.dumps(fields), "selected": json.dumps(_block_1(fields))}
    for name in ("rev", "appr"):
        csrf = login(app, name)
        assert app.post("/admin/forms/repeat", data={**data, "csrf": csrf}).status_code == 403
        assert app.get(f"/admin/forms/cells?src={src}&box=127,256,333.8,286.8").status_code == 403
    app.cookies.clear()
    csrf = login(app, "adm")
    for token in ("", "forged"):
        assert app.post("/admin/forms/repeat", data={**data, "csrf": token}).status_code == 403
    done = app.post("/admin/forms/repeat", data={**data, "csrf": csrf})
    assert done.status_code == 200, done.text
    answer = done.json()
    assert answer["axis"] == "y" and answer["offsets"] == [121.8, 243.6, 365.4]
    # (16 fields a block since the draft makes a choice of each cell of printed options, 17
    # since it drafts the postcode written after the address row's printed 〒, 19 since it
    # drafts the write-ins 「5.その他（　）」 and 「3.その他（　）」, 21 since it drafts the address
    # and its reading in the shaded 住所 cell)
    assert answer["message"].startswith("3 か所に 21 項目を写しました（下へ 121.8 pt ごと）")
    assert len(answer["fields"]) == len(fields) and len(answer["removed"]) == 63
    # the header repeats nowhere: said in Japanese
    header = [i for i, f in enumerate(fields) if f["name"] in ("employer_number", "employer_symbol")]
    refused = app.post("/admin/forms/repeat", data={**data, "selected": json.dumps(header), "csrf": csrf})
    assert refused.status_code == 422 and "同じ並びの欄" in refused.json()["detail"]
    assert (
        app.post("/admin/forms/repeat", data={**data, "selected": '[1, "x"]', "csrf": csrf}).status_code
        == 400
    )


def test_cells_printed_under_a_box(app: TestClient, shutoku: tuple[str, list[dict[str, object]]]) -> None:
    src, _ = shutoku
    login(app, "adm")
    assert app.get(f"/admin/forms/cells?src={src}&box=127,378,333.8,408.5").json() == {"cells": 12}
    assert app.get(f"/admin/forms/cells?src={src}&box=128.8,233.8,228,253.2").json() == {"cells": None}
    assert app.get(f"/admin/forms/cells?src={src}&box=1,2").status_code == 400
