"""Crop planning: every OCR crop of a page cut once, so the engine reads them in one batch.

Contract: :func:`plan_crops` takes a template and the aligned page as the field readers
measure it (a :class:`~extractors.fields.paper.Paper`) and returns a :class:`CropPlan`: the
crops, each keyed by (field, part), in template order; per one-character field and date part
the number of inked cells; per spaced text field the blank gaps where a word space may be;
and per OCR-read field whether the writer put ink there (judged from the paper, never from
the text read). Parts are ``text`` (one text box), ``line0``… (ruled lines of one text),
``digits`` (boxed numbers) and ``year``/``month``/``day`` (dates); mark fields get no crop.
:meth:`CropPlan.recognitions` keys the engine's readings back by the same (field, part),
with the word spaces put back, a ゛/゜ written in a kana cell of its own joined to its kana,
and the ruled lines of one text joined as its ``text``.
Nothing here converts values or decides review.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from extractors.convert import DISAGREEMENT_CONFIDENCE
from extractors.fields import ink as inkmod
from extractors.fields import kana_size, sound_marks
from extractors.fields.crops import Circle, cell_crop, cells, print_painted_out, strip, wide_gaps
from extractors.fields.faint import holds_pale_writing, pale_aspect, pale_strokes
from extractors.fields.paper import Paper
from extractors.fields.writing import Writing, locate, locate_lines, other_boxes
from extractors.identify import cell_rules
from extractors.normalize import digits_value
from extractors.template import FieldSpec, FieldType, Layout, PtBox, Segment, Template
from ocr.types import Box, Image, Recognition, pt_to_px

#: A one-character box with more extra ink than this holds a character.
CELL_INK = 0.012
#: What the recogniser may write for the blank between two words.
_GAP_MARKS = set("ー-‐－一~〜 ")

CropKey = tuple[str, str]


@dataclass(frozen=True)
class CropPlan:
    """Every OCR crop of a page, keyed by (field, part), so the engine sees one batch."""

    keys: list[CropKey]
    crops: list[Image]
    cell_counts: dict[CropKey, int]
    #: Blank gaps (crop columns) where a word space may be, per spaced text field.
    gaps: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    #: Whether the writer put ink in each OCR-read field, judged from the paper, not the text.
    inked: dict[str, bool] = field(default_factory=dict)
    #: Width / height of the writer's ink in each inked cell, per strip of one-digit cells.
    shapes: dict[CropKey, tuple[float, ...]] = field(default_factory=dict)
    #: The writer's ink in each フリガナ crop, by which small kana are told from large ones.
    kana_ink: dict[CropKey, Image] = field(default_factory=dict)
    #: What each cell of a フリガナ written one kana per cell holds (a kana, a ゛ of its own …).
    kana_cells: dict[CropKey, tuple[sound_marks.Cell, ...]] = field(default_factory=dict)
    #: Fields of cells written only in strokes too pale for the page's threshold, read from
    #: the cells holding them: the reading is a proposal, never accepted as it stands.
    pale: set[str] = field(default_factory=set)
    #: A date part's cells written pale beside cells written dark (which places of its strip).
    pale_cells: dict[CropKey, tuple[int, ...]] = field(default_factory=dict)

    def alphabets(self, template: Template) -> list[str | None]:
        """The alphabet each crop is read in: kana for フリガナ (with the sound marks written
        apart where it is written one kana per cell), digits for boxed numbers and dates, any
        character of Japanese writing for free text, phone numbers and amounts."""
        specs = {spec.name: spec for spec in template.fields}
        return [_alphabet(specs[name]) for name, _ in self.keys]

    def recognitions(self, read: Sequence[Recognition]) -> dict[CropKey, Recognition]:
        """The engine's readings of :attr:`crops` (in order) by (field, part): word spaces put
        back at the gaps of spaced fields, the ruled lines of one text joined as its ``text``."""
        recognitions = dict(zip(self.keys, read, strict=True))
        for key, shapes in self.shapes.items():
            recognitions[key] = _one_by_its_shape(recognitions[key], shapes)
        for key, ink in self.kana_ink.items():
            recognitions[key] = kana_size.sized(recognitions[key], ink)
        for name, gaps in self.gaps.items():
            recognitions[(name, "text")] = spaced_by_gaps(recognitions[(name, "text")], gaps)
        for key, kinds in self.kana_cells.items():
            recognitions[key] = sound_marks.with_marks(recognitions[key], kinds)
        for (name, part), count in self.cell_counts.items():
            if part == "lines":  # ruled lines of one text: written as one running text
                lines = [recognitions[(name, f"line{i}")] for i in range(count)]
                used = [line for line in lines if line.text]
                recognitions[(name, "text")] = Recognition(
                    "".join(line.text for line in used),
                    min((u.confidence for u in used), default=0.0),
                    weakest=min((u.weakest for u in used), default=0.0),
                )
        return recognitions


#: A handwritten 1 is a narrow stroke: its ink at most this wide for its height (measured on
#: generated hands: 1 at 0.14–0.46, 7 at 0.47–0.67). A 1 read on wider ink is doubtful: 令和7年
#: read 令和1年 is 2019 for 2025, and both models read it alike. (Making it a 7 was measured:
#: right for three values of the outside set and wrong for three others, a hand whose 1 has a
#: flag and a foot — so a person decides.)
ONE_MAX_ASPECT = 0.45


def _one_by_its_shape(rec: Recognition, shapes: tuple[float, ...]) -> Recognition:
    """``rec`` unconfident (a person confirms) where a 1 was read in a cell whose ink is too
    wide for a 1 (one character per cell, in order)."""
    text = rec.text.replace(" ", "")
    if len(text) != len(shapes):
        return rec
    if any(char == "1" and shape > ONE_MAX_ASPECT for char, shape in zip(text, shapes, strict=True)):
        return replace(rec, confidence=min(rec.confidence, DISAGREEMENT_CONFIDENCE))
    return rec


def _alphabet(spec: FieldSpec) -> str | None:
    kind = spec.type
    if kind is FieldType.KATAKANA:
        # In kana cells a ゛/゜ may be written in a cell of its own: the model may read it.
        return "kana_cells" if spec.segments else "kana"
    if kind.layout in (Layout.CELLS, Layout.DATE):
        return "digits"
    return "japanese"


def plan_crops(template: Template, paper: Paper, circles: Sequence[Circle] = ()) -> CropPlan:
    """Cut the crops of every OCR-read field: the writing of each text box found where it is
    (:func:`extractors.fields.writing.locate`; pieces inside ``circles``, the seals, left
    out), and one-character boxes joined into strips of the inked cells."""
    rules_down = cell_rules(template.blank_pdf, paper.dpi).down
    # Every box of the form in pixels, once per page: each text box's neighbours are the rest.
    all_boxes = [box for spec in template.fields for box in spec.all_boxes()]
    everything = list(zip(all_boxes, other_boxes(all_boxes, paper.dpi), strict=True))
    ringed = _ringed(template)
    plan = CropPlan([], [], {})

    def rings(box: PtBox) -> list[Box]:
        """Where the rings round the ○ options beside ``box`` run: their pieces are no writing."""
        return [Template.to_pixels(_ring_zone(option, box), paper.dpi) for option in ringed]

    def reaches(box: PtBox) -> list[Box]:
        """As far as those rings may run, into ``box`` too (the options beside it only)."""
        return [
            Template.to_pixels(_ring_reach(option, RING_STROKE_REACH_PT), paper.dpi)
            for option in ringed
            if _ring_zone(option, box) != option
        ]

    def found(box: PtBox) -> Writing:
        others = [pixels for other, pixels in everything if other != box]
        return locate(paper, box, rules_down, others, circles, rings(box), reaches(box))

    def add(key: CropKey, crop: Image) -> None:
        plan.keys.append(key)
        plan.crops.append(crop)

    for spec in template.fields:
        match spec.type.layout:
            case Layout.BOX if spec.box and spec.more_lines:
                ruled = (spec.box, *spec.more_lines)
                others = [pixels for other, pixels in everything if other not in ruled]
                lines = locate_lines(paper, ruled, rules_down, others, circles, rings(spec.box))
                plan.inked[spec.name] = any(line.inked for line in lines)
                for index, line in enumerate(lines):
                    add((spec.name, f"line{index}"), line.crop)
                plan.cell_counts[(spec.name, "lines")] = len(lines)
            case Layout.BOX if spec.box:
                writing = found(spec.box)
                plan.inked[spec.name] = writing.inked
                add((spec.name, "text"), writing.crop)
                if spec.spaced:
                    plan.gaps[spec.name] = wide_gaps(writing.crop)
                if spec.type is FieldType.KATAKANA and writing.ink is not None:
                    plan.kana_ink[(spec.name, "text")] = writing.ink
                if spec.type is FieldType.KATAKANA and spec.segments:
                    plan.kana_cells[(spec.name, "text")] = _cell_kinds(spec.segments, paper)
            case Layout.CELLS:
                filled, shapes = _inked_cells(spec.segments, paper)
                if not filled and holds_pale_writing(paper, tuple(segment.box for segment in spec.segments)):
                    filled, shapes = _pale_cells(spec.segments, paper), ()
                    plan.pale.add(spec.name)
                plan.cell_counts[(spec.name, "digits")] = len(filled)
                plan.shapes[(spec.name, "digits")] = shapes
                plan.inked[spec.name] = bool(filled) or spec.name in plan.pale
                add((spec.name, "digits"), strip(filled))
            case Layout.DATE:
                # Year, month and day: two cells each; a date's era digit (era_digits): one.
                parts = [(part, (Segment(box, 1 if part == "era" else 2),)) for part, box in spec.parts]
                inked_parts = [_inked_cells(segments, paper) for _, segments in parts]
                if not any(filled for filled, _ in inked_parts) and holds_pale_writing(
                    paper, tuple(box for _, box in spec.parts)
                ):  # pale digits in a 7 pt 「（令和　年　月　日）」
                    inked_parts = [(_pale_cells(segments, paper), ()) for _, segments in parts]
                    plan.pale.add(spec.name)
                elif any(filled for filled, _ in inked_parts):
                    inked_parts = [
                        _with_pale_cells(segments, paper, plan, (spec.name, part)) for part, segments in parts
                    ]
                for (part, _), (filled, shapes) in zip(parts, inked_parts, strict=True):
                    plan.cell_counts[(spec.name, part)] = len(filled)
                    plan.shapes[(spec.name, part)] = shapes
                    add((spec.name, part), strip(filled))
                plan.inked[spec.name] = any(filled for filled, _ in inked_parts) or spec.name in plan.pale
    return plan


#: How far round a ○ option's printed word its ring reaches (points): a ring drawn 3 pt clear
#: of the word (the writer's pen, the generator's 3.2 pt).
RING_REACH_PT = 3.5
#: … and how far its stroke's outer edge may lie (a pen's stroke 1 pt wide): a piece of ink
#: wholly this close round an option's word is the ring's, even inside another field's box.
RING_STROKE_REACH_PT = 4.5


def _ringed(template: Template) -> set[PtBox]:
    """The boxes of the options marked by a ring round their word (``style`` circle; a
    date's era too, when circled)."""
    return {
        box
        for spec in template.fields
        if spec.style == "circle"
        for _, box in (*spec.options, *spec.era_options)
    }


def _ring_reach(option: PtBox, reach: float = RING_REACH_PT) -> PtBox:
    """``option``'s word and ``reach`` (points) round it: where a ring round it runs."""
    return (option[0] - reach, option[1] - reach, option[2] + reach, option[3] + reach)


def _ring_zone(option: PtBox, box: PtBox) -> PtBox:
    """Where a ring round ``option`` runs, short of the text ``box`` beside it: pieces there
    are the option's, not the box's writing (the lower arc of 「1. 国内転入」's ○, its tip
    touching the empty 「2.その他（　）」 box below-right, was read 「一」 there: 18 of 24 of a
    clerk's 被扶養者届). The box's own writing, however close to the option, stays its own."""
    x0, y0, x1, y1 = _ring_reach(option)
    if option[2] <= box[0]:  # the option left of the box
        x1 = min(x1, box[0])
    elif option[0] >= box[2]:
        x0 = max(x0, box[2])
    elif option[3] <= box[1]:  # above it
        y1 = min(y1, box[1])
    elif option[1] >= box[3]:
        y0 = max(y0, box[3])
    else:  # overlapping: the box's own
        return option
    return (x0, y0, x1, y1)


def _cell_image(paper: Paper, cell: PtBox) -> Image:
    """A one-character cell as the page shows it, the printed form in it painted out: a cell
    printing its 年/月/日 in a corner (協会けんぽ's 被扶養者届) gave 「年 over 7」, read as nothing."""
    # A 1 px margin: the scan's whole print spread ate the bar of a 7 written close under 年.
    return print_painted_out(
        cell_crop(paper.page, cell, paper.dpi), cell_crop(paper.blank, cell, paper.dpi), paper.dpi, 1
    )


#: Writing at most this tall (points) has its shape measured with its pale strokes too.
#: (On larger digits the grey rim of the strokes and a 1's pale foot made right 1s doubtful:
#: three on the outside sample.)
PALE_SHAPE_MAX_PT = 4.5


def _shape(paper: Paper, cell: PtBox) -> float:
    """How wide the writing in ``cell`` is for its height (see :data:`ONE_MAX_ASPECT`): of the
    threshold's ink or, for writing at most :data:`PALE_SHAPE_MAX_PT` tall, wider, of its pale
    strokes too (a 7 4 pt tall whose top bar scanned light grey: its dark stem alone is a 1's,
    and 令和7年 was accepted as 令和1年)."""
    dark = inkmod.ink_aspect(paper, cell)
    rows, cols = paper.region(cell)
    inked_rows = np.flatnonzero(paper.writing[rows, cols].any(axis=1))
    if inked_rows.size and inked_rows[-1] - inked_rows[0] + 1 > pt_to_px(PALE_SHAPE_MAX_PT, paper.dpi):
        return dark
    return max(dark, pale_aspect(paper, cell))


def _pale_cells(segments: tuple[Segment, ...], paper: Paper) -> list[Image]:
    """The crops of the cells holding pale writing (:func:`holds_pale_writing`), in order: a
    lone 「7」 3 pt tall scanned light grey, read as a proposal rather than not at all."""
    return [_cell_image(paper, cell) for segment in segments for cell in _pale_in(segment, paper)]


def _pale_in(segment: Segment, paper: Paper, *, date_written: bool = False) -> list[PtBox]:
    """The cells of ``segment`` holding pale writing; all of them when the segment holds it but
    no cell alone does: 「10」 4 pt tall in a 7 pt month box, its 1 and 0 each one short stroke
    astride the cells' unprinted border (read blank: 35 of 48 dates 「（令和　年　月　日）」
    lost on a clerk's 被扶養者届). With ``date_written`` (another part of the date is written
    in dark ink) one pale stroke is enough: a month or day is written with its year, and a pale
    「4」 scans as a single short stroke."""

    def pale(box: PtBox) -> bool:
        return bool(pale_strokes(paper, box)) if date_written else holds_pale_writing(paper, (box,))

    found = [cell for cell in cells(segment) if pale(cell)]
    if found or not pale(segment.box):
        return found
    return list(cells(segment))


def _with_pale_cells(
    segments: tuple[Segment, ...], paper: Paper, plan: CropPlan, key: CropKey
) -> tuple[list[Image], tuple[float, ...]]:
    """A date part's cells written in, dark or pale, in order (the pale ones' places noted in
    ``plan.pale_cells``): 「1 3」 whose 1 is a thin pale stroke was read 3 alone, the day 03
    auto-accepted for 13. (Their shape is unknown: 0.0.)"""
    crops, shapes, pale = [], [], []
    for segment in segments:
        dark = [inkmod.measure(paper, cell, "tick") > CELL_INK for cell in cells(segment)]
        faint = set() if any(dark) else set(_pale_in(segment, paper, date_written=True))
        for cell, inked in zip(cells(segment), dark, strict=True):
            if inked:
                crops.append(_cell_image(paper, cell))
                shapes.append(_shape(paper, cell))
            elif cell in faint or (any(dark) and holds_pale_writing(paper, (cell,))):
                pale.append(len(crops))
                crops.append(_cell_image(paper, cell))
                shapes.append(0.0)
    if pale:
        plan.pale_cells[key] = tuple(pale)
    return crops, tuple(shapes)


def pale_cells_matter(plan: CropPlan, read: Sequence[Recognition]) -> set[str]:
    """The fields whose pale cells (``plan.pale_cells``) change their value: read as a digit
    other than a leading 0 (which changes nothing: 08 is 8), or not read one digit per cell.
    Their reading is a proposal for a person."""
    texts = dict(zip(plan.keys, (rec.text for rec in read), strict=True))
    out = set()
    for key, places in plan.pale_cells.items():
        digits = digits_value(texts[key])
        if len(digits) != plan.cell_counts[key] or any(digits[place] != "0" for place in places):
            out.add(key[0])
    return out


def _cell_kinds(segments: tuple[Segment, ...], paper: Paper) -> tuple[sound_marks.Cell, ...]:
    """What the writer put in each cell of a row of kana cells, from the writer's ink."""
    inks = []
    for segment in segments:
        for cell in cells(segment):
            rows, cols = paper.region(cell)
            inks.append(paper.writing[rows, cols])
    return sound_marks.cell_kinds(inks, paper.dpi)


def _inked_cells(segments: tuple[Segment, ...], paper: Paper) -> tuple[list[Image], tuple[float, ...]]:
    """The crops of the cells written in, in order, and the shape of the ink in each."""
    crops, shapes = [], []
    for segment in segments:
        for cell in cells(segment):
            if inkmod.measure(paper, cell, "tick") > CELL_INK:
                crops.append(_cell_image(paper, cell))
                shapes.append(_shape(paper, cell))
    return crops, tuple(shapes)


def spaced_by_gaps(whole: Recognition, gaps: list[tuple[int, int]]) -> Recognition:
    """Put the word spaces back (the recogniser drops them) at the blank gaps seen in the
    crop, using where each character was read; a long-vowel mark or dash read *inside* a gap
    is the gap itself and goes. Without character positions the reading is left as it is."""
    text = whole.text.replace(" ", "")
    xs = [x for x, char in zip(whole.positions, whole.text, strict=False) if char != " "]
    if not gaps or not text or len(xs) != len(text):
        return whole
    out: list[str] = []
    placed: list[float] = []
    pending = sorted(gaps)
    for char, x in zip(text, xs, strict=True):
        if any(start <= x < end for start, end in pending) and char in _GAP_MARKS:
            continue
        while pending and x >= (pending[0][0] + pending[0][1]) / 2:
            pending.pop(0)
            if out and out[-1] != " ":
                out.append(" ")
                placed.append(x)
        out.append(char)
        placed.append(x)
    return replace(whole, text="".join(out).strip(), positions=tuple(placed))
