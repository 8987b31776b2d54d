"""The cross-check rule: which readings of two models count as a disagreement."""

from __future__ import annotations

from extractors.crosscheck import disagreements
from ocr.types import Recognition


def r(text: str) -> Recognition:
    return Recognition(text, 0.99)


def test_boxed_digits_are_compared_as_digits() -> None:
    keys = [("insured_symbol", "digits"), ("birth", "year")]
    assert disagreements(keys, [r("1 2 3 4"), r("07")], [r("1234"), r("O7")]) == set()
    assert disagreements(keys, [r("1234"), r("07")], [r("1284"), r("07")]) == {"insured_symbol"}


def test_text_ignores_spaces_and_the_long_vowel_v5_puts_in_gaps() -> None:
    keys = [("insured_name_kana", "text")]
    assert disagreements(keys, [r("ワタナベ ユミ")], [r("ワタナベーユミー")]) == set()
    assert disagreements(keys, [r("ワタナベ ユミ")], [r("ワタナベ ユ三")]) == {"insured_name_kana"}


def test_a_mark_read_apart_and_a_dash_read_as_ichi_between_digits_are_the_same_reading() -> None:
    keys = [("name_kana_2", "text"), ("old_address", "text")]
    assert disagreements(keys, [r("ダカ"), r("x")], [r('タ"カ'), r("x")]) == set()
    assert disagreements(keys, [r("x"), r("市場町1-1")], [r("x"), r("市場町1一1")]) == set()
    # 一 is a digit of a kanji numeral elsewhere: 健一 and 健 differ.
    assert disagreements(keys, [r("x"), r("健一")], [r("x"), r("健")]) == {"old_address"}


def test_word_halves_are_not_compared() -> None:
    assert disagreements([("x", "left")], [r("ア")], [r("イ")]) == set()


def test_a_kana_the_second_model_lost_in_kana_cells_is_no_doubt_when_the_cells_agree() -> None:
    from extractors.fields.sound_marks import Cell

    key = ("name_kana_2", "text")
    kana, blank, voiced = Cell.KANA, Cell.BLANK, Cell.VOICED
    # タ ナ カ _ ケ ン シ ゛: six cells written with a kana, one with a mark.
    cells = {key: (kana, kana, kana, blank, kana, kana, kana, voiced)}
    assert disagreements([key], [r("タナカケンジ")], [r("タナケンジ")], cells) == set()
    assert disagreements([key], [r("タナカケンシ゛")], [r("タナケンジ")], cells) == set()  # mark read apart
    # The primary's reading is not one kana per written cell: the second may be the right one.
    assert disagreements([key], [r("タナカカケンジ")], [r("タナカケンジ")], cells) == {"name_kana_2"}
    # Not a loss: the second read another kana.
    assert disagreements([key], [r("タナカケンジ")], [r("タナカケンシ")], cells) == {"name_kana_2"}
    assert disagreements([key], [r("タナカケンジ")], [r("タナケソジ")], cells) == {"name_kana_2"}
    # Without the cells (a フリガナ box), as before.
    assert disagreements([key], [r("タナカケンジ")], [r("タナケンジ")]) == {"name_kana_2"}


# --- settled: which model's reading a disputed boxed field starts its review from -------------

from datetime import date  # noqa: E402

import numpy as np  # noqa: E402

from extractors.crosscheck import settled  # noqa: E402
from extractors.plan import CropPlan  # noqa: E402
from extractors.template import load_templates  # noqa: E402

TODAY = date(2026, 12, 6)


def _date_plan(field: str) -> CropPlan:
    keys = [(field, "year"), (field, "month"), (field, "day")]
    blank = np.full((32, 56), 255, np.uint8)
    return CropPlan(keys, [blank] * 3, {(field, "year"): 1, (field, "month"): 1, (field, "day"): 2})


def _sk01():  # type: ignore[no-untyped-def]
    return next(t for t in load_templates() if t.form_id == "kofu_shinsei")


def _no_marks(box: object, style: str) -> float:
    return 0.0


def test_a_date_of_the_present_is_not_settled_before_the_forms_edition() -> None:
    # 令和7年 read 令和1年 (2019) by the primary model, 7 by the second, less confidently:
    # a 届出日 cannot be older than the form it is written on (SK-01 of 2025.4).
    plan = _date_plan("submission_date")
    primary = [Recognition("1", 0.95), Recognition("5", 0.99), Recognition("23", 0.99)]
    second = {0: Recognition("7", 0.85), 1: Recognition("5", 0.99), 2: Recognition("23", 0.99)}
    chosen = settled(_sk01(), plan, primary, second, {"submission_date"}, _no_marks, TODAY)
    assert [r.text for r in chosen] == ["7", "5", "23"]


def test_a_date_that_cannot_be_is_not_kept_when_the_other_reading_can() -> None:
    # Month 13 (a 1 and a 3 run together) against 11: the date that exists wins.
    plan = _date_plan("submission_date")
    primary = [Recognition("7", 0.99), Recognition("13", 0.97), Recognition("23", 0.99)]
    second = {0: Recognition("7", 0.99), 1: Recognition("11", 0.6), 2: Recognition("23", 0.99)}
    plan.cell_counts[("submission_date", "month")] = 2
    chosen = settled(_sk01(), plan, primary, second, {"submission_date"}, _no_marks, TODAY)
    assert chosen[1].text == "11"


def test_between_two_possible_dates_the_surer_reading_wins() -> None:
    plan = _date_plan("submission_date")
    primary = [Recognition("7", 0.99), Recognition("6", 0.70), Recognition("23", 0.99)]
    second = {1: Recognition("5", 0.93)}
    chosen = settled(_sk01(), plan, primary, second, {"submission_date"}, _no_marks, TODAY)
    assert chosen[1].text == "5"
    surer_primary = [Recognition("7", 0.99), Recognition("6", 0.95), Recognition("23", 0.99)]
    kept = settled(_sk01(), plan, surer_primary, second, {"submission_date"}, _no_marks, TODAY)
    assert kept[1].text == "6"


def test_fields_not_in_dispute_and_text_keep_the_primary_reading() -> None:
    plan = _date_plan("submission_date")
    primary = [Recognition("1", 0.95), Recognition("5", 0.99), Recognition("23", 0.99)]
    second = {0: Recognition("7", 0.99)}
    assert settled(_sk01(), plan, primary, second, set(), _no_marks, TODAY) == primary
    text_plan = CropPlan([("insured_name", "text")], [np.full((32, 200), 255, np.uint8)], {})
    read = [Recognition("山田太郎", 0.7)]
    assert (
        settled(
            _sk01(), text_plan, read, {0: Recognition("山田大郎", 0.99)}, {"insured_name"}, _no_marks, TODAY
        )
        == read
    )


def _sk03():  # type: ignore[no-untyped-def]
    return next(t for t in load_templates() if t.form_id == "messhitsu")


def test_a_sound_mark_one_model_lost_is_shown_from_the_other() -> None:
    plan = CropPlan([("loss_circumstances", "line0")], [np.full((32, 200), 255, np.uint8)], {})
    primary = [Recognition("家の中て保管場所", 1.0)]
    second = {0: Recognition("家の中で保管場所", 0.97)}
    chosen = settled(_sk03(), plan, primary, second, {"loss_circumstances"}, _no_marks, TODAY)
    assert chosen[0].text == "家の中で保管場所"
    # The other way round (the second lost it), or another word altogether: the primary stays.
    kept = settled(
        _sk03(),
        plan,
        [Recognition("家の中で保管場所", 1.0)],
        {0: Recognition("家の中て保管場所", 0.97)},
        {"loss_circumstances"},
        _no_marks,
        TODAY,
    )
    assert kept[0].text == "家の中で保管場所"
    other = settled(
        _sk03(),
        plan,
        primary,
        {0: Recognition("家の外で保管場所", 0.99)},
        {"loss_circumstances"},
        _no_marks,
        TODAY,
    )
    assert other[0].text == "家の中て保管場所"


def _ky04():  # type: ignore[no-untyped-def]
    from pathlib import Path

    kyokai = Path(__file__).parents[2] / "fixtures" / "forms-kyokai"
    return next(t for t in load_templates(kyokai) if t.form_id == "kyokai_jusho_henko")


def test_a_kana_the_primary_lost_in_a_tiny_furigana_is_shown_from_the_other() -> None:
    # 名 フリガナ written 2–3 pt tall: the primary reads マト where マコト is written.
    plan = CropPlan([("given_name_kana", "text")], [np.full((14, 45), 255, np.uint8)], {})
    chosen = settled(
        _ky04(),
        plan,
        [Recognition("マト", 0.69)],
        {0: Recognition("マコト", 0.75)},
        {"given_name_kana"},
        _no_marks,
        TODAY,
    )
    assert chosen[0].text == "マコト"
    # Another kana read (not one more), or three more: the primary stays; so does a text field's.
    for other in ("マユ", "マコトヨシ", "マトで・"):  # another kana, three more, a speck read
        kept = settled(
            _ky04(),
            plan,
            [Recognition("マト", 0.69)],
            {0: Recognition(other, 0.75)},
            {"given_name_kana"},
            _no_marks,
            TODAY,
        )
        assert kept[0].text == "マト"
    text_plan = CropPlan([("given_name", "text")], [np.full((14, 45), 255, np.uint8)], {})
    kept = settled(
        _ky04(),
        text_plan,
        [Recognition("真美", 0.69)],
        {0: Recognition("真由美", 0.75)},
        {"given_name"},
        _no_marks,
        TODAY,
    )
    assert kept[0].text == "真美"


class _Echo:
    """A second model that reads every crop it is given as 「マコト」."""

    def __init__(self) -> None:
        self.read = 0

    def recognize(self, crops, alphabets=None):  # type: ignore[no-untyped-def]
        self.read += len(crops)
        return [Recognition("マコト", 0.75) for _ in crops]


def test_an_unsure_furigana_is_read_again_an_unsure_text_is_not() -> None:
    from extractors.crosscheck import second_readings

    blank = np.full((14, 45), 255, np.uint8)
    plan = CropPlan([("given_name_kana", "text"), ("given_name", "text")], [blank, blank], {})
    primary = [Recognition("マト", 0.69), Recognition("真", 0.6)]
    second = second_readings(_Echo(), _ky04(), plan, ["kana", "japanese"], primary)  # type: ignore[arg-type]
    assert sorted(second) == [0]


# --- confirmed_by_postcode: a disputed address whose postcode settles it ----------------------

from extractors.crosscheck import confirmed_by_postcode  # noqa: E402
from extractors.postcodes import place_confirms, places  # noqa: E402

SHIBAKOEN = "1050011"  # 東京都港区芝公園


def test_an_address_differing_only_in_its_postcodes_town_name_is_settled_by_the_postcode() -> None:
    shiba = places(SHIBAKOEN)
    assert place_confirms("東京都港区芝公園4-2-8", "東京都港区芝公4-2-8", shiba)  # 園 lost
    assert place_confirms("東京都港区芝公園4-2-8", "東京都港匹芝公園4-2-8", shiba)  # 区 misread
    # The house number differs: the postcode says nothing about it.
    assert not place_confirms("東京都港区芝公園4-2-8", "東京都港区芝公4-2-3", shiba)
    # The primary's reading is not the postcode's town, or the second's is as good.
    assert not place_confirms("東京都港区芝公國4-2-8", "東京都港区芝公4-2-8", shiba)
    assert not place_confirms("東京都港区芝公園4-2-8", "東京都港区芝公園4-2-8", shiba)
    # More than two characters of the place differ: another place, not a lost stroke.
    assert not place_confirms("東京都港区芝公園4-2-8", "神奈川県港区芝4-2-8", shiba)


def _address_plan(postcode: str) -> CropPlan:
    keys = [("insured_postal_code", "digits"), ("insured_address", "text")]
    blank = np.full((32, 56), 255, np.uint8)
    return CropPlan(keys, [blank] * 2, {("insured_postal_code", "digits"): len(postcode)})


def test_the_postcode_settles_a_disputed_address_only_when_read_surely_and_undisputed() -> None:
    template = next(t for t in load_templates() if t.form_id == "messhitsu")
    plan = _address_plan(SHIBAKOEN)
    primary = [Recognition(SHIBAKOEN, 0.99), Recognition("東京都港区芝公園4-2-8", 0.99)]
    second = {1: Recognition("東京都港区芝公4-2-8", 0.9)}

    def confirmed(disputed: set[str], read: list[Recognition] = primary) -> set[str]:
        return confirmed_by_postcode(template, plan, read, second, disputed, _no_marks, TODAY)

    assert confirmed({"insured_address"}) == {"insured_address"}
    # The postcode disputed itself, or read unsure: it settles nothing.
    assert confirmed({"insured_address", "insured_postal_code"}) == set()
    assert confirmed({"insured_address"}, [Recognition(SHIBAKOEN, 0.6), primary[1]]) == set()
    # Another postcode (八王子市千人町): the primary's address is not its town.
    assert confirmed({"insured_address"}, [Recognition("1930835", 0.99), primary[1]]) == set()
    # An address not disputed is not named.
    assert confirmed(set()) == set()


def test_a_furigana_sized_on_its_ink_differing_only_in_a_tall_small_kana_or_a_lost_mark_is_no_doubt() -> None:
    """マッモト/マツモト (ッ's size is measured on the ink) and ヤマタ”ヒロシ/ヤマタヒロシ (the second
    lost the ゛ the primary read) sent right フリガナ to a person; a フリガナ not sized on its
    ink, a mark the second read more and other kana stay disagreements (a ョ/ヨ: below)."""
    key = ("name_kana", "text")

    def disputed(first: str, second: str, sized: bool = True) -> bool:
        found = disagreements(
            [key], [Recognition(first, 0.95)], [Recognition(second, 0.9)], sized=[key] if sized else []
        )
        return bool(found)

    assert not disputed("マッモトアヤ", "マツモトアヤ")
    assert not disputed("ヤマタ”ヒロシ", "ヤマタヒロシ")
    assert not disputed("ナカムラダイスケ", "ナカムラタイスケ")
    assert disputed("マッモトアヤ", "マツモトアヤ", sized=False)
    assert disputed("ヤマタヒロシ", "ヤマダヒロシ")  # the second read a mark more
    assert disputed("マツモトアヤ", "マツモトアキ")


def test_a_yo_read_large_by_one_model_and_small_by_the_other_in_sho_u_is_the_small_one() -> None:
    """GIVEN a フリガナ read シヨウタ by the primary and ショウタ by the second (リヨウスケ/リョウスケ:
    4 of the 9 wrong フリガナ of 協会けんぽ's forms, each sent to a person) WHEN compared and
    settled THEN no dispute and ショウタ, whichever model read the small one: an イ-row kana, ョ and
    ウ is how names are written. Elsewhere the dispute stays: キヨシ/キョシ (no ウ after: キヨシ is
    a name), ミユウ/ミュウ (ミユウ is one too), シヨウタ/ショウダ (another kana differs)."""
    key = ("name_kana", "text")

    def disputed(first: str, second: str) -> bool:
        found = disagreements([key], [Recognition(first, 0.95)], [Recognition(second, 0.9)], sized=[key])
        return bool(found)

    assert not disputed("イトウシヨウタ", "イトウショウタ")
    assert not disputed("イノウエリョウスケ", "イノウエリヨウスケ")
    assert disputed("ナカムラキヨシ", "ナカムラキョシ")
    assert disputed("ミユウ", "ミュウ")
    assert disputed("イトウシヨウタ", "イトウショウダ")
    plan = CropPlan([("given_name_kana", "text")], [np.full((14, 45), 255, np.uint8)], {})
    for first, second in (("シヨウタ", "ショウタ"), ("ショウタ", "シヨウタ")):
        chosen = settled(
            _ky04(), plan, [Recognition(first, 0.96)], {0: Recognition(second, 0.92)}, set(), _no_marks, TODAY
        )
        assert (chosen[0].text, chosen[0].confidence) == ("ショウタ", 0.92)
    kept = settled(
        _ky04(),
        plan,
        [Recognition("キヨシ", 0.96)],
        {0: Recognition("キョシ", 0.92)},
        set(),
        _no_marks,
        TODAY,
    )
    assert kept[0].text == "キヨシ"
