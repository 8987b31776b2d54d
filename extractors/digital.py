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
from extractors.identify import cell_rules, match_footer, match_title
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


@lru_cache(maxsize=8)
def _blank_chars(pdf: Path) -> frozenset[CharKey]:
    with pdfplumber.open(pdf) as document:
        return frozenset(_key(c) for c in document.pages[0].chars)


#: A page is the blank form it names only when it carries at least this share of the blank
#: form's printed characters in their places: another insurer's 被扶養者（異動）届 bears our
#: title (and would be read as SK-02 at confidence 1.0) but little of our print.
PRINTED_FITS = 0.6


def _printed_share(page: Any, template: Template) -> float:
    """Share of the blank form's printed characters found on ``page`` where the blank has them."""
    blank = _blank_chars(template.blank_pdf)
    if not blank:
        return 1.0
    return len(blank & {_key(c) for c in page.chars}) / len(blank)


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
            text = page.extract_text() or ""
            template = match_footer(text, templates) or match_title(
                text.splitlines()[0] if text else "", templates
            )
            if template is not None and _printed_share(page, template) < PRINTED_FITS:
                template = None  # our title, not our form: another insurer's look-alike
            if template is None:
                forms.append(
                    FormReading(
                        None, None, (number,), findings=(Finding(None, "not_a_form", MESSAGES["not_a_form"]),)
                    )
                )
                continue
            scale = template.canvas.width_pt / float(page.width)
            blank = _blank_chars(template.blank_pdf)
            written = [_scaled(c, scale) for c in page.chars if _key(c) not in blank]
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
