"""A name and its フリガナ settle each other's spaces (extractors.route): a name read without
the space between 氏 and 名 takes it where its kana have it, and a kana reading of a one-word
name (名 alone) loses a space read in a wide gap between two letters."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from extractors.model import FieldReading
from extractors.route import finish
from extractors.template import Template, load_templates, parse_template
from ocr.types import Recognition

SK01 = next(t for t in load_templates() if t.form_id == "kofu_shinsei")


def _sk01_changed(**changes: dict[str, object]) -> Template:
    """SK-01 with some of its fields' settings changed (field name → keys and values; None
    removes the key)."""
    templates = Path(__file__).resolve().parents[2] / "extractors" / "templates"
    source = next(templates.glob("kofu_shinsei.*.json"))
    raw = json.loads(source.read_text(encoding="utf-8"))
    for field in raw["fields"]:
        for key, value in changes.get(field["name"], {}).items():
            if value is None:
                field.pop(key, None)
            else:
                field[key] = value
    return parse_template(raw, source)


def _one_word_name_template() -> Template:
    """SK-01 with its insured name a field of one word (as a form's 名 box is)."""
    return _sk01_changed(insured_name={"spaced": False})


def _read(template: Template, name: str, kana: str, **more: str) -> dict[str, FieldReading]:
    keys = []
    for spec in template.fields:
        if spec.type.layout.name == "MARKS":
            continue
        if spec.parts:
            keys += [(spec.name, part) for part, _ in spec.parts]
        else:
            keys.append((spec.name, "digits" if spec.segments and not spec.box else "text"))
    recognitions = {key: Recognition("", 0.0) for key in keys}
    recognitions[("insured_name", "text")] = Recognition(name, 0.99)
    recognitions[("insured_name_kana", "text")] = Recognition(kana, 0.99)
    for field, text in more.items():
        recognitions[(field, "text")] = Recognition(text, 0.99)
    counts = {key: len(rec.text) for key, rec in recognitions.items()}
    readings, _ = finish(template, recognitions, counts, lambda box, style: 0.0, date(2026, 11, 26))
    return {r.name: r for r in readings}


def test_a_name_read_without_its_space_takes_it_from_its_kana() -> None:
    readings = _read(SK01, "高橋美咲", "タカハシ ミサキ")
    assert readings["insured_name"].value == "高橋 美咲"
    assert readings["insured_name_kana"].value == "タカハシ ミサキ"


def test_a_kana_reading_of_a_one_word_name_loses_a_space_read_in_a_gap() -> None:
    readings = _read(_one_word_name_template(), "花子", "ハナ コ")
    assert readings["insured_name_kana"].value == "ハナコ"
    # Where the name is 氏 名, the kana's space is the writer's and stays.
    assert _read(SK01, "佐藤 花子", "サトウ ハナコ")["insured_name_kana"].value == "サトウ ハナコ"


def test_a_one_word_name_read_with_a_space_loses_it() -> None:
    """GIVEN a name box the template says holds one word (no 氏と名の間に空白: 協会けんぽ's
    住所変更届, (氏) and (名) apart) read 「松 本」, a wide gap between two characters WHEN
    routed THEN the name is 松本, whatever its フリガナ's gaps (it was auto-accepted with the
    space, its kana read マツ モト); a name written 氏 名 in one box keeps its space."""
    one_word = _one_word_name_template()
    assert _read(one_word, "松 本", "マツモト")["insured_name"].value == "松本"
    assert _read(one_word, "松 本", "マツ モト")["insured_name"].value == "松本"
    assert _read(SK01, "松本 彩", "マツモト アヤ")["insured_name"].value == "松本 彩"


def test_a_kana_reading_with_a_character_lost_at_an_end_goes_to_a_person() -> None:
    """GIVEN a one-word name read 松本 and its フリガナ read surely as マツモ (the last kana lost
    at the box's edge; 山田/ヤマ, 加藤/トウ the same: two were auto-accepted on the kyokai
    住所変更届) WHEN routed THEN the kana goes to a person as read (not replaced by the
    dictionary's reading: a name has others, 聖奈 is セイナ as often as the dictionary's
    セイナツ); a フリガナ that is all there stays as read, not in doubt."""
    one_word = _one_word_name_template()
    for name, kana in (("松本", "マツモ"), ("山田", "ヤマ"), ("加藤", "トウ")):
        reading = _read(one_word, name, kana)["insured_name_kana"]
        assert (reading.value, reading.needs_review) == (kana, True), (name, kana)
    kept = _read(one_word, "松本", "マツモト")["insured_name_kana"]
    assert (kept.value, kept.needs_review) == ("マツモト", False)


def test_a_kana_only_name_takes_the_marks_of_the_same_name_confirmed_on_the_form() -> None:
    # The first target's フリガナ with no name of its own to check it against (a dependent
    # written in kana only), beside the insured's, confirmed by 高橋's reading.
    template = _sk01_changed(target1_name_kana={"reading_of": None})
    readings = _read(template, "高橋 美咲", "タカハシ ミサキ", target1_name_kana="ダカハシ ミサキ")
    assert not readings["insured_name_kana"].needs_review
    target = readings["target1_name_kana"]
    assert target.value == "タカハシ ミサキ" and target.needs_review  # a proposal

