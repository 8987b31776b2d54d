"""Word spaces put back at the gaps between the characters read, review routing of unsure
readings, and seals found over boxes. (Where the writing is: ``test_writing.py``.)"""

from __future__ import annotations

from datetime import date

import cv2
import numpy as np

from extractors.convert import value_of
from extractors.fields.crops import on_white, print_painted_out, seals, strip, under_seal, writers_ink
from extractors.plan import spaced_by_gaps
from extractors.route import judged
from extractors.template import load_templates
from ocr.preprocess import binarize
from ocr.types import Recognition


def test_spaces_go_back_at_the_gaps_between_the_characters_read() -> None:
    whole = Recognition("カトウイチロウ", 0.95, (10.0, 30.0, 50.0, 120.0, 140.0, 160.0, 180.0))
    assert spaced_by_gaps(whole, [(65, 105)]).text == "カトウ イチロウ"
    assert spaced_by_gaps(whole, []).text == "カトウイチロウ"
    assert (
        spaced_by_gaps(Recognition("カトウイチロウ", 0.95), [(65, 105)]).text == "カトウイチロウ"
    )  # no positions


def test_two_gaps_two_spaces_and_a_gap_read_as_a_stroke_goes() -> None:
    whole = Recognition("代表取締役ー森健一", 0.9, (10, 30, 50, 70, 90, 130, 170, 210, 230))
    assert spaced_by_gaps(whole, [(105, 155), (185, 200)]).text == "代表取締役 森 健一"
    assert spaced_by_gaps(whole, [(105, 155), (185, 200)]).confidence == 0.9


def test_a_failed_check_on_an_unsure_reading_is_illegible_not_the_applicants_error() -> None:
    # 03-966644: a digit lost by the recogniser, read at 0.5
    assert judged(["phone"], False, True, 0.5, True, True) == ["illegible"]
    # the same written clearly (read at 0.98): the applicant's number is wrong
    assert judged(["phone"], False, True, 0.98, True, True) == ["phone"]
    # nothing written in a required box, and something written that makes no amount
    assert judged([], True, False, 1.0, True, True) == ["required"]
    assert judged(["amount"], True, True, 0.0, True, True) == ["illegible"]
    # a 個人番号 of 11 digits read clearly is the applicant's; one digit read at 0.3 is a stroke
    assert judged(["digits_count"], False, True, 0.8, False, True) == ["digits_count"]
    assert judged(["digits_count"], False, True, 0.3, False, True) == ["illegible"]
    # a typed (born-digital) value is never illegible
    assert judged(["phone"], False, True, 0.5, False, False) == ["phone"]


def test_a_field_written_on_but_read_as_nothing_is_illegible_not_blank() -> None:
    assert judged([], empty=True, inked=True, confidence=0.0, required=True, scanned=True) == ["illegible"]
    assert judged([], empty=True, inked=False, confidence=1.0, required=True, scanned=True) == ["required"]


def _sealed_page(ring: bool) -> tuple[np.ndarray, np.ndarray]:
    """A 200 dpi strip with one box (x 100–300, y 100–126 pt), a word written in it and, with
    ``ring``, a round seal 34 pt across pressed over its right end (as grey as a red seal
    scanned in grey)."""
    dpi_scale = 200 / 72
    blank = np.full((int(250 * dpi_scale), int(400 * dpi_scale)), 255, np.uint8)
    x0, y0, x1, y1 = (int(v * dpi_scale) for v in (100, 100, 300, 126))
    cv2.rectangle(blank, (x0, y0), (x1, y1), 0, 2)
    page = blank.copy()
    for i, char in enumerate("ABCDEFG"):  # strokes of a handwritten word, some of them round
        cv2.putText(page, char, (x0 + 15 + 60 * i, y1 - 18), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 1.4, 30, 3)
    cv2.circle(page, (x0 + 60, y0 + 36), 28, 40, 2)  # a ○ no larger than the writing
    if ring:
        cv2.circle(page, (int(270 * dpi_scale), int(113 * dpi_scale)), int(17 * dpi_scale), 90, 5)
    return page, blank


def test_a_round_seal_over_a_box_is_found_and_writing_is_not_taken_for_one() -> None:
    """Text under a seal that colour drop-out could not remove goes to a person: the seal is a
    ring of seal size reaching the box; written strokes, even a small ○, are not."""
    box, elsewhere = (100.0, 100.0, 300.0, 126.0), (100.0, 200.0, 300.0, 226.0)
    page, blank = _sealed_page(ring=True)
    circles = seals(writers_ink(binarize(page), binarize(blank), 200), 200)
    assert under_seal(box, circles, 200) and not under_seal(elsewhere, circles, 200)
    page, blank = _sealed_page(ring=False)
    assert seals(writers_ink(binarize(page), binarize(blank), 200), 200) == []


def _free_text(spec_name: str, text: str) -> tuple[object, float, list[str]]:
    """The 滅失届's ``spec_name`` as converted from ``text`` read at 0.98: value, confidence, codes."""
    spec = next(t for t in load_templates() if t.form_id == "messhitsu").field(spec_name)
    value, confidence, _, codes = value_of(
        spec, {(spec.name, "text"): Recognition(text, 0.98)}, {}, lambda box, style: 0.0, date(2026, 11, 26)
    )
    return value, confidence, list(codes)


def test_a_digit_read_inside_a_word_of_kana_goes_to_a_person_as_read() -> None:
    """さく5電機: a hand's ら read as 5 by both models, confidently; a lone digit between kana
    (or kana and kanji) is doubtful, while numbers of an address (2-3-1, 3丁目, 503号室) are not."""
    for spec_name, text, doubtful in (
        ("employer_name", "さく5電機株式会社", True),
        ("employer_owner_name", "代表取締役 山本 干尋", True),
        ("employer_owner_name", "代表取締役 #上 亮介", True),  # 井 read as #
        ("employer_name", "一", True),  # one stroke alone: a neighbour's ○ tail, a rule's remnant
        ("employer_name", "1", True),
        ("employer_address", "神奈川県横浜市西区みなとみらい2-3-1", False),
        ("employer_address", "東京都港区芝公園3丁目9番6号 緑町503号室", False),
    ):
        value, confidence, codes = _free_text(spec_name, text)
        assert value == text and codes == []
        assert (confidence < 0.9) is doubtful, (text, confidence)


def test_a_latin_letter_inside_kanji_is_doubtful_and_an_addresss_t_before_me_is_chome() -> None:
    """北1条西2T目: 丁 read T by both models, confidently. A Latin letter between kanji (or a
    number and a kanji) goes to a person; in an address 「T目」 after a number is proposed as
    丁目. Letters of their own (A棟 after a space, ABC株式会社) are as read."""
    for spec_name, text, want, doubtful in (
        ("employer_address", "北海道札幌市中央区北1条西2T目", "北海道札幌市中央区北1条西2丁目", True),
        ("employer_name", "山田T業株式会社", "山田T業株式会社", True),
        ("employer_name", "ABC株式会社", "ABC株式会社", False),
        ("employer_address", "東京都港区芝公園3丁目9番6号 A棟", "東京都港区芝公園3丁目9番6号 A棟", False),
    ):
        value, confidence, _ = _free_text(spec_name, text)
        assert value == want and (confidence < 0.9) is doubtful, (text, value, confidence)


def test_a_strip_of_tall_cells_keeps_only_the_rows_of_its_writing() -> None:
    """Digits written small in tall cells (a 郵便番号 row 40 pt high) reach the recogniser
    as tall as the writing, not a third of its input: the paper above and below goes."""
    cells = []
    for _ in range(3):
        cell = np.full((120, 40), 250, np.uint8)
        cell[50:70, 15:25] = 20  # a digit 20 px tall in a cell 120 px tall
        cells.append(cell)
    out = strip(cells)
    assert 20 <= out.shape[0] <= 20 + 2 * 6
    assert int((out < 128).sum()) == 3 * 20 * 10  # every digit's ink kept
    # Blank cells (nothing inked) keep their height.
    assert strip([np.full((120, 40), 250, np.uint8)]).shape[0] == 120


def test_a_shaded_cells_grey_paper_is_made_white_before_the_print_is_painted_out() -> None:
    """GIVEN a cell of a grey-tinted row (paper 200) holding a digit's stroke (grey 90) and a
    printed mark WHEN cut for the recogniser THEN its paper is white like the painted-out
    print beside it and the stroke darker than the paper by more than before (a postcode in
    the 資格取得届's grey 住所 cell came as grey digits on grey between white patches: 3003 read
    for 3300063); a white cell's crop is left as it is."""
    cell = np.full((30, 20), 200, np.uint8)
    cell[5:25, 9:12] = 90  # the stroke
    printed = np.zeros((30, 20), np.uint8)
    printed[0:3, :] = 255  # a printed rule along the top
    out = print_painted_out(cell, printed, 200, 1)
    assert int(np.median(out[10:20, 0:5])) == 255  # the paper beside the stroke: white
    assert int(out[15, 10]) < 120 and 255 - int(out[15, 10]) > 200 - 90  # the stroke stands out more
    assert (out[0:4, :] == 255).all()  # the print: painted out
    white = np.full((30, 20), 245, np.uint8)
    white[5:25, 9:12] = 60
    assert (on_white(white) == white).all()
