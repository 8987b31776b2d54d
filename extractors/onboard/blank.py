"""A draft template from one page of a blank form PDF, its one-page blank and an overlay.

Contract: :func:`draft_template` takes the blank form's PDF bytes, the page (0-based), the
form id, code and version, and returns a :class:`Draft`: the template as a JSON-ready dict
(validated by :func:`extractors.template.parse_template` once written beside its blank),
the one-page blank PDF to write beside it, and how the boxes were found (``vector`` from
the PDF's drawing, ``raster`` from the rendered page). :func:`overlay_png` draws a draft's
fields on the blank so a person can check it.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pdfplumber
import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont, ImageSequence
from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, FloatObject, NameObject, RectangleObject

from extractors.onboard.draft import (
    DUPLICATE_CHAR_PT,
    ERA_NAMES,
    NUMBERED_OPTION,
    Printed,
    address_rows,
    bounds,
    chars_in,
    draft_fields,
    inside,
    is_printed_postcode,
    label_boxes,
    printed_from,
    reading_order,
    unique_name,
)
from extractors.onboard.geometry import (
    cell_ticks,
    closed_boxes,
    divided,
    raster_mask,
    segment_mask,
    vector_segments,
)
from extractors.onboard.naming import block_named
from extractors.onboard.scanned import printed_by_ocr
from extractors.onboard.writeins import drawn_brackets, with_write_ins
from extractors.template import PtBox

if TYPE_CHECKING:
    from extractors.onboard.choices import BlankPrint
from ocr.raster import sniff_type
from ocr.types import Image as OcrImage
from ocr.types import TextLine, px_per_pt

#: Fewer vector lines than this and the page is taken as a scan (its lines found by OpenCV).
MIN_VECTOR_SEGMENTS = 20
#: The blank is rendered at this resolution for its lines (a scan) and cell ticks.
RENDER_DPI = 200
#: The title: the largest print in the top part of the page (share of its height).
TITLE_ZONE = 0.3
#: Printed between a title's words and kept in it; half-width brackets written full-width as
#: our titles are (被扶養者（異動）届).
TITLE_MARKS = frozenset("（）()・")
FULL_WIDTH_BRACKETS = str.maketrans("()", "（）")
OVERLAY_DPI = 110
FONT = "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"
COLOURS = {
    "text": (220, 30, 30),
    "katakana": (200, 0, 160),
    "digits": (0, 90, 220),
    "my_number": (0, 150, 150),
    "date": (230, 120, 0),
    "checkbox": (0, 150, 0),
    "choice": (0, 150, 0),
    "checkbox_group": (0, 150, 0),
    "phone": (120, 60, 200),
    "amount": (120, 60, 0),
}


@dataclass(frozen=True)
class Draft:
    """A draft template, its one-page blank and how its boxes were found."""

    template: dict[str, Any]
    blank_pdf: bytes
    source: str


#: The resolutions a scanner saves at, most usual first, tried for a scanned blank whose file
#: states none (A and B papers share one shape: A4 at 300 dpi is B4 at 240, so the usual wins) …
SCAN_DPIS = (300, 200, 400, 600, 150)
#: … the one that makes it a sheet of paper (A3, A4, A5, B4, B5 (JIS), Letter; pt) wins, else 300.
PAPER_SIZES_PT = ((842, 1191), (595, 842), (420, 595), (729, 1032), (516, 729), (612, 792))
SCAN_DPI = 300
#: A page within this share of a paper size is that paper.
PAPER_SLACK = 0.03
#: A resolution stated below this is a program's default (72, or JPEG's 1), not the scanner's.
MIN_STATED_DPI = 100


def scan_resolution(stated: float | None, size_px: tuple[int, int]) -> float:
    """The resolution of a scanned blank: the one its file states (unless a default), else the usual scanner
    resolution that makes its pixels a sheet of paper of a common size, else :data:`SCAN_DPI`."""
    if stated and stated >= MIN_STATED_DPI:
        return stated
    short, long_ = sorted(size_px)
    for dpi in SCAN_DPIS:
        width, height = short * 72 / dpi, long_ * 72 / dpi
        if any(
            abs(width - w) <= PAPER_SLACK * w and abs(height - h) <= PAPER_SLACK * h
            for w, h in PAPER_SIZES_PT
        ):
            return float(dpi)
    return float(SCAN_DPI)


def as_pdf(blank: bytes) -> bytes:
    """The blank as a PDF: a PDF as it is; a scan (PNG, JPEG, TIFF, every page of it) as a
    PDF of pages as large as the paper at its resolution (:func:`scan_resolution`).
    ValueError for a file that is neither."""
    kind = sniff_type(blank[:2048])
    if kind == "pdf":
        return blank
    if kind is None:
        raise ValueError("PDF でも画像（PNG・JPEG・TIFF）でもありません")
    try:
        with Image.open(io.BytesIO(blank)) as image:
            stated = image.info.get("dpi", (0, 0))[0]
            resolution = scan_resolution(float(stated) if stated else None, image.size)
            pages = [frame.convert("L") for frame in ImageSequence.Iterator(image)]
    except (OSError, Image.DecompressionBombError) as exc:
        raise ValueError(f"画像を読めません: {exc}") from None
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=resolution, save_all=True, append_images=pages[1:])
    return out.getvalue()


def one_page(pdf: bytes, page: int) -> bytes:
    """The blank form's ``page`` alone, as a PDF (later pages are instructions), its visible
    box moved to start at 0,0 (:func:`to_origin`); a scanned blank made a PDF first
    (:func:`as_pdf`). ValueError for a file that is no PDF nor scan, IndexError for a page
    it does not have."""
    try:
        source = PdfReader(io.BytesIO(as_pdf(pdf))).pages[page]
    except PyPdfError as exc:
        raise ValueError(f"not a readable PDF: {exc}") from None
    writer = PdfWriter()
    to_origin(writer.add_page(source))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def to_origin(sheet: PageObject) -> None:
    """Make the page's visible box (its CropBox, else its MediaBox) its whole page, starting
    at 0,0: its drawing and its annotations moved by the box's corner. Template boxes are
    points from the visible page's top-left corner, and pdfplumber lists a page whose box
    starts elsewhere (協会けんぽ's 資格取得届: at -8.4, 8.4) in the PDF's own coordinates,
    so every box would be drafted that far off its printed lines. A page already so is left
    as it is."""
    # Read from the page's own entries: pypdf's ``cropbox`` property writes one when absent.
    media = [float(v) for v in cast(ArrayObject, sheet["/MediaBox"])]
    x0, y0, x1, y1 = [float(v) for v in cast(ArrayObject, sheet.get("/CropBox", media))]
    whole = (0.0, 0.0, x1 - x0, y1 - y0)
    if (x0, y0) == (0.0, 0.0) and tuple(media) == whole:
        return
    sheet.add_transformation(Transformation().translate(-x0, -y0))
    for annotation in sheet.get("/Annots", None) or []:
        rect = annotation.get_object().get("/Rect")
        if rect is not None and len(rect) == 4:
            annotation.get_object()[NameObject("/Rect")] = ArrayObject(
                FloatObject(float(v) - shift) for v, shift in zip(rect, (x0, y0, x0, y0), strict=True)
            )
    sheet.mediabox = RectangleObject(whole)
    sheet.cropbox = RectangleObject(whole)
    for other in ("/TrimBox", "/BleedBox", "/ArtBox"):
        if other in sheet:
            del sheet[NameObject(other)]


def render(pdf: bytes, dpi: int, page: int = 0) -> Image.Image:
    """One page rendered (pypdfium2 renders CID fonts as they are)."""
    document = pdfium.PdfDocument(pdf)
    try:
        image: Image.Image = document[page].render(scale=px_per_pt(dpi)).to_pil().convert("RGB")
        return image
    finally:
        document.close()


def words_from(page: Any) -> list[Printed]:
    """The page's printed words (pdfplumber), split at wide spaces."""
    words = page.extract_words(keep_blank_chars=False, x_tolerance=1.5, use_text_flow=False)
    return [
        Printed(str(w["text"]), (float(w["x0"]), float(w["top"]), float(w["x1"]), float(w["bottom"])))
        for w in words
    ]


def title_of(printed: Sequence[Printed], height: float) -> tuple[str, PtBox] | None:
    """The form's title: the largest characters in the top of the page, on one line."""
    top = [p for p in printed if p.box[1] < TITLE_ZONE * height and re.match(r"[一-龥ぁ-ゖァ-ヺ]", p.text)]
    if not top:
        return None
    size = max(p.box[3] - p.box[1] for p in top)
    # The brackets and ・ between the title's words are the title's too (被扶養者（異動）届,
    # not 被扶養者異動届), never what decides its size or line.
    marks = [p for p in printed if p.box[1] < TITLE_ZONE * height and p.text in TITLE_MARKS]
    big = [p for p in top if p.box[3] - p.box[1] >= 0.6 * size]
    line = min(big, key=lambda p: p.box[1])
    row = _longest_run(
        sorted((p for p in big if abs(p.centre[1] - line.centre[1]) < size), key=lambda p: p.box[0]),
        LOGO_GAP * size,
    )
    # The words beside the largest ones on that line belong to the title too (交付申請書).
    box = bounds([p.box for p in row])
    beside = sorted(
        (
            p
            for p in [*top, *marks]
            if abs(p.centre[1] - line.centre[1]) < size * 0.6 and box[0] - 80 < p.box[0] < box[2] + 160
        ),
        key=lambda p: p.box[0],
    )
    # A mark printed apart on the same line (a logo such as 「資確」 in a circle) is no title.
    kept = [p for p in beside if row[0].box[0] <= p.box[0] <= row[-1].box[2]]
    for p in beside:
        if p.box[0] > row[-1].box[2] and p.box[0] - max(k.box[2] for k in kept) <= 0.8 * size:
            kept.append(p)
    for p in reversed(beside):
        if p.box[2] < row[0].box[0] and min(k.box[0] for k in kept) - p.box[2] <= 0.8 * size:
            kept.insert(0, p)
    # A bracket or mark opening or closing the line is no part of the title.
    while kept and kept[0].text in TITLE_MARKS:
        kept.pop(0)
    while kept and kept[-1].text in TITLE_MARKS:
        kept.pop()
    return "".join(p.text for p in kept).translate(FULL_WIDTH_BRACKETS), bounds([p.box for p in kept])


#: Characters of the title's size this far apart (times their size) are not one title: the
#: words of a title stand at most a bracket or a ・ apart (1.0), 協会けんぽ's 「資確」 logo 4.4.
LOGO_GAP = 2.0


def _longest_run(row: list[Printed], gap: float) -> list[Printed]:
    """The longest run of characters (left to right) no more than ``gap`` apart: a logo as
    large as the title printed apart on its line (協会けんぽ's 「資確」 in a circle) is not part
    of it."""
    runs: list[list[Printed]] = []
    for p in row:
        if runs and p.box[0] - runs[-1][-1].box[2] <= gap:
            runs[-1].append(p)
        else:
            runs.append([p])
    return max(runs, key=len)


def _grown(box: PtBox, by: float, size: tuple[float, float]) -> list[float]:
    return [
        round(max(0.0, box[0] - by), 1),
        round(max(0.0, box[1] - by), 1),
        round(min(size[0], box[2] + by), 1),
        round(min(size[1], box[3] + by), 1),
    ]


def footer_of(
    printed: Sequence[Printed], size: tuple[float, float], code_pattern: str | None = None
) -> list[float] | None:
    """Where the footer names the form: a printed version 「(2024.12)」 near the bottom; else
    none (nothing read there: four of five clerks cleared the bottom-left corner proposed, on
    the 住所変更届 it lay over the 事業主's 電話 line), or the bottom-left corner when a code
    pattern is to be read there."""
    bottom = [p for p in printed if p.box[1] > 0.85 * size[1]]
    text = "".join(p.text for p in bottom)
    found = re.search(r"[\(（]\d{4}[.．]\d{1,2}[\)）]", text)
    if found:
        start = len("".join(p.text for p in bottom[: _index_at(bottom, found.start())]))
        del start
        chars = bottom[_index_at(bottom, found.start()) : _index_at(bottom, found.end())]
        if chars:
            return _grown(bounds([p.box for p in chars]), 6.0, size)
    if code_pattern is None:
        return None
    return _grown((20.0, size[1] - 40.0, 160.0, size[1] - 8.0), 0.0, size)


def _index_at(chars: Sequence[Printed], offset: int) -> int:
    """The index of the character at text ``offset`` of the joined ``chars``."""
    total = 0
    for index, p in enumerate(chars):
        if total >= offset:
            return index
        total += len(p.text)
    return len(chars)


def draft_template(
    pdf: bytes,
    page: int,
    form_id: str,
    form_code: str,
    version: str,
    code_pattern: str | None = None,
    read_page: Callable[[OcrImage], Sequence[TextLine]] | None = None,
) -> Draft:
    """A draft template of ``page`` of a blank form (see the module's contract). A blank
    without a text layer (a scan) has its print read by ``read_page`` (an OCR engine's page
    reader) where one is given: labels, names and title are proposed from it."""
    blank = one_page(pdf, page)
    with pdfplumber.open(io.BytesIO(blank)) as document:
        # A character printed two or three times over itself (a bold 年/月/日) is one.
        sheet = document.pages[0].dedupe_chars(tolerance=DUPLICATE_CHAR_PT)
        size = (float(sheet.width), float(sheet.height))
        segments = vector_segments(sheet)
        printed = printed_from(sheet.chars)
        words = words_from(sheet)
        brackets = drawn_brackets([[(float(x), float(y)) for x, y in c.get("pts", [])] for c in sheet.curves])
    # Rendered either way: a scanned blank's lines, and the cell ticks (dotted marks) in a box.
    gray = np.asarray(render(blank, RENDER_DPI).convert("L"), dtype=np.uint8)
    if not printed and read_page is not None:
        printed, words = printed_by_ocr(read_page(gray), RENDER_DPI)
    if len(segments) >= MIN_VECTOR_SEGMENTS:
        mask, source = segment_mask(segments, size), "vector"
    else:
        mask, source = raster_mask(gray, size), "raster"
    boxes = closed_boxes(mask)
    shaded = shaded_boxes(boxes, blank)
    fields = draft_fields(
        boxes,
        printed,
        words,
        shaded,
        lambda a, b: divided(mask, a, b),
        lambda box: cell_ticks(gray, px_per_pt(RENDER_DPI), box),
    )
    choices = option_cell_choices(blank, boxes, fields)
    fields = [*without_cells_ticked(fields, choices), *choices]
    # After the choices: an address row drafted in a cell beside its options would hide them.
    fields = certificate_named(reading_order([*fields, *address_rows(fields, [*printed, *brackets], boxes)]))
    headings = label_boxes(boxes, printed, shaded)
    fields = block_named(fields, headings, size[0])
    # The brackets, dates and underlines left to write in the running text (「その他（　　）」,
    # 「（令和　年　月　日）」, 「添付 ＿＿ 枚」), after the choices: one detailing an option is
    # named after its choice.
    fields = with_write_ins(fields, [*printed, *brackets], headings, size[0], segments)
    title = title_of(printed, size[1])
    title_text, title_box = title if title else ("", (size[0] * 0.25, 20.0, size[0] * 0.75, 70.0))
    template: dict[str, Any] = {
        "form_id": form_id,
        "form_code": form_code,
        "form_version": f"{form_code} ({version})",
        "title": title_text,
        "name": title_text,
        "blank_pdf": f"{form_id}.{_slug(version)}.pdf",
        "page": {
            "width": round(size[0], 2),
            "height": round(size[1], 2),
            "orientation": "landscape" if size[0] > size[1] else "portrait",
            "marks": "none",
        },
        "identify": {
            "footer": footer_of(printed, size, code_pattern),
            "title": _grown(title_box, 4.0, size),
            "code_pattern": code_pattern,
        },
        "fields": fields,
    }
    return Draft(template, blank, source)


#: An option's words quoting print: the cell is an instruction naming items, not options.
QUOTED = re.compile(r"[「」『』]")
#: A cell printing this is the insurer's, no choice for the writer.
OFFICE_WORDS = re.compile(r"協会使用|記入しないで|受\s*付\s*印")


def option_cell_choices(
    blank: bytes, boxes: Sequence[PtBox], fields: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The cells printing numbered options (a spreadsheet's 「1.男 2.女」, 「1.同居 2.別居」, a
    理由's 「1.死亡 2.離婚 …」, each in a cell of its own), each the choice the designer
    proposes when the cell is drawn round (○ round each item's number and word; a □ ticked
    where one is printed): one field per cell not already holding a drafted box, an era
    list left to its date and an office-use cell out."""
    from extractors.onboard.choices import (  # noqa: PLC0415 - it reads the blank through this module
        NoChoice,
        propose_choice,
        read_blank,
    )

    print_ = read_blank(blank)
    # A postcode's line after a printed 〒 leaves its cell's options a choice of their own.
    drafted = [b for f in fields if not is_printed_postcode(f) for b in _boxes_of(f)]
    taken = {str(f.get("name")) for f in fields}
    whole_cells = {
        b for f in fields if f.get("type") == "text" and len(_boxes_of(f)) == 1 for b in _boxes_of(f)
    }
    found: list[dict[str, Any]] = []
    for box in _numbered_cells_joined(boxes, print_):
        text = in_box(box, print_.chars)
        if OFFICE_WORDS.search(text):
            continue
        lone_tick = bool(text.strip()) and len(_empty_ticks(print_, box)) == 1
        within = [b for b in drafted if inside(((b[0] + b[2]) / 2, (b[1] + b[3]) / 2), box)]
        # A text box drafted over the whole of a cell printing a lone □ and its words (the
        # 資格取得届's 「□ 発行が必要」) is that □'s cell: the checkbox replaces it
        # (:func:`without_cells_ticked`).
        if within and not (lone_tick and all(b in whole_cells and _covers_most(b, box) for b in within)):
            continue
        # Numbered options, or a lone □ printed as a character or a picture (協会けんぽ's
        # 資格喪失届: 「□ 70歳以上被用者不該当」, a picture in a cell of its own) that no drawn box
        # drafted. (A cell of several such □ — the 住所変更届's 備考 — is left to the admin: the
        # kept KY-04's replay has none.)
        if len(NUMBERED_OPTION.findall(text)) < 2 and not lone_tick:
            continue
        try:
            proposal = propose_choice(print_, box)
        except NoChoice:
            continue
        values = [o.value for o in proposal.options]
        if set(values) <= set(ERA_NAMES.values()) or OFFICE_WORDS.search(proposal.label):
            continue  # an era list is its date's; the office's own cell
        if any(QUOTED.search(o.label) for o in proposal.options):
            continue  # an instruction quoting items (「備考」欄の「その他」に○をし、…)
        # A choice of no known label is named by its first option (「0．無 1．有」 choice_no), so
        # that two in one block never read as one choice and its copy (choice, choice_2).
        base = f"choice_{values[0]}" if proposal.name == "choice" else proposal.name
        name = unique_name(base, taken)
        field: dict[str, Any] = {"name": name, "label": proposal.label, "type": proposal.type}
        if proposal.type == "checkbox":
            field["box"] = [round(v, 1) for v in proposal.options[0].box]
        else:
            field |= {
                "style": proposal.style,
                "options": {o.value: [round(v, 1) for v in o.box] for o in proposal.options},
                "option_labels": {o.value: o.label for o in proposal.options},
            }
        found.append(field)
    return found


def _covers_most(inner: PtBox, cell: PtBox) -> bool:
    """Whether ``inner`` takes at least half of ``cell`` (a text box drafted over the cell)."""
    inner_area = max(0.0, inner[2] - inner[0]) * max(0.0, inner[3] - inner[1])
    return inner_area >= 0.5 * (cell[2] - cell[0]) * (cell[3] - cell[1])


def without_cells_ticked(
    fields: Sequence[dict[str, Any]], choices: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """``fields`` without the text boxes a checkbox of :func:`option_cell_choices` lies in
    (drafted over the cell of a lone □ and its words, before the □ was found)."""
    ticks = [c["box"] for c in choices if c.get("type") == "checkbox"]
    return [
        f
        for f in fields
        if not (
            f.get("type") == "text"
            and len(_boxes_of(f)) == 1
            and any(inside(((t[0] + t[2]) / 2, (t[1] + t[3]) / 2), _boxes_of(f)[0], 2.0) for t in ticks)
        )
    ]


#: Two cells this close (pt) along their shared edge and their sides are one above the other.
CELL_EDGE_SLACK = 1.0


def _numbered_cells_joined(boxes: Sequence[PtBox], print_: BlankPrint) -> list[PtBox]:
    """The boxes, a cell printing one numbered option alone (no choice by itself) joined with
    the cell right under it whose numbers go on from it (協会けんぽ's 資格取得届 tints its
    取得区分 cell in two rectangles, leaving 「1．健保・厚年」 in a box of its own above
    「3．共済出向」「4．船保任継」): one choice."""

    def numbers(box: PtBox) -> list[int]:
        found = NUMBERED_OPTION.findall(in_box(box, print_.chars))
        return [int(unicodedata.normalize("NFKC", item).split(".")[0].strip()) for item in found]

    joined = list(boxes)
    for upper in boxes:
        above = numbers(upper)
        if len(above) != 1:
            continue
        below = next(
            (
                b
                for b in joined
                if abs(b[0] - upper[0]) <= CELL_EDGE_SLACK
                and abs(b[2] - upper[2]) <= CELL_EDGE_SLACK
                and abs(b[1] - upper[3]) <= CELL_EDGE_SLACK
                and (more := numbers(b))
                and min(more) > above[0]
            ),
            None,
        )
        if below is not None and upper in joined:
            joined.remove(upper)
            joined.remove(below)
            joined.append((min(upper[0], below[0]), upper[1], max(upper[2], below[2]), below[3]))
    return joined


#: A tick box printed 「□ 発行が必要」 (資格確認書発行要否) is our forms' ``certificate_required``.
CERTIFICATE_WORDS = re.compile(r"発行が必要|発行要否")


def certificate_named(fields: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``fields`` with each checkbox of a 資格確認書発行要否 (「□ 発行が必要」) that has no name
    of its own named as our forms name it, ``certificate_required`` (``dep1_…`` once in its
    block): the issuance rules and the generator know that name."""
    taken = {str(f.get("name")) for f in fields}
    named = []
    for field in fields:
        if (
            field.get("type") == "checkbox"
            and CERTIFICATE_WORDS.search(str(field.get("label", "")))
            and re.fullmatch(r"(checkbox|field)(_\d+)?", str(field.get("name")))
        ):
            taken.discard(str(field["name"]))
            field = {**field, "name": unique_name("certificate_required", taken)}
        named.append(field)
    return named


def _empty_ticks(print_: BlankPrint, box: PtBox) -> list[PtBox]:
    """The □ in ``box`` with nothing printed inside them (a cell of an instructions page's
    example printing 「3」 is none)."""
    from extractors.onboard.choices import ticks_in  # noqa: PLC0415 - see option_cell_choices

    return [tick for tick in ticks_in(print_, box) if not in_box(tick, print_.chars).strip()]


#: A box whose paper is at least this share grey or coloured (not white, not print) is a
#: shaded label.
SHADED_SHARE = 0.5
#: A colour (not a grey) differs this much between its brightest and darkest channel.
COLOURED = 40
#: A box at least this share dark is drawn over (a bar code), no place to write; judged on
#: boxes at least this large (pt, either side): a mark's small square is a tick's matter.
DRAWN_SHARE = 0.25
DRAWN_SIDE = 20.0


def shaded_boxes(boxes: Sequence[PtBox], blank: bytes) -> frozenset[PtBox]:
    """The boxes printed grey or in a colour (label cells of most forms; a spreadsheet's
    headings filled blue), or drawn over (a bar code), judged on the rendered blank."""
    rgb = np.asarray(render(blank, 72).convert("RGB"), dtype=np.int16)
    gray = np.asarray(render(blank, 72).convert("L"), dtype=np.int16)
    shaded = set()
    for box in boxes:
        x0, y0, x1, y1 = (round(v) for v in box)
        inner = gray[y0 + 2 : y1 - 1, x0 + 2 : x1 - 1]
        if not inner.size:
            continue
        chroma = np.ptp(rgb[y0 + 2 : y1 - 1, x0 + 2 : x1 - 1], axis=2)
        grey = (inner > 150) & (inner < 245)
        coloured = (chroma >= COLOURED) & (inner < 245)
        if np.count_nonzero(grey | coloured) >= SHADED_SHARE * inner.size or (
            min(box[2] - box[0], box[3] - box[1]) >= DRAWN_SIDE
            and np.count_nonzero(inner < 100) >= DRAWN_SHARE * inner.size
        ):
            shaded.add(box)
    return frozenset(shaded)


def _slug(version: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "_", version).strip("_")


def overlay_png(template: dict[str, Any], blank_pdf: bytes) -> bytes:
    """The blank with every field's boxes drawn in its type's colour and named, as PNG."""
    image = render(blank_pdf, OVERLAY_DPI)
    pen = ImageDraw.Draw(image)
    scale = px_per_pt(OVERLAY_DPI)
    font = ImageFont.truetype(FONT, 11)
    for field in template.get("fields", []):
        colour = COLOURS.get(str(field.get("type")), (0, 0, 0))
        boxes = _boxes_of(field)
        for box in boxes:
            pen.rectangle([v * scale for v in box], outline=colour, width=2)
        if boxes:
            x0, y0 = boxes[0][0] * scale, boxes[0][1] * scale
            reads = f" → {field['reading_of']}" if field.get("reading_of") else ""  # a フリガナ's name
            pen.text(
                (x0 + 1, y0 - 12), f"{field.get('name')}:{field.get('type')}{reads}", fill=colour, font=font
            )
    for key, colour in (("title", (0, 0, 0)), ("footer", (128, 128, 128))):
        box = template.get("identify", {}).get(key)
        if box:
            pen.rectangle([v * scale for v in box], outline=colour, width=1)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _boxes_of(field: dict[str, Any]) -> list[PtBox]:
    """Every box a template field names, as drawn on the overlay."""
    found: list[PtBox] = []

    def add(value: Any) -> None:
        if isinstance(value, list) and len(value) >= 4 and all(isinstance(v, int | float) for v in value[:4]):
            found.append((float(value[0]), float(value[1]), float(value[2]), float(value[3])))

    for key in ("box", "year", "month", "day", "era_box"):
        add(field.get(key))
    for line in field.get("more_lines", []):
        add(line)
    for segment in field.get("segments", []):
        add(segment)
    for key in ("options", "era_options"):
        for value in dict(field.get(key, {})).values():
            add(value)
    return found


def in_box(box: PtBox, printed: Sequence[Printed]) -> str:
    """What is printed in ``box`` (for a person reading the draft)."""
    return "".join(p.text for p in chars_in(box, printed))
