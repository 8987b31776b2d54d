"""A choice's options proposed from its blank form (issue 14: a choice in one gesture on the
designer): ○ options from the printed words inside a rectangle, ✓ options from the □ inside it
(drawn, printed as □ characters or as pictures), each valued from its printed word."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from extractors.onboard.choices import (
    BlankPrint,
    NoChoice,
    blank_print,
    circled_items,
    core_word,
    option_value,
    propose_choice,
    propose_ticks,
)
from extractors.onboard.draft import Printed
from extractors.template import TEMPLATE_DIR
from tests.conftest import REPO

JUSHO = next((REPO / "fixtures" / "forms-kyokai").glob("kyokai_jusho_henko.*.pdf"))


def _line(
    text: str, x: float = 10.0, top: float = 100.0, size: float = 8.0, gaps: dict[int, float] | None = None
) -> list[Printed]:
    """Characters printed on one line, ``size`` pt each, a gap of ``gaps[i]`` pt before the i-th."""
    out = []
    for index, char in enumerate(text):
        x += (gaps or {}).get(index, 0.0)
        if char != " ":
            out.append(Printed(char, (x, top, x + size, top + size)))
        x += size
    return out


def _words(items: list[tuple[str, tuple[float, float, float, float]]]) -> list[str]:
    return [word for word, _ in items]


@pytest.mark.parametrize(
    ("printed", "words"),
    [
        ("1.男2.女", ["男", "女"]),  # numbered, no space between
        ("1.男 2.女", ["男", "女"]),
        ("男・女", ["男", "女"]),
        ("同居／別居", ["同居", "別居"]),
        ("(1)有(2)無", ["有", "無"]),
        ("①はい②いいえ", ["はい", "いいえ"]),
        ("増（被扶養者になった）・減（被扶養者でなくなった）", ["増", "減"]),
        ("昭和 平成 令和", ["昭和", "平成", "令和"]),
    ],
)
def test_printed_options_on_a_line_are_told_apart(printed: str, words: list[str]) -> None:
    """GIVEN options printed on one line, parted by a number, a separator or a gap WHEN read
    THEN one option per word, its number and a bracketed note left out of the word."""
    assert _words(circled_items(_line(printed))) == words


def test_an_option_is_boxed_on_its_number_and_word_not_its_note() -> None:
    chars = _line("1.男2.女（旧姓）")
    [male, female] = circled_items(chars)
    assert male[1] == (10.0, 100.0, 34.0, 108.0)  # 「1.男」
    assert female[1] == (34.0, 100.0, 58.0, 108.0)  # 「2.女」, not its note


def test_options_stacked_in_lines_and_small_notes() -> None:
    """GIVEN 「5.昭和 / 7.平成 / 9.令和」 stacked, and a superscript 「注1」 beside one THEN one
    option per line, the small note left out."""
    chars = [
        *_line("5.昭和", top=100),
        *_line("7.平成", top=109),
        *_line("9.令和", top=118),
        *_line("注1", x=60, top=118, size=4.0),
    ]
    items = circled_items(chars)
    assert _words(items) == ["昭和", "平成", "令和"]
    assert [box[1] for _, box in items] == [100.0, 109.0, 118.0]


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("男", "male"),
        ("女性", "female"),
        ("昭和", "showa"),
        ("同居", "together"),
        ("その他", "other"),
        ("被扶養者", "dependent"),
        ("短期在留", "tanki_zairyuu"),  # romanised, Hepburn, words joined by _
        ("海外居住", "kaigai_kyojuu"),
        ("ＡＢＣ", "abc"),  # full width, NFKC
        ("Type B", "type_b"),
        ("★", "★"),  # nothing to romanise: the word itself
        # the 被扶養者（異動）届's: 「2.1以外の子」 names item 1, its number no part of the value
        # (was 1_igai_no_ko), and 海外特例要件 (was kaigai_tokurei_youken_gaitou)
        ("1以外の子", "other_child"),
        ("海外特例要件該当", "overseas_exception_applicable"),
        ("海外特例要件非該当", "overseas_exception_not_applicable"),
    ],
)
def test_option_values_follow_our_forms_then_romanise(word: str, value: str) -> None:
    assert option_value(word) == value


def test_a_long_label_gives_a_value_cut_at_a_word() -> None:
    value = option_value("マイナンバーカードの電子証明書の有効期限が切れた")
    assert len(value) <= 40 and not value.endswith(("_", "_no")) and value.startswith("mainanbaakaado")


def test_core_word() -> None:
    assert core_word("再交付（紛失・盗難・毀損等）") == "再交付"
    assert core_word("1.新規") == "新規"
    assert core_word("（氏）") == "氏"
    assert core_word("3") == "3"


def test_circled_choices_of_sk02_are_proposed_as_authored() -> None:
    """GIVEN SK-02's blank WHEN a rectangle is drawn round its printed 「男・女」 and 「増…・減…」
    THEN the proposal is the hand-authored template's choice: ○, the same values, the same boxes."""
    template = json.loads((TEMPLATE_DIR / "hifuyosha_ido.sk02_2025_4.json").read_text("utf-8"))
    fields = {f["name"]: f for f in template["fields"]}
    blank = blank_print(TEMPLATE_DIR / "hifuyosha_ido.pdf")
    for name, area in (
        ("insured_sex", (112.0, 219.0, 152.0, 234.0)),
        ("dep1_sex", (442.0, 298.0, 476.0, 312.0)),
        ("dep1_living", (355.0, 350.0, 408.0, 364.0)),
        ("change_type", (110.0, 120.0, 330.0, 133.0)),
    ):
        proposal = propose_choice(blank, area)
        assert proposal.style == "circle" and fields[name]["style"] == "circle"
        got = {o.value: [round(v, 1) for v in o.box] for o in proposal.options}
        assert got == fields[name]["options"], name
    assert propose_choice(blank, (112.0, 219.0, 152.0, 234.0)).name == "sex"  # printed 性別 beside


def test_tick_boxes_in_a_rectangle_are_a_tick_choice_valued_by_their_words() -> None:
    """GIVEN SK-01's blank (□ drawn as vector rectangles) WHEN a rectangle is drawn round the
    申請区分's two □ and their words THEN a ✓ choice, one option per □, valued from the word
    printed right of it (a bracketed note left out of the value, kept in its label)."""
    proposal = propose_choice(blank_print(TEMPLATE_DIR / "kofu_shinsei.pdf"), (110.0, 119.0, 330.0, 134.0))
    assert proposal.style == "tick"
    assert [(o.value, o.label) for o in proposal.options] == [
        ("new", "新規交付"),
        ("reissue", "再交付（紛失・盗難・毀損等）"),
    ]
    assert [o.box for o in proposal.options] == [(116.2, 123.5, 123.5, 130.8), (178.0, 123.5, 185.5, 130.8)]


def test_tick_boxes_printed_as_pictures_are_found_on_the_rendered_page() -> None:
    """GIVEN 協会けんぽ's 住所変更届, whose 備考 □ are pictures (no drawing, no □ character) WHEN
    a rectangle is drawn round them THEN four □, each valued by the word beside it."""
    blank = blank_print(JUSHO)
    assert not [t for t in blank.ticks if 335 < t[0] < 570 and 228 < t[1] < 256]  # not in the PDF's vectors
    proposal = propose_choice(blank, (336.0, 229.0, 566.0, 256.0))
    assert proposal.style == "tick" and proposal.label == "備考" and proposal.name == "note"
    assert [o.value for o in proposal.options] == [
        "tanki_zairyuu",
        "juuminhyou_juusho_igai_no_idokoro",
        "kaigai_kyojuu",
        "other",
    ]
    assert all(8 <= b[2] - b[0] <= 9.5 and 8 <= b[3] - b[1] <= 9.5 for b in (o.box for o in proposal.options))


def test_a_lone_tick_box_is_proposed_as_a_checkbox_not_a_choice_of_one() -> None:
    """GIVEN the 住所変更届's lone □ before 「被保険者と配偶者は同居している。」 WHEN a rectangle
    is drawn round it and its words, or the □ alone is grouped THEN a ``checkbox`` (ticked or
    not), its box the □, labelled and named by the words beside it; a lone printed word to circle
    is a checkbox marked by a circle."""
    blank = blank_print(JUSHO)
    for proposal in (
        propose_choice(blank, (165.0, 290.0, 420.0, 310.0)),
        propose_ticks(blank, [(172.0, 296.5, 181.0, 305.3)]),
    ):
        shown = proposal.as_json()
        assert (proposal.type, proposal.style, proposal.name) == ("checkbox", "tick", "living")
        assert proposal.label == "被保険者と配偶者は同居している"
        assert shown["type"] == "checkbox" and 8 <= shown["box"][2] - shown["box"][0] <= 9.5
    chars = _line("同居", x=100.0, top=100.0)
    paper = np.full((600, 600), 255, dtype=np.uint8)
    word = propose_choice(BlankPrint((200.0, 200.0), tuple(chars), (), (), paper), (95.0, 95.0, 125.0, 112.0))
    assert (word.type, word.style, word.label, word.name) == ("checkbox", "circle", "同居", "living")
    assert word.as_json()["box"] == [100.0, 100.0, 116.0, 108.0]


def test_drafted_tick_boxes_grouped_keep_their_order() -> None:
    """「選択肢にまとめる」: the □ given (drafted checkboxes picked on the screen), in their order."""
    blank = blank_print(TEMPLATE_DIR / "kofu_shinsei.pdf")
    female, male = (148.5, 227.5, 156.0, 234.8), (118.2, 227.5, 125.5, 234.8)
    proposal = propose_ticks(blank, [female, male])
    assert [(o.value, o.box) for o in proposal.options] == [("female", female), ("male", male)]
    assert proposal.style == "tick"


def test_two_options_of_one_word_get_two_values() -> None:
    blank = blank_print(JUSHO)
    proposal = propose_ticks(blank, [(407.3, 244.0, 416.0, 253.0), (407.3, 244.0, 416.0, 253.0)])
    assert [o.value for o in proposal.options] == ["other", "other_2"]


def test_a_rectangle_round_nothing_printed_is_refused_in_japanese() -> None:
    with pytest.raises(NoChoice, match="見つかりません"):
        propose_choice(blank_print(JUSHO), (460.0, 470.0, 520.0, 500.0))
    with pytest.raises(NoChoice, match="チェック欄"):
        propose_ticks(blank_print(JUSHO), [])


def test_a_blank_replaced_on_disk_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "blank.pdf"
    path.write_bytes(JUSHO.read_bytes())
    first = blank_print(path)
    assert blank_print(path) is first
    path.write_bytes((TEMPLATE_DIR / "kofu_shinsei.pdf").read_bytes())
    assert blank_print(path).size != first.size


def test_every_choice_of_our_four_forms_is_proposed_from_one_rectangle() -> None:
    """GIVEN the blanks of SK-01…SK-04 WHEN one rectangle is drawn round each choice's printed
    options (as tight as its options) THEN the proposal has every option of the hand-authored
    template, in its place, marked as authored (✓ or ○); most values are already the authored
    ones (the rest romanised, for the admin to correct). One □ more: SK-04's 添付書類 leaves
    out the 「資格確認書の交付を受けていない」 □ inside its rectangle (the admin deletes it)."""
    options = same = extra = 0
    for path in sorted(TEMPLATE_DIR.glob("*.json")):
        template = json.loads(path.read_text("utf-8"))
        blank = blank_print(path.parent / template["blank_pdf"])
        for field in (f for f in template["fields"] if "options" in f):
            boxes = list(field["options"].values())
            area = (
                min(b[0] for b in boxes) - 2,
                min(b[1] for b in boxes) - 2,
                max(b[2] for b in boxes) + 2,
                max(b[3] for b in boxes) + 2,
            )
            proposal = propose_choice(blank, area)
            assert proposal.style == field.get("style", "tick"), field["name"]
            # 「（複数可）」 printed beside SK-01's 交付理由: several may be ticked.
            assert (proposal.type == "checkbox_group") == (field["name"] == "reasons"), field["name"]
            for value, want in field["options"].items():
                [found] = [
                    o
                    for o in proposal.options
                    if all(abs(a - b) <= 1.0 for a, b in zip(o.box, want, strict=True))
                ]
                same += found.value == value
            options += len(boxes)
            extra += len(proposal.options) - len(boxes)
    assert (options, extra) == (64, 1) and same >= 46, (options, extra, same)


def test_a_scanned_blank_gives_its_tick_boxes_unnamed(tmp_path: Path) -> None:
    """GIVEN a blank that is a scan (a picture in a PDF: no drawing, no text) WHEN a rectangle
    is drawn round two □ THEN both are found, valued ``option_N`` for the admin to name (the
    save asks for them); a rectangle round printed words is answered in Japanese (none read)."""
    from extractors.onboard.blank import render

    scan = tmp_path / "scan.pdf"
    render((TEMPLATE_DIR / "kofu_shinsei.pdf").read_bytes(), 200).save(scan, "PDF", resolution=200)
    blank = blank_print(scan)
    assert not blank.chars and not blank.ticks
    proposal = propose_choice(blank, (110.0, 119.0, 330.0, 134.0))
    assert proposal.style == "tick" and [o.value for o in proposal.options] == ["option_1", "option_2"]
    for option, want in zip(
        proposal.options, [(116.2, 123.5, 123.5, 130.8), (178.0, 123.5, 185.5, 130.8)], strict=True
    ):
        assert all(abs(a - b) <= 1.0 for a, b in zip(option.box, want, strict=True)), option.box
    with pytest.raises(NoChoice):
        propose_choice(blank, (60.0, 150.0, 120.0, 175.0))  # 記号・番号 printed, not read
