"""The benchmark's generic filler (a form onboarded as data, without a filler of its own)
writes what a real applicant would: one person per numbered block, kanji and kana alike, a
company where the field is a company's name, a number in a 整理番号 written freely, and a code
as long as its row of kana cells (a name went into four cells and its golden value held all of
it). A clerk's never-seen 資格喪失届 was benchmarked with block 2's フリガナ of another person than its 氏名, and 事業所名称 (employer_name) filled
with a person's name: 14 of its 25 auto-accepted "errors" were the generator's."""

from __future__ import annotations

import copy
import json
import random
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

from extractors.normalize import joined_sound_marks
from extractors.template import parse_template
from fixtures.generate import COMPANIES, PEOPLE, _fill

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
    raw["fields"].append({"name": "employer_name", "type": "text", "label": "事業所名称", "box": [60, 760, 300, 780]})
    raw["fields"].append({"name": "insured_number_2", "type": "text", "label": "整理番号", "box": [320, 760, 380, 780]})
    raw["fields"].append(
        {"name": "office_symbol_kana", "type": "katakana", "label": "事業所整理記号", "box": [400, 760, 460, 780],
         "segments": [[400, 760, 460, 780, 4]]}
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
