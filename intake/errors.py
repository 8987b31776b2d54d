"""Errors with stable codes shared by the worker, the UI and the API.

Permanent errors (:class:`RejectedInput`) mark a document failed with a reason a person can act
on; transient ones (:class:`TransientFailure`) are retried.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    EMPTY = "empty"
    UNREADABLE = "unreadable"
    UNSUPPORTED_TYPE = "unsupported_type"
    TOO_LARGE = "too_large"
    TOO_MANY_PAGES = "too_many_pages"
    ENCRYPTED = "encrypted"
    OCR_FAILED = "ocr_failed"
    INTERNAL = "internal"


MESSAGES: dict[ErrorCode, str] = {
    ErrorCode.EMPTY: "ファイルが空です（0 バイト）。スキャンし直してください。",
    ErrorCode.UNREADABLE: "ファイルを読み取れません。破損していないか確認して再提出してください。",
    ErrorCode.UNSUPPORTED_TYPE: "対応していない形式です。PDF・TIFF・PNG・JPEG で提出してください。",
    ErrorCode.TOO_LARGE: "ファイルが大きすぎます。解像度を下げるか分割して提出してください。",
    ErrorCode.TOO_MANY_PAGES: "ページ数が上限を超えています。分割して提出してください。",
    ErrorCode.ENCRYPTED: "PDF がパスワードで保護されています。保護を外して再提出してください。",
    ErrorCode.OCR_FAILED: "文字認識に失敗しました。管理者に連絡してください。",
    ErrorCode.INTERNAL: "内部エラーが発生しました。管理者に連絡してください。",
}


class KakuninError(Exception):
    """Base of every error the service raises on purpose."""


class RejectedInput(KakuninError):
    """The input itself is unusable; retrying cannot help."""

    def __init__(self, code: ErrorCode, message: str | None = None) -> None:
        self.code = code
        self.message = message or MESSAGES[code]
        super().__init__(f"{code}: {self.message}")


class TransientFailure(KakuninError):
    """A dependency (database, Redis, disk) failed; the job is retried."""
