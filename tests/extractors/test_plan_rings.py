"""A ring drawn round a ○ option's word is the option's mark, never a text box's writing."""

from __future__ import annotations

import dataclasses

import cv2

from extractors.identify import blank_page
from extractors.plan import plan_crops
from extractors.read import page_paper
from extractors.template import FieldSpec, FieldType, load_templates

DPI = 100


def test_the_arc_of_a_ring_reaching_an_empty_write_in_box_is_not_its_writing() -> None:
    """GIVEN 「1. 国内転入」 ringed, its ring's lower arc reaching the empty 「2.その他（　）」
    box below-right (a clerk's 被扶養者届: read 「一」 there on 18 of 24 scans) WHEN the crops
    are planned THEN the box is not written on; the same arc written in the box itself is."""
    base = next(t for t in load_templates() if t.form_id == "kofu_shinsei")
    reason = FieldSpec(
        "end_reason",
        FieldType.CHOICE,
        options=(("moved", (100.0, 798.0, 127.1, 803.4)), ("other", (100.0, 804.2, 121.2, 809.6))),
        style="circle",
    )
    other = FieldSpec("end_reason_other", FieldType.TEXT, box=(127.7, 803.7, 204.0, 810.8))
    template = dataclasses.replace(base, fields=(reason, other))
    blank = blank_page(base.blank_pdf, DPI)
    page = blank.copy() if blank.ndim == 2 else blank[..., 0].copy()
    k = DPI / 72
    assert not plan_crops(template, page_paper(template, page, DPI)).inked["end_reason_other"]
    ringed = page.copy()  # the ring 3.2 pt round 「1. 国内転入」
    cv2.ellipse(
        ringed, (round(113.5 * k), round(800.7 * k)), (round(16.8 * k), round(5.9 * k)), 0, 0, 360, 0, 2
    )
    assert not plan_crops(template, page_paper(template, ringed, DPI)).inked["end_reason_other"]
    written = page.copy()  # a 「十」 written in the box: writing
    cv2.line(written, (round(150 * k), round(807 * k)), (round(156 * k), round(807 * k)), 0, 1)
    cv2.line(written, (round(153 * k), round(804.5 * k)), (round(153 * k), round(810 * k)), 0, 1)
    assert plan_crops(template, page_paper(template, written, DPI)).inked["end_reason_other"]


def test_the_arc_of_a_ring_round_the_option_above_dipping_into_a_write_in_box_is_not_its_writing() -> None:
    """GIVEN 「2. 短期在留」 ringed right above an empty 「3.その他（　）」, its ring's lower arc
    dipping 2.6 pt into the write-in box (the 資格取得届's 住所 理由: read 1 there on 16 of 24 of
    a clerk's scans) WHEN the crops are planned THEN the box is not written on (the arc lies
    wholly within the ring's reach round the option's word); a 「十」 written in the box is."""
    base = next(t for t in load_templates() if t.form_id == "kofu_shinsei")
    reason = FieldSpec(
        "no_address_reason",
        FieldType.CHOICE,
        options=(("short_stay", (100.0, 793.0, 123.5, 797.5)), ("other", (100.0, 798.6, 118.6, 803.2))),
        style="circle",
    )
    other = FieldSpec("no_address_reason_other", FieldType.TEXT, box=(120.9, 798.1, 199.4, 804.2))
    template = dataclasses.replace(base, fields=(reason, other))
    blank = blank_page(base.blank_pdf, DPI)
    page = blank.copy() if blank.ndim == 2 else blank[..., 0].copy()
    k = DPI / 72
    ringed = page.copy()  # the ring 3.2 pt round 「2. 短期在留」, its bottom at 800.7 pt
    cv2.ellipse(
        ringed, (round(111.75 * k), round(795.25 * k)), (round(14.95 * k), round(5.45 * k)), 0, 0, 360, 0, 2
    )
    assert not plan_crops(template, page_paper(template, ringed, DPI)).inked["no_address_reason_other"]
    written = ringed.copy()  # a 「十」 written in the box, after the ring: writing
    cv2.line(written, (round(150 * k), round(801 * k)), (round(156 * k), round(801 * k)), 0, 1)
    cv2.line(written, (round(153 * k), round(798.5 * k)), (round(153 * k), round(803.8 * k)), 0, 1)
    assert plan_crops(template, page_paper(template, written, DPI)).inked["no_address_reason_other"]
