"""The form designer (フォーム定義, issue 14 item 2) over HTTP: admins only (403 for everyone
else on every route), CSRF on the save, a save refused with a Japanese reason by the checks of
``kakunin forms check``, and a save that installs a new version ``template_for`` loads."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from extractors.template import TEMPLATE_DIR, template_for
from intake.services import Services
from review_ui.screens.designer import drafts_dir
from tests.conftest import REPO
from tests.review_ui.conftest import audit_actions, login

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
SHIPPED = "i0:kofu_shinsei.sk01_2025_4.json"
KYOKAI = REPO / "fixtures" / "forms-kyokai"


@pytest.fixture
def forms_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "forms"
    folder.mkdir()
    monkeypatch.setenv("KAKUNIN_FORMS_DIRS", str(folder))
    return folder


def _fields(source: str) -> list[dict[str, object]]:
    fields: list[dict[str, object]] = json.loads((TEMPLATE_DIR / source.split(":", 1)[1]).read_text("utf-8"))[
        "fields"
    ]
    return fields


def test_every_route_refuses_who_is_not_admin(app: TestClient, forms_dir: Path) -> None:
    for name in ("rev", "appr"):
        csrf = login(app, name)
        assert "フォーム定義" not in app.get("/").text
        for url in (
            "/admin/forms",
            f"/admin/forms/edit?src={SHIPPED}",
            f"/admin/forms/blank.png?src={SHIPPED}",
            f"/admin/forms/choice?src={SHIPPED}&area=110,119,330,134",
        ):
            response = app.get(url)
            assert response.status_code == 403 and "管理者のみ" in response.text, url
        response = app.post(
            "/admin/forms/save",
            data={"csrf": csrf, "src": SHIPPED, "version": "SK-01 (2099.1)", "template": "{}"},
        )
        assert response.status_code == 403
    assert list(forms_dir.iterdir()) == []
    app.cookies.clear()
    assert app.get("/admin/forms", follow_redirects=False).status_code == 303  # to the login


def test_admin_sees_installed_templates_and_drafts(
    app: TestClient, services: Services, forms_dir: Path
) -> None:
    drafts = drafts_dir(services.settings)
    drafts.mkdir(parents=True)
    [kofu] = KYOKAI.glob("kyokai_kofu_shinsei.*.json")
    for path in (kofu, kofu.with_suffix(".pdf")):
        shutil.copy2(path, drafts / path.name)
    login(app, "adm")
    assert 'href="/admin/forms"' in app.get("/").text
    listing = app.get("/admin/forms").text
    assert "kofu_shinsei" in listing and "下書き" in listing and "kyokai_kofu_shinsei" in listing
    page = app.get(f"/admin/forms/edit?src=d:{kofu.name}")
    assert page.status_code == 200 and 'id="template-data"' in page.text
    assert "<script>" not in page.text  # no inline script: the CSP allows none
    image = app.get(f"/admin/forms/blank.png?src=d:{kofu.name}")
    assert image.status_code == 200 and image.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert app.get("/admin/forms/edit?src=d:../../etc/passwd").status_code == 404
    assert "この版は登録済み" not in listing
    for path in (kofu, kofu.with_suffix(".pdf")):  # the draft's version saved (installed)
        shutil.copy2(path, forms_dir / path.name)
    listing = app.get("/admin/forms").text
    assert listing.count("この版は登録済み") == 1  # said on the draft's row, once


def test_a_choice_is_proposed_from_the_blank(app: TestClient, forms_dir: Path) -> None:
    """The designer's 「選択肢を囲んで作成」 and 「選択肢にまとめる」 ask the server: options from
    the blank's □ (or printed words) in a rectangle, or for the □ picked; a rectangle holding
    neither is answered in Japanese (422), a box that is none refused (400)."""
    login(app, "adm")
    url = f"/admin/forms/choice?src={SHIPPED}"
    proposal = app.get(f"{url}&area=110,119,330,134").json()
    assert proposal["style"] == "tick" and [o["value"] for o in proposal["options"]] == [
        "new",
        "reissue",
    ]
    assert proposal["options"][1]["label"] == "再交付（紛失・盗難・毀損等）"
    grouped = app.get(f"{url}&tick=148.5,227.5,156,234.8&tick=118.2,227.5,125.5,234.8").json()
    assert [o["value"] for o in grouped["options"]] == ["female", "male"]
    nothing = app.get(f"{url}&area=540,760,580,790")
    assert nothing.status_code == 422 and "見つかりません" in nothing.json()["detail"]
    for bad in ("area=1,2,3", "area=5,5,1,1", "area=a,b,c,d", "tick=nan,1,2,3"):
        assert app.get(f"{url}&{bad}").status_code == 400, bad
    assert app.get(f"{url}").status_code == 422
    assert app.get(url + "".join(f"&tick={n},1,{n + 8},9" for n in range(61))).status_code == 400
    assert app.get("/admin/forms/choice?src=d:../../x.json&area=1,1,2,2").status_code == 404


def test_save_needs_the_csrf_token(app: TestClient, services: Services, forms_dir: Path) -> None:
    login(app, "adm")
    template = json.dumps({"fields": _fields(SHIPPED)})
    for token in ("", "forged"):
        response = app.post(
            "/admin/forms/save",
            data={"csrf": token, "src": SHIPPED, "version": "SK-01 (2099.1)", "template": template},
        )
        assert response.status_code == 403
    assert list(forms_dir.iterdir()) == []
    assert "form_version_saved" not in audit_actions(services)


def test_an_invalid_template_is_refused_in_japanese(
    app: TestClient, services: Services, forms_dir: Path
) -> None:
    csrf = login(app, "adm")
    fields = _fields(SHIPPED)
    fields[1]["name"] = fields[0]["name"]  # two fields of one name
    response = app.post(
        "/admin/forms/save",
        data={
            "csrf": csrf,
            "src": SHIPPED,
            "version": "SK-01 (2099.1)",
            "template": json.dumps({"fields": fields}),
        },
    )
    assert response.status_code == 422
    assert "保存できませんでした" in response.text and "duplicate fields" in response.text
    # the version already installed is refused too
    response = app.post(
        "/admin/forms/save",
        data={
            "csrf": csrf,
            "src": SHIPPED,
            "version": "SK-01 (2025.4)",
            "template": json.dumps({"fields": _fields(SHIPPED)}),
        },
    )
    assert response.status_code == 422 and "すでに登録されています" in response.text
    assert list(forms_dir.iterdir()) == []
    assert audit_actions(services).count("form_version_refused") == 2


def test_a_save_installs_a_new_version_template_for_loads(
    app: TestClient, services: Services, forms_dir: Path
) -> None:
    csrf = login(app, "adm")
    fields = _fields(SHIPPED)
    old_name = str(fields[0]["name"])
    fields[0]["name"] = "renamed_in_designer"
    fields[0]["required"] = True
    box = fields[0].get("box")
    if isinstance(box, list):
        box[0] += 2.0
        box[2] += 2.0
    response = app.post(
        "/admin/forms/save",
        data={
            "csrf": csrf,
            "src": SHIPPED,
            "version": "SK-01 (2099.1)",
            "template": json.dumps({"fields": fields}),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    saved = re.search(r"saved=(.+)$", response.headers["location"]).group(1)  # type: ignore[union-attr]
    assert (forms_dir / saved).is_file()
    loaded = template_for("kofu_shinsei", "SK-01 (2099.1)")
    assert loaded is not None and loaded.form_version == "SK-01 (2099.1)"
    assert loaded.blank_pdf.parent == forms_dir and loaded.blank_pdf.is_file()
    spec = loaded.field("renamed_in_designer")
    assert spec.required
    if isinstance(box, list):
        assert spec.box is not None and spec.box[0] == box[0]
    with pytest.raises(KeyError):
        loaded.field(old_name)
    original = template_for("kofu_shinsei", "SK-01 (2025.4)")
    assert original is not None and original.field(old_name)  # the shipped version is untouched
    assert "form_version_saved" in audit_actions(services)
    assert saved in app.get("/admin/forms").text


def test_the_title_and_name_are_set_on_screen(app: TestClient, services: Services, forms_dir: Path) -> None:
    """A draft's title read with a logo beside it (「…交付申請書資確」) is corrected on the screen,
    not in the JSON: the saved version identifies by the title typed, named as typed."""
    csrf = login(app, "adm")
    page = app.get(f"/admin/forms/edit?src={SHIPPED}").text
    assert 'id="title"' in page and 'id="form-name"' in page and 'id="f-min"' in page
    response = app.post(
        "/admin/forms/save",
        data={
            "csrf": csrf,
            "src": SHIPPED,
            "version": "SK-01 (2099.3)",
            "template": json.dumps({"fields": _fields(SHIPPED)}),
            "title": " 資格確認書　交付申請書（新） ",
            "form_name": "",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    loaded = template_for("kofu_shinsei", "SK-01 (2099.3)")
    assert loaded is not None and loaded.title == "資格確認書 交付申請書（新）"
    assert loaded.display_name == loaded.title  # an empty name: the title
    original = template_for("kofu_shinsei", "SK-01 (2025.4)")
    assert original is not None and original.title != loaded.title


def _save(app: TestClient, csrf: str, src: str, version: str, template: dict[str, object]) -> Response:
    return app.post(
        "/admin/forms/save",
        data={"csrf": csrf, "src": src, "version": version, "template": json.dumps(template)},
        follow_redirects=False,
    )


def test_the_title_and_footer_regions_are_saved_from_the_screen(
    app: TestClient, services: Services, forms_dir: Path
) -> None:
    """Issue 14 item 3: the regions identification reads are edited on the screen like boxes
    and saved with the version; the footer's code pattern stays the file's."""
    csrf = login(app, "adm")
    page = app.get(f"/admin/forms/edit?src={SHIPPED}").text
    assert 'id="region-panel"' in page and 'id="clear-footer"' in page
    original = template_for("kofu_shinsei", "SK-01 (2025.4)")
    assert original is not None and original.code_pattern is not None
    title = [v + 2.0 for v in original.title_box]
    footer = [original.footer_box[0] - 4.0, original.footer_box[1] - 3.0, *original.footer_box[2:]]
    response = _save(
        app,
        csrf,
        SHIPPED,
        "SK-01 (2099.4)",
        {"fields": _fields(SHIPPED), "identify": {"title": title, "footer": footer}},
    )
    assert response.status_code == 303, response.text
    saved = template_for("kofu_shinsei", "SK-01 (2099.4)")
    assert saved is not None and saved.has_footer
    assert list(saved.title_box) == title and list(saved.footer_box) == footer
    assert saved.code_pattern is not None and saved.code_pattern.pattern == original.code_pattern.pattern


def test_regions_are_checked_as_kakunin_forms_check_does(
    app: TestClient, services: Services, forms_dir: Path
) -> None:
    """A footer cleared on a form whose code is read there, or a region off the page, is
    refused with the reason; a region that is no box is no template."""
    csrf = login(app, "adm")
    fields = _fields(SHIPPED)
    original = template_for("kofu_shinsei", "SK-01 (2025.4)")
    assert original is not None
    title = list(original.title_box)
    cleared = _save(
        app, csrf, SHIPPED, "SK-01 (2099.5)", {"fields": fields, "identify": {"title": title, "footer": None}}
    )
    assert cleared.status_code == 422 and "identify.footer is null" in cleared.text
    off = _save(
        app,
        csrf,
        SHIPPED,
        "SK-01 (2099.5)",
        {
            "fields": fields,
            "identify": {"title": [400.0, 40.0, 700.0, 60.0], "footer": list(original.footer_box)},
        },
    )
    assert off.status_code == 422 and "identify.title" in off.text and "off the page" in off.text
    assert (
        _save(app, csrf, SHIPPED, "SK-01 (2099.5)", {"fields": fields, "identify": "footer"}).status_code
        == 400
    )
    assert list(forms_dir.iterdir()) == []
    assert audit_actions(services).count("form_version_refused") == 2


def test_a_form_without_a_footer_is_saved_with_none(
    app: TestClient, services: Services, forms_dir: Path
) -> None:
    """協会けんぽ's 住所変更届 prints no form code in its footer: the footer region cleared on the
    screen, the version saved reads its title alone."""
    drafts = drafts_dir(services.settings)
    drafts.mkdir(parents=True)
    [jusho] = KYOKAI.glob("kyokai_jusho_henko.*.json")
    for path in (jusho, jusho.with_suffix(".pdf")):
        shutil.copy2(path, drafts / path.name)
    raw = json.loads(jusho.read_text("utf-8"))
    csrf = login(app, "adm")
    response = _save(
        app,
        csrf,
        f"d:{jusho.name}",
        "KY-04 (2099.1)",
        {"fields": raw["fields"], "identify": {"title": raw["identify"]["title"], "footer": None}},
    )
    assert response.status_code == 303, response.text
    saved = template_for("kyokai_jusho_henko", "KY-04 (2099.1)")
    assert saved is not None and not saved.has_footer and saved.code_pattern is None
    [path] = forms_dir.glob("*.json")
    written = json.loads(path.read_text("utf-8"))
    assert written["identify"]["footer"] is None and written["identify"]["code_pattern"] is None
    reopened = app.get(f"/admin/forms/edit?src=i1:{path.name}")  # the saved version opens again
    assert reopened.status_code == 200 and '"footer": null' in reopened.text


def test_a_furigana_is_saved_as_the_reading_of_a_text_field_checked_in_japanese(
    app: TestClient, services: Services, forms_dir: Path
) -> None:
    """GIVEN 協会けんぽ's 交付申請書 as a draft without any reading_of WHEN its 氏名（カタカナ） is
    saved as the reading of 氏名 THEN the version loaded has it (the reader settles the kana from
    the name); a reading_of on a field that is no katakana, or naming one that is no text field
    of the form (a digits field, a name not there), is refused with the reason in Japanese, as
    ``kakunin forms check`` refuses it, and nothing is written."""
    drafts = drafts_dir(services.settings)
    drafts.mkdir(parents=True)
    [kofu] = KYOKAI.glob("kyokai_kofu_shinsei.*.json")
    for path in (kofu, kofu.with_suffix(".pdf")):
        shutil.copy2(path, drafts / path.name)
    src = f"d:{kofu.name}"
    csrf = login(app, "adm")
    page = app.get(f"/admin/forms/edit?src={src}").text
    assert 'id="f-reading"' in page and "読み仮名の対象（この欄が読みを示す漢字の欄）" in page

    def fields(**readings: str) -> list[dict[str, object]]:
        out: list[dict[str, object]] = json.loads(kofu.read_text("utf-8"))["fields"]
        for field in out:
            field.pop("reading_of", None)
            if str(field["name"]) in readings:
                field["reading_of"] = readings[str(field["name"])]
        return out

    for readings, reason in (
        ({"address": "name"}, "読み仮名の対象を指定できるのはカタカナの欄だけです: address"),
        (
            {"name_kana": "postcode"},
            "name_kana の読み仮名の対象 postcode は、この様式の文字（枠に記入）の欄ではありません",
        ),
        (
            {"name_kana": "nobody"},
            "name_kana の読み仮名の対象 nobody は、この様式の文字（枠に記入）の欄ではありません",
        ),
    ):
        refused = _save(app, csrf, src, "KY-01 (2099.1)", {"fields": fields(**readings)})
        assert refused.status_code == 422 and "保存できませんでした" in refused.text, readings
        assert reason in refused.text and "reading_of" not in refused.text.split('id="refused"')[1][:300]
    assert list(forms_dir.iterdir()) == []
    assert audit_actions(services).count("form_version_refused") == 3
    response = _save(app, csrf, src, "KY-01 (2099.1)", {"fields": fields(name_kana="name")})
    assert response.status_code == 303, response.text
    saved = template_for("kyokai_kofu_shinsei", "KY-01 (2099.1)")
    assert saved is not None and saved.field("name_kana").reading_of == "name"
    assert [f.name for f in saved.fields if f.reading_of] == ["name_kana"]


def _kofu_draft(services: Services) -> tuple[str, Path]:
    drafts = drafts_dir(services.settings)
    drafts.mkdir(parents=True)
    [kofu] = KYOKAI.glob("kyokai_kofu_shinsei.*.json")
    for path in (kofu, kofu.with_suffix(".pdf")):
        shutil.copy2(path, drafts / path.name)
    return f"d:{kofu.name}", kofu


def test_circled_choices_eras_and_spaced_names_are_saved_and_checked_in_japanese(
    app: TestClient, services: Services, forms_dir: Path
) -> None:
    """GIVEN 協会けんぽ's 交付申請書 as a draft WHEN its 交付理由 is saved as a ○ choice of two
    printed words, a 生年月日 with its era circled among the printed 昭和・平成・令和, another
    with its era a digit (「5.昭和 7.平成 9.令和」) and 備考 with a space between 氏 and 名 THEN
    the version loaded has them; a choice marked neither ✓ nor ○ or without options, an era
    marked by no box, by a box that is no era, a digit without its cell, two ways at once, and a
    space asked of a digits field are refused in Japanese (the controls are on the page)."""
    src, kofu = _kofu_draft(services)
    csrf = login(app, "adm")
    page = app.get(f"/admin/forms/edit?src={src}").text
    for control in ('id="f-style"', 'id="draw-option"', 'id="f-era-kind"', 'id="draw-era"', 'id="f-spaced"'):
        assert control in page, control
    assert 'id="do-split-rows"' in page and "氏と名の間に空白" in page and "選択肢を追加" in page

    def fields(**changes: dict[str, object]) -> list[dict[str, object]]:
        out: list[dict[str, object]] = json.loads(kofu.read_text("utf-8"))["fields"]
        for field in out:
            for key, value in changes.get(str(field["name"]), {}).items():
                if value is None:
                    field.pop(key, None)
                else:
                    field[key] = value
        return out

    circled: dict[str, object] = {
        "type": "choice",
        "box": None,
        "style": "circle",
        "options": {"reissue": [480.0, 386.5, 500.0, 400.5], "lost": [523.0, 386.5, 537.0, 400.5]},
    }
    eras = {"showa": [300.0, 405.0, 318.0, 411.0], "heisei": [300.0, 412.0, 318.0, 418.0]}
    marked: dict[str, object] = {"era_digits": None, "era_box": None, "era_options": eras, "style": "circle"}
    for changes, reason in (
        (
            {"reason_checked": {**circled, "style": "square"}},
            "reason_checked の印の付け方は ✓（tick）か ○（circle）です",
        ),
        (
            {"reason_checked": {**circled, "options": {}}},
            "選択の項目 reason_checked に選択肢の枠がありません",
        ),
        (
            {
                "reason_checked": {
                    **circled,
                    "options": {"reissue": [480.0, 386.5, 500.0, 400.5], "option_2": [1, 1, 9, 9]},
                }
            },
            "選択の項目 reason_checked の選択肢 option_2 に値が入力されていません",
        ),
        ({"date_2": {**marked, "era_options": {}}}, "日付 date_2 に元号の枠がありません"),
        (
            {"date_2": {**marked, "era_options": {"meiji": eras["showa"]}}},
            "日付 date_2 の元号の枠は 昭和・平成・令和 のどれかです",
        ),
        ({"date_3": {"era_box": None}}, "日付 date_3 に元号の数字を書く枠がありません"),
        ({"date_3": {"era": "reiwa"}}, "日付 date_3 の元号の書き方が二つ以上あります"),
        (
            {"date_4": {"era_digits": {"1": "showa", "2": "showa"}}},
            "日付 date_4 の元号の数字に同じ元号が二つあります",
        ),
        (
            {"postcode": {"spaced": True}},
            "氏と名の間に空白を指定できるのは文字・カタカナの欄だけです: postcode（digits）",
        ),
    ):
        refused = _save(app, csrf, src, "KY-01 (2099.3)", {"fields": fields(**changes)})
        assert refused.status_code == 422 and "保存できませんでした" in refused.text, changes
        assert reason in refused.text, (reason, refused.text.split('id="refused"')[1][:300])
    assert list(forms_dir.iterdir()) == []
    digits = {"era_digits": {"5": "showa", "7": "heisei", "9": "reiwa"}}
    response = _save(
        app,
        csrf,
        src,
        "KY-01 (2099.3)",
        {"fields": fields(reason_checked=circled, date_2=marked, date_3=digits, note={"spaced": True})},
    )
    assert response.status_code == 303, response.text
    saved = template_for("kyokai_kofu_shinsei", "KY-01 (2099.3)")
    assert saved is not None
    reason = saved.field("reason_checked")
    assert (
        reason.type == "choice"
        and reason.style == "circle"
        and [n for n, _ in reason.options] == ["reissue", "lost"]
    )
    date_2 = saved.field("date_2")
    assert (
        [n for n, _ in date_2.era_options] == ["showa", "heisei"]
        and date_2.style == "circle"
        and not date_2.era_digits
    )
    assert dict(saved.field("date_3").era_digits) == {"5": "showa", "7": "heisei", "9": "reiwa"}
    assert saved.field("note").spaced


def test_a_save_puts_the_fields_in_the_reading_order_of_the_page(
    app: TestClient, services: Services, forms_dir: Path
) -> None:
    """GIVEN 協会けんぽ's 交付申請書 as a draft WHEN the screen sends its fields with one drawn
    last above everything (a header date) and one of the dependents' dates before its カタカナ
    THEN the version saved lists them as the page reads (the header first, each row left to
    right): reviewers then go through the fields in that order. The shipped SK-01…04 are never
    rewritten (a save writes a new file into the forms folder)."""
    drafts = drafts_dir(services.settings)
    drafts.mkdir(parents=True)
    [kofu] = KYOKAI.glob("kyokai_kofu_shinsei.*.json")
    for path in (kofu, kofu.with_suffix(".pdf")):
        shutil.copy2(path, drafts / path.name)
    kept = json.loads(kofu.read_text("utf-8"))["fields"]
    shipped = {p.name: p.read_bytes() for p in TEMPLATE_DIR.glob("*.json")}
    sent = [f for f in kept if f["name"] != "date_3"] + [next(f for f in kept if f["name"] == "date_3")]
    header = {"name": "header_date", "type": "date", "era": "reiwa", "year": [420, 60, 450, 72],
              "month": [455, 60, 475, 72], "day": [480, 60, 500, 72]}  # fmt: skip
    response = _save(app, login(app, "adm"), f"d:{kofu.name}", "KY-01 (2099.6)", {"fields": [*sent, header]})
    assert response.status_code == 303, response.text
    saved = template_for("kyokai_kofu_shinsei", "KY-01 (2099.6)")
    assert saved is not None
    assert [f.name for f in saved.fields] == ["header_date", *(f["name"] for f in kept)]
    assert {p.name: p.read_bytes() for p in TEMPLATE_DIR.glob("*.json")} == shipped


def test_a_choice_without_printed_labels_gets_them_from_the_blank_when_opened(
    app: TestClient, services: Services, forms_dir: Path
) -> None:
    """GIVEN SK-01, whose choices were authored before options kept their printed words WHEN
    an admin opens it on the designer THEN each option's printed label is proposed from the
    blank (✓: the words beside its □; ○: the word circled) for the admin to check, and saved
    with the next version, where the review screens show them; the shipped file is untouched."""
    shipped = (TEMPLATE_DIR / SHIPPED.split(":", 1)[1]).read_bytes()
    csrf = login(app, "adm")
    page = app.get(f"/admin/forms/edit?src={SHIPPED}").text
    opened = json.loads(re.search(r'id="template-data">(.+?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    fields = {f["name"]: f for f in opened["fields"]}
    assert fields["application_type"]["option_labels"] == {
        "new": "新規交付",
        "reissue": "再交付（紛失・盗難・毀損等）",
    }
    assert fields["insured_sex"]["option_labels"] == {"male": "男", "female": "女"}
    assert _save(app, csrf, SHIPPED, "SK-01 (2099.7)", opened).status_code == 303
    saved = template_for("kofu_shinsei", "SK-01 (2099.7)")
    assert saved is not None and saved.field("insured_sex").option_label("female") == "女"
    assert (TEMPLATE_DIR / SHIPPED.split(":", 1)[1]).read_bytes() == shipped


def test_date_parts_drawn_over_cells_take_the_cells_and_a_line_is_cut_at_its_print(
    app: TestClient, services: Services, forms_dir: Path
) -> None:
    """「日付」 drawn as one rectangle on the 被扶養者（異動）届 (its blank a draft's): over the
    B欄's ⑨ cells, 年/月/日 printed in the corner of each part's last cell, each part is its
    cells border to border (the clerk fitted 41 parts so: they were cut at the printed
    character); over 「令和　年　月　日提出」, no cells, the parts end at the print."""
    from extractors.onboard.blank import one_page  # noqa: PLC0415 - this test's only use

    drafts = drafts_dir(services.settings)
    drafts.mkdir(parents=True)
    pdf = (REPO / "fixtures" / "real-forms" / "kyokai_hifuyosha_ido.pdf").read_bytes()
    (drafts / "h.1.pdf").write_bytes(one_page(pdf, 0))
    (drafts / "h.1.json").write_text(json.dumps({"form_id": "h", "blank_pdf": "h.1.pdf", "fields": []}))
    login(app, "adm")
    url = "/admin/forms/date-parts?src=d:h.1.json&box="
    assert app.get(f"{url}150,396,240,419").json() == {
        "year": [151.8, 395.2, 180.5, 419.0],
        "month": [181.0, 395.2, 210.2, 419.0],
        "day": [210.8, 395.2, 239.8, 419.0],
    }
    assert app.get(f"{url}46,47,143,60").json() == {
        "year": [46.0, 47.0, 74.2, 60.0],
        "month": [82.2, 47.0, 111.1, 60.0],
        "day": [119.2, 47.0, 138.5, 60.0],
    }
