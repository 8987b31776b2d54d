"""The designer's 「新しい版」 and 「選択肢を囲んで作成」 as session 14's clerk met them onboarding
協会けんぽ's 被扶養者（異動）届: a saved version is never saved over, so the screen proposes the
next free one (the clerk typed 「… v2」, 「… v3」, 「… v4」 by hand, each after a refusal that
named no free version); and a printed item the rectangle's edge cuts is taken whole or named
(``/admin/forms/choice``, with the clerk's own rectangles from the edit log)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from intake.forms_cli import add
from intake.services import Services
from review_ui.screens.designer import drafts_dir, next_free_version
from tests.conftest import REPO
from tests.review_ui.conftest import login

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
KYOKAI = REPO / "fixtures" / "forms-kyokai"
REAL = REPO / "fixtures" / "real-forms"


def test_the_next_free_version_numbers_on_as_the_saved_versions_do() -> None:
    """GIVEN the versions session 14's clerk saved THEN each next one is proposed as the clerk
    named it; a version no one saved is kept; one whose file name is taken is not free."""
    saved = {"KY-02 (2024.12)"}
    assert next_free_version("KY-02 (2024.12)", saved) == "KY-02 (2024.12) v2"
    saved |= {"KY-02 (2024.12) v2", "KY-02 (2024.12) v3"}
    assert next_free_version("KY-02 (2024.12)", saved) == "KY-02 (2024.12) v4"
    assert next_free_version("KY-02 (2024.12) v2", saved) == "KY-02 (2024.12) v4"  # an older one opened
    assert next_free_version("KY-02 (2025.4)", saved) == "KY-02 (2025.4)"
    assert next_free_version("2024.12", {"2024.12", "2024.12 rev2"}) == "2024.12 rev3"
    assert next_free_version("KY-02 (2024.12) v4", {"KY_02_2024_12_v4"}) == "KY-02 (2024.12) v5"
    assert next_free_version("2024-12", {"2024-12"}) == "2024-12 v2"  # a date, not the 12th


def _version_field(html: str) -> str:
    found = re.search(r'<input name="version" id="version" type="text" value="([^"]*)"', html)
    assert found, "no version field"
    return found.group(1)


@SQLITE
def test_the_screen_proposes_the_next_free_version_and_a_refusal_names_it(
    app: TestClient, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN 協会けんぽ's 交付申請書 saved as 「KY-01 (2024.12) v2」 and an older 「… v3」 moved into
    ``retired/`` WHEN the admin opens the saved version THEN 「新しい版」 holds 「… v4」, said
    beside it (a retired version is taken too: records carry it); WHEN the admin saves over
    「… v2」 all the same THEN the refusal says 「… v4」 is free and the field holds it; a draft of a
    version no one saved opens with its own."""
    forms = tmp_path / "forms"
    (forms / "retired").mkdir(parents=True)
    monkeypatch.setenv("KAKUNIN_FORMS_DIRS", str(forms))
    [kofu] = KYOKAI.glob("kyokai_kofu_shinsei.*.json")
    for path in (kofu, kofu.with_suffix(".pdf")):
        shutil.copy2(path, forms / path.name)
    raw = json.loads(kofu.read_text("utf-8"))
    assert raw["form_version"] == "KY-01 (2024.12) v2"
    retired = {**raw, "form_version": "KY-01 (2024.12) v3"}
    (forms / "retired" / "kyokai_kofu_shinsei.KY_01_2024_12_v3.json").write_text(
        json.dumps(retired, ensure_ascii=False), "utf-8"
    )
    csrf = login(app, "adm")
    page = app.get(f"/admin/forms/edit?src=i1:{kofu.name}").text
    assert _version_field(page) == "KY-01 (2024.12) v4"
    assert (
        "版「KY-01 (2024.12) v2」は登録済みのため、次の空いている版「KY-01 (2024.12) v4」を入れてあります"
        in page
    )
    refused = app.post(
        "/admin/forms/save",
        data={
            "csrf": csrf,
            "src": f"i1:{kofu.name}",
            "version": "KY-01 (2024.12) v2",
            "template": json.dumps({"fields": raw["fields"]}),
        },
    )
    assert refused.status_code == 422
    assert "すでに登録されています" in refused.text
    assert "空いている版は「KY-01 (2024.12) v4」です" in refused.text
    assert _version_field(refused.text) == "KY-01 (2024.12) v4"
    drafts = drafts_dir(services.settings)
    drafts.mkdir(parents=True)
    draft = {**raw, "form_version": "KY-01 (2099.1)"}
    (drafts / "kyokai_kofu_shinsei.2099_1.json").write_text(json.dumps(draft, ensure_ascii=False), "utf-8")
    shutil.copy2(kofu.with_suffix(".pdf"), drafts / raw["blank_pdf"])
    page = app.get("/admin/forms/edit?src=d:kyokai_kofu_shinsei.2099_1.json").text
    assert _version_field(page) == "KY-01 (2099.1)" and 'id="version-note"' not in page


@SQLITE
def test_the_clerks_rectangles_cutting_printed_items_take_them_whole_or_name_them(
    app: TestClient, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN the 被扶養者（異動）届 drafted by ``kakunin forms add`` (page 1) WHEN the screen asks
    for the clerk's rectangle round C欄 ⑧理由, started inside 「1.留学」's number (3 of 5
    options), and the clerk's era rectangle cutting through 「5.昭和」 (one showa box over all
    three) THEN five reasons and three eras, the cut items said taken whole in Japanese; WHEN a
    rectangle's edge only touches 「2.同行家族」 THEN it is said to be left out."""
    monkeypatch.setenv("KAKUNIN_FORMS_DIRS", str(tmp_path / "forms"))
    drafts = drafts_dir(services.settings)
    add(
        REAL / "kyokai_hifuyosha_ido.pdf", "kyokai_hifuyosha_ido", "2024.12", page=1, code="KY-02", out=drafts
    )
    [path] = drafts.glob("kyokai_hifuyosha_ido.*.json")
    login(app, "adm")
    url = f"/admin/forms/choice?src=d:{path.name}&area="
    reasons = app.get(url + "459,553,554.5,572").json()
    assert [o["label"] for o in reasons["options"]] == ["留学", "特定活動", "その他", "同行家族", "海外婚姻"]
    assert reasons["taken_whole"] == ["1.留学", "2.同行家族"] and reasons["left_out"] == []
    assert "枠の端で切れた 「1.留学」・「2.同行家族」 は丸ごと選択肢に入れました" in reasons["edge"]
    eras = app.get(url + "250.5,518,267.5,536").json()
    assert [o["value"] for o in eras["options"]] == ["showa", "heisei", "reiwa"]
    assert "「5.昭和」" in eras["edge"]
    touched = app.get(url + "475,553,554.5,572").json()
    assert [o["label"] for o in touched["options"]] == ["特定活動", "その他", "海外婚姻"]
    assert (
        "「2.同行家族」 は選択肢に入れていません。入れるときは、その語まで囲み直してください"
        in touched["edge"]
    )
