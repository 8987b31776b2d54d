"""Born-digital PDFs (filled on a PC, a text layer, no scan): read words by position, no OCR."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import pdfplumber

from extractors.fields.writing import cell_of
from extractors.identify import cell_rules
from extractors.marks import MarkScore
from extractors.model import Finding, FormReading
from extractors.route import finish
from extractors.template import Layout, PtBox, Template
from extractors.validate import MESSAGES
from ocr.types import Recognition

#: Characters a PC-filled form uses to tick a box or mark a choice.
MARK_CHARS = set("✓✔☑☒■●◼✗✘×xXレ○◯〇")

CharKey = tuple[str, int, int]
#: Resolution at which the blank form's rules are looked at to find a box's printed cell.
_CELL_DPI = 100


def _key(char: dict[str, Any]) -> CharKey:
    return (str(char["text"]), round(float(char["x0"])), round(float(char["top"])))


def page_chars(page: Any) -> list[dict[str, Any]]:
    """A pdfplumber page's characters in the template's coordinates: points from the top-left
    corner of the page as shown (its CropBox). pdfplumber keeps a PDF's own coordinates, so
    on a page whose box does not start at 0,0 (協会けんぽ's 資格取得届: at -8.4, 8.4) every
    character would stand that far from the template's boxes and the blank's print."""
    x0, top = float(page.cropbox[0]), float(page.cropbox[1])
    chars: list[dict[str, Any]] = page.chars
    if (x0, top) == (0.0, 0.0):
        return chars
    moved = {"x0": -x0, "x1": -x0, "top": -top, "bottom": -top}
    return [{**c, **{k: float(c[k]) + by for k, by in moved.items()}} for c in chars]


def page_width(page: Any) -> float:
    """The width of the page as shown (its CropBox), in points."""
    return float(page.cropbox[2]) - float(page.cropbox[0])


@lru_cache(maxsize=8)
def _blank_chars(pdf: Path) -> frozenset[CharKey]:
    with pdfplumber.open(pdf) as document:
        return frozenset(_key(c) for c in page_chars(document.pages[0]))


#: A text page is a blank form's only when it fits that form's printed text at least this well
#: (:func:`printed_fit`, symmetric): another insurer's 被扶養者（異動）届 bears our title (and
#: would be read as SK-02 at confidence 1.0) but little of our print, and a page that holds
#: our print among much else of its own is no form of ours either.
PRINTED_FITS = 0.6
#: ○ and ✓ typed around a printed word or beside a box still belong to the field.
_MARK_REACH_PT = 6.0


def printed_fit(page: Any, template: Template) -> float:
    """How well a text page fits the blank form's printed text, symmetrically: the lesser of
    the share of the blank's printed characters found on the page where the blank has them,
    and the share of the page's characters outside the form's fields (typed values are
    not print) that are the blank's. 0.0 for a blank form without a text layer."""
    blank = _blank_chars(template.blank_pdf)
    if not blank:
        return 0.0
    chars = {_key(c): c for c in page_chars(page)}
    common = len(blank & chars.keys())
    found = common / len(blank)
    if found < PRINTED_FITS:
        return found  # the page's own print is not looked at: it cannot fit any better
    areas = _writing_areas(template)
    foreign = sum(
        1 for key, char in chars.items() if key not in blank and not any(_inside(char, a) for a in areas)
    )
    return min(found, common / (common + foreign))


@lru_cache(maxsize=16)
def _writing_areas(template: Template) -> tuple[PtBox, ...]:
    """Where a field's typed value may stand on the page: every box of every field, a text
    box widened to its printed cell, all grown by :data:`_MARK_REACH_PT` for marks."""
    rules_down = cell_rules(template.blank_pdf, _CELL_DPI).down
    every_box = [box for spec in template.fields for box in spec.all_boxes()]
    areas: list[PtBox] = []
    for spec in template.fields:
        for box in spec.all_boxes():
            if spec.type.layout is Layout.BOX:
                box = cell_of(box, rules_down, [b for b in every_box if b != box], _CELL_DPI)
            reach = _MARK_REACH_PT
            areas.append((box[0] - reach, box[1] - reach, box[2] + reach, box[3] + reach))
    return tuple(areas)


def identify_text_page(page: Any, templates: Sequence[Template]) -> Template | None:
    """The template whose blank form the whole text page fits best (:func:`printed_fit`),
    if at least :data:`PRINTED_FITS`; None for a page that is none of our forms."""
    scored = [(printed_fit(page, template), template) for template in templates]
    fit, best = max(scored, key=lambda item: item[0])
    return best if fit >= PRINTED_FITS else None


def has_text_layer(data: bytes) -> bool:
    """True when the PDF carries text of its own (a born-digital or PC-filled form)."""
    try:
        with pdfplumber.open(io.BytesIO(data)) as document:
            return any(page.chars for page in document.pages[:3])
    except Exception:  # noqa: BLE001 - unreadable here means: not a text PDF; rasterising reports why
        return False


def _inside(char: dict[str, Any], box: PtBox) -> bool:
    x = (float(char["x0"]) + float(char["x1"])) / 2
    y = (float(char["top"]) + float(char["bottom"])) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _text_in(chars: list[dict[str, Any]], box: PtBox, others: Sequence[PtBox] = ()) -> str:
    """The characters inside a box (and not inside any of ``others``), left to right, with a
    space where the writer left a gap."""
    inside = sorted(
        (c for c in chars if _inside(c, box) and not any(_inside(c, o) for o in others)),
        key=lambda c: (round(float(c["top"]) / 4), float(c["x0"])),
    )
    out: list[str] = []
    previous: dict[str, Any] | None = None
    for char in inside:
        if previous is not None:
            gap = float(char["x0"]) - float(previous["x1"])
            if gap > 0.5 * float(char["size"]) and out and out[-1] != " ":
                out.append(" ")
        out.append(str(char["text"]))
        previous = char
    return "".join(out)


def read_digital(data: bytes, templates: Sequence[Template], today: date) -> list[FormReading] | None:
    """One reading per page from the text layer, or None when the PDF has no text of its own."""
    with pdfplumber.open(io.BytesIO(data)) as document:
        forms: list[FormReading] = []
        for number, page in enumerate(document.pages, start=1):
            template = identify_text_page(page, templates)
            if template is None:
                forms.append(
                    FormReading(
                        None, None, (number,), findings=(Finding(None, "not_a_form", MESSAGES["not_a_form"]),)
                    )
                )
                continue
            scale = template.canvas.width_pt / page_width(page)
            blank = _blank_chars(template.blank_pdf)
            written = [_scaled(c, scale) for c in page_chars(page) if _key(c) not in blank]
            fields, findings = _read_page(template, written, today)
            forms.append(
                FormReading(
                    template.form_id,
                    template.form_version,
                    (number,),
                    tuple(fields),
                    tuple(findings),
                    engine="pdf-text-layer",
                )
            )
        return forms


def _scaled(char: dict[str, Any], scale: float) -> dict[str, Any]:
    if scale == 1.0:
        return char
    return {**char, **{k: float(char[k]) * scale for k in ("x0", "x1", "top", "bottom", "size")}}


def _read_page(
    template: Template, chars: list[dict[str, Any]], today: date
) -> tuple[list[Any], list[Finding]]:
    recognitions: dict[tuple[str, str], Recognition] = {}
    counts: dict[tuple[str, str], int] = {}

    def put(name: str, part: str, text: str) -> None:
        recognitions[(name, part)] = Recognition(text, 1.0 if text else 0.0)

    every_box = [box for spec in template.fields for box in spec.all_boxes()]
    rules_down = cell_rules(template.blank_pdf, _CELL_DPI).down

    def typed(box: PtBox) -> str:
        # Typed where the writing area of its printed cell is, not only where the template's
        # box begins (a label inside the cell: 「変更後の氏名」).
        others = [b for b in every_box if b != box]
        return _text_in(chars, cell_of(box, rules_down, others, _CELL_DPI), others)

    for spec in template.fields:
        match spec.type.layout:
            case Layout.BOX if spec.box:
                put(spec.name, "text", "".join(typed(box) for box in (spec.box, *spec.more_lines)))
            case Layout.CELLS:
                digits = "".join(_text_in(chars, s.box).replace(" ", "") for s in spec.segments)
                counts[(spec.name, "digits")] = len(digits)
                put(spec.name, "digits", digits)
            case Layout.DATE:
                for part, box in spec.parts:
                    value = _text_in(chars, box).replace(" ", "")
                    counts[(spec.name, part)] = len(value)
                    put(spec.name, part, value)

    marks = [c for c in chars if str(c["text"]) in MARK_CHARS]

    def score(box: PtBox, style: str) -> float:
        # A mark character centred on the box (or on the word, for ○) counts as marked. Words to
        # circle are stacked about 10 pt apart, so the vertical tolerance stays small.
        dx = 6.0 if style == "circle" else 2.0
        grown = (box[0] - dx, box[1] - 2.0, box[2] + dx, box[3] + 2.0)
        return 2.0 if any(_inside(c, grown) for c in marks) else 0.0

    mark_score: MarkScore = score
    return finish(template, recognitions, counts, mark_score, today, scanned=False)
