"""「下の同じ欄に写す」 (extractors.onboard.repeat): the 資格取得届's and 資格喪失届's four
identical 被保険者 blocks found from one finished block, and the block copied there."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from extractors.onboard.lines import BlankLines, read_lines
from extractors.onboard.repeat import NoRepeat, field_boxes, repeat_fields
from tests.conftest import REPO, real_draft_fields

REAL = REPO / "fixtures" / "real-forms"


def _draft(name: str) -> tuple[list[dict[str, Any]], BlankLines]:
    return real_draft_fields(f"kyokai_shikaku_{name}.pdf"), read_lines(
        Path(REAL / f"kyokai_shikaku_{name}.pdf").read_bytes()
    )


def _top(field: dict[str, Any]) -> float:
    return min(b[1] for b in field_boxes(field))


@pytest.fixture(scope="module")
def shutoku() -> tuple[list[dict[str, Any]], BlankLines]:
    return _draft("shutoku")


def _first_block(fields: list[dict[str, Any]]) -> list[int]:
    return [i for i, f in enumerate(fields) if 219 < _top(f) < 340]


def test_shutoku_block_repeats_every_121_8_pt(shutoku: tuple[list[dict[str, Any]], BlankLines]) -> None:
    fields, lines = shutoku
    done = repeat_fields(fields, _first_block(fields), lines.boxes, lines.size)
    assert done.axis == "y" and done.offsets == (121.8, 243.6, 365.4)
    assert done.message.startswith(
        f"3 か所に {len(_first_block(fields))} 項目を写しました（下へ 121.8 pt ごと）"
    )


def test_a_finished_block_is_copied_named_mapped_and_replaces_the_draft(
    shutoku: tuple[list[dict[str, Any]], BlankLines],
) -> None:
    fields = copy.deepcopy(shutoku[0])
    lines = shutoku[1]
    block = _first_block(fields)
    # The clerk finishes block 1: names with _1, a label numbered 1, a フリガナ reading its name.
    by_name = {fields[i]["name"]: fields[i] for i in block}
    by_name["insured_family_name_1"].update(name="family_name_1", label="被保険者1 氏名（氏）")
    by_name["insured_family_name_kana_1"].update(
        name="family_name_kana_1", reading_of="family_name_1", label="フリガナ（氏）"
    )
    # (the 被扶養者 box prints its options 「0．無 1．有」: no text box is drafted over them)
    # (「□ 発行が必要」: drafted as the checkbox on its □ since session 18, a text box over the
    # cell before, which the clerk retyped)
    by_name["insured_certificate_required_1"].update(name="card_needed_1")
    by_name["insured_birth_date_1"].update(name="birth_date_1")
    by_name["insured_acquired_date_1"].update(name="acquisition_date_1")
    original = shutoku[0]
    block = _first_block(fields)
    before = len(fields)
    done = repeat_fields(fields, block, lines.boxes, lines.size, original=original)
    names = [f["name"] for f in done.fields]
    for n in (2, 3, 4):
        copied = done.fields[names.index(f"family_name_kana_{n}")]
        assert copied["reading_of"] == f"family_name_{n}" and copied["type"] == "katakana"
        assert done.fields[names.index(f"family_name_{n}")]["label"] == f"被保険者{n} 氏名（氏）"
        assert done.fields[names.index(f"card_needed_{n}")]["type"] == "checkbox"
    source = by_name["insured_family_name_kana_1"]["box"]
    assert done.fields[names.index("family_name_kana_4")]["box"] == [
        source[0],
        round(source[1] + 365.4, 1),
        source[2],
        round(source[3] + 365.4, 1),
    ]
    # Every drafted field of blocks 2-4 is replaced, none is doubled.
    drafted_below = {f["name"] for f in original if 340 < _top(f) < 705}
    assert not drafted_below & ({f["name"] for f in done.fields} - set(done.copied))
    assert len(done.fields) == before - len(done.removed) + 3 * len(block)
    # The copies follow the block they copy, block by block (the review order).
    assert (
        names.index("family_name_kana_2")
        < names.index("family_name_kana_3")
        < names.index("family_name_kana_4")
    )
    assert names.index("card_needed_1") < names.index("family_name_kana_2")


def test_soshitsu_block_found_from_the_draft_and_the_printed_boxes() -> None:
    fields, lines = _draft("soshitsu")
    block = [i for i, f in enumerate(fields) if 219 < _top(f) < 342]
    done = repeat_fields(fields, block, lines.boxes, lines.size)
    assert [round(o) for o in done.offsets] == [122, 243, 365]
    # blocks 3 and 4 were drafted without their 個人番号 and 喪失年月日: the copies have them
    # (生年月日, 喪失年月日 and the 70歳不該当's 「9.令和 □年□月□日」 不該当年月日 in each block, and
    # the 喪失原因's 「4.退職等（令和　年　月　日退職等）」 and 「5.死亡（令和　年　月　日死亡）」)
    assert sum(1 for f in done.fields if f["type"] == "date" and _top(f) > 219) == 5 * 4


def test_nothing_repeats_under_the_header(shutoku: tuple[list[dict[str, Any]], BlankLines]) -> None:
    fields, lines = shutoku
    header = [i for i, f in enumerate(fields) if f["name"] in ("employer_number", "employer_symbol")]
    with pytest.raises(NoRepeat, match="同じ並びの欄"):
        repeat_fields(fields, header, lines.boxes, lines.size)
    with pytest.raises(NoRepeat, match="写す項目を選んでください"):
        repeat_fields(fields, [], lines.boxes, lines.size)


def test_originals_named_1_take_2_and_a_taken_suffix_is_skipped(
    shutoku: tuple[list[dict[str, Any]], BlankLines],
) -> None:
    fields = copy.deepcopy(shutoku[0])
    block = _first_block(fields)
    for n, i in enumerate(block):
        fields[i]["name"] = f"item{n}_1"
    fields.append({"name": "item0_2", "type": "text", "box": [10.0, 800.0, 40.0, 810.0]})
    done = repeat_fields(fields, block, shutoku[1].boxes, shutoku[1].size)
    names = {f["name"] for f in done.fields}
    assert {"item0_3", "item0_4", "item0_5", "item3_3"} <= names and "item3_2" not in names


def test_a_choice_picked_alone_goes_where_its_rows_repeat() -> None:
    """喪失原因 ○ (option boxes round printed words: nothing lines up with them) picked alone:
    the offsets are those of the fields in its rows (個人番号, 喪失年月日)."""
    fields, lines = _draft("soshitsu")
    fields = copy.deepcopy(fields)
    fields.append(
        {
            "name": "loss_reason_1",
            "type": "choice",
            "style": "circle",
            "label": "喪失原因",
            "options": {
                "retirement": [431.0, 260.0, 452.0, 266.7],
                "death": [431.0, 267.0, 446.0, 273.8],
                "other": [431.0, 274.0, 458.0, 280.8],
            },
        }
    )
    done = repeat_fields(fields, [len(fields) - 1], lines.boxes, lines.size)
    assert [round(o) for o in done.offsets] == [122, 243, 365]
    copied = {f["name"]: f for f in done.fields if f["name"].startswith("loss_reason")}
    assert set(copied) == {"loss_reason_1", "loss_reason_2", "loss_reason_3", "loss_reason_4"}
    assert copied["loss_reason_4"]["options"]["death"][1] == round(267.0 + done.offsets[2], 1)
