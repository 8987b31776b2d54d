"""Errors with stable codes shared by the worker, the hotfolder, the UI and the API.

:class:`ErrorCode` is the one table of codes the service gives out. Permanent errors
(:class:`RejectedInput`) mark a document failed, or refuse it, with a reason a person can act
on. Transient ones (:class:`TransientFailure`: the database or the file store is unavailable)
are tried again: a job by RQ's retries, a hotfolder file by the watcher's next poll, an upload
by its client after a 503.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum

from sqlalchemy.exc import OperationalError

from ocr.errors import RasterError


class ErrorCode(StrEnum):
    # Why a document failed or was refused: documents.error_code, the hotfolder's .reason.txt,
    # the API. The OCR layer's RasterError uses the same values (ocr cannot import intake;
    # tests/intake/test_errors.py checks every code it raises is here).
    EMPTY = "empty"
    UNREADABLE = "unreadable"
    UNSUPPORTED_TYPE = "unsupported_type"
    TOO_LARGE = "too_large"
    TOO_MANY_PAGES = "too_many_pages"
    ENCRYPTED = "encrypted"
    # A file whose parsing or rendering went over its time or memory budget (intake.sandbox).
    TOO_COMPLEX = "too_complex"
    OCR_FAILED = "ocr_failed"
    # A hotfolder file whose name cannot be used (not UTF-8, too long): moved to rejected/.
    UNUSABLE_NAME = "unusable_name"
    # Something of ours failed: the API answers 500 with this code, never a traceback.
    INTERNAL = "internal"
    # The database or the file store is unavailable (TransientFailure): try again later.
    UNAVAILABLE = "unavailable"
    # Requests the API or the screens refuse.
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CSRF = "csrf"
    INVALID_REQUEST = "invalid_request"
    INVALID_JSON = "invalid_json"
    # A body that is not of the type the route takes (application/json …): 415.
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    INVALID_EVENT = "invalid_event"
    # A list's cursor not given out by that list, or a filter value it does not know (422).
    INVALID_CURSOR = "invalid_cursor"
    INVALID_FILTER = "invalid_filter"
    # An API path that exists, asked with a method it does not take (405).
    METHOD_NOT_ALLOWED = "method_not_allowed"
    # Too many uploads with one API key in a minute (429 with Retry-After).
    RATE_LIMITED = "rate_limited"
    # Review actions refused (intake.review.ReviewError).
    CLAIMED = "claimed"
    TWO_PERSON = "two_person"
    # A task in a state that does not allow the action (intake.workflow): finished, waiting
    # for the second approval, or not waiting for it.
    CLOSED = "closed"
    AWAITING_APPROVAL = "awaiting_approval"
    STATE = "state"
    NOT_A_FORM = "not_a_form"
    INVALID = "invalid"


#: The message of a code when the place that raises it has nothing more precise to say.
MESSAGES: dict[ErrorCode, str] = {
    ErrorCode.EMPTY: "ファイルが空です（0 バイト）。スキャンし直してください。",
    ErrorCode.UNREADABLE: "ファイルを読み取れません。破損していないか確認して再提出してください。",
    ErrorCode.UNSUPPORTED_TYPE: "対応していない形式です。PDF・TIFF・PNG・JPEG で提出してください。",
    ErrorCode.TOO_LARGE: "ファイルが大きすぎます。解像度を下げるか分割して提出してください。",
    ErrorCode.TOO_MANY_PAGES: "ページ数が上限を超えています。分割して提出してください。",
    ErrorCode.ENCRYPTED: "PDF がパスワードで保護されています。保護を外して再提出してください。",
    ErrorCode.TOO_COMPLEX: (
        "ファイルの構造が複雑すぎて、制限時間・メモリの範囲で読み込めません。"
        "スキャナーで画像（PDF・TIFF）として読み取り直して提出してください。"
    ),
    ErrorCode.OCR_FAILED: "文字認識に失敗しました。管理者に連絡してください。",
    ErrorCode.UNUSABLE_NAME: (
        "ファイル名を扱えません（UTF-8 でない文字・長すぎる名前）。短い名前で保存し直して再提出してください。"
    ),
    ErrorCode.INTERNAL: "内部エラーが発生しました。管理者に連絡してください。",
    ErrorCode.UNAVAILABLE: "一時的に受け付けられません。しばらくしてから再度お試しください。",
}


class KakuninError(Exception):
    """Base of every error the service raises on purpose."""


class RejectedInput(KakuninError):
    """The input itself is unusable; retrying cannot help."""

    def __init__(self, code: ErrorCode, message: str | None = None) -> None:
        self.code = code
        self.message = message or MESSAGES.get(code, code.value)
        super().__init__(f"{code}: {self.message}")


class TransientFailure(KakuninError):
    """A dependency (database, disk, file share) failed; the same work is tried again later."""


def rejected_from_raster(exc: RasterError) -> RejectedInput:
    """The OCR layer's refusal as ours: same code (unknown codes read as unreadable), its message."""
    try:
        code = ErrorCode(exc.code)
    except ValueError:
        code = ErrorCode.UNREADABLE
    return RejectedInput(code, exc.message)


@contextmanager
def transient(what: str) -> Iterator[None]:
    """Raise :class:`TransientFailure` for a database that does not answer or a file store that
    cannot be written (disk full, a network share gone), with ``what`` was being done."""
    try:
        yield
    except (OperationalError, OSError) as exc:
        raise TransientFailure(f"{what}: {exc}") from exc
