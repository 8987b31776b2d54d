"""Which form and version is this page, whatever way up it was scanned."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from extractors.fields.crops import text_crop
from extractors.normalize import nfkc
from extractors.template import Template
from ocr.engine import OcrEngine
from ocr.preprocess import (
    Rules,
    align,
    flatten_photo,
    orientation_candidates,
    printed_rules,
    refine_to_reference,
    rotate,
    rule_agreement,
)
from ocr.raster import RasterLimits, rasterize
from ocr.types import Image

# 「様式 SK-01 (2025.4)」: OCR may drop the hyphen, read 0 as O or the brackets as others.
_FOOTER = re.compile(r"S\s*K\s*[-‐ー一~]?\s*[0O]?\s*([1-9])\s*[\(（]?\s*(\d{4})\s*[.,・]\s*(\d{1,2})")
_TITLE_MATCH = 0.75
#: A page aligned on its marks whose printed rules agree less than this with the blank form
#: (see :func:`ocr.preprocess.rule_agreement`) is aligned again on the printed structure.
#: Generated and most outside scans score 0.99–1.0 when right; a scan stretched in one
#: direction, photographed at an angle or shifted without its marks scores 0.55–0.96.
WELL_ALIGNED = 0.97
#: Below this agreement with the blank form's printed rules, once aligned as well as it can
#: be, a page whose title or footer reads like one of ours is another form: another insurer's
#: 被扶養者（異動）届 has our title and not our structure (it scores 0.23; our forms, scanned,
#: faxed or photographed, 0.9 and more). Such a page is no form of ours, never read as one.
STRUCTURE_FITS = 0.45


@dataclass(frozen=True)
class Identified:
    template: Template
    rotation: int
    aligned: Image
    marks_found: bool
    footer_text: str
    #: How well the aligned page shows the form's printed rules where they belong (0–1).
    alignment: float = 1.0


def _normalise_title(text: str) -> str:
    # Middle dots come back as any of ・·･‧; the society's name before the title is not needed.
    return re.sub(r"[\s　・·･‧]", "", nfkc(text)).replace("健康保険", "")


def match_footer(text: str, templates: Sequence[Template]) -> Template | None:
    """The template whose 様式 code (and version, when readable) the footer text names."""
    found = _FOOTER.search(nfkc(text).upper())
    if not found:
        return None
    code = f"SK-0{found.group(1)}"
    version = f"{code} ({found.group(2)}.{int(found.group(3))})"
    same_code = [t for t in templates if t.form_code == code]
    exact = [t for t in same_code if t.form_version == version]
    candidates = exact or same_code
    return candidates[0] if candidates else None


def match_title(text: str, templates: Sequence[Template]) -> Template | None:
    """The template whose printed title is closest to ``text``, if close enough."""
    wanted = _normalise_title(text)
    if not wanted:
        return None
    # How much of each printed title is found in the reading, in order: extra words read
    # around it (a misread society name, a stamp) do not count against it.
    scored = [(_found_share(_normalise_title(t.title), wanted), t) for t in templates]
    score, best = max(scored, key=lambda item: item[0])
    return best if score >= _TITLE_MATCH else None


def _found_share(title: str, text: str) -> float:
    if not title:
        return 0.0
    blocks = difflib.SequenceMatcher(None, title, text, autojunk=False).get_matching_blocks()
    return sum(block.size for block in blocks) / len(title)


def identify(page: Image, templates: Sequence[Template], engine: OcrEngine, dpi: int) -> Identified | None:
    """Try each plausible rotation; the first whose footer (or title) names a form wins, if
    the page's printed structure fits that form (:data:`STRUCTURE_FITS`). A page
    photographed on a table is cut out along its outline and flattened first."""
    found = _identified(flatten_photo(page), templates, engine, dpi)
    return found if found is None or found.alignment >= STRUCTURE_FITS else None


def _identified(page: Image, templates: Sequence[Template], engine: OcrEngine, dpi: int) -> Identified | None:
    canvas = templates[0].canvas  # the four forms share page size and marks
    reference = templates[0]
    for rotation in orientation_candidates(page):
        aligned, marks = align(rotate(page, rotation), canvas, dpi)
        footer, title = engine.recognize(
            [text_crop(aligned, reference.footer_box, dpi), text_crop(aligned, reference.title_box, dpi)]
        )
        template = match_footer(footer.text, templates) or match_title(title.text, templates)
        if template is not None:
            aligned, quality = aligned_on_structure(aligned, template, dpi, marks)
            return Identified(template, rotation, aligned, marks, footer.text, quality)
    return _identify_by_structure(page, templates, engine, dpi)


def aligned_on_structure(page: Image, template: Template, dpi: int, marks: bool) -> tuple[Image, float]:
    """The page and how well it agrees with the form's printed rules, aligned again on that
    structure where its marks were not found or left it disagreeing (a page stretched in one
    direction by the scanner, photographed at an angle, or shifted with a mark cut off).
    Affine first, a homography (perspective) when that is not enough; the best wins."""
    rules = blank_rules(template.blank_pdf, dpi)
    best = (page, rule_agreement(page, rules, dpi) if marks else 0.0)
    if best[1] >= WELL_ALIGNED:
        return best
    reference = blank_page(template.blank_pdf, dpi)
    # Coarse (quarter size) first; a finer pass from there settles the last pixels.
    for perspective, scale, start in ((False, 0.25, 0), (False, 0.5, 1), (True, 0.25, 0), (True, 0.5, 1)):
        if best[1] >= WELL_ALIGNED:
            break
        source = page if start == 0 else best[0]
        refined, converged = refine_to_reference(source, reference, scale=scale, perspective=perspective)
        if converged:
            quality = rule_agreement(refined, rules, dpi)
            if quality > best[1]:
                best = (refined, quality)
    return best


def _identify_by_structure(
    page: Image, templates: Sequence[Template], engine: OcrEngine, dpi: int
) -> Identified | None:
    """Last resort for a page whose marks are cut off and whose footer and title were not
    where a rough fit put them: align it on each blank form's printed structure in turn
    (ECC), then read the footer and title again. Slower, and only for such pages."""
    reference = templates[0]
    for rotation in orientation_candidates(page)[:2]:  # upright or upside down: how forms are fed
        coarse, marks = align(rotate(page, rotation), reference.canvas, dpi)
        if marks:
            continue  # marks were found for this way up and nothing matched: not this way
        for candidate in templates:
            aligned, converged = refine_to_reference(coarse, blank_page(candidate.blank_pdf, dpi))
            if not converged:
                continue
            footer, title = engine.recognize(
                [text_crop(aligned, reference.footer_box, dpi), text_crop(aligned, reference.title_box, dpi)]
            )
            template = match_footer(footer.text, templates) or match_title(title.text, templates)
            if template is not None and template.form_id == candidate.form_id:
                quality = rule_agreement(aligned, blank_rules(template.blank_pdf, dpi), dpi)
                return Identified(template, rotation, aligned, False, footer.text, quality)
    return None


@lru_cache(maxsize=16)
def blank_page(pdf: Path, dpi: int) -> Image:
    """The blank form rendered at ``dpi``: the reference for alignment and for ink baselines."""
    return rasterize(pdf.read_bytes(), "pdf", RasterLimits(max_pages=1, dpi=dpi))[0]


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
