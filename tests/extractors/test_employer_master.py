"""The employer block against the 事業所 master (issue 20 item 3, extractors.employers)."""

from __future__ import annotations

from pathlib import Path

from extractors.employers import Employer, checked, match
from extractors.model import FieldReading, FieldValue, FormReading
from intake.employers import check_form, load_file

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "employers_sample.csv"
MASTER = load_file(SAMPLE).employers
SAKURA = next(e for e in MASTER if e.code == "0001")


def _form(**fields: tuple[FieldValue, float]) -> FormReading:
    readings = tuple(
        FieldReading(name, value, confidence, confidence < 0.9)
        for name, (value, confidence) in fields.items()
    )
    return FormReading("kofu_shinsei", "SK-01 (2025.4)", (1,), readings)


def _field(form: FormReading, name: str) -> FieldReading:
    return next(f for f in form.fields if f.name == name)


def test_sample_master_parses() -> None:
    parsed = load_file(SAMPLE)
    assert not parsed.errors
    assert [e.code for e in parsed.employers] == ["0001", "0002", "0003", "0004", "0005"]
    assert (
        Employer(
            "0001", "さくら電機株式会社", "東京都港区芝公園4-2-8", "03-5401-2201", "代表取締役 桜井 一郎"
        )
        == SAKURA
    )


def test_sealed_employer_block_is_filled_from_the_master_for_a_person() -> None:
    """A seal over the name and owner (read garbled, confidence capped by the seal) and the
    phone read right: the 事業所 is found by its phone, the sealed fields get the master's
    values, proposed (still to review, never auto-accepted)."""
    form = _form(
        employer_name=("さくら電機株式印", 0.5),
        employer_owner_name=("代表取締役 桜井 一(印)", 0.5),
        employer_phone=("03-5401-2201", 0.97),
        employer_address=(None, 0.99),
        insured_name=("健保 太郎", 0.98),
    )
    out = checked(form, MASTER)
    assert _field(out, "employer_name").value == "さくら電機株式会社"
    assert _field(out, "employer_owner_name").value == "代表取締役 桜井 一郎"
    for name in ("employer_name", "employer_owner_name"):
        assert _field(out, name).needs_review and _field(out, name).confidence <= 0.5
    assert {(f.field, f.code) for f in out.findings} == {
        ("employer_name", "employer_proposed"),
        ("employer_owner_name", "employer_proposed"),
    }
    assert _field(out, "employer_phone") == _field(form, "employer_phone")  # confident and the same
    assert _field(out, "employer_address").value is None  # left blank on the paper: stays blank
    assert out.extra["employer"] == "0001"


def test_confident_value_unlike_the_master_is_doubted_not_replaced() -> None:
    form = _form(
        employer_name=("さくら電機株式会社", 0.98),
        employer_phone=("03-5401-2299", 0.97),
    )
    out = checked(form, MASTER)
    phone = _field(out, "employer_phone")
    assert phone.value == "03-5401-2299" and phone.needs_review
    assert [(f.field, f.code) for f in out.findings] == [("employer_phone", "employer_mismatch")]
    assert "03-5401-2201" in out.findings[0].message


def test_a_block_alike_no_employer_or_two_is_left_alone() -> None:
    unknown = _form(employer_name=("ひまわり商事株式会社", 0.6), employer_phone=("03-1111-2222", 0.6))
    assert checked(unknown, MASTER) == unknown
    # One phone digit off alone is not enough to name a 事業所.
    assert match({"employer_phone": "03-5401-2209"}, MASTER) is None
    # A name one character off is.
    assert match({"employer_name": "さくら電機株式会杜"}, MASTER) == SAKURA
    twins = (SAKURA, Employer("0009", "さくら電機株式会社", "", "", ""))
    assert match({"employer_name": "さくら電機株式会社"}, twins) is None


def test_misread_name_and_address_match_by_tolerance() -> None:
    values = {"employer_address": "東京都港区芝公圏4-2-8", "employer_name": "さくら電機抹式会社"}
    assert match(values, MASTER) == SAKURA
    assert match({"employer_name": "さくらテクノ株式会社"}, MASTER) == next(
        e for e in MASTER if e.code == "0003"
    )


def test_roster_named_employer_is_tried_first() -> None:
    """The roster's 事業所 of the member is checked even where the master has a twin."""
    twin = Employer(
        "0009",
        "さくら電機株式会社",
        "大阪府大阪市北区梅田1丁目3番1号",
        "06-0000-0000",
        "代表取締役 梅田 二郎",
    )
    form = _form(
        employer_name=("さくら電機株式会社", 0.98), employer_owner_name=("代表取締役 梅田 二(印)", 0.5)
    )
    assert checked(form, (*MASTER, twin)) == form  # two alike: none is chosen
    out = check_form(form, (*MASTER, twin), named=twin)
    assert _field(out, "employer_owner_name").value == "代表取締役 梅田 二郎"


def test_no_master_or_no_block_changes_nothing() -> None:
    form = _form(employer_name=("さくら電機株式会杜", 0.5))
    assert checked(form, ()) == form
    assert checked(FormReading(None, None, (1,)), MASTER) == FormReading(None, None, (1,))


def test_a_seal_over_a_blank_box_is_not_filled_in() -> None:
    """A seal pressed over the empty 所在地 reads as brackets: the writer left it out, and the
    master does not write it in."""
    form = _form(employer_name=("さくら電機株式会社", 0.98), employer_address=("()", 0.5))
    out = checked(form, MASTER)
    assert _field(out, "employer_address").value == "()" and not out.findings


def test_nothing_read_or_a_stray_stroke_is_not_replaced() -> None:
    """A sealed box with nothing read (left blank, or a person reads it) and a seal's stroke
    read as 1 in an empty 所在地 are not the master's value misread: left as they are."""
    form = _form(
        employer_name=("さくらテクノ株式社", 0.89),
        employer_phone=(None, 0.5),
        employer_address=("1", 0.4),
    )
    out = checked(form, MASTER)
    assert _field(out, "employer_phone").value is None
    assert _field(out, "employer_address").value == "1"
    assert _field(out, "employer_name").value == "さくらテクノ株式会社"
    assert [(f.field, f.code) for f in out.findings] == [("employer_name", "employer_proposed")]
