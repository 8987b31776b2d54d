"""Which form and version is this page, whatever way up it was scanned."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from extractors.fields.crops import text_crop
from extractors.normalize import nfkc
from extractors.template import Template
from ocr.engine import OcrEngine
from ocr.preprocess import (
    RULE_TOLERANCE_IN,
    Rules,
    align,
    flatten_photo,
    grey_percentile,
    printed_rules,
    refine_to_reference,
    rotate,
    rule_agreement,
)
from ocr.raster import RasterLimits, rasterize
from ocr.types import Image, pt_to_px

_TITLE_MATCH = 0.75
#: A page aligned on its marks whose printed rules agree less than this with the blank form
#: (see :func:`ocr.preprocess.rule_agreement`) is aligned again on the printed structure.
#: Generated and most outside scans score 0.99–1.0 when right; a scan stretched in one
#: direction, photographed at an angle or shifted without its marks scores 0.55–0.96.
WELL_ALIGNED = 0.97
#: A page is a form only when its printed structure fits the blank form both ways, once
#: aligned as well as it can be (:func:`structure_fit`): at least this share of the blank's
#: rules found on the page, and :data:`OWN_LINES_FIT` of the page's own lines on the blank's
#: print. Our forms, scanned, faxed or photographed, show 0.9 and more of the blank's rules;
#: another insurer's 被扶養者（異動）届 (our title, another structure) and its 資格取得届 /
#: 資格喪失届 0.4 at most, shifted or rescaled.
STRUCTURE_FITS = 0.6
#: The other way round: our forms' lines lie on our print (0.99–1.0, written on, sealed,
#: faxed or photographed); another form's lie on ours 0.45–0.85, and a page with our print
#: and another form's over it (every rule of ours found) 0.73.
OWN_LINES_FIT = 0.9
#: How far (inches) from the blank form's print a line of the page may lie and still be its
#: print: the page has been aligned, so a few pixels of a bold or blurred scan.
PRINT_REACH_IN = 0.045
#: An area of the blank form darker than this share of the way from the threshold
#: :func:`ocr.preprocess.binarize` sets there to its paper is print, though lighter than the
#: threshold: 協会けんぽ's green 被保険者 bands render at 146 of 255 (threshold 135, paper 255),
#: and come out as ink on a filled scan (its writing moves the threshold to 145–175). Paler
#: shading (label cells at 208–231, our SK forms' included) stays paper on such scans and is
#: left out, so that another form's lines over it are not taken for print.
TINT_SHARE = 0.5
#: A tinted area narrower than this (pixels, either way) is an anti-aliased edge, not a fill.
TINT_MIN_PX = 5
#: Lines this close to the page's edges (share of each side) are left out of the fit: a
#: scanner's edge shadow is no part of any form.
FIT_EDGE = 0.03
#: The quick look before aligning a page on a blank form's structure (ECC at full size costs
#: seconds for a page that is none of ours): shifted onto the blank and aligned roughly at
#: :data:`SCREEN_DPI`, the page must fit it this well, rules and print within
#: :data:`SCREEN_REACH_IN`. Our forms with their marks cut off and shifted by 30 pt score
#: 0.55 and more (most 0.9–1.0); the look-alikes, shifted or rescaled, 0.47 at most.
SCREEN_FITS = 0.5
SCREEN_DPI = 100
SCREEN_REACH_IN = 0.045
#: ECC steps of the quick look: from a page already shifted into place it settles in fewer.
SCREEN_ITERATIONS = 20
#: ECC steps of the quick look's second try, from the page as it lies, when the first did not
#: settle (協会けんぽ's landscape 住所変更届 printed at 95 %).
SCREEN_RETRY_ITERATIONS = 40
#: ECC steps aligning a page that passed the quick look on the blank form (at a quarter of
#: the page's size, from the shift found by phase correlation) before its footer is read.
STRUCTURE_ITERATIONS = 60
#: A page that agrees less than this with a blank form's rules once coarsely aligned on its
#: structure (affine, quarter size) is not that form from where the alignment started: the
#: finer and perspective passes (seconds) are not tried. Our forms and 協会けんぽ's, scanned,
#: faxed, photographed or printed small, agree 0.97 and more at that point; 協会けんぽ's
#: 資格取得届 on its sibling 資格喪失届's blank 0.33, a page shifted a wrong way 0.0.
COARSE_FIT_FLOOR = 0.5


@dataclass(frozen=True)
class Identified:
    template: Template
    rotation: int
    aligned: Image
    #: Whether the page was aligned on its registration marks (not on its structure alone).
    marks_found: bool
    footer_text: str
    #: How well the aligned page shows the form's printed rules where they belong (0–1).
    alignment: float = 1.0


def _normalise_title(text: str) -> str:
    # Middle dots come back as any of ・·･‧; the society's name before the title is not needed.
    return re.sub(r"[\s　・·･‧]", "", nfkc(text)).replace("健康保険", "")


def match_footer(text: str, templates: Sequence[Template]) -> Template | None:
    """The template whose own code pattern (:attr:`Template.code_pattern`) the footer
    reading names; of several versions of one code, the version read, when readable."""
    reading = nfkc(text).upper()
    named: list[tuple[Template, str]] = []
    for template in templates:
        found = template.code_pattern.search(reading) if template.code_pattern else None
        if found is not None:
            named.append((template, _version_read(found)))
    exact = [template for template, version in named if version in template.form_version]
    candidates = exact or [template for template, _ in named]
    return candidates[0] if candidates else None


def _version_read(found: re.Match[str]) -> str:
    """「(2025.4)」 from a footer match's ``year`` and ``month`` groups; empty without them."""
    groups = found.groupdict()
    if groups.get("year") and groups.get("month"):
        return f"({groups['year']}.{int(groups['month'])})"
    return ""


def title_candidates(text: str, templates: Sequence[Template]) -> list[Template]:
    """The templates whose printed title is found in ``text`` (at least :data:`_TITLE_MATCH`
    of it, in order; words read around it do not count against it), best first by a
    symmetric similarity (matched characters over both lengths): a template with a shorter
    title that the reading also contains ranks below the one whose whole title was read."""
    wanted = _normalise_title(text)
    if not wanted:
        return []
    scored: list[tuple[float, Template]] = []
    for template in templates:
        title = _normalise_title(template.title)
        matched = _matched(title, wanted)
        if title and matched / len(title) >= _TITLE_MATCH:
            scored.append((2 * matched / (len(title) + len(wanted)), template))
    return [template for _, template in sorted(scored, key=lambda item: -item[0])]


def match_title(text: str, templates: Sequence[Template]) -> Template | None:
    """The template whose printed title is closest to ``text``, if close enough."""
    candidates = title_candidates(text, templates)
    return candidates[0] if candidates else None


def _matched(title: str, text: str) -> int:
    """How many characters of ``title`` are found in ``text``, in order."""
    blocks = difflib.SequenceMatcher(None, title, text, autojunk=False).get_matching_blocks()
    return sum(block.size for block in blocks)


def named_by(footer: str, title: str, templates: Sequence[Template]) -> list[Template]:
    """The templates a page's footer and title readings name, the footer's first."""
    named = [t for t in (match_footer(footer, templates),) if t is not None]
    return named + [t for t in title_candidates(title, templates) if t not in named]


def structure_fit(
    page: Image, template: Template, dpi: int, reach_in: float = RULE_TOLERANCE_IN
) -> tuple[float, float]:
    """How well an aligned page's printed structure fits the blank form, both ways: the
    share of the blank's long rules found on the page (within ``reach_in``, worst band,
    :func:`ocr.preprocess.rule_agreement`), and the share of the page's own long lines that
    lie on the blank's print. A page with more structure than the blank (our print and
    another form's over it) fits as badly as one with less."""
    found = rules_found(page, template, dpi, reach_in)
    return found, _lines_on_print(page, template, dpi)


def rules_found(page: Image, template: Template, dpi: int, reach_in: float = RULE_TOLERANCE_IN) -> float:
    """The share of the blank's long rules found on an aligned page
    (:func:`ocr.preprocess.rule_agreement`): of the blank as a colour scan is read (red print
    dropped) or, for a form printed in colour, as a grey or black-and-white scan shows it
    (red print dark), the better. 協会けんぽ's 資格喪失届 fills its 提出者記入欄 and 被保険者 label
    columns in red: scanned black-and-white they are black bands the rules beside them vanish
    into (0.47 of the dropped blank's rules found, 1.0 of the grey one's)."""
    found = rule_agreement(page, blank_rules(template.blank_pdf, dpi), dpi, reach_in)
    if found >= WELL_ALIGNED or not printed_in_colour(template.blank_pdf, dpi):
        return found
    return max(found, rule_agreement(page, blank_rules_grey(template.blank_pdf, dpi), dpi, reach_in))


def fits(found: float, own: float) -> bool:
    """Whether a :func:`structure_fit` makes the page the blank form's (see :data:`STRUCTURE_FITS`)."""
    return found >= STRUCTURE_FITS and own >= OWN_LINES_FIT


def _lines_on_print(page: Image, template: Template, dpi: int) -> float:
    """Share of the page's long printed lines (edges left out) within :data:`PRINT_REACH_IN`
    of the blank form's print; 0.0 for a page without any."""
    near = _blank_print_near(template.blank_pdf, dpi)
    if page.shape[:2] != near.shape[:2]:
        return 0.0
    rules = printed_rules(page, dpi)
    lines = cv2.bitwise_or(rules.across, rules.down)
    height, width = lines.shape[:2]
    dy, dx = int(height * FIT_EDGE), int(width * FIT_EDGE)
    inner = lines[dy : height - dy, dx : width - dx]
    total = int(np.count_nonzero(inner))
    on_print = int(np.count_nonzero(cv2.bitwise_and(inner, near[dy : height - dy, dx : width - dx])))
    return on_print / total if total else 0.0


@lru_cache(maxsize=16)
def _blank_print_near(pdf: Path, dpi: int) -> Image:
    """The blank form's print (ink = 255) widened by :data:`PRINT_REACH_IN`: its ink and its
    tinted areas (:func:`_blank_print`), in black and in colour. A colour scan is read through
    its red channel, where red print is as light as the paper; a grey or black-and-white scan
    keeps it dark — 協会けんぽ's 資格喪失届 prints its 提出者記入欄 and 被保険者 columns in red,
    and scanned grey its own lines fell off the print (not_a_form)."""
    reach = max(1, round(dpi * PRINT_REACH_IN))
    kernel = np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)
    printed = _blank_print(blank_page(pdf, dpi))
    if printed_in_colour(pdf, dpi):
        printed = np.asarray(cv2.bitwise_or(printed, _blank_print(blank_page_grey(pdf, dpi))), dtype=np.uint8)
    return np.asarray(cv2.dilate(printed, kernel), dtype=np.uint8)


def _blank_print(blank: Image) -> Image:
    """Everything printed on a blank form (ink = 255): what :func:`ocr.preprocess.binarize`
    keeps, and every area darker than :data:`TINT_SHARE` of the way from its threshold to the
    paper (a solid or tinted band; specks and anti-aliased edges left out). A scan darker
    than the blank turns a mid-grey band into ink, and the band's edges into long lines."""
    threshold, ink = cv2.threshold(blank, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    paper = grey_percentile(blank, 90)
    tinted = (blank < threshold + TINT_SHARE * max(paper - threshold, 0.0)).astype(np.uint8) * 255
    areas = cv2.morphologyEx(tinted, cv2.MORPH_OPEN, np.ones((TINT_MIN_PX, TINT_MIN_PX), np.uint8))
    return np.asarray(cv2.bitwise_or(ink, areas), dtype=np.uint8)


def screen_fit(page: Image, template: Template) -> tuple[float, Image]:
    """A quick look at whether ``page`` (any size) may be ``template``'s form: roughly
    aligned on the blank at :data:`SCREEN_DPI` (shifted by phase correlation of the two
    pages' ink, then ECC), the lesser of its :func:`structure_fit` both ways within
    :data:`SCREEN_REACH_IN`; and the
    roughly aligned page. 0.0 when ECC does not converge."""
    reference = blank_page(template.blank_pdf, SCREEN_DPI)
    small = cv2.resize(page, (reference.shape[1], reference.shape[0]), interpolation=cv2.INTER_AREA)
    shifted = _shifted_onto(np.ascontiguousarray(small), reference)
    rough, converged = refine_to_reference(shifted, reference, scale=0.25, iterations=SCREEN_ITERATIONS)
    if not converged:
        # The shift that lays the two pages' ink best over each other can be wrong for a page
        # printed smaller (95 %) on a sheet mostly blank (a landscape form): ECC from the page
        # as it lies, once, before it is said not to be this form.
        rough, converged = refine_to_reference(
            np.ascontiguousarray(small), reference, scale=0.25, iterations=SCREEN_RETRY_ITERATIONS
        )
    if not converged:
        return 0.0, rough
    return min(structure_fit(rough, template, SCREEN_DPI, SCREEN_REACH_IN)), rough


def _shifted_onto(image: Image, reference: Image) -> Image:
    """``image`` moved by the translation that best lays its ink over ``reference``'s
    (phase correlation at half size): ECC then starts near the answer, however far a page
    was shifted in the scanner."""

    def ink(gray: Image) -> npt.NDArray[np.float32]:
        small = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        return np.asarray(cv2.GaussianBlur((255.0 - small.astype(np.float32)) / 255.0, (0, 0), 1.0))

    height, width = reference.shape[:2]
    if image.shape[:2] != (height, width):  # a canvas rounded one pixel off the rendered blank
        image = np.ascontiguousarray(cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA))
    (dx, dy), _ = cv2.phaseCorrelate(ink(image), ink(reference))
    move = np.array([[1.0, 0.0, 2 * dx], [0.0, 1.0, 2 * dy]], dtype=np.float32)
    moved = cv2.warpAffine(image, move, (width, height), flags=cv2.INTER_LINEAR, borderValue=(255,))
    return np.ascontiguousarray(moved, dtype=np.uint8)


def identify(page: Image, templates: Sequence[Template], engine: OcrEngine, dpi: int) -> Identified | None:
    """The form and version of a page, or None when it is none of ``templates``' forms.

    Each template is looked for on its own canvas (page size, orientation, marks) with its
    own footer and title boxes, in each plausible rotation: a form named by its footer code
    or its title is the page's form only when the page's printed structure fits that blank
    form both ways (:func:`structure_fit`, :func:`fits`, once aligned). A page whose marks
    are cut off and whose footer and title were not read is aligned on each blank form's
    structure and read again. A page photographed on a table is cut out first."""
    page = flatten_photo(page)
    #: Per layout and rotation tried: the page scaled onto the canvas where no marks were found.
    unmarked: dict[tuple[int, int], Image | None] = {}
    #: Per template and rotation: aligned on its structure in full, and found not to fit.
    rejected: set[tuple[int, int]] = set()
    for index, (reference, group) in enumerate(_layouts(templates)):
        for rotation in _rotations(page, reference):
            turned = rotate(page, rotation)
            aligned, marks = align(turned, reference.canvas, dpi)
            footer = _footer_read(aligned, reference, engine, dpi)
            by_footer = match_footer(footer, group)
            fitted = _fitted(turned, aligned, by_footer, dpi, marks, screen=False) if by_footer else None
            if by_footer is not None and fitted is not None:
                image, quality, on_marks = fitted
                return Identified(by_footer, rotation, image, on_marks, footer, quality)
            if by_footer is not None:
                rejected.add((id(by_footer), rotation))
            # The title is read only when the footer did not settle it: most pages are named
            # by their footer, and the title is the widest line the recogniser is given.
            (title,) = engine.recognize([text_crop(aligned, reference.title_box, dpi)])
            for template in named_by(footer, title.text, group):
                if template is by_footer:
                    continue  # tried above
                fitted = _fitted(turned, aligned, template, dpi, marks, screen=True)
                if fitted is not None:
                    image, quality, on_marks = fitted
                    return Identified(template, rotation, image, on_marks, footer, quality)
                rejected.add((id(template), rotation))
            # Marks found this way up and nothing fitted: not this way up.
            unmarked[(index, rotation)] = None if marks else aligned
    return _identify_by_structure(page, templates, engine, dpi, unmarked, rejected)


def _footer_read(aligned: Image, reference: Template, engine: OcrEngine, dpi: int) -> str:
    """The footer's reading on an aligned page; empty for a form without a footer (nothing read)."""
    if not reference.has_footer:
        return ""
    (footer,) = engine.recognize([text_crop(aligned, reference.footer_box, dpi)])
    return footer.text


def _layouts(templates: Sequence[Template]) -> list[tuple[Template, tuple[Template, ...]]]:
    """The templates grouped by where identification reads them (canvas, footer box or none,
    title box; our four forms share one): a representative and its group, in template order."""
    groups: dict[tuple[object, ...], list[Template]] = {}
    for template in templates:
        key = (
            template.canvas,
            template.has_footer,
            template.footer_box,
            template.title_box,
            template.orientation,
        )
        groups.setdefault(key, []).append(template)
    return [(group[0], tuple(group)) for group in groups.values()]


def _rotations(page: Image, template: Template) -> list[int]:
    """Rotations worth trying for ``template``, most likely first. A page that stands the
    way the form stands (portrait or landscape) is tried upright and upside down only; one
    that does not, turned a quarter first, then as it is (a fax's page, squeezed to half its
    height, looks landscape)."""
    height, width = page.shape[:2]
    upright = (height >= width) == (template.orientation == "portrait")
    return [0, 180] if upright else [90, 270, 0, 180]


def _fitted(
    page: Image, aligned: Image, template: Template, dpi: int, marks: bool, screen: bool = True
) -> tuple[Image, float, bool] | None:
    """``page`` (as scanned, turned) aligned on ``template``, its rule agreement and whether
    its marks were used, or None
    when its printed structure does not fit the blank form (:func:`fits`). A page aligned on
    its marks (``aligned``) that shows the blank's rules is kept, or aligned again on the
    structure from there; one without marks, or whose marks put it where the blank's rules
    are not (a mark cut off and another square taken for it), passes :func:`screen_fit`
    first (unless ``screen`` is False: a page whose footer code names the form is always
    aligned in full, the quick look may miss a photographed one) and is then aligned on the
    structure: from where the phase correlation puts it, or else from where it lies."""
    if marks:
        found, own = structure_fit(aligned, template, dpi)
        if found >= WELL_ALIGNED:
            return (aligned, found, True) if own >= OWN_LINES_FIT else None
        # From the marks first, however far off they left it (a photographed page bends
        # between them): ECC from there is the nearest start.
        realigned = _realigned(aligned, template, dpi, True)
        if realigned is not None or found >= STRUCTURE_FITS:
            return realigned
    start = _on_canvas(page, template, dpi)
    if screen and screen_fit(start, template)[0] < SCREEN_FITS:
        return None
    shifted = _realigned(_shifted_onto(start, blank_page(template.blank_pdf, dpi)), template, dpi, False)
    # The shift that lays the two pages' ink best over each other can start ECC in a wrong
    # place (a photographed page's writing and shading): the page as it lies is tried too.
    return shifted if shifted is not None else _realigned(start, template, dpi, False)


def _on_canvas(page: Image, template: Template, dpi: int) -> Image:
    """The page scaled onto the template's canvas at ``dpi``, as :func:`align` does without marks."""
    size = (round(pt_to_px(template.canvas.width_pt, dpi)), round(pt_to_px(template.canvas.height_pt, dpi)))
    return np.ascontiguousarray(cv2.resize(page, size, interpolation=cv2.INTER_AREA))


def _realigned(page: Image, template: Template, dpi: int, marks: bool) -> tuple[Image, float, bool] | None:
    """:func:`aligned_on_structure` (``marks``: the page was aligned on them), and None when
    the result does not :func:`fits` the form."""
    aligned, quality = aligned_on_structure(page, template, dpi, marks, give_up_below=COARSE_FIT_FLOOR)
    return (aligned, quality, marks) if fits(quality, _lines_on_print(aligned, template, dpi)) else None


def aligned_on_structure(
    page: Image, template: Template, dpi: int, marks: bool, give_up_below: float = 0.0
) -> tuple[Image, float]:
    """The page and how well it agrees with the form's printed rules, aligned again on that
    structure where its marks were not found or left it disagreeing (a page stretched in one
    direction by the scanner, photographed at an angle, or shifted with a mark cut off).
    Affine first, a homography (perspective) when that is not enough; the best wins. The
    finer and perspective passes are skipped when the coarse affine one leaves the page
    agreeing less than ``give_up_below`` (identification: not this form, or not from here)."""
    as_it_lies = rules_found(page, template, dpi)
    best = (page, as_it_lies if marks else 0.0)
    if best[1] >= WELL_ALIGNED:
        return best
    # The blank as the page was scanned (a form printed in colour, scanned grey: its colour
    # print dark), for ECC to follow.
    reference = blank_as_scanned(page, template, dpi)
    # Coarse (quarter size) first; a finer pass from there settles the last pixels.
    for perspective, scale, start in ((False, 0.25, 0), (False, 0.5, 1), (True, 0.25, 0), (True, 0.5, 1)):
        if best[1] >= WELL_ALIGNED:
            break
        source = page if start == 0 else best[0]
        refined, converged = refine_to_reference(source, reference, scale=scale, perspective=perspective)
        if converged:
            quality = rules_found(refined, template, dpi)
            if quality > best[1]:
                best = (refined, quality)
        if start == 0 and not perspective and best[1] < give_up_below:
            break
    # The page as it lies, where ECC did worse: a form's red print scanned black (bands the
    # blank read through its red channel lacks) led ECC astray from a page already in place.
    return best if best[1] >= as_it_lies else (page, as_it_lies)


def _identify_by_structure(
    page: Image,
    templates: Sequence[Template],
    engine: OcrEngine,
    dpi: int,
    unmarked: dict[tuple[int, int], Image | None],
    rejected: set[tuple[int, int]],
) -> Identified | None:
    """Last resort for a page whose marks are cut off and whose footer and title were not
    where a rough fit put them: upright or upside down (how forms are fed), each blank form
    whose structure the page passes :func:`screen_fit` for, best first, is aligned on (ECC)
    and its footer and title read again; they must name that form, and the structure fit."""
    for index, (reference, group) in enumerate(_layouts(templates)):
        for rotation in _rotations(page, reference)[:2]:
            if (index, rotation) in unmarked and unmarked[(index, rotation)] is None:
                continue
            coarse = unmarked.get((index, rotation))
            if coarse is None:
                coarse, _ = align(rotate(page, rotation), reference.canvas, dpi)
            # A form its footer or title named this way up, and whose structure did not fit
            # once aligned in full, is not looked at again (a sibling form: seconds).
            others = [t for t in group if (id(t), rotation) not in rejected]
            screened = sorted(((screen_fit(coarse, t)[0], t) for t in others), key=lambda item: -item[0])
            for score, candidate in screened:
                if score < SCREEN_FITS:
                    break
                aligned, converged = _refined_on_blank(coarse, candidate, dpi)
                if not converged:
                    continue
                # Footer (where there is one) and title in one batch.
                boxes = [reference.footer_box] if reference.has_footer else []
                *footers, title = engine.recognize(
                    [text_crop(aligned, box, dpi) for box in (*boxes, reference.title_box)]
                )
                footer = footers[0].text if footers else ""
                if candidate not in named_by(footer, title.text, group):
                    continue
                quality = rules_found(aligned, candidate, dpi)
                if fits(quality, _lines_on_print(aligned, candidate, dpi)):
                    return Identified(candidate, rotation, aligned, False, footer, quality)
    return None


def _refined_on_blank(page: Image, template: Template, dpi: int) -> tuple[Image, bool]:
    """``page`` shifted onto the blank and aligned by ECC, on the blank as the page was scanned
    (:func:`blank_as_scanned`: the red bands of a black-and-white scan led ECC astray on the
    blank read through its red channel)."""
    reference = blank_as_scanned(page, template, dpi)
    return refine_to_reference(_shifted_onto(page, reference), reference, iterations=STRUCTURE_ITERATIONS)


#: A page (roughly in place) is a grey or black-and-white scan of a form printed in colour when
#: this share of the blank's colour print, its edges left out, is ink on it.
COLOUR_PRINT_DARK = 0.5
#: Colour print: dark (below this grey level) in the blank as a grey scanner sees it …
COLOUR_DARK_LEVEL = 128
#: … and light (above this) as a colour scan is read (its red channel).
COLOUR_LIGHT_LEVEL = 200


def blank_as_scanned(page: Image, template: Template, dpi: int) -> Image:
    """The blank rendered as ``page`` was scanned, for ECC to align it on: through its red
    channel (a colour scan: red print dropped), or, for a form printed in colour whose colour
    print is dark on the page (a grey or black-and-white scan), as a grey scanner sees it."""
    dropped = blank_page(template.blank_pdf, dpi)
    inside = _colour_print(template.blank_pdf, dpi) if printed_in_colour(template.blank_pdf, dpi) else None
    if inside is None or not inside.any():
        return dropped
    # The page laid over the grey blank by its ink (a page some pixels off, or turned a little,
    # still covers the colour print): 0.97–0.99 of it dark on grey and 1-bit scans shifted and
    # turned, 0.00–0.04 on colour ones.
    grey = blank_page_grey(template.blank_pdf, dpi)
    laid = _shifted_onto(page, grey)  # (on the blank's own size: a canvas may be a pixel smaller)
    dark = int(np.count_nonzero(laid[inside] < COLOUR_DARK_LEVEL)) / int(np.count_nonzero(inside))
    return grey if dark >= COLOUR_PRINT_DARK else dropped


@lru_cache(maxsize=16)
def _colour_print(pdf: Path, dpi: int) -> npt.NDArray[np.bool_]:
    """Where the blank prints in colour (dark as a grey scanner sees it, light through the red
    channel), its edges left out (what a page some pixels off still has there)."""
    grey, dropped = blank_page_grey(pdf, dpi), blank_page(pdf, dpi)
    colour = ((grey < COLOUR_DARK_LEVEL) & (dropped > COLOUR_LIGHT_LEVEL)).astype(np.uint8)
    return np.asarray(cv2.erode(colour, np.ones((9, 9), np.uint8)) > 0)


@lru_cache(maxsize=16)
def blank_page(pdf: Path, dpi: int) -> Image:
    """The blank form rendered at ``dpi``: the reference for alignment and for ink baselines."""
    return rasterize(pdf.read_bytes(), "pdf", RasterLimits(max_pages=1, dpi=dpi))[0]


@lru_cache(maxsize=16)
def blank_page_grey(pdf: Path, dpi: int) -> Image:
    """The blank form rendered at ``dpi`` as a grey scanner sees it (colour print dark too)."""
    limits = RasterLimits(max_pages=1, dpi=dpi, red_dropout=False, luminance=True)
    return rasterize(pdf.read_bytes(), "pdf", limits)[0]


@lru_cache(maxsize=16)
def printed_in_colour(pdf: Path, dpi: int) -> bool:
    """Whether the blank prints in a colour (its red drop-out and grey renderings differ)."""
    dropped, grey = blank_page(pdf, dpi), blank_page_grey(pdf, dpi)
    return bool(
        np.count_nonzero(cv2.absdiff(dropped, grey) > COLOUR_PRINT_LEVELS)
        > COLOUR_PRINT_MIN_SHARE * grey.size
    )


#: Renderings differing by more than this (grey levels) on more than this share of the page:
#: print in a colour (anti-aliasing and the renderer's grey conversion differ by a level or two).
COLOUR_PRINT_LEVELS = 32
COLOUR_PRINT_MIN_SHARE = 0.001


@lru_cache(maxsize=16)
def blank_rules_grey(pdf: Path, dpi: int) -> Rules:
    """:func:`blank_rules` of the blank as a grey scanner sees it (colour print dark)."""
    return printed_rules(blank_page_grey(pdf, dpi), dpi)


@lru_cache(maxsize=16)
def blank_rules(pdf: Path, dpi: int) -> Rules:
    """The blank form's long printed rules at ``dpi``: where an aligned page must show them."""
    return printed_rules(blank_page(pdf, dpi), dpi)


#: A printed line this long (inches, ~9 pt) divides cells: a one-row cell's side is as short
#: as the row, and no printed character has a stroke this long.
CELL_RULE_IN = 0.13


@lru_cache(maxsize=16)
def cell_rules(pdf: Path, dpi: int) -> Rules:
    """The blank form's printed lines that close cells, short ones included."""
    return printed_rules(blank_page(pdf, dpi), dpi, CELL_RULE_IN)
