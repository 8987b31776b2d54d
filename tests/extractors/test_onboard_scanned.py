"""A scanned blank (no text layer) is drafted with its print read by OCR: labels, names and
the title are proposed as for a born-digital blank (was: no label, every field ``field_N``,
no title, so the template was refused by its own identification proof)."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
from PIL import Image

from extractors.onboard.blank import draft_template
from extractors.onboard.scanned import line_characters, line_words, printed_by_ocr
from ocr.engine import OcrEngine
from ocr.types import Box, TextLine
from tests.conftest import REPO


def test_a_lines_characters_are_laid_out_half_width_for_digits_and_latin() -> None:
    """GIVEN 「1.昭和」 read over 30 pt WHEN laid out THEN 1 and . take half a kanji's width each."""
    chars = line_characters("1.昭和", (0.0, 0.0, 30.0, 10.0))
    assert [c.text for c in chars] == ["1", ".", "昭", "和"]
    assert [round(c.box[2] - c.box[0], 1) for c in chars] == [5.0, 5.0, 10.0, 10.0]
    assert chars[-1].box[2] == 30.0


def test_a_line_much_taller_than_wide_is_printed_down() -> None:
    """GIVEN 「被保険者」 read in a box 10 pt wide and 40 pt tall WHEN laid out THEN stacked."""
    chars = line_characters("被保険者", (0.0, 0.0, 10.0, 40.0))
    assert [c.box for c in chars] == [(0.0, 10.0 * i, 10.0, 10.0 * (i + 1)) for i in range(4)]


def test_a_line_is_split_into_words_at_its_blanks() -> None:
    """GIVEN 「3. 令和」 WHEN split THEN two words, each over its own characters."""
    words = line_words("3. 令和", (0.0, 0.0, 35.0, 10.0))
    assert [w.text for w in words] == ["3.", "令和"]
    assert words[0].box[2] < words[1].box[0]


def test_lines_read_unsure_are_left_out_and_pixels_become_points() -> None:
    """GIVEN two lines read at 200 dpi, one at confidence 0.3 (a logo) WHEN turned into print
    THEN only the other, in points."""
    lines = [
        TextLine("氏名", 0.99, Box(200, 100, 256, 128)),
        TextLine("資確", 0.3, Box(600, 100, 656, 128)),
    ]
    characters, words = printed_by_ocr(lines, 200)
    assert [w.text for w in words] == ["氏名"]
    assert [round(v, 1) for v in words[0].box] == [72.0, 36.0, 92.2, 46.1]
    assert "".join(c.text for c in characters) == "氏名"


@pytest.mark.ocr
def test_a_scanned_blank_is_drafted_with_its_labels_names_and_title(engine: OcrEngine) -> None:
    """GIVEN 協会けんぽ's 交付申請書 scanned as a PNG (no text layer) WHEN drafted with the OCR
    engine's page reader THEN its title and field labels are proposed from the print and its
    記号・番号 cells named as from the born-digital blank; without the reader none is."""
    document = pdfium.PdfDocument(REPO / "fixtures" / "real-forms" / "kyokai_kofu_shinsei.pdf")
    try:
        image: Image.Image = document[0].render(scale=300 / 72, grayscale=True).to_pil().convert("L")
    finally:
        document.close()
    scan = io.BytesIO()
    image.save(scan, "PNG", dpi=(300, 300))
    read = draft_template(scan.getvalue(), 0, "s", "S-01", "1", read_page=engine.read_page).template
    bare = draft_template(scan.getvalue(), 0, "s", "S-01", "1").template
    assert "資格確認書" in read["title"] and "交付申請書" in read["title"]
    assert bare["title"] == ""
    labelled = [f for f in read["fields"] if f.get("label")]
    assert len(labelled) >= 15
    assert not [f for f in bare["fields"] if f.get("label")]
    names = {f["name"] for f in read["fields"]}
    assert {"symbol", "number"} <= names
