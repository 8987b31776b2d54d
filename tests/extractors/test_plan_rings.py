"""A ring drawn round a ○ option's word is the option's mark, never a text box's writing."""

from __future__ import annotations

import dataclasses

import cv2

from extractors.identify import blank_page
from extractors.plan import plan_crops
from extractors.read import page_paper
from extractors.template import FieldSpec, FieldType, Template, load_templates
from ocr.types import Image

DPI = 100
K = DPI / 72  # pixels per point


def _reason_and_write_in(
    options: tuple[tuple[str, tuple[float, float, float, float]], ...], box: tuple[float, float, float, float]
) -> tuple[Template, Image]:
    """A ○ choice (``options``) and its 「その他（　）」 write-in ``box`` (named ``reason`` and
    ``reason_other``) over the 交付申請書's blank, and that blank's page in grey."""
    base = next(t for t in load_templates() if t.form_id == "kofu_shinsei")
    reason = FieldSpec("reason", FieldType.CHOICE, options=options, style="circle")
    template = dataclasses.replace(base, fields=(reason, FieldSpec("reason_other", FieldType.TEXT, box=box)))
    blank = blank_page(base.blank_pdf, DPI)
    return template, blank.copy() if blank.ndim == 2 else blank[..., 0].copy()


def _written_on(template: Template, page: Image) -> bool:
    return plan_crops(template, page_paper(template, page, DPI)).inked["reason_other"]


def _ten(page: Image, x: float, y: float) -> Image:
    """``page`` with a 「十」 6 pt wide centred on (x, y) pt."""
    written = page.copy()
    cv2.line(written, (round((x - 3) * K), round(y * K)), (round((x + 3) * K), round(y * K)), (0,), 1)
    cv2.line(written, (round(x * K), round((y - 2.5) * K)), (round(x * K), round((y + 2.8) * K)), (0,), 1)
    return written


def _ring(page: Image, centre: tuple[float, float], axes: tuple[float, float]) -> Image:
    ringed = page.copy()
    cv2.ellipse(
        ringed,
        (round(centre[0] * K), round(centre[1] * K)),
        (round(axes[0] * K), round(axes[1] * K)),
        0,
        0,
        360,
        (0,),
        2,
    )
    return ringed


def test_the_arc_of_a_ring_reaching_an_empty_write_in_box_is_not_its_writing() -> None:
    """GIVEN 「1. 国内転入」 ringed, its ring's lower arc reaching the empty 「2.その他（　）」
    box below-right (a clerk's 被扶養者届: read 「一」 there on 18 of 24 scans) WHEN the crops
    are planned THEN the box is not written on; the same arc written in the box itself is."""
    template, page = _reason_and_write_in(
        (("moved", (100.0, 798.0, 127.1, 803.4)), ("other", (100.0, 804.2, 121.2, 809.6))),
        (127.7, 803.7, 204.0, 810.8),
    )
    assert not _written_on(template, page)
    assert not _written_on(template, _ring(page, (113.5, 800.7), (16.8, 5.9)))  # 3.2 pt round 「1. 国内転入」
    assert _written_on(template, _ten(page, 153.0, 807.0))  # a 「十」 written in the box: writing


def test_the_arc_of_a_ring_round_the_option_above_dipping_into_a_write_in_box_is_not_its_writing() -> None:
    """GIVEN 「2. 短期在留」 ringed right above an empty 「3.その他（　）」, its ring's lower arc
    dipping 2.6 pt into the write-in box (the 資格取得届's 住所 理由: read 1 there on 16 of 24 of
    a clerk's scans) WHEN the crops are planned THEN the box is not written on (the arc lies
    wholly within the ring's reach round the option's word); a 「十」 written in the box is."""
    template, page = _reason_and_write_in(
        (("short_stay", (100.0, 793.0, 123.5, 797.5)), ("other", (100.0, 798.6, 118.6, 803.2))),
        (120.9, 798.1, 199.4, 804.2),
    )
    ringed = _ring(page, (111.75, 795.25), (14.95, 5.45))  # 3.2 pt round 「2. 短期在留」, bottom 800.7 pt
    assert not _written_on(template, ringed)
    assert _written_on(template, _ten(ringed, 153.0, 801.0))  # written in the box, after the ring
