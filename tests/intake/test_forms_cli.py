"""``kakunin forms install / check / list`` as a clerk-administrator meets them (issue 14): a
template installed onto itself, a second file of one form and version, a broken template in a
forms folder and a new version that cannot be told from the old one by its footer — each
answered in Japanese, one line per problem, never a traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from typer.testing import CliRunner, Result

from extractors.onboard import proof
from intake import forms_cli
from intake.forms_cli import forms_app
from ocr.engine import OcrEngine
from tests.conftest import KYOKAI, REPO
from tests.conftest import KYOKAI_KOFU as KOFU
from tests.extractors.test_onboard_proof import ONE_LINE, TWO_LINES, TWO_LINES_SAID, hifuyosha_template


@pytest.fixture
def forms(kyokai_kofu_folder: Path) -> Path:
    return kyokai_kofu_folder


def _run(*args: str) -> Result:
    result = CliRunner().invoke(forms_app, list(args))
    # A command ends with its message and an exit code, never with a Python exception.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def _draft(tmp_path: Path, name: str, **changes: Any) -> Path:
    """A copy of the 交付申請書's template (and its blank) elsewhere, as ``name``."""
    drafts = tmp_path / "drafts"
    drafts.mkdir(exist_ok=True)
    raw = json.loads((KYOKAI / f"{KOFU}.json").read_text(encoding="utf-8"))
    raw |= {"blank_pdf": f"{name}.pdf", **changes}
    shutil.copy2(KYOKAI / f"{KOFU}.pdf", drafts / f"{name}.pdf")
    path = drafts / f"{name}.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return path


def test_installing_the_file_the_designer_saved_onto_itself_says_it_is_installed(forms: Path) -> None:
    """GIVEN the template the designer saved into the forms folder WHEN it is installed into
    that folder THEN it says in Japanese that it is installed already (exit 0), and the
    folder still loads."""
    result = _run("install", str(forms / f"{KOFU}.json"), "--into", str(forms))
    assert result.exit_code == 0 and "すでに" in result.output and "登録" in result.output
    assert sorted(p.name for p in forms.iterdir()) == [f"{KOFU}.json", f"{KOFU}.pdf"]
    assert _run("list").exit_code == 0


def test_a_second_file_of_one_form_and_version_is_refused_naming_both(forms: Path, tmp_path: Path) -> None:
    """GIVEN the designer's saved version WHEN a draft of the same form and version (another
    file name) is installed beside it THEN it is refused in Japanese naming both files, and
    nothing is copied."""
    draft = _draft(tmp_path, "kyokai_kofu_shinsei.2024_12")
    result = _run("install", str(draft), "--into", str(forms))
    assert result.exit_code == 1
    assert (
        "すでに" in result.output
        and str(forms / f"{KOFU}.json") in result.output
        and str(draft) in result.output
    )
    assert sorted(p.name for p in forms.iterdir()) == [f"{KOFU}.json", f"{KOFU}.pdf"]
    assert _run("list").exit_code == 0


def test_check_and_list_report_a_duplicate_and_a_broken_template_line_by_line(
    forms: Path, tmp_path: Path
) -> None:
    """GIVEN a forms folder holding one version in two files and a template that does not
    parse WHEN checked or listed THEN each problem is one Japanese line naming its files,
    exit 1, no traceback."""
    shutil.copy2(forms / f"{KOFU}.json", forms / "kyokai_kofu_shinsei.2024_12.json")
    (forms / "broken.json").write_text("{not json", encoding="utf-8")
    for result in (_run("check", str(forms / f"{KOFU}.json")), _run("list")):
        assert result.exit_code == 1
        lines = result.output.splitlines()
        duplicate = [line for line in lines if "二つのファイル" in line]
        assert len(duplicate) == 1 and f"{KOFU}.json" in duplicate[0] and "2024_12.json" in duplicate[0]
        assert len([line for line in lines if "broken.json" in line and "不備" in line]) == 1


def test_check_says_a_version_is_installed_already(forms: Path, tmp_path: Path) -> None:
    draft = _draft(tmp_path, "kyokai_kofu_shinsei.2024_12")
    result = _run("check", str(draft))
    assert result.exit_code == 0 and f"すでに {forms / KOFU}.json として登録" in result.output
    broken = _draft(tmp_path, "bad", fields=[{"name": "x", "type": "signature", "box": [1, 1, 9, 9]}])
    result = _run("check", str(broken))
    assert result.exit_code == 1 and "不備" in result.output and "unknown type 'signature'" in result.output


def test_a_new_version_without_a_footer_code_retires_the_old_one(forms: Path, tmp_path: Path) -> None:
    """GIVEN the 交付申請書's version 「v2」 installed, its template reading no footer code WHEN
    a version 「v3」, no footer code either, is installed beside it THEN 「v2」 (and its blank)
    is moved into ``retired/``, said in Japanese, and only 「v3」 is read."""
    newer = _draft(tmp_path, "kyokai_kofu_shinsei.KY_01_2024_12_v3", form_version="KY-01 (2024.12) v3")
    result = _run("install", str(newer), "--into", str(forms))
    assert result.exit_code == 0, result.output
    assert "前の版 KY-01 (2024.12) v2" in result.output and "retired" in result.output
    assert sorted(p.name for p in (forms / "retired").iterdir()) == [f"{KOFU}.json", f"{KOFU}.pdf"]
    assert not (forms / f"{KOFU}.json").exists()
    listed = _run("list")
    assert listed.exit_code == 0 and "v3" in listed.output and "(2024.12) v2" not in listed.output


def test_a_new_version_with_a_footer_code_keeps_the_old_one(forms: Path, tmp_path: Path) -> None:
    """Each page is read with the version its footer names: the older version stays."""
    raw = json.loads((KYOKAI / f"{KOFU}.json").read_text(encoding="utf-8"))
    coded = {**raw["identify"], "code_pattern": r"KY-?01\s*\((?P<year>\d{4})\.(?P<month>\d{1,2})\)"}
    newer = _draft(
        tmp_path, "kyokai_kofu_shinsei.KY_01_2026_4", form_version="KY-01 (2026.4)", identify=coded
    )
    result = _run("install", str(newer), "--into", str(forms))
    assert result.exit_code == 0 and "retired" not in result.output
    assert not (forms / "retired").exists() and (forms / f"{KOFU}.json").is_file()


def test_add_says_in_japanese_what_it_cannot_draft(tmp_path: Path) -> None:
    """A page the blank does not have, a file that is no PDF nor image: one Japanese line, exit 1."""
    blank = REPO / "fixtures" / "real-forms" / "kyokai_kofu_shinsei.pdf"
    result = _run("add", str(blank), "--id", "k", "--version", "1", "--page", "3", "--out", str(tmp_path))
    assert result.exit_code == 1 and "3 ページ目がありません" in result.output
    text = tmp_path / "not.pdf"
    text.write_text("not a pdf", encoding="utf-8")
    result = _run("add", str(text), "--id", "k", "--version", "1", "--out", str(tmp_path))
    assert result.exit_code == 1 and "白紙の様式を読めません" in result.output
    assert "PDF でも画像（PNG・JPEG・TIFF）でもありません" in result.output


@pytest.mark.parametrize("suffix", ["png", "jpg", "tif"])
def test_add_drafts_a_scanned_blank_given_as_an_image(
    tmp_path: Path, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a clean blank scanned at 300 dpi and saved as an image that states no resolution
    (the README: 「a scan of a clean blank at 300 dpi also works」) WHEN drafted THEN its boxes
    are found from the pixels on a page of A4 in points, its blank kept as a one-page PDF
    (was: 「not a readable PDF」)."""
    document = pdfium.PdfDocument(REPO / "fixtures" / "real-forms" / "kyokai_kofu_shinsei.pdf")
    try:
        scan = document[0].render(scale=300 / 72, grayscale=True).to_pil().convert("L")
    finally:
        document.close()
    image = tmp_path / f"blank.{suffix}"
    scan.save(image)  # no dpi given: PNG and TIFF state none, JPEG its default
    out = tmp_path / "out"
    # The print's OCR is not what this test is about (test_onboard_scanned reads it with the
    # real engine): the models' loggers would write into the runner's closed output here.
    read: list[object] = []
    monkeypatch.setattr(forms_cli, "_read_scanned_print", lambda page: read.append(page) or [])
    result = _run("add", str(image), "--id", "scanned", "--version", "1", "--out", str(out))
    assert len(read) == 1  # the scan has no text layer: its print would be read
    assert result.exit_code == 0, result.output
    assert "raster lines" in result.output
    draft = json.loads((out / "scanned.1.json").read_text(encoding="utf-8"))
    assert abs(draft["page"]["width"] - 595) < 2 and abs(draft["page"]["height"] - 842) < 2
    assert len(draft["fields"]) >= 20
    assert (out / "scanned.1.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.ocr
@pytest.mark.proof
def test_check_and_install_refuse_a_title_region_over_two_printed_lines(
    forms: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: OcrEngine
) -> None:
    """GIVEN clerk 4's 被扶養者（異動）届 with its title region over both printed title lines
    WHEN checked or installed THEN exit 1 saying the region is not one printed line (its
    blank read as a scan is no form), nothing installed; the region on the first line, and
    the kept 交付申請書 installed, pass the same proof."""
    monkeypatch.setattr(proof, "_built", lambda options: engine)
    broken = hifuyosha_template(tmp_path / "drafts", "v1", TWO_LINES)
    result = _run("check", str(broken))
    assert result.exit_code == 1 and TWO_LINES_SAID in result.output
    result = _run("install", str(broken), "--into", str(forms))
    assert result.exit_code == 1 and TWO_LINES_SAID in result.output and "登録しませんでした" in result.output
    assert sorted(p.name for p in forms.iterdir()) == [f"{KOFU}.json", f"{KOFU}.pdf"]
    result = _run("check", str(hifuyosha_template(tmp_path / "drafts", "v2", ONE_LINE)))
    assert result.exit_code == 0 and "識別の確認" in result.output, result.output
    result = _run("check", str(forms / f"{KOFU}.json"))
    assert result.exit_code == 0 and "識別の確認" in result.output, result.output
