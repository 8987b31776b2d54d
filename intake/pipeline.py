"""The order of the steps: rasterize → orient/align → identify → read fields → validate.

The steps themselves live in :mod:`ocr` and :mod:`extractors`; this module only sequences
them and shapes the extraction JSON. No database and no queue: ``kakunin extract`` and the
worker both call :func:`extract`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import cv2

from extractors.identify import Identified, aligned_on_structure, identify
from extractors.model import Finding, FormReading
from extractors.read import read_fields
from extractors.template import Template, load_templates
from extractors.validate import MESSAGES
from intake.errors import ErrorCode, rejected_from_raster
from intake.sandbox import DEFAULT_BUDGET, Budget, open_document
from ocr.engine import OcrEngine
from ocr.errors import RasterError
from ocr.preprocess import align, is_blank_page
from ocr.raster import RasterLimits
from ocr.types import Image

#: A blank page among written ones (a duplex back, a separator in a batch).
BLANK_PAGE = Finding(None, "blank_page", MESSAGES["blank_page"])
#: A file of blank pages only: nothing to read, and the person who scanned it can tell why.
BLANK_FILE_MESSAGE = "白紙のページしかありません。裏表や差し込みの向きを確かめてスキャンし直してください。"


@dataclass(frozen=True)
class PageResult:
    page_no: int
    image: Image  # aligned to the template when identified, else as scanned
    rotation: int
    form_id: str | None


@dataclass(frozen=True)
class Extraction:
    source: str
    error: tuple[str, str] | None
    forms: tuple[FormReading, ...] = ()
    pages: tuple[PageResult, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "error": {"code": self.error[0], "message": self.error[1]} if self.error else None,
            "documents": [form.to_json() for form in self.forms],
        }


def _read_page(
    page_no: int,
    page: Image,
    templates: tuple[Template, ...],
    engine: OcrEngine,
    dpi: int,
    today: date,
    timings: dict[str, float],
    crosscheck: OcrEngine | None,
    forced: Template | None = None,
) -> tuple[FormReading, PageResult]:
    started = time.perf_counter()
    found = identify(page, templates, engine, dpi)
    if found is None and forced is not None:
        # A person said which form this is: aligned on its marks and structure however badly
        # it fits; read_fields sends every field to a person when the alignment is poor.
        aligned, marks = align(page, forced.canvas, dpi)
        image, quality = aligned_on_structure(aligned, forced, dpi, marks)
        found = Identified(forced, 0, image, marks, "", quality)
    timings["identify"] = timings.get("identify", 0.0) + time.perf_counter() - started
    if found is None:
        finding = Finding(None, "not_a_form", MESSAGES["not_a_form"])
        return FormReading(None, None, (page_no,), findings=(finding,)), PageResult(page_no, page, 0, None)
    started = time.perf_counter()
    fields, findings = read_fields(
        found.template, found.aligned, dpi, engine, today, crosscheck, alignment=found.alignment
    )
    timings["read"] = timings.get("read", 0.0) + time.perf_counter() - started
    form = FormReading(
        found.template.form_id,
        found.template.form_version,
        (page_no,),
        tuple(fields),
        tuple(findings),
        rotation=found.rotation,
        engine=engine.info.label(),
    )
    return form, PageResult(page_no, found.aligned, found.rotation, found.template.form_id)


def extract(
    data: bytes,
    kind: str,
    source: str,
    engine: OcrEngine,
    limits: RasterLimits,
    today: date | None = None,
    crosscheck: OcrEngine | None = None,
    budget: Budget = DEFAULT_BUDGET,
    forced: Mapping[int, str] | None = None,
) -> Extraction:
    """Run every step on one file. Unreadable input gives ``error``; never raises for bad input.
    The file is parsed and rendered in a child process under ``budget`` (:mod:`intake.sandbox`).
    ``forced``: page number → form id a reviewer chose for a page none of ours was found on;
    that page is identified among that form only, and read as it when it still does not fit."""
    today = today or date.today()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    try:
        opened = open_document(data, kind, limits, today, budget)
    except RasterError as exc:
        rejected = rejected_from_raster(exc)
        return Extraction(source, (rejected.code.value, rejected.message))
    if opened.digital is not None:
        timings["read"] = time.perf_counter() - started
        return Extraction(source, None, opened.digital, _rendered(opened.digital, opened.pages), timings)
    pages = list(opened.pages)
    timings["rasterize"] = time.perf_counter() - started
    blank = [is_blank_page(page) for page in pages]
    if all(blank):
        return Extraction(source, (ErrorCode.EMPTY.value, BLANK_FILE_MESSAGE))
    templates = load_templates()
    forms: list[FormReading] = []
    results: list[PageResult] = []
    for number, page in enumerate(pages, start=1):
        if blank[number - 1]:  # a duplex back or a separator in a batch: noted, never a form
            forms.append(FormReading(None, None, (number,), findings=(BLANK_PAGE,)))
            results.append(PageResult(number, page, 0, None))
            continue
        # Every form is one page, so each page is its own document of the batch.
        chosen = next((t for t in templates if t.form_id == (forced or {}).get(number)), None)
        form, result = _read_page(
            number,
            page,
            (chosen,) if chosen else templates,
            engine,
            limits.dpi,
            today,
            timings,
            crosscheck,
            chosen,
        )
        forms.append(form)
        results.append(result)
    return Extraction(source, None, tuple(forms), tuple(results), timings)


def _rendered(digital: Sequence[FormReading], pages: Sequence[Image]) -> tuple[PageResult, ...]:
    """A PC-filled file's pages (its words and their positions were in the file, no OCR
    needed), kept as rendered, each with the form read on it, for the review screens."""
    on_page = {page: form.form_id for form in digital for page in form.pages}
    return tuple(
        PageResult(number, page, 0, on_page.get(number)) for number, page in enumerate(pages, start=1)
    )


def encode_png(image: Image) -> bytes:
    ok, buffer = cv2.imencode(".png", image)
    if not ok:
        raise ValueError("could not encode page image")
    return bytes(buffer.tobytes())
