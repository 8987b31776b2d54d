"""Cross-field rules of forms README §3: clean forms give no finding, each broken rule its code."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from extractors.forms import check_form
from extractors.route import resting_on
from extractors.template import load_templates
from fixtures.generate import _fill

TODAY = date(2026, 11, 26)
TEMPLATES = {t.form_id: t for t in load_templates()}


def clean(form_id: str, seed: int) -> dict[str, Any]:
    return dict(_fill(TEMPLATES[form_id], random.Random(seed), date(2026, 11, 1)).values)


@pytest.mark.parametrize("form_id", sorted(TEMPLATES))
def test_clean_generated_forms_have_no_findings(form_id: str) -> None:
    for seed in range(40):
        values = clean(form_id, seed)
        assert check_form(form_id, values, TODAY) == [], (seed, values)


def _first(form_id: str, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    for seed in range(500):
        values = clean(form_id, seed)
        if wanted(values):
            return values
    raise AssertionError("no generated form matches")


CASES: list[tuple[str, Callable[[dict[str, Any]], bool], Callable[[dict[str, Any]], None], str]] = [
    (
        "kofu_shinsei",
        lambda v: v["application_type"] == "reissue",
        lambda v: v.update(fee_amount=v["fee_amount"] + 1000),
        "fee_amount",
    ),
    (
        "kofu_shinsei",
        lambda v: v["application_type"] == "reissue",
        lambda v: v.update(
            fee_transfer_date=date.fromordinal(
                date.fromisoformat(v["submission_date"]).toordinal() + 3
            ).isoformat()
        ),
        "fee_after_submission",
    ),
    (
        "kofu_shinsei",
        lambda v: v["application_type"] == "reissue",
        lambda v: v.update(reasons=["no_card"]),
        "reissue_reason",
    ),
    (
        "kofu_shinsei",
        lambda v: v["application_type"] == "new",
        lambda v: v.update(reissue_count="1"),
        "must_be_blank",
    ),
    (
        "kofu_shinsei",
        lambda v: v["target1_type"] == "insured",
        lambda v: v.update(target1_name="別人 太郎"),
        "target_mismatch",
    ),
    (
        "kofu_shinsei",
        lambda v: not v["is_voluntary_continuation"],
        lambda v: v.update(employer_name=None),
        "required",
    ),
    ("kofu_shinsei", lambda v: True, lambda v: v.update(submission_date="2024-11-30"), "before_regime"),
    ("kofu_shinsei", lambda v: True, lambda v: v.update(insured_birth_date="1940-01-01"), "age_limit"),
    (
        "kofu_shinsei",
        lambda v: v["insured_symbol"] is not None,
        lambda v: v.update(insured_number=None),
        "symbol_number_pair",
    ),
    (
        "hifuyosha_ido",
        lambda v: v["change_type"] == "add" and v["dep1_my_number"] is not None,
        lambda v: v.update(dep1_my_number=None, employer_confirmed=False),
        "employer_confirmation",
    ),
    (
        "hifuyosha_ido",
        lambda v: v["change_type"] == "remove",
        lambda v: v.update(dep1_certificate_required=True),
        "certificate_on_remove",
    ),
    (
        "hifuyosha_ido",
        lambda v: v["dep1_relationship"] == "妻",
        lambda v: v.update(dep1_sex="male"),
        "sex_relationship",
    ),
    (
        "hifuyosha_ido",
        lambda v: v["change_type"] == "add",
        lambda v: v.update(dep1_occupation=None),
        "required",
    ),
    (
        "hifuyosha_ido",
        lambda v: True,
        lambda v: v.update(
            dep1_change_date=date.fromordinal(
                date.fromisoformat(v["submission_date"]).toordinal() - 20
            ).isoformat()
        ),
        "late_notification",
    ),
    (
        "messhitsu",
        lambda v: v["loss_cause"] == "stolen",
        lambda v: v.update(
            police_reported="no", police_station=None, police_report_date=None, police_receipt_number=None
        ),
        "stolen_police",
    ),
    (
        "messhitsu",
        lambda v: v["police_reported"] == "yes",
        lambda v: v.update(police_station=None),
        "required",
    ),
    (
        "messhitsu",
        lambda v: v["notification_type"] == "use_myna",
        lambda v: v.update(myna_hokensho_confirmed=False),
        "myna_confirmation",
    ),
    ("messhitsu", lambda v: True, lambda v: v.update(loss_date="2026-12-31"), "loss_after_submission"),
    (
        "jusho_shimei_henko",
        lambda v: "name" in v["change_kinds"],
        lambda v: v.update(attachments=["certificate"]),
        "proof_attachment",
    ),
    (
        "jusho_shimei_henko",
        lambda v: "name" in v["change_kinds"] and not v["no_certificate_issued"],
        lambda v: v.update(attachments=["koseki"]),
        "certificate_attachment",
    ),
    (
        "jusho_shimei_henko",
        lambda v: "name" in v["change_kinds"],
        lambda v: v.update(name_new=v["name_old"]),
        "name_unchanged",
    ),
    (
        "jusho_shimei_henko",
        lambda v: v["change_kinds"] == ["address"],
        lambda v: v.update(name_new="山田 花子"),
        "must_be_blank",
    ),
    (
        "jusho_shimei_henko",
        lambda v: v["target_type"] == "insured",
        lambda v: v.update(dependent_name="山田 次郎"),
        "must_be_blank",
    ),
    (
        "jusho_shimei_henko",
        lambda v: "name" in v["change_kinds"] and v["target_type"] == "insured",
        lambda v: v.update(insured_name=v["name_old"]),
        "name_after_change",
    ),
]


def _one_character_off(name: str) -> str:
    """The name with its last character replaced: one misread character."""
    return name[:-1] + ("子" if name[-1] != "子" else "美")


def test_old_name_in_the_name_field_is_the_applicants_error_even_one_character_off() -> None:
    values = _first(
        "jusho_shimei_henko", lambda v: "name" in v["change_kinds"] and v["target_type"] == "insured"
    )
    values.update(name_old="佐藤 花子", name_new="佐野 花子", insured_name="佐藤 花子")
    codes = [f.code for f in check_form("jusho_shimei_henko", values, TODAY)]
    assert "name_after_change" in codes and "name_near_match" not in codes


def test_same_name_read_one_character_apart_is_sent_to_a_person_not_blamed() -> None:
    """The name field and the new name (SK-04), or a target row and the 被保険者 (SK-01),
    one character apart: ``name_near_match``, not the applicant's error."""
    values = _first(
        "jusho_shimei_henko", lambda v: "name" in v["change_kinds"] and v["target_type"] == "insured"
    )
    values.update(insured_name=_one_character_off(values["name_new"]))
    codes = [f.code for f in check_form("jusho_shimei_henko", values, TODAY)]
    assert "name_near_match" in codes and "name_after_change" not in codes

    values = _first("kofu_shinsei", lambda v: v["target1_type"] == "insured")
    values.update(target1_name=_one_character_off(values["insured_name"]))
    codes = [f.code for f in check_form("kofu_shinsei", values, TODAY)]
    assert "name_near_match" in codes and "target_mismatch" not in codes


@pytest.mark.parametrize(
    ("form_id", "wanted", "breaks", "code"), CASES, ids=[f"{c[0]}-{c[3]}-{i}" for i, c in enumerate(CASES)]
)
def test_each_broken_rule_is_found(form_id: str, wanted: Any, breaks: Any, code: str) -> None:
    values = _first(form_id, wanted)
    breaks(values)
    codes = [f.code for f in check_form(form_id, values, TODAY)]
    assert code in codes


def test_findings_carry_japanese_messages() -> None:
    values = _first("messhitsu", lambda v: v["loss_cause"] == "stolen")
    values.update(
        police_reported="no", police_station=None, police_report_date=None, police_receipt_number=None
    )
    [found] = [f for f in check_form("messhitsu", values, TODAY) if f.code == "stolen_police"]
    assert found.field == "police_reported" and "警察" in found.message


def test_a_broken_rule_rests_on_every_value_it_compares() -> None:
    """滅失日 after the 届出日: the finding names the 滅失日, but rests on both dates (either
    may be the one misread), and on nothing else of the form."""
    values = {"loss_date": "2025-05-01", "submission_date": "2019-05-23", "insured_name": "健保 太郎"}
    today = date(2026, 11, 26)
    findings = [f for f in check_form("messhitsu", values, today) if f.code == "loss_after_submission"]
    assert [f.field for f in findings] == ["loss_date"]
    rests = resting_on(lambda v: check_form("messhitsu", v, today), values, findings)
    assert rests[("loss_date", "loss_after_submission")] == {"loss_date", "submission_date"}


def test_the_age_check_is_only_for_people_being_covered() -> None:
    """§4a: a 75th-birthday 減 and an SK-03 after loss of eligibility are what rule 12 asks
    for, never flagged `age_limit`; a 増 of someone aged 75 still is."""
    old = "1940-01-01"
    for form_id, changes, flagged in (
        ("hifuyosha_ido", {"change_type": "remove", "dep1_birth_date": old}, False),
        ("hifuyosha_ido", {"change_type": "add", "dep1_birth_date": old}, True),
        ("messhitsu", {"notification_type": "after_loss_of_eligibility", "insured_birth_date": old}, False),
        ("messhitsu", {"notification_type": "use_myna", "insured_birth_date": old}, True),
    ):
        values = {**clean(form_id, 3), **changes}
        codes = {f.code for f in check_form(form_id, values, TODAY)}
        assert ("age_limit" in codes) is flagged, (form_id, changes, codes)
