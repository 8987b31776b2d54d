"""A template proven against its own blank the way scans are read (issue 14, clerk 4's finding
2): 協会けんぽ's 被扶養者（異動）届 onboarded with its title region over both printed title lines
(「被扶養者（異動）届」 and 「第3号被保険者関係届」, to tell it from our SK-02) saved and passed
``forms check`` while every scanned page of it was ``not_a_form``. Its blank, read as a scan,
is now refused saying the title region is not one printed line; with the region on the first
line it is proven. The kept 協会けんぽ templates and SK-01…04 are proven, and a form that would
take another form's blank is refused."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from extractors.fields.crops import text_crop
from extractors.identify import blank_page
from extractors.onboard import proof
from extractors.onboard.installed import scan
from extractors.onboard.versions import VersionRefused, check_new_version
from extractors.template import TEMPLATE_DIR, load_template
from ocr.engine import EngineOptions, OcrEngine
from tests.conftest import KYOKAI, REPO

REAL_FORMS = REPO / "fixtures" / "real-forms"
FOLDERS = [TEMPLATE_DIR, KYOKAI]
#: Clerk 4's regions: both printed title lines (v1, refused) and the first line only (v2).
TWO_LINES = ([198.2, 10.6, 341.1, 47.5], "被扶養者（異動）届 第3号被保険者関係届")
ONE_LINE = ([198.2, 10.6, 341.1, 32.0], "被扶養者（異動）届")
TWO_LINES_SAID = "タイトル領域が印刷された1行に収まっていません（2 行にかかっています）"


def hifuyosha_template(folder: Path, version: str, region: tuple[list[float], str]) -> Path:
    """協会けんぽ's 被扶養者（異動）届 p.1 as clerk 4 saved it (its page, no marks, no footer
    code; one field: identification reads none), with ``region``'s title box and title."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"kyokai_hifuyosha_ido.{version.replace(' ', '_')}"
    writer = PdfWriter()
    writer.add_page(PdfReader(REAL_FORMS / "kyokai_hifuyosha_ido.pdf").pages[0])
    out = io.BytesIO()
    writer.write(out)
    (folder / f"{stem}.pdf").write_bytes(out.getvalue())
    box, title = region
    raw = {
        "form_id": "kyokai_hifuyosha_ido",
        "form_code": "KH-02",
        "form_version": f"KH-02 (2025.1) {version}",
        "title": title,
        "name": "協会けんぽ 被扶養者（異動）届",
        "blank_pdf": f"{stem}.pdf",
        "page": {"width": 595.2, "height": 841.68, "orientation": "portrait", "marks": "none"},
        "identify": {"footer": None, "title": box, "code_pattern": None},
        "fields": [
            {
                "name": "insured_family_name",
                "type": "text",
                "label": "氏名（氏）",
                "box": [150, 200, 250, 215],
            }
        ],
    }
    path = folder / f"{stem}.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def proving(monkeypatch: pytest.MonkeyPatch, engine: OcrEngine) -> None:
    """The proof run with the session's engine (not a second one built from the settings)."""
    monkeypatch.setattr(proof, "_built", lambda options: engine)


def _prove(path: Path, into: Path = KYOKAI) -> proof.Proof:
    template = load_template(path)
    among = proof.installed_with(template, into / path.name, scan(FOLDERS), FOLDERS)
    return proof.prove(template, among, EngineOptions())


def test_a_title_region_over_two_printed_lines_is_counted_on_the_blank(tmp_path: Path) -> None:
    for region, lines in ((TWO_LINES, 2), (ONE_LINE, 1)):
        template = load_template(hifuyosha_template(tmp_path, str(lines), region))
        crop = text_crop(blank_page(template.blank_pdf, 200), template.title_box, 200)
        assert proof.printed_lines(crop, 200)[0] == lines


def test_installed_with_puts_the_template_where_it_will_be_read_and_leaves_out_what_it_retires(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "forms"
    shutil.copytree(KYOKAI, folder)
    template = load_template(hifuyosha_template(tmp_path / "draft", "v9", ONE_LINE))
    files = scan([TEMPLATE_DIR, folder])
    among = proof.installed_with(
        template, folder / "kyokai_hifuyosha_ido.x.json", files, [TEMPLATE_DIR, folder]
    )
    assert [t.form_id for t in among][4:] == [
        "kyokai_hifuyosha_ido",
        "kyokai_jusho_henko",
        "kyokai_kofu_shinsei",
    ]
    kofu = next(f.template for f in files if f.template and f.template.form_id == "kyokai_kofu_shinsei")
    newer = proof.installed_with(kofu, folder / "kyokai_kofu_shinsei.v9.json", files, [TEMPLATE_DIR, folder])
    assert [t.form_id for t in newer].count("kyokai_kofu_shinsei") == 1  # the older one is retired


@pytest.mark.ocr
@pytest.mark.proof
def test_the_title_region_over_both_printed_lines_is_refused_saying_so(tmp_path: Path, proving: None) -> None:
    """GIVEN clerk 4's template with the title region over both printed title lines WHEN it is
    proven THEN it is refused: its blank read as a scan is no form, because the region is not
    one printed line (what to do said); with the region on the first line it is proven."""
    refused = _prove(hifuyosha_template(tmp_path, "v1", TWO_LINES))
    assert not refused.ok
    [problem] = refused.problems
    assert TWO_LINES_SAID in problem and "様式不明" in problem and "1行だけを囲む" in problem
    proven = _prove(hifuyosha_template(tmp_path, "v2", ONE_LINE))
    assert proven.ok, proven.problems


@pytest.mark.ocr
@pytest.mark.proof
@pytest.mark.parametrize(
    "file",
    [p.name for p in sorted(TEMPLATE_DIR.glob("*.json"))] + [p.name for p in sorted(KYOKAI.glob("*.json"))],
)
def test_our_forms_and_the_kept_kyokai_templates_are_proven(file: str, proving: None) -> None:
    path = TEMPLATE_DIR / file if (TEMPLATE_DIR / file).is_file() else KYOKAI / file
    proven = _prove(path, path.parent)
    assert proven.ok, proven.problems


@pytest.mark.ocr
@pytest.mark.proof
def test_a_form_that_takes_another_forms_blank_is_refused(tmp_path: Path, proving: None) -> None:
    """GIVEN a new form (another id) onboarded on the 交付申請書's blank, read before it WHEN
    proven THEN refused: the installed 交付申請書's blank would be read as the new form."""
    raw = json.loads(next(KYOKAI.glob("kyokai_kofu_shinsei.*.json")).read_text(encoding="utf-8"))
    raw |= {"form_id": "kyokai_kofu_a", "form_version": "KA (1)", "blank_pdf": "kyokai_kofu_a.pdf"}
    shutil.copy2(next(KYOKAI.glob("kyokai_kofu_shinsei.*.pdf")), tmp_path / "kyokai_kofu_a.pdf")
    path = tmp_path / "kyokai_kofu_a.KA_1.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    refused = _prove(path)
    taken = [p for p in refused.problems if "の白紙が、この様式と判定されました" in p]
    assert len(taken) == 1 and "交付申請書" in taken[0] and "KY-01 (2024.12) v2" in taken[0]


@pytest.mark.ocr
@pytest.mark.proof
def test_a_version_whose_blank_is_read_as_another_version_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, proving: None
) -> None:
    """GIVEN SK-01's fields saved as 「SK-01 (2099.1)」 on SK-01 (2025.4)'s blank (its footer
    prints 2025.4) WHEN checked for the designer's save THEN refused: its pages would be read
    with 2025.4, said with what to do; nothing about the text layer besides."""
    monkeypatch.setenv("KAKUNIN_FORMS_DIRS", str(tmp_path))
    raw = json.loads((TEMPLATE_DIR / "kofu_shinsei.sk01_2025_4.json").read_text(encoding="utf-8"))
    with pytest.raises(VersionRefused) as refused:
        check_new_version(
            {**raw, "form_version": "SK-01 (2099.1)"},
            TEMPLATE_DIR / "kofu_shinsei.pdf",
            tmp_path,
            EngineOptions(),
        )
    said = str(refused.value)
    assert said.startswith("白紙を読み取った画像が、同じ様式の版 SK-01 (2025.4) と判定されました")
    assert "新しい白紙で保存" in said and "文字情報" not in said
