"""RQ entry points. Jobs take a document id only, and are idempotent."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace

from extractors.issuance.places import place_doubts
from extractors.model import FormReading
from intake.domain import Document, DocumentStatus
from intake.employers import with_employer_check
from intake.errors import ErrorCode, transient
from intake.logs import redact, without_message
from intake.outbox import emit_document
from intake.page_images import prepare_masked
from intake.pipeline import Extraction, encode_png, extract
from intake.reread import forced_forms
from intake.roster import cross_check, roster_loaded
from intake.sandbox import Budget, start_fork_server
from intake.services import Services
from intake.settings import load_settings
from intake.store import form_trust, repo
from intake.store.db import transaction
from intake.trust import gated
from ocr.engine import OcrEngine, build_engine
from ocr.errors import OcrEngineError
from ocr.raster import RasterLimits, sniff_type

log = logging.getLogger(__name__)


@dataclass
class WorkerContext:
    """Built once per worker process: the OCR models load here, never per job."""

    services: Services
    engine: OcrEngine
    crosscheck: OcrEngine | None = None


_context: WorkerContext | None = None


def init_worker(services: Services) -> WorkerContext:
    global _context
    if _context is None or _context.services is not services:
        crosscheck = services.settings.crosscheck_options()
        _context = WorkerContext(
            services,
            build_engine(services.settings.engine_options()),
            build_engine(crosscheck) if crosscheck else None,
        )
        # Files are opened in the fork server's children (intake.sandbox): it loads its parsers
        # now, while the first job is taken, not when the first file is opened.
        start_fork_server()
    return _context


def _current() -> WorkerContext:
    return _context or init_worker(Services(load_settings()))


def with_roster_check(services: Services, form: FormReading) -> FormReading:
    """Add the roster's findings (unknown 記号・番号, name or birth date mismatch) and send the
    fields they name to review. Skipped while no roster has been imported."""
    if form.form_id is None or not roster_loaded(services):
        return form
    values = {f.name: f.value for f in form.fields}
    findings = cross_check(services, values)
    named = {f.field for f in findings}
    fields = tuple(replace(f, needs_review=True) if f.name in named else f for f in form.fields)
    return replace(form, fields=fields, findings=form.findings + tuple(findings))


def with_rule_doubts(form: FormReading) -> FormReading:
    """Send to review the fields a rule cannot decide on as read (R8: a 滅失場所 that does not
    say whether the card was lost at home, forms README §4a)."""
    findings = place_doubts(form.form_id, {f.name: f.value for f in form.fields})
    if not findings:
        return form
    named = {f.field for f in findings}
    fields = tuple(replace(f, needs_review=True) if f.name in named else f for f in form.fields)
    return replace(form, fields=fields, findings=form.findings + tuple(findings))


def internal_failure_message(attempts: int) -> str:
    """What a clerk and the API read on a document given up after ``attempts`` tries."""
    return (
        f"読み取り処理が {attempts} 回続けて異常終了したため、処理を中止しました。"
        "ファイルは保存されています。管理者に連絡してください（管理者は再処理できます）。"
    )


def give_up(services: Services, document_id: int, attempts: int, cause: str) -> str:
    """Fail a document whose reading went wrong ``attempts`` times (``internal``), audited with
    the cause (an exception's class name, never its message: it may quote what was read)."""
    with transaction(services.sessions) as session:
        repo.mark_failed(session, document_id, ErrorCode.INTERNAL.value, internal_failure_message(attempts))
        emit_document(session, "document.failed", document_id, code=ErrorCode.INTERNAL.value)
        repo.audit(
            session,
            "worker",
            "document_failed",
            document_id,
            code=ErrorCode.INTERNAL.value,
            attempts=attempts,
            cause=cause,
        )
    log.error("document %s failed (internal) after %s attempts: %s", document_id, attempts, cause)
    return DocumentStatus.FAILED.value


class ReadingCrashed(Exception):
    """An attempt at a document raised: the original exception's class and where it was
    raised (:func:`intake.logs.without_message`), as RQ logs it and keeps it for the retry."""


def process_document(document_id: int) -> str:
    """Run the pipeline on one stored document and leave review tasks (or a failure reason).

    Every start counts as an attempt. A document whose reading raised, or whose worker died
    under it, ``max_attempts`` times is failed with ``internal`` instead of being tried again for
    ever; an exception before that goes to RQ, which retries the job after a back-off.
    """
    context = _current()
    services = context.services
    with transient("database unavailable"), transaction(services.sessions) as session:
        document = repo.claim_for_processing(session, document_id)
        attempts = repo.attempts_of(session, document_id) if document else 0
    if document is None:
        return "skipped"  # already finished (a duplicate or retried job): nothing to do
    limit = services.settings.max_attempts
    if attempts > limit:  # the last tries never came back: their worker died under them
        return give_up(services, document_id, attempts - 1, "worker_lost")
    try:
        return _read(context, document)
    except Exception as exc:  # noqa: BLE001 - re-raised for RQ without its message, or given up
        if attempts < limit:
            # RQ retries it (the next claim counts the attempt). RQ logs and keeps in Redis the
            # traceback of what it is given: the class and where, never the message, which may
            # quote what was read (a 個人番号); the original is not chained to it.
            raise ReadingCrashed(without_message(exc)) from None
        log.error("last attempt of document %s raised %s", document_id, without_message(exc))
        return give_up(services, document_id, attempts, type(exc).__name__)


def _read(context: WorkerContext, document: Document) -> str:
    """One attempt: the pipeline on the stored file, its pages and readings saved."""
    services = context.services
    data = services.files.get(document.sha256)
    started = time.perf_counter()
    try:
        result = _extract(context, document, data)
    except OcrEngineError as exc:
        return _fail_ocr(services, document.id, exc)
    if result.error:
        return _fail_unreadable(services, document.id, result.error)
    pages = _store_pages(services, result)
    result = replace(result, forms=tuple(_checked(services, form) for form in result.forms))
    # A form version on trial (issue 14): every field of it to a person, and the form noted.
    forms, on_trial = gated(services, result.forms)
    result = replace(result, forms=forms)
    extraction = result.to_json()
    extraction["timings"] = {k: round(v, 3) for k, v in result.timings.items()}
    extraction["timings"]["job"] = round(time.perf_counter() - started, 3)  # before the final write
    with transaction(services.sessions) as session:
        repo.save_extraction(
            session, document.id, extraction, result.forms, pages, context.engine.info.label()
        )
        form_trust.note_trial_pages(session, document.id, on_trial)
        emit_document(session, "document.in_review", document.id)
        repo.audit(
            session,
            "worker",
            "document_extracted",
            document.id,
            forms=len(result.forms),
            seconds=round(time.perf_counter() - started, 3),
        )
    _prepare_masked(services, document.id, [page.image_sha256 for page in pages])
    return DocumentStatus.IN_REVIEW.value


def _extract(context: WorkerContext, document: Document, data: bytes) -> Extraction:
    """The pipeline on the document's stored bytes, within the settings' limits and budget,
    forcing the forms a clerk chose for a reading again."""
    settings = context.services.settings
    limits = RasterLimits(
        max_pages=settings.limits.max_pages, max_pixels=settings.limits.max_pixels, dpi=settings.ocr.dpi
    )
    return extract(
        data,
        sniff_type(data[:2048]) or "",
        document.original_name,
        context.engine,
        limits,
        crosscheck=context.crosscheck,
        budget=Budget.of(settings.limits),
        forced=forced_forms(document.extraction),
    )


def _fail_ocr(services: Services, document_id: int, exc: OcrEngineError) -> str:
    """The OCR engine failed: the document is failed with ``ocr_failed`` and the engine's
    message (what went wrong: a model, a runtime), any 12-digit run in it (a 個人番号 it
    quoted) blacked out; the traceback is left out of the log."""
    reason = redact(str(exc))
    log.error("OCR failed for document %s: %s (%s)", document_id, reason, without_message(exc))
    with transaction(services.sessions) as session:
        repo.mark_failed(
            session, document_id, ErrorCode.OCR_FAILED.value, f"文字認識に失敗しました: {reason}"
        )
        emit_document(session, "document.failed", document_id, code=ErrorCode.OCR_FAILED.value)
    return DocumentStatus.FAILED.value


def _fail_unreadable(services: Services, document_id: int, error: tuple[str, str]) -> str:
    """The file could not be read (the pipeline's code and message): the document is failed."""
    code, message = error
    with transaction(services.sessions) as session:
        repo.mark_failed(session, document_id, code, message)
        repo.audit(session, "worker", "document_failed", document_id, code=code)
        emit_document(session, "document.failed", document_id, code=code)
    return DocumentStatus.FAILED.value


def _store_pages(services: Services, result: Extraction) -> list[repo.StoredPage]:
    """Each page's image put in the file store (PNG), as the pages to save with the readings."""
    return [
        repo.StoredPage(
            page.page_no,
            services.files.put(encode_png(page.image)),
            int(page.image.shape[1]),
            int(page.image.shape[0]),
            page.rotation,
            page.form_id,
        )
        for page in result.pages
    ]


def _checked(services: Services, form: FormReading) -> FormReading:
    """A form read, with the employer master's, the roster's and the rules' doubts added."""
    return with_rule_doubts(with_roster_check(services, with_employer_check(services, form)))


def _prepare_masked(services: Services, document_id: int, shas: list[str]) -> None:
    """The pages' masked images made now, while no reviewer waits (:mod:`intake.page_images`).
    Only a head start: a failure here leaves the document as it is, the first request makes them."""
    try:
        prepare_masked(services, shas)
    except Exception as exc:  # noqa: BLE001 - the document is read and saved; its images are served anyway
        log.warning("masked page images of document %s not prepared: %s", document_id, without_message(exc))
