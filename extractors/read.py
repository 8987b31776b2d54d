"""Read every field of an aligned page: one batched OCR call per page, ink for marks.

Contract: :func:`read_fields` takes a page already aligned to its template's canvas and
returns one reading per template field (in template order) and the findings, as
:func:`extractors.route.finish` gives them. It only puts the reader's jobs in order: the
crops are planned (:mod:`extractors.plan`) and read in one call, a second model checks them
(:mod:`extractors.crosscheck`), marks are scored on the writer's ink
(:mod:`extractors.marks`), values converted (:mod:`extractors.convert`) and routed to review
(:mod:`extractors.route`). What it adds itself: text under a seal is never trusted, and a page
aligned badly on its form sends every field to a person.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from extractors.convert import DISAGREEMENT_CONFIDENCE
from extractors.crosscheck import confirmed_by_postcode, disagreements, second_readings, settled
from extractors.fields.crops import Circle, seals, under_seal
from extractors.fields.paper import Paper, paper_of
from extractors.identify import blank_as_scanned, blank_page
from extractors.marks import blank_ink, blank_ink_grey, ink_scores
from extractors.model import FieldReading, Finding
from extractors.plan import pale_cells_matter, plan_crops
from extractors.route import finding, finish
from extractors.template import Layout, Template
from ocr.engine import OcrEngine
from ocr.types import Image

#: Below this agreement of the aligned page with the form's printed rules, nothing read from
#: it is trusted: a field read a few millimetres off is another field's box.
ALIGNMENT_TRUSTED = 0.9


def read_fields(
    template: Template,
    page: Image,
    dpi: int,
    engine: OcrEngine,
    today: date,
    crosscheck: OcrEngine | None = None,
    alignment: float = 1.0,
) -> tuple[list[FieldReading], list[Finding]]:
    """Read every field of ``template`` from a page already aligned to its canvas at ``dpi``.

    With ``crosscheck``, a second model reads the same crops; where it disagrees, the field
    goes to review however confident the primary model was. ``alignment`` is how well the
    page shows the form's printed rules where they belong (see
    :func:`extractors.identify.aligned_on_structure`): below ``ALIGNMENT_TRUSTED`` every
    field goes to a person, with a finding that says why.
    """
    paper = page_paper(template, page, dpi)
    circles = seals(paper.writing, dpi)
    plan = plan_crops(template, paper, circles)
    alphabets = plan.alphabets(template)
    primary = engine.recognize(plan.crops, alphabets)
    sealed = _sealed(template, circles, dpi)
    # A pale writing's reading is a proposal; so is a date a pale cell changes.
    disputed: set[str] = set(sealed) | plan.pale | pale_cells_matter(plan, primary)
    score = ink_scores(paper)
    if crosscheck:
        second = second_readings(crosscheck, template, plan, alphabets, primary, skip=sealed)
        chosen = sorted(second)
        disagreed = disagreements(
            [plan.keys[i] for i in chosen],
            [primary[i] for i in chosen],
            [second[i] for i in chosen],
            plan.kana_cells,
            plan.kana_ink,
        )
        disagreed -= confirmed_by_postcode(
            template, plan, primary, second, disputed | disagreed, score, today
        )
        disputed |= disagreed
        primary = settled(template, plan, primary, second, disagreed, score, today)
    readings, findings = finish(
        template,
        plan.recognitions(primary),
        plan.cell_counts,
        score,
        today,
        disputed,
        inked=plan.inked,
    )
    if alignment < ALIGNMENT_TRUSTED:
        readings = [
            replace(r, needs_review=True, confidence=min(r.confidence, DISAGREEMENT_CONFIDENCE))
            for r in readings
        ]
        findings = [finding(None, "alignment_poor"), *findings]
    return readings, findings


def page_paper(template: Template, page: Image, dpi: int) -> Paper:
    """The aligned page as the field readers measure it (title and footer: print only),
    against the blank as the page was scanned: a form printed in colour scanned grey or
    black-and-white shows its colour print dark, which is print, no writing (the 資格喪失届's
    red 「(ﾌﾘｶﾞﾅ)」 and label columns)."""
    blank = blank_as_scanned(page, template, dpi)
    grey = blank is not blank_page(template.blank_pdf, dpi)
    ink = blank_ink_grey(template.blank_pdf, dpi) if grey else blank_ink(template.blank_pdf, dpi)
    return paper_of(page, ink, dpi, (template.title_box, template.footer_box), blank)


def _sealed(template: Template, circles: list[Circle], dpi: int) -> set[str]:
    """Text fields under a seal that could not be dropped out (grey or 1-bit scans): not
    trusted however confident the recogniser is, the seal's strokes read as (), 印, 代 …"""
    return {
        spec.name
        for spec in template.fields
        if spec.type.layout is Layout.BOX
        and spec.box
        and any(under_seal(box, circles, dpi) for box in (spec.box, *spec.more_lines))
    }
