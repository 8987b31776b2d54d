"""「選択肢を囲んで作成」 on 協会けんぽ's real blanks (issue 14; a clerk's misses onboarding the
資格取得届 and 資格喪失届): numbered items read from number to number, instructions printed
inside the rectangle left out, a □ printed as a small picture found, values that read well.
Each rectangle is the one a clerk drags round a printed list, found from the PDF's text
positions (pdfplumber), in the first 被保険者 block."""

from __future__ import annotations

import dataclasses
import io
from functools import cache
from pathlib import Path

import numpy as np
import pdfplumber
import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, NameObject

from extractors.onboard.blank import one_page, render
from extractors.onboard.choices import (
    BlankPrint,
    ChoiceProposal,
    circled_items,
    option_value,
    propose_choice,
    read_blank,
    ticks_in,
)
from extractors.onboard.draft import Printed
from extractors.template import TEMPLATE_DIR, PtBox
from tests.conftest import REPO

REAL = REPO / "fixtures" / "real-forms"


@cache
def _page(name: str) -> bytes:
    """The blank's first page, as the designer keeps it (its box moved to 0,0)."""
    return one_page((REAL / name).read_bytes(), 0)


@cache
def _blank(name: str) -> BlankPrint:
    return read_blank(_page(name))


def _printed(name: str, text: str, pdf: bytes | None = None) -> list[PtBox]:
    """Where ``text`` is printed on the blank ``name`` (or on ``pdf``'s first page):
    pdfplumber's characters, a line's left to right; top to bottom, one box per occurrence."""
    with pdfplumber.open(io.BytesIO(pdf or _page(name))) as document:
        chars = [c for c in document.pages[0].chars if str(c["text"]).strip()]
    rows: dict[float, list[dict[str, object]]] = {}
    for char in chars:
        rows.setdefault(round(float(char["top"]), 1), []).append(char)
    found = []
    for top in sorted(rows):
        row = sorted(rows[top], key=lambda c: float(str(c["x0"])))
        line = "".join(str(c["text"]) for c in row)
        at = line.find(text)
        while at >= 0:
            hit = row[at : at + len(text)]
            found.append(
                (
                    float(str(hit[0]["x0"])),
                    float(str(hit[0]["top"])),
                    float(str(hit[-1]["x1"])),
                    max(float(str(c["bottom"])) for c in hit),
                )
            )
            at = line.find(text, at + 1)
    assert found, text
    return found


def _round(*boxes: PtBox, margin: float = 1.5) -> PtBox:
    """The rectangle dragged round ``boxes``."""
    return (
        min(b[0] for b in boxes) - margin,
        min(b[1] for b in boxes) - margin,
        max(b[2] for b in boxes) + margin,
        max(b[3] for b in boxes) + margin,
    )


def _below(boxes: list[PtBox], anchor: PtBox) -> PtBox:
    """The first of ``boxes`` printed under ``anchor``."""
    return min((b for b in boxes if b[1] > anchor[1] + 1), key=lambda b: b[1])


def _values(proposal: ChoiceProposal) -> dict[str, str]:
    return {o.value: o.label for o in proposal.options}


def test_a_numbered_item_keeps_its_bracket_and_its_wrapped_line() -> None:
    """GIVEN 資格取得届's 種別 「1．男 2．女 3．坑内員 5．男（基金） 6．女（基金） 7．坑内員（基金）」,
    the last 「（基金）」 wrapped onto the next line WHEN one rectangle is drawn round them
    THEN six options, each its own value: a note that tells two items apart is kept (no
    ``male_2``, no separate 「基金」 option), and 7's box takes its wrapped line."""
    first = _printed("kyokai_shikaku_shutoku.pdf", "1．男")[0]
    seventh = _printed("kyokai_shikaku_shutoku.pdf", "7．坑内員")[0]
    wrapped = _below(_printed("kyokai_shikaku_shutoku.pdf", "（基金）"), seventh)
    proposal = propose_choice(_blank("kyokai_shikaku_shutoku.pdf"), _round(first, seventh, wrapped))
    assert proposal.style == "circle"
    assert _values(proposal) == {
        "male": "男",
        "female": "女",
        "mine_worker": "坑内員",
        "male_fund": "男(基金)",
        "female_fund": "女(基金)",
        "mine_worker_fund": "坑内員(基金)",
    }
    [mine_fund] = [o.box for o in proposal.options if o.value == "mine_worker_fund"]
    assert (
        mine_fund[0] <= seventh[0] + 0.5 and mine_fund[3] >= wrapped[3] - 0.5
    )  # 「7．坑内員」 and 「（基金）」
    [male] = [o.box for o in proposal.options if o.value == "male"]
    assert male == pytest.approx(first, abs=0.2)  # 「1．男」: no note, no wider


def test_a_separator_inside_a_numbered_item_does_not_part_it() -> None:
    """GIVEN 取得区分 「1．健保・厚年 3．共済出向 4．船保任継」 THEN three options: 「健保・厚年」 is
    one; the next cell's printed 「⑥」, caught by a rectangle drawn a little wide, is none."""
    name = "kyokai_shikaku_shutoku.pdf"
    area = _round(_printed(name, "1．健保・厚年")[0], _printed(name, "4．船保任継")[0], margin=4.0)
    proposal = propose_choice(_blank(name), area)  # the next cell's 「⑥」 inside it: no option
    assert [(o.value, o.label) for o in proposal.options] == [
        ("kenpo_kounen", "健保・厚年"),
        ("kyousai_shukkou", "共済出向"),
        ("senpo_ninkei", "船保任継"),
    ]
    assert proposal.options[0].box == pytest.approx(_printed(name, "1．健保・厚年")[0], abs=0.2)


def test_an_instruction_printed_inside_the_rectangle_is_no_option() -> None:
    """GIVEN 備考: 「該当する項目を○で囲んでください。」 printed above five numbered items in two
    columns WHEN the rectangle takes the whole cell THEN five options, the sentence none of them;
    「5．その他（　）」 is ``other``, boxed on 「5．その他」 (its write-in bracket left out)."""
    name = "kyokai_shikaku_shutoku.pdf"
    sentence = _printed(name, "該当する項目を○で囲んでください。")[0]
    other = _below(_printed(name, "5．その他"), sentence)
    closing = next(b for b in _printed(name, "）") if abs(b[1] - other[1]) < 1 and b[0] > other[2] + 50)
    proposal = propose_choice(_blank(name), _round(sentence, other, closing))
    assert len(proposal.options) == 5 and not any("ください" in o.label for o in proposal.options)
    assert [o.value for o in proposal.options][-1] == "other"
    assert {o.value for o in proposal.options} >= {
        "70_sai_ijou_hiyousha_gaitou",
        "tanjikan_roudousha_no_shutoku",
    }
    assert proposal.options[-1].box == pytest.approx(other, abs=0.2)


@pytest.mark.parametrize(
    ("printed", "words"),
    [
        (["※該当するものを○で囲む", "1.男 2.女"], ["男", "女"]),
        (["該当するものを○で囲んでください。", "1.新規 2.再交付"], ["新規", "再交付"]),
        (["1.坑内員 2.坑内員", "         (基金)"], ["坑内員", "坑内員(基金)"]),  # wrapped, under 2
        (["1.坑内員 2.坑内員", "  (基金)"], ["坑内員(基金)", "坑内員"]),  # under 1
        (["※記入不要", "同居・別居"], ["同居", "別居"]),  # no numbers: an instruction line still none
        (["1.男 2.女", "※該当するものを○で囲む"], ["男", "女"]),  # under 1, yet no part of it
        (["1.男 2.女 （○で囲んでください）"], ["男", "女"]),  # a bracketed instruction: a note
    ],
)
def test_lines_without_a_number_are_continuations_or_nothing(printed: list[str], words: list[str]) -> None:
    """A line with no number joins the numbered item above whose column it starts in, else it
    is no option (an instruction); 「※…」 is none even where nothing is numbered."""
    chars = []
    for row, text in enumerate(printed):
        x = 10.0
        for char in text:
            if char != " ":
                chars.append(Printed(char, (x, 100.0 + 10 * row, x + 8.0, 108.0 + 10 * row)))
            x += 8.0
    assert [word for word, _ in circled_items(chars)] == words


def test_a_tick_box_printed_as_a_small_picture_is_a_tick() -> None:
    """GIVEN 「□ 発行が必要」, its □ a 5 pt picture (no drawing, no □ character; its sides
    shorter than a printed rule) WHEN a rectangle is drawn round □ and words THEN ✓ with one
    option on the □, valued by the words (not a ○ round the words)."""
    name = "kyokai_shikaku_shutoku.pdf"
    words = _printed(name, "発行が必要")[0]
    area = (words[0] - 20.0, words[1] - 3.0, words[2] + 2.0, words[3] + 3.0)
    blank = _blank(name)
    assert not [t for t in blank.ticks if area[0] <= t[0] <= area[2] and area[1] <= t[1] <= area[3]]
    proposal = propose_choice(blank, area)
    assert proposal.style == "tick" and [o.value for o in proposal.options] == ["hakkou_ga_hitsuyou"]
    [box] = [o.box for o in proposal.options]
    assert 4.5 <= box[2] - box[0] <= 7 and 4.5 <= box[3] - box[1] <= 7 and box[2] < words[0]


def test_on_a_scanned_blank_a_small_tick_box_is_found_and_a_printed_kanji_is_not(tmp_path: Path) -> None:
    """GIVEN blanks that are scans (pictures, no text) WHEN a rectangle is drawn round 「□ 発行が
    必要」 THEN its □ is found; round 「…の指定口座へお振込み」 (SK-01) or 「…窓口へ提出して…」
    (SK-02) THEN no □: a 口 amid a line's characters is no tick box."""
    name = "kyokai_shikaku_shutoku.pdf"
    words = _printed(name, "発行が必要")[0]
    scanned = _scanned(_page(name), tmp_path / "shutoku.pdf")
    [tick] = ticks_in(scanned, (words[0] - 20.0, words[1] - 3.0, words[2] + 2.0, words[3] + 3.0))
    assert tick[2] < words[0] and 4.5 <= tick[2] - tick[0] <= 7
    for blank, text in (("kofu_shinsei.pdf", "指定口座へ"), ("hifuyosha_ido.pdf", "窓口へ")):
        pdf = (TEMPLATE_DIR / blank).read_bytes()
        line = _printed(blank, text, pdf)[0]
        area = (line[0] - 30.0, line[1] - 2.0, line[2] + 30.0, line[3] + 2.0)
        assert ticks_in(_scanned(pdf, tmp_path / blank), area) == [], blank


def _scanned(pdf: bytes, path: Path) -> BlankPrint:
    """The blank as a scan: its first page rendered at 200 dpi, in a PDF of its own."""
    render(pdf, 200).save(path, "PDF", resolution=200)
    blank = read_blank(path.read_bytes())
    assert not blank.chars
    return blank


def _with_drawn_square(pdf: bytes, picture: PtBox, square: PtBox) -> bytes:
    """The page with its □ picture painted over in white and a □ drawn as a vector instead."""
    reader = PdfReader(io.BytesIO(pdf))  # kept: the page reads its objects from it
    page = reader.pages[0]
    height = float(page.mediabox.height)
    x0, y0, x1, y1 = picture
    ops = (
        f"q 1 1 1 rg {x0 - 0.5} {height - y1 - 0.5} {x1 - x0 + 1} {y1 - y0 + 1} re f Q "
        f"q 0 0 0 RG 0.6 w {square[0]} {height - square[3]} {square[2] - square[0]} {square[3] - square[1]} re S Q"
    )
    stream = DecodedStreamObject()
    stream.set_data(ops.encode())
    writer = PdfWriter()
    added = writer.add_page(page)
    contents = added.raw_get("/Contents")  # its reference, not the stream itself
    parts = list(contents) if isinstance(contents, ArrayObject) else [contents]
    added[NameObject("/Contents")] = ArrayObject([*parts, writer._add_object(stream)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_same_tick_box_drawn_as_a_vector_or_typed_as_a_character() -> None:
    """GIVEN the □ before 「発行が必要」 drawn as a vector rectangle, or typed as a □ character
    (the text layer), instead of a picture THEN the same ✓ proposal."""
    name = "kyokai_shikaku_shutoku.pdf"
    words = _printed(name, "発行が必要")[0]
    area = (words[0] - 20.0, words[1] - 3.0, words[2] + 2.0, words[3] + 3.0)
    square = (words[0] - 14.0, words[1] + 0.5, words[0] - 8.0, words[1] + 6.5)
    with pdfplumber.open(io.BytesIO(_page(name))) as document:
        [picture] = [
            (float(i["x0"]), float(i["top"]), float(i["x1"]), float(i["bottom"]))
            for i in document.pages[0].images
            if i["x1"] < words[0] and abs(float(i["top"]) - words[1]) < 3
        ][:1]
    drawn = read_blank(_with_drawn_square(_page(name), picture, square))
    typed_char = Printed("□", square)
    typed = dataclasses.replace(
        _blank(name),
        chars=(*_blank(name).chars, typed_char),
        ticks=(*_blank(name).ticks, square),  # as read_blank takes a □ character
        gray=np.full_like(_blank(name).gray, 255),  # nothing rendered
    )
    for blank in (drawn, typed):
        proposal = propose_choice(blank, area)
        assert proposal.style == "tick" and [o.value for o in proposal.options] == ["hakkou_ga_hitsuyou"]
        assert proposal.options[0].box == pytest.approx(square, abs=0.6)


def test_loss_reasons_are_valued_by_their_words_not_their_write_ins() -> None:
    """GIVEN 資格喪失届's 喪失原因 「4.退職等（令和 年 月 日退職等） 5.死亡（…） 7.75歳到達（健康保険
    のみ喪失） 9.障害認定（…） 11.社会保障協定」 WHEN one rectangle takes the lines THEN five
    options valued in English (the printed numbers are no value; the write-in dates no option),
    each boxed on its number and word."""
    name = "kyokai_shikaku_soshitsu.pdf"
    first = _printed(name, "4.退職等")[0]
    end = _printed(name, "日退職等）")[0]
    last = _below(_printed(name, "11.社会保障協定"), first)
    proposal = propose_choice(_blank(name), _round(first, end, last))
    assert [o.value for o in proposal.options] == [
        "retirement",
        "death",
        "age_75",
        "disability",
        "social_security_agreement",
    ]
    assert proposal.options[0].box == pytest.approx(first, abs=0.2)
    assert proposal.options[-1].box == pytest.approx(last, abs=0.2)


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("男（基金）", "male_fund"),  # a note that tells two options apart: the word's value, the note's
        ("坑内員(基金)", "mine_worker_fund"),
        ("その他（　）", "other"),  # an empty write-in bracket adds nothing
        ("75歳到達", "age_75"),
        ("70歳", "70_sai"),  # 歳 read sai (not toshi), no _ at the end
        ("健保・厚年", "kenpo_kounen"),
        ("夫（未届）", "husband_common_law"),  # not otto_hitsuji_todoke
        ("未届", "common_law"),
        ("年金受給者", "pensioner"),  # not nenkin_jukyuu_mono
        ("就職・収入増加", "employment_or_income_increase"),  # every part a known word
        ("扶養者", "fuyousha"),  # 者 after a kanji read sha, not mono
        ("介助者等の第三者", "kaijosha_nado_no_daisansha"),
        ("未加入", "mikanyuu"),  # 未 before a kanji read mi, not hitsuji
    ],
)
def test_values_of_numbered_items(word: str, value: str) -> None:
    assert option_value(word) == value


@pytest.mark.parametrize(
    ("options", "label"),
    [
        ((498.2, 225.5, 565.5, 250.4), "種別"),  # 「④ 種 別」
        ((502.4, 267.7, 559.2, 274.0), "被扶養者"),  # 「⑧ 被 扶 / 養 者」, two lines
        ((69.5, 258.3, 94.9, 283.7), "取得区分"),  # 「⑤ 取 得 / 区 分」
        ((380.0, 291.0, 536.2, 310.1), "備考"),  # 「⑩ 備 考」
        ((351.5, 317.8, 375.7, 333.9), "理由"),  # 「理由：」
    ],
)
def test_a_choice_is_labelled_by_its_whole_printed_label(options: PtBox, label: str) -> None:
    """GIVEN the 資格取得届, whose labels are printed spaced out (「種 別」, 「備 考」) or down two
    lines (「被 扶 / 養 者」) in a cell left of the options WHEN a rectangle is drawn round the
    options (where session 13's clerk drew them) THEN the whole label is proposed, without
    its item number (not 「別」, 「扶」, 「分」, 「考」: the clerk retyped every one)."""
    proposal = propose_choice(_blank("kyokai_shikaku_shutoku.pdf"), _round(options))
    assert proposal.label == label


IDO = "kyokai_hifuyosha_ido.pdf"  # 協会けんぽ's 被扶養者（異動）届, made from a spreadsheet


def test_a_heading_and_the_next_cell_caught_in_the_rectangle_are_no_options() -> None:
    """GIVEN the 被扶養者（異動）届's 配偶者 ⑪職業 「1.無職 4.その他 2.パート（ ） 3.年金受給者」
    WHEN the rectangle takes its heading 「⑪ 職業」 on the left and the next cell's 「⑫ 収入
    （年収）」 on the right as well (session 13's clerk: 職業 and 収入 became options) THEN the
    four options only, in English, labelled and named by the heading."""
    heading = _printed(IDO, "職業")[0]
    pensioner = _printed(IDO, "3.年金受給者")[0]
    income = _printed(IDO, "（年収）")[1]  # the 配偶者's (the first is the 被保険者's)
    proposal = propose_choice(_blank(IDO), _round(heading, pensioner, income, _printed(IDO, "⑫")[0]))
    assert _values(proposal) == {
        "unemployed": "無職",
        "other": "その他",
        "part_time": "パート",
        "pensioner": "年金受給者",
    }
    assert (proposal.name, proposal.label) == ("occupation", "職業")


@pytest.mark.parametrize(
    ("first", "last", "grow", "values"),
    [
        # the next cell's 〒 inside the rectangle: no part of 「同居」
        ("1.同居", "2.別居", (18.0, 0.0), ["together", "apart"]),
        # 「4.その他」 over the write-in 「(　)」 printed under the row: 「その他」, not 「その他)」
        ("1.自宅", "4.その他", (4.0, 10.0), ["home", "mobile", "work", "other"]),
        # 「6.その他（　）」 and, past it, the next cell's 「⑮」 and 「備」 of 備考
        (
            "1.死亡",
            "5.障害認定",
            (90.0, 0.0),
            ["death", "divorce", "age_75", "other", "employment_or_income_increase", "disability"],
        ),
    ],
)
def test_print_of_the_next_cell_joins_no_option(
    first: str, last: str, grow: tuple[float, float], values: list[str]
) -> None:
    """GIVEN a rectangle drawn past the options' cell, ``grow`` pt to the right and down, on
    the 被扶養者（異動）届's 配偶者欄 THEN the next cell's print joins no option's word, nor is
    one of its own (session 13's clerk: 「同居〒」, 「その他職業」, 「その他備」)."""
    area = _round(_printed(IDO, first)[0], _printed(IDO, last)[0])
    proposal = propose_choice(_blank(IDO), (area[0], area[1], area[2] + grow[0], area[3] + grow[1]))
    assert [o.value for o in proposal.options] == values


def test_numbered_items_go_on_in_the_cell_below_and_a_neighbours_list_is_left_out() -> None:
    """GIVEN 「1.該当」 in one cell and 「2.非該当 3.変更」 in the cell under it WHEN one rectangle
    takes both THEN three options (the numbering goes on); GIVEN C欄's ⑧理由 「1.留学 …
    5.その他」 WHEN the rectangle also takes the cell left of it, its own 「1.海外特例要件該当」
    (numbered from 1 again) and the heading 「理由」 THEN the five reasons only."""
    applicable = _printed(IDO, "1.該当")[0]
    change = _below(_printed(IDO, "3.変"), applicable)
    proposal = propose_choice(_blank(IDO), _round(applicable, change))
    assert [o.value for o in proposal.options] == ["applicable", "not_applicable", "change"]
    exception = _printed(IDO, "1.海外特例")[0]  # C欄's
    study = next(b for b in _printed(IDO, "1.留学") if abs(b[1] - exception[1]) < 3)
    marriage = next(b for b in _printed(IDO, "4.海外婚姻") if b[1] > study[1])
    area = _round(exception, study, marriage, margin=2.0)
    proposal = propose_choice(_blank(IDO), (area[0], area[1], 553.0, area[3]))  # to the cell's right
    assert [o.value for o in proposal.options] == [
        "study_abroad",
        "designated_activities",
        "other",
        "accompanying_family",
        "marriage_abroad",
    ]


def test_a_spouses_relationship_is_valued_in_english() -> None:
    """GIVEN the 配偶者's ③性別（続柄） 「1.夫 3.夫（未届） 2.妻 4.妻（未届）」 THEN husband, wife and
    each 未届 (a marriage not registered) ``…_common_law`` (it was otto_hitsuji_todoke: 未
    read as the zodiac's ひつじ), named ``relationship``."""
    first = _printed(IDO, "1.夫")[0]
    last = _printed(IDO, "4.妻（未届）")[0]
    proposal = propose_choice(_blank(IDO), _round(first, last))
    assert _values(proposal) == {
        "husband": "夫",
        "husband_common_law": "夫(未届)",
        "wife": "妻",
        "wife_common_law": "妻(未届)",
    }
    assert proposal.name == "relationship"


def test_an_item_the_rectangles_edge_cuts_is_taken_whole() -> None:
    """GIVEN the 被扶養者（異動）届's C欄 ⑧理由 WHEN the rectangle starts inside the number of
    「1.留学」 and 「2.同行家族」 (session 14's clerk: (459,553)-(554.5,572), 3 of 5 options, 留学
    and 同行家族 missing) THEN the five reasons, the two cut items named as taken whole; WHEN an
    era rectangle cuts through 「5.昭和」「7.平成」「9.令和」 (the clerk's (250.5,518)-(267.5,536),
    proposed as 昭/平/令 and so drawn as one showa box over all three) THEN the three eras."""
    reasons = propose_choice(_blank(IDO), (459.0, 553.0, 554.5, 572.0))
    assert [o.value for o in reasons.options] == [
        "study_abroad",
        "designated_activities",
        "other",
        "accompanying_family",
        "marriage_abroad",
    ]
    assert (reasons.taken_whole, reasons.left_out) == (("1.留学", "2.同行家族"), ())
    assert "「1.留学」・「2.同行家族」 は丸ごと選択肢に入れました" in reasons.as_json()["edge"]
    eras = propose_choice(_blank(IDO), (250.5, 518.0, 267.5, 536.0))
    assert [(o.value, o.label) for o in eras.options] == [
        ("showa", "昭和"),
        ("heisei", "平成"),
        ("reiwa", "令和"),
    ]
    assert eras.taken_whole == ("5.昭和", "7.平成", "9.令和")
    # the era box covers the whole printed item, not the cut half
    assert eras.options[0].box[2] > 273.0


def test_an_item_the_rectangles_edge_only_touches_is_left_out_and_named() -> None:
    """GIVEN ⑧理由 WHEN the rectangle's left edge runs through 「家族」 of 「2.同行家族」 (its
    number and most of its word outside) THEN it is no option, nor is any piece of it, and the
    proposal names it in Japanese for the clerk to draw again; a rectangle drawn round the
    options whole names nothing."""
    proposal = propose_choice(_blank(IDO), (475.0, 553.0, 554.5, 572.0))
    assert [o.value for o in proposal.options] == ["designated_activities", "other", "marriage_abroad"]
    assert (proposal.taken_whole, proposal.left_out) == ((), ("2.同行家族",))
    assert "「2.同行家族」 は選択肢に入れていません" in proposal.edge_note()
    whole = propose_choice(_blank(IDO), (456.3, 553.2, 554.8, 572.0))  # the clerk's second try
    assert len(whole.options) == 5 and whole.edge_note() == ""
