"""Form templates: one JSON data file per form code and version, validated on load.

Geometry is kept in PDF points with a top-left origin (as pdfplumber lists it); the one
conversion to pixels is :meth:`Template.to_pixels`.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from ocr.preprocess import Canvas
from ocr.types import Box, px_per_pt

TEMPLATE_DIR = Path(__file__).parent / "templates"
#: Further folders of installed templates (a society's own forms beside the shipped ones),
#: separated by ``os.pathsep``; read where the templates are loaded (every process: worker,
#: web, CLI), so one variable installs a form everywhere.
FORMS_DIRS_ENV = "KAKUNIN_FORMS_DIRS"
#: Eras a digit written in a date's era cell may stand for (``era_digits``).
ERA_NAMES = ("showa", "heisei", "reiwa")


class Layout(Enum):
    """How a field is written on the paper, and so how it is read."""

    #: Free writing in a text box (or its ruled lines), read by OCR.
    BOX = "box"
    #: One character per printed cell: the inked cells read by OCR as digits.
    CELLS = "cells"
    #: Year, month and day cells read as digits, the era printed or circled.
    DATE = "date"
    #: □ ticks and ○ circles, read from the writer's ink, not by OCR.
    MARKS = "marks"


class FieldType(StrEnum):
    """A field's value type, as a template names it (``"type"``). Equal to its string."""

    TEXT = "text"
    KATAKANA = "katakana"
    PHONE = "phone"
    AMOUNT = "amount"
    DIGITS = "digits"
    MY_NUMBER = "my_number"
    CHECKBOX = "checkbox"
    CHOICE = "choice"
    CHECKBOX_GROUP = "checkbox_group"
    DATE = "date"

    @property
    def layout(self) -> Layout:
        """How a field of this type is written on the paper."""
        return _LAYOUTS[self]

    @property
    def needs(self) -> tuple[str, ...]:
        """The keys a template field of this type must have (besides name and type)."""
        return _NEEDS[self]


_LAYOUTS: dict[FieldType, Layout] = {
    FieldType.TEXT: Layout.BOX,
    FieldType.KATAKANA: Layout.BOX,
    FieldType.PHONE: Layout.BOX,
    FieldType.AMOUNT: Layout.BOX,
    FieldType.DIGITS: Layout.CELLS,
    FieldType.MY_NUMBER: Layout.CELLS,
    FieldType.CHECKBOX: Layout.MARKS,
    FieldType.CHOICE: Layout.MARKS,
    FieldType.CHECKBOX_GROUP: Layout.MARKS,
    FieldType.DATE: Layout.DATE,
}
_NEEDS: dict[FieldType, tuple[str, ...]] = {
    FieldType.TEXT: ("box",),
    FieldType.KATAKANA: ("box",),
    FieldType.PHONE: ("box",),
    FieldType.AMOUNT: ("box",),
    FieldType.DIGITS: ("segments",),
    FieldType.MY_NUMBER: ("segments",),
    FieldType.CHECKBOX: ("box",),
    FieldType.CHOICE: ("options",),
    FieldType.CHECKBOX_GROUP: ("options",),
    FieldType.DATE: ("year", "month", "day"),
}

PtBox = tuple[float, float, float, float]


class TemplateError(ValueError):
    """A template file is invalid; raised at start-up, never mid-job."""


#: Registration marks a template may carry (``page.marks``): two filled squares, or none.
MARK_KINDS = ("squares", "none")


def default_code_pattern(form_code: str) -> str:
    """The footer pattern for a form code such as ``SK-01`` followed by its version
    「(2025.4)」, tolerant of what OCR does to it: spaces between characters, any dash or
    none, a 0 read as O (and a 0 after the dash dropped), brackets read as others."""
    parts: list[str] = []
    for index, char in enumerate(form_code):
        if char == "-":
            parts.append("[-‐ー一~]?")
        elif char == "0":
            parts.append("[0O]?" if index and form_code[index - 1] == "-" else "[0O]")
        else:
            parts.append(re.escape(char.upper()))
    version = r"[\(（]?\s*(?P<year>\d{4})\s*[.,・]\s*(?P<month>\d{1,2})"
    return r"\s*".join(parts) + r"\s*" + version


def _orientation(page: dict[str, Any], size: tuple[float, float], where: str) -> str:
    derived = "landscape" if size[0] > size[1] else "portrait"
    given = str(page.get("orientation", derived))
    if given != derived:
        raise TemplateError(f"{where}: page.orientation {given!r} does not fit a {size[0]}×{size[1]} pt page")
    return given


def _canvas(page: dict[str, Any], size: tuple[float, float], where: str) -> Canvas:
    marks = str(page.get("marks", "squares"))
    if marks not in MARK_KINDS:
        raise TemplateError(f"{where}: page.marks must be one of {', '.join(MARK_KINDS)}")
    if marks == "none":
        return Canvas(size[0], size[1], (0.0, 0.0), size, 0.0, marks=False)
    top_left, bottom_right = page["mark_top_left"], page["mark_bottom_right"]
    return Canvas(
        size[0],
        size[1],
        (float(top_left[0]), float(top_left[1])),
        (float(bottom_right[0]), float(bottom_right[1])),
        float(page["mark_size"]),
    )


def _code_pattern(identify: dict[str, Any], form_code: str, where: str) -> re.Pattern[str] | None:
    raw = identify.get("code_pattern", default_code_pattern(form_code))
    if raw is None:
        return None
    try:
        return re.compile(str(raw))
    except re.error as exc:
        raise TemplateError(f"{where}: identify.code_pattern is not a regular expression: {exc}") from None


@dataclass(frozen=True)
class Segment:
    """A run of one-character boxes: the outer rectangle and how many cells it holds."""

    box: PtBox
    cells: int


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: FieldType
    required: bool = False
    box: PtBox | None = None
    segments: tuple[Segment, ...] = ()
    options: tuple[tuple[str, PtBox], ...] = ()
    #: A choice's options as printed (value -> 「新規」): what the review screens show and offer
    #: in place of the value (``option_labels``); the value stays what the API and exports carry.
    option_labels: tuple[tuple[str, str], ...] = ()
    style: str = "tick"  # choice marks: "tick" in a □ or "circle" around the word
    era: str | None = None  # date with a pre-printed era (令和)
    era_options: tuple[tuple[str, PtBox], ...] = ()
    parts: tuple[tuple[str, PtBox], ...] = ()  # date: year, month, day boxes
    min_digits: int = 0
    max_digits: int = 0
    #: Words separated by a space are expected (氏 名): read the halves around the widest gap too.
    spaced: bool = False
    #: Further ruled lines of a multi-line text field, read in order after ``box``.
    more_lines: tuple[PtBox, ...] = ()
    #: フリガナ: the name field (kanji) whose reading this katakana field gives.
    reading_of: str | None = None
    #: A Japanese address (都道府県 first): its prefecture is checked against the 47.
    address: bool = False
    #: The 郵便番号 field beside this address: the address is checked against Japan Post's
    #: places for it (:mod:`extractors.postcodes`).
    postcode: str | None = None
    #: The printed label of the field on the form (what a reviewer sees), e.g. 「氏名」.
    label: str = ""
    #: A date whose era is written as a digit in its own cell (part ``era``): digit -> era,
    #: as printed beside the cell (「1.昭和 2.平成 3.令和」, or 「5.昭和 7.平成 9.令和」).
    era_digits: tuple[tuple[str, str], ...] = ()
    #: An address written around a printed 都/道/府/県 (one of them circled): where each is
    #: printed. The prefecture's name is read before them (``box``), the rest after them
    #: (``more_lines``), and the suffix that fits the name is put back between.
    prefecture_printed: tuple[tuple[str, PtBox], ...] = ()

    def option_label(self, value: str) -> str:
        """The printed label of the option ``value`` (empty when the template gives none)."""
        return dict(self.option_labels).get(value, "")

    def all_boxes(self) -> list[PtBox]:
        boxes = [self.box] if self.box else []
        boxes += list(self.more_lines)
        boxes += [s.box for s in self.segments]
        boxes += [b for _, b in self.options] + [b for _, b in self.era_options] + [b for _, b in self.parts]
        return boxes

    def bounds(self) -> PtBox:
        boxes = self.all_boxes()
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )


@dataclass(frozen=True)
class Template:
    form_id: str
    form_code: str
    form_version: str
    title: str
    blank_pdf: Path
    canvas: Canvas
    footer_box: PtBox
    title_box: PtBox
    fields: tuple[FieldSpec, ...] = field(default_factory=tuple)
    #: "portrait" or "landscape": how the page stands when read (``page.orientation``).
    orientation: str = "portrait"
    #: The printed code in the footer that names this form (``identify.code_pattern``, searched
    #: in the NFKC, upper-case footer reading; groups ``year`` and ``month`` give the version).
    #: None: the footer names no form, and only the title and the structure identify it.
    code_pattern: re.Pattern[str] | None = None
    #: The form's name for people (review screens, lists); the printed title when not given.
    name: str = ""
    #: Whether the page prints a footer identification reads (``identify.footer``; null: the
    #: form has none, nothing is read there, and ``footer_box`` is the title's box).
    has_footer: bool = True

    @property
    def display_name(self) -> str:
        """What people call this form: its ``name``, else its printed title."""
        return self.name or self.title

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def pixels_per_point(self, page_width_px: int) -> float:
        """The scale of a page image of this form, taken from the image itself: its width in
        pixels over the page's width in points (never a fixed DPI)."""
        return page_width_px / self.canvas.width_pt

    @staticmethod
    def to_pixels(box: PtBox, dpi: int) -> Box:
        """The one conversion from template points to image pixels at ``dpi``."""
        scale = px_per_pt(dpi)
        return Box(
            int(round(box[0] * scale)),
            int(round(box[1] * scale)),
            int(round(box[2] * scale)),
            int(round(box[3] * scale)),
        )


def _box(value: Any, where: str, page: tuple[float, float]) -> PtBox:
    if not (isinstance(value, list) and len(value) == 4 and all(isinstance(v, int | float) for v in value)):
        raise TemplateError(f"{where}: a box is [x0, y0, x1, y1] in points, got {value!r}")
    x0, y0, x1, y1 = (float(v) for v in value)
    if not (0 <= x0 < x1 <= page[0] and 0 <= y0 < y1 <= page[1]):
        raise TemplateError(f"{where}: box {value!r} is empty or off the page")
    return (x0, y0, x1, y1)


def _named_boxes(value: Any, where: str, page: tuple[float, float]) -> tuple[tuple[str, PtBox], ...]:
    if not isinstance(value, dict) or not value:
        raise TemplateError(f"{where}: expected a non-empty mapping of name -> box")
    return tuple((str(k), _box(v, f"{where}.{k}", page)) for k, v in value.items())


def parse_field(raw: dict[str, Any], where: str, page: tuple[float, float]) -> FieldSpec:
    """One field of a template file, checked: its name and type, its boxes on the page, the
    date parts its era needs, and the roles (address, reading, style) its type allows."""
    name, kind = _name_and_type(raw, where)
    where = f"{where}.{name}"
    segments = _segments(raw, where, page)
    parts, era_digits = _date_parts(raw, kind, where, page)
    spec = FieldSpec(
        name=name,
        type=kind,
        required=bool(raw.get("required", False)),
        box=_box(raw["box"], f"{where}.box", page) if "box" in raw else None,
        segments=segments,
        options=_optional_named_boxes(raw, "options", where, page),
        option_labels=_option_labels(raw, where),
        style=str(raw.get("style", "tick")),
        era=raw.get("era"),
        era_options=_optional_named_boxes(raw, "era_options", where, page),
        parts=parts,
        min_digits=int(raw.get("min_digits", 0)),
        max_digits=int(raw.get("max_digits", sum(s.cells for s in segments))),
        spaced=bool(raw.get("spaced", False)),
        more_lines=tuple(_box(b, f"{where}.more_lines", page) for b in raw.get("more_lines", [])),
        reading_of=str(raw["reading_of"]) if raw.get("reading_of") else None,
        address=bool(raw.get("address", False)),
        postcode=str(raw["postcode"]) if raw.get("postcode") else None,
        label=str(raw.get("label", "")),
        era_digits=era_digits,
        prefecture_printed=_optional_named_boxes(raw, "prefecture_printed", where, page),
    )
    _check_roles(spec, where)
    _check_cells(spec, where)
    return spec


def _check_cells(spec: FieldSpec, where: str) -> None:
    """A digits or 個人番号 field asks no more digits than it has cells (one digit a cell); a
    個人番号 is 12 digits, or 10 to 12 where a 10-digit 基礎年金番号 may be written instead
    (see :func:`extractors.validate.check_digits`)."""
    cells = sum(s.cells for s in spec.segments)
    if spec.type is FieldType.MY_NUMBER and (spec.min_digits, spec.max_digits) not in ((12, 12), (10, 12)):
        raise TemplateError(
            f"{where}: 個人番号の桁数は 12（基礎年金番号も書ける欄は最少 10・最多 12）です。"
            f"{spec.min_digits}〜{spec.max_digits} になっています"
        )
    if spec.type in (FieldType.DIGITS, FieldType.MY_NUMBER) and cells and spec.max_digits > cells:
        raise TemplateError(
            f"{where}: 桁数の最多 {spec.max_digits} がマスの数 {cells} より多くなっています"
            "（フォーム定義の「マスの数」でマスを増やすか、最多を減らしてください）"
        )


def _name_and_type(raw: dict[str, Any], where: str) -> tuple[str, FieldType]:
    """A field's name and its ``FieldType``, with every key that type needs present."""
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise TemplateError(f"{where}: field without a name")
    where = f"{where}.{name}"
    given, known = raw.get("type"), [member.value for member in FieldType]
    if given not in known:
        raise TemplateError(f"{where}: unknown type {given!r}; known: {', '.join(known)}")
    kind = FieldType(given)
    missing = [key for key in kind.needs if key not in raw]
    if missing:
        raise TemplateError(f"{where}: type {kind} needs {', '.join(missing)}")
    return name, kind


def _segments(raw: dict[str, Any], where: str, page: tuple[float, float]) -> tuple[Segment, ...]:
    """A boxed field's runs of cells: each ``[x0, y0, x1, y1, cells]``."""
    segments: list[Segment] = []
    for index, seg in enumerate(raw.get("segments", [])):
        if not (isinstance(seg, list) and len(seg) == 5 and isinstance(seg[4], int) and seg[4] > 0):
            raise TemplateError(f"{where}.segments[{index}]: expected [x0, y0, x1, y1, cells]")
        segments.append(Segment(_box(seg[:4], f"{where}.segments[{index}]", page), seg[4]))
    return tuple(segments)


def _date_parts(
    raw: dict[str, Any], kind: FieldType, where: str, page: tuple[float, float]
) -> tuple[tuple[tuple[str, PtBox], ...], tuple[tuple[str, str], ...]]:
    """A date's year, month and day boxes (and the era's box when a digit names the era),
    and the digit-to-era table; a date must say its era one way or another."""
    parts: tuple[tuple[str, PtBox], ...] = tuple(
        (p, _box(raw[p], f"{where}.{p}", page)) for p in ("year", "month", "day") if p in raw
    )
    era_digits = _era_digits(raw, where)
    if era_digits:
        if "era_box" not in raw:
            raise TemplateError(f"{where}: era_digits needs the era_box the digit is written in")
        parts = (*parts, ("era", _box(raw["era_box"], f"{where}.era_box", page)))
    if kind is FieldType.DATE and raw.get("era") is None and "era_options" not in raw and not era_digits:
        raise TemplateError(f"{where}: a date needs a printed 'era', 'era_options' or 'era_digits'")
    return parts, era_digits


def _option_labels(raw: dict[str, Any], where: str) -> tuple[tuple[str, str], ...]:
    """``option_labels``: each option's printed label, keyed by an option value of the field."""
    value = raw.get("option_labels")
    if value is None:
        return ()
    options = raw.get("options")
    if not isinstance(value, dict) or not all(isinstance(v, str) and v.strip() for v in value.values()):
        raise TemplateError(f"{where}.option_labels: expected a mapping of option value -> printed label")
    unknown = [str(k) for k in value if not isinstance(options, dict) or k not in options]
    if unknown:
        raise TemplateError(f"{where}.option_labels: {', '.join(unknown)} is no option of this field")
    return tuple((str(k), str(v).strip()) for k, v in value.items())


def _optional_named_boxes(
    raw: dict[str, Any], key: str, where: str, page: tuple[float, float]
) -> tuple[tuple[str, PtBox], ...]:
    return _named_boxes(raw[key], f"{where}.{key}", page) if key in raw else ()


def _check_roles(spec: FieldSpec, where: str) -> None:
    """The roles a field takes only with the right type: address, reading, postcode, style."""
    if spec.prefecture_printed and not spec.address:
        raise TemplateError(f'{where}: prefecture_printed is for an address ("address": true)')
    if spec.reading_of is not None and spec.type is not FieldType.KATAKANA:
        raise TemplateError(f"{where}: only a katakana field can be the reading_of another field")
    if spec.address and spec.type is not FieldType.TEXT:
        raise TemplateError(f"{where}: only a text field can be an address")
    if spec.postcode is not None and not spec.address:
        raise TemplateError(f"{where}: only an address has a postcode beside it")
    if spec.style not in ("tick", "circle"):
        raise TemplateError(f"{where}: style must be tick or circle")


def _era_digits(raw: dict[str, Any], where: str) -> tuple[tuple[str, str], ...]:
    value = raw.get("era_digits")
    if value is None:
        return ()
    if not (isinstance(value, dict) and value):
        raise TemplateError(f"{where}.era_digits: expected a mapping of digit -> era")
    pairs = tuple((str(k), str(v)) for k, v in value.items())
    for digit, era in pairs:
        if not (len(digit) == 1 and digit.isdigit()) or era not in ERA_NAMES:
            raise TemplateError(
                f"{where}.era_digits: {digit!r}: {era!r} is not a digit and one of {ERA_NAMES}"
            )
    return pairs


def _identify(
    raw: dict[str, Any], where: str, size: tuple[float, float]
) -> tuple[PtBox, PtBox | None, re.Pattern[str] | None]:
    """The title and footer regions identification reads, and the footer's code pattern.
    ``identify.footer`` null: a form without a footer, whose code pattern must be null too."""
    identify = raw["identify"]
    if not isinstance(identify, dict):
        raise TemplateError(f"{where}: identify must be a mapping with title and footer")
    title_box = _box(identify["title"], f"{where}.identify.title", size)
    footer = identify["footer"]
    footer_box = None if footer is None else _box(footer, f"{where}.identify.footer", size)
    code_pattern = _code_pattern(identify, str(raw["form_code"]), where)
    if footer_box is None and code_pattern is not None:
        raise TemplateError(
            f"{where}: identify.footer is null, yet identify.code_pattern reads a form code there "
            "(set it to null too)"
        )
    return title_box, footer_box, code_pattern


def parse_template(raw: dict[str, Any], source: Path) -> Template:
    """Validate one template document; raises :class:`TemplateError` with the failing path."""
    where = source.name
    try:
        page = raw["page"]
        size = (float(page["width"]), float(page["height"]))
        canvas = _canvas(page, size, where)
        fields = tuple(parse_field(f, where, size) for f in raw["fields"])
        title_box, footer_box, code_pattern = _identify(raw, where, size)
        template = Template(
            form_id=str(raw["form_id"]),
            form_code=str(raw["form_code"]),
            form_version=str(raw["form_version"]),
            title=str(raw["title"]),
            blank_pdf=source.parent / str(raw["blank_pdf"]),
            canvas=canvas,
            footer_box=footer_box or title_box,
            title_box=title_box,
            fields=fields,
            orientation=_orientation(page, size, where),
            code_pattern=code_pattern,
            name=str(raw.get("name", "")),
            has_footer=footer_box is not None,
        )
    except KeyError as exc:
        raise TemplateError(f"{where}: missing key {exc}") from None
    names = [f.name for f in template.fields]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise TemplateError(f"{where}: duplicate fields {sorted(duplicates)}")
    kinds = {f.name: f.type for f in template.fields}
    for spec in template.fields:
        if spec.reading_of is not None and kinds.get(spec.reading_of) is not FieldType.TEXT:
            raise TemplateError(
                f"{where}.{spec.name}: reading_of {spec.reading_of!r} is not a text field of this form"
            )
        if spec.postcode is not None and kinds.get(spec.postcode) is not FieldType.DIGITS:
            raise TemplateError(
                f"{where}.{spec.name}: postcode {spec.postcode!r} is not a digits field of this form"
            )
    if not template.blank_pdf.is_file():
        raise TemplateError(f"{where}: blank form {template.blank_pdf.name} not found beside the template")
    return template


def load_template(path: Path) -> Template:
    return parse_template(json.loads(path.read_text(encoding="utf-8")), path)


def installed_dirs() -> tuple[Path, ...]:
    """The folders templates are installed in: the shipped ones, then each folder named by
    ``KAKUNIN_FORMS_DIRS`` (a society's own forms)."""
    extra = [Path(p) for p in os.environ.get(FORMS_DIRS_ENV, "").split(os.pathsep) if p.strip()]
    return (TEMPLATE_DIR, *extra)


def load_templates(directory: Path | None = None) -> tuple[Template, ...]:
    """Every template in ``directory`` (default: every :func:`installed_dirs` folder),
    validated; cached for the process."""
    return _load_templates((directory,) if directory is not None else installed_dirs())


def templates_in(directories: tuple[Path, ...]) -> tuple[Template, ...]:
    """Every template of ``directories`` (as :func:`installed_dirs` names them), validated;
    cached for the process."""
    return _load_templates(directories)


@lru_cache(maxsize=4)
def _load_templates(directories: tuple[Path, ...]) -> tuple[Template, ...]:
    templates = tuple(load_template(p) for d in directories for p in sorted(d.glob("*.json")))
    if not templates:
        raise TemplateError(f"no templates in {', '.join(map(str, directories))}")
    seen: set[tuple[str, str]] = set()
    for template in templates:
        key = (template.form_id, template.form_version)
        if key in seen:
            raise TemplateError(f"{template.form_id} {template.form_version} is installed twice")
        seen.add(key)
    return templates


def template_for(
    form_id: str | None, form_version: str | None = None, templates: tuple[Template, ...] | None = None
) -> Template | None:
    """The installed template of a form and version (a record read with 「SK-01 (2026.4)」 is
    shown in that version's boxes); without a version, or with one no longer installed, the
    form's first installed version; None for a form not installed."""
    versions = [t for t in (templates if templates is not None else load_templates()) if t.form_id == form_id]
    exact = [t for t in versions if t.form_version == form_version]
    chosen = exact or versions
    return chosen[0] if chosen else None


def form_names(templates: tuple[Template, ...] | None = None) -> dict[str | None, str]:
    """form_id -> the form's name for people, for every installed template (None: 様式不明)."""
    names: dict[str | None, str] = {None: "様式不明"}
    for template in templates if templates is not None else load_templates():
        names.setdefault(template.form_id, template.display_name)
    return names
