"""The benchmark's generic filler (a form onboarded as data, without a filler of its own)
writes what a real applicant would: one person per numbered block, kanji and kana alike, a
company where the field is a company's name, a number in a 整理番号 written freely, and a code
as long as its row of kana cells (a name went into four cells and its golden value held all of
it). A clerk's never-seen 資格喪失届 was benchmarked with block 2's フリガナ of another person than its 氏名, and 事業所名称 (employer_name) filled
with a person's name: 14 of its 25 auto-accepted "errors" were the generator's. A clerk's
資格取得届 had its 住所フリガナ filled with a person's name (40 of 62), a full address in a 6 pt
その他（ ） box and ticks where the form has a word to circle."""

from __future__ import annotations

import copy
import json
import random
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from extractors.normalize import joined_sound_marks
from extractors.template import parse_template
from extractors.validate import check_katakana, my_number_check_digit_ok
from fixtures.generate import (
    ADDRESS_READINGS,
    ADDRESSES,
    COMPANIES,
    NOTES,
    PEOPLE,
    _fill,
    address_reading,
)

ROOT = Path(__file__).resolve().parents[2]
KOFU = next((ROOT / "fixtures" / "forms-kyokai").glob("kyokai_kofu_shinsei.*.json"))


def _with_blocks() -> dict[str, Any]:
    """The 協会けんぽ 交付申請書 with its 氏名 renamed as block 5's and an 事業所名称 box added."""
    raw = copy.deepcopy(json.loads(KOFU.read_text(encoding="utf-8")))
    for field in raw["fields"]:
        if field["name"] == "name":
            field["name"] = "name_5"
        if field["name"] == "name_kana":
            field["name"] = "name_kana_5"
            field["reading_of"] = "name_5"
    raw["fields"].append(
        {"name": "employer_name", "type": "text", "label": "事業所名称", "box": [60, 760, 300, 780]}
    )
    raw["fields"].append(
        {"name": "insured_number_2", "type": "text", "label": "整理番号", "box": [320, 760, 380, 780]}
    )
    raw["fields"].append(
        {
            "name": "office_symbol_kana",
            "type": "katakana",
            "label": "事業所整理記号",
            "box": [400, 760, 460, 780],
            "segments": [[400, 760, 460, 780, 4]],
        }
    )
    return dict(raw)


def test_each_numbered_block_is_one_person_a_company_name_a_company_and_a_number_a_number() -> None:
    template = parse_template(_with_blocks(), KOFU)
    kana_of = {kanji: kana.replace("\u3000", " ") for kanji, kana, _ in PEOPLE}
    companies = {name for name, *_ in COMPANIES}
    people = {kanji for kanji, *_ in PEOPLE}
    seen = 0
    for seed in range(12):
        values = _fill(template, random.Random(seed), date(2026, 11, 1)).values
        if values.get("name_5") and values.get("name_kana_5"):
            assert values["name_kana_5"] == kana_of[values["name_5"]], seed  # 氏名 and its フリガナ
            seen += 1
        dependents = [values.get(f"name_kana_{n}") for n in (2, 3, 4)]
        written = [kana for kana in dependents if kana]
        assert len(set(written)) == len(written), (seed, dependents)  # three people, not one
        code = values.get("office_symbol_kana")
        assert code is None or (len(code) == 4 and " " not in code), code  # four cells: four kana
        if values.get("insured_number_2"):
            assert values["insured_number_2"].isdigit(), values["insured_number_2"]  # 整理番号: a number
        if values.get("employer_name"):
            assert values["employer_name"] in companies and values["employer_name"] not in people
    assert seen >= 8


def test_kana_cells_hold_sound_marks_in_cells_of_their_own_for_some_writers() -> None:
    """Forms with kana cells ask for 「濁点・半濁点は1字として」: some writers put ゛ in a cell of
    its own (ス ス ゛ キ), others write ズ in one; the golden value is the name either way."""
    template = parse_template(_with_blocks(), KOFU)
    apart = whole = 0
    for seed in range(40):
        filled = _fill(template, random.Random(seed), date(2026, 11, 1))
        for name in ("name_kana_2", "name_kana_3", "name_kana_4"):
            cells = [payload[0] for kind, payload, field in filled.draws if kind == "char" and field == name]
            if not cells:
                continue
            assert filled.values[name].replace(" ", "") == joined_sound_marks("".join(cells))
            apart += "゛" in cells or "゜" in cells
            whole += any(unicodedata.normalize("NFD", c) != c for c in cells)
    assert apart and whole, (apart, whole)


def _with_an_insured_address_row() -> dict[str, Any]:
    """The 交付申請書 with a 資格取得届's address row for insured 2 (フリガナ before its 住所, as
    the form prints them), its 理由 (1.海外在住 3.その他) with a その他（ ） box 6 pt tall, a 備考
    その他 note, a フリガナ of a 住所 the form has no box for, and two checkboxes: a □ to tick
    and a lone printed word to circle."""
    raw = _with_blocks()
    raw["fields"] += [
        {
            "name": "address_kana_2",
            "type": "katakana",
            "label": "被保険者2 住所フリガナ",
            "box": [140, 700, 330, 708],
        },
        {"name": "address_2", "type": "text", "label": "被保険者2 住所", "box": [66, 710, 330, 720]},
        {
            "name": "address_reason_2",
            "type": "choice",
            "label": "被保険者2 住所 理由",
            "style": "circle",
            "options": {"kaigai_zaijuu": [352, 700, 370, 705], "other": [352, 711, 371, 716]},
        },
        {
            "name": "address_reason_other_2",
            "type": "text",
            "label": "被保険者2 住所 理由 その他（内容）",
            "box": [373, 710.8, 455.5, 716.6],
        },
        {
            "name": "remarks_other",
            "type": "text",
            "label": "備考 その他（内容）",
            "box": [490, 700, 566, 708.8],
        },
        {"name": "home_kana", "type": "katakana", "label": "自宅 住所フリガナ", "box": [140, 730, 330, 738]},
        {
            "name": "card_required",
            "type": "checkbox",
            "label": "資格確認書 発行が必要",
            "box": [497.8, 730, 503.2, 735],
        },
        {
            "name": "card_circled",
            "type": "checkbox",
            "label": "発行要",
            "style": "circle",
            "box": [520, 730, 540, 736],
        },
    ]
    return raw


def test_an_address_furigana_is_the_reading_of_the_address_written_beside_it() -> None:
    """A clerk's 資格取得届 had its 住所フリガナ (address_kana_N) filled with a person's name,
    マツモト アヤ: read without its space, 40 of the 62 auto-accepted "errors" of its benchmark
    were the generator's. An applicant writes the address's reading, in katakana (the form
    asks カタカナ), as one word; a フリガナ of an address the form has no box for reads one too."""
    template = parse_template(_with_an_insured_address_row(), KOFU)
    people = {kana.replace("\u3000", " ") for _, kana, _ in PEOPLE}
    readings = {reading: address for address, reading in ADDRESS_READINGS.items()}
    seen = 0
    for seed in range(20):
        values = _fill(template, random.Random(seed), date(2026, 11, 1)).values
        for name in ("address_kana_2", "home_kana"):
            kana = values.get(name)
            if kana is None:
                continue
            assert kana not in people and kana in readings, (seed, name, kana)
            assert check_katakana(kana) is None, kana  # no figure, no dash: a clean form stays clean
        if values.get("address_kana_2"):
            assert values["address_kana_2"] == address_reading(values["address_2"]), seed
            seen += 1
        elif values.get("address_2") is None:
            assert values.get("address_kana_2") is None  # no address written, none read
    assert seen >= 12
    assert set(ADDRESS_READINGS) == set(ADDRESSES)  # every address the generator writes is read
    assert address_reading("大阪府大阪市北区梅田1丁目3番1号") == "オオサカフオオサカシキタクウメダ"
    assert (
        address_reading("静岡県静岡市葵区追手町9-6") == "シズオカケンシズオカシアオイクオウテマチ"
    )  # the dictionary's


def test_an_other_note_holds_a_short_word_only_when_its_choice_has_other_marked() -> None:
    """Any field named …address… got a full address, even the 6 pt tall その他（ ） box of the
    address's 理由 (address_reason_other_N: 81 wrong), and any other その他 note a company's
    name. An applicant writes a word or two there, and only when その他 is circled."""
    template = parse_template(_with_an_insured_address_row(), KOFU)
    companies = {name for name, *_ in COMPANIES}
    written = blank_with_other = 0
    for seed in range(40):
        values = _fill(template, random.Random(seed), date(2026, 11, 1)).values
        for name in ("address_reason_other_2", "remarks_other"):
            note = values.get(name)
            if note is not None:
                assert note in NOTES and note not in companies and note not in ADDRESSES, (seed, name, note)
                assert len(note) <= 5
        if values.get("address_reason_other_2") is not None:
            assert values["address_reason_2"] == "other", seed
            written += 1
        elif values.get("address_reason_2") == "other":
            blank_with_other += 1  # left blank now and then, as any optional field
    assert written >= 5 and blank_with_other <= written


def test_a_circle_checkbox_is_circled_and_a_box_is_ticked() -> None:
    """A checkbox whose template style is ``circle`` (a lone printed word, as the designer
    proposes for a single option) is circled as a choice's option is; a □ is ticked."""
    template = parse_template(_with_an_insured_address_row(), KOFU)
    styles: dict[str, set[str]] = {"card_required": set(), "card_circled": set()}
    for seed in range(20):
        filled = _fill(template, random.Random(seed), date(2026, 11, 1))
        for kind, payload, field in filled.draws:
            if field in styles:
                assert kind == "mark"
                styles[field].add(payload[1])
    assert styles == {"card_required": {"tick"}, "card_circled": {"circle"}}, styles


def test_name_halves_small_boxes_and_postcodes_in_text_boxes_are_written_as_an_applicant_would() -> None:
    """A clerk's never-seen 被扶養者（異動）届 named its halves ``insured_family_name`` (the whole
    name went into each half: ~200 auto-accepted "errors"), and drew 〒 and 国籍 as text boxes,
    which got a company's name that cannot fit in them."""
    raw = _with_blocks()
    raw["fields"] += [
        {"name": "insured_family_name", "type": "text", "label": "氏", "box": [60, 790, 160, 810]},
        {"name": "insured_given_name", "type": "text", "label": "名", "box": [170, 790, 270, 810]},
        {"name": "spouse_nationality", "type": "text", "label": "国籍", "box": [280, 790, 330, 800]},
        {"name": "insured_postal_code", "type": "text", "label": "〒", "box": [340, 790, 440, 810]},
    ]
    template = parse_template(raw, KOFU)
    people = {kanji for kanji, *_ in PEOPLE}
    for seed in range(12):
        values = _fill(template, random.Random(seed), date(2026, 11, 1)).values
        family, given = values.get("insured_family_name"), values.get("insured_given_name")
        if family and given:
            assert f"{family} {given}" in people, (family, given)
        nationality = values.get("spouse_nationality")
        assert nationality is None or len(nationality) <= 3, nationality  # a 50 pt box: a short word
        postcode = values.get("insured_postal_code")
        assert postcode is None or (len(postcode) == 8 and postcode[3] == "-"), postcode


def test_the_postcode_beside_an_address_is_its_own_and_nothing_else_changes() -> None:
    """An onboarded form whose address names the 郵便番号 beside it (``postcode``) gets the
    address's own postcode, as an applicant writes them: the generic filler drew seven random
    digits, and on 協会けんぽ's forms linked on the screen the reader then found 23 of 48
    clean forms a ``postal_code_mismatch``. The digits are replaced where they were drawn:
    every other value, and every draw, stays as it was."""
    from fixtures.generate import POSTCODES

    raw = json.loads(KOFU.read_text(encoding="utf-8"))
    linked = parse_template(raw, KOFU)
    assert linked.field("address").postcode == "postcode"
    unlinked_raw = copy.deepcopy(raw)
    for field in unlinked_raw["fields"]:
        field.pop("postcode", None)
    unlinked = parse_template(unlinked_raw, KOFU)
    seen = 0
    for seed in range(12):
        form = _fill(linked, random.Random(seed), date(2026, 11, 1))
        before = _fill(unlinked, random.Random(seed), date(2026, 11, 1))
        address = form.values.get("address")
        if address in POSTCODES and "postcode" in form.values:
            assert form.values["postcode"] == POSTCODES[address], seed
            seen += 1
        changed = {name for name in form.values if form.values[name] != before.values.get(name)}
        assert changed <= {"postcode"}, (seed, changed)
        assert [(kind, name) for kind, _, name in form.draws] == [
            (kind, name) for kind, _, name in before.draws
        ]
    assert seen >= 8


def test_a_short_gap_is_written_at_a_size_people_write_not_two_points_tall() -> None:
    """「（令和　年　月　日）」 on a clerk's 被扶養者届 has 7 pt gaps: the generator wrote their
    digits 2 pt tall (a 3.6 pt cell each, the end of a 7 pt box kept clear), which no one
    writes and no 200 dpi scan keeps (35 of 48 dates unreadable). Now at least 4 pt type,
    overflowing as people do; a wide box is written as before."""
    from types import SimpleNamespace

    import numpy as np
    from PIL import Image as PILImage

    from fixtures.generate import DRAW_DPI, HANDS, _draw

    scale = DRAW_DPI / 72
    filled = SimpleNamespace(
        draws=[
            ("char", ("8", (100.0, 100.0, 103.6, 107.0)), "month"),  # one of a month's two cells
            ("text", ("10", (200.0, 100.0, 207.2, 107.0)), "day"),  # a day's 7 pt gap as one box
            ("text", ("山田", (300.0, 100.0, 400.0, 120.0)), "name"),
        ]
    )
    image = PILImage.new("RGB", (int(600 * scale), int(200 * scale)), "white")
    _draw(image, filled, random.Random(3), HANDS["dev"])  # type: ignore[arg-type]
    ink = np.asarray(image.convert("L")) < 128

    def height_pt(x0: float, x1: float) -> float:
        rows = np.flatnonzero(ink[:, int(x0 * scale) : int(x1 * scale)].any(axis=1))
        return float(rows[-1] - rows[0] + 1) / scale if rows.size else 0.0

    assert height_pt(95, 115) >= 2.2
    assert height_pt(195, 225) >= 2.2
    assert 8.0 <= height_pt(295, 420) <= 14.0


def test_a_my_number_field_that_takes_a_pension_number_too_holds_either() -> None:
    """「個人番号（基礎年金番号）」 (min_digits 10): an applicant writes either number, the
    10-digit 基礎年金番号 in the first cells; a 12-digit value is a valid 個人番号."""
    raw = _with_blocks()
    number = next(f for f in raw["fields"] if f["type"] == "my_number")
    number["min_digits"] = 10
    template = parse_template(raw, KOFU)
    lengths = set()
    for seed in range(30):
        filled = _fill(template, random.Random(seed), date(2026, 11, 1))
        value = filled.values.get(number["name"])
        if value is None:
            continue
        lengths.add(len(value))
        assert len(value) == 10 or my_number_check_digit_ok(value), value
        cells = [
            payload[1][0]
            for kind, payload, field in filled.draws
            if kind == "char" and field == number["name"]
        ]
        assert len(cells) == len(value) and cells[0] == number["segments"][0][0]  # from the first cell on
    assert lengths == {10, 12}


def test_a_date_detailing_an_option_is_written_only_when_it_is_circled_and_a_count_is_a_number() -> None:
    """A clerk's 資格喪失届: 「4.退職等（令和　年　月　日）」 and 「5.死亡（…）」 were both dated in
    every block whatever 原因 was circled, and 「添付 ＿＿ 枚」 held words (出向, 転籍). Now a date
    named after an option of its block's choice is written only when that option is marked, and a
    box labelled with a unit in brackets holds a count."""
    raw = _with_blocks()
    raw["fields"] += [
        {
            "name": "insured_loss_reason_1",
            "type": "choice",
            "label": "喪失原因",
            "style": "circle",
            "options": {"retirement": [60, 700, 90, 710], "death": [100, 700, 130, 710]},
        },
        {
            "name": "insured_retirement_date_1",
            "type": "date",
            "label": "退職等年月日",
            "era": "reiwa",
            "year": [60, 715, 80, 725],
            "month": [85, 715, 105, 725],
            "day": [110, 715, 130, 725],
        },
        {
            "name": "insured_death_date_1",
            "type": "date",
            "label": "死亡年月日",
            "era": "reiwa",
            "year": [160, 715, 180, 725],
            "month": [185, 715, 205, 725],
            "day": [210, 715, 230, 725],
        },
        {
            "name": "insured_attached_1",
            "type": "text",
            "label": "被保険者1 添付（枚）",
            "box": [300, 715, 340, 728],
        },
    ]
    template = parse_template(raw, KOFU)
    seen = set()
    for seed in range(20):
        values = _fill(template, random.Random(seed), date(2026, 11, 1)).values
        reason = values.get("insured_loss_reason_1")
        for option in ("retirement", "death"):
            if values.get(f"insured_{option}_date_1"):
                assert reason == option, (seed, reason, option)
                seen.add(option)
        count = values.get("insured_attached_1")
        assert count is None or count in {"1", "2", "3"}, count
    assert seen == {"retirement", "death"}


def test_a_form_printed_in_colour_is_written_on_in_its_colours(tmp_path: Path) -> None:
    """The 資格喪失届 prints its label columns in red: the generator's paper keeps them red (a
    colour scan then drops them, a grey or 1-bit one shows them dark, as real scanners do; the
    benchmark printed them white, hiding that such scans were not_a_form); a form printed in
    black is the paper it was (its scans unchanged)."""
    from extractors.onboard.blank import draft_template
    from extractors.template import load_template, load_templates
    from fixtures.generate import _blank_paper
    from ocr.raster import RasterLimits, rasterize

    draft = draft_template(
        (ROOT / "fixtures" / "real-forms" / "kyokai_shikaku_soshitsu.pdf").read_bytes(),
        0,
        "loss",
        "2201",
        "1",
    )
    (tmp_path / str(draft.template["blank_pdf"])).write_bytes(draft.blank_pdf)
    path = tmp_path / "loss.2201_1.json"
    path.write_text(json.dumps(draft.template, ensure_ascii=False), encoding="utf-8")
    paper = np.asarray(_blank_paper(load_template(path)), dtype=np.int16)
    red = (paper[:, :, 0] > 150) & (paper[:, :, 1] < 110) & (paper[:, :, 2] < 110)
    assert np.count_nonzero(red) > 0.005 * red.size
    sk01 = next(t for t in load_templates() if t.form_id == "kofu_shinsei")
    grey = rasterize(sk01.blank_pdf.read_bytes(), "pdf", RasterLimits(dpi=300))[0]
    assert np.array_equal(np.asarray(_blank_paper(sk01).convert("L")), grey)
