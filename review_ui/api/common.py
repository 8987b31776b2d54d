"""What the JSON API's routes share: one error shape, cursors and filters."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import HTTPException, Query, Request
from fastapi.responses import JSONResponse

from intake.errors import ErrorCode

Offset = Annotated[int, Query(ge=0, le=2**31 - 1)]
Limit = Annotated[int, Query(ge=1, le=200)]


def refusal(http_status: int, code: str, message: str, headers: dict[str, str]) -> JSONResponse:
    """An API error with response headers (``Connection: close``, ``Retry-After``)."""
    response = error_response(http_status, code, message)
    response.headers.update(headers)
    return response


def error_response(http_status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    """Every API error: ``{"error": {"code", "message"}}`` (plus ``extra`` fields)."""
    return JSONResponse(
        status_code=http_status, content={"error": {"code": code, "message": message}, **extra}
    )


# --- cursors and filters -------------------------------------------------------------------


class ApiRefusal(HTTPException):
    """A request the API refuses with a code of :class:`intake.errors.ErrorCode` (answered in
    the error shape by the app's handler)."""

    def __init__(self, status: int, code: ErrorCode, message: str) -> None:
        super().__init__(status, detail={"code": code.value, "message": message})


Cursor = Annotated[
    str | None,
    Query(
        max_length=64,
        description="前のページの応答の `cursor`（または `next` の URL）。省略: 最初から",
    ),
]
PageLimit = Annotated[int, Query(ge=1, le=200, description="1 ページの件数（最大 200）")]


def encode_cursor(kind: str, last_id: int) -> str:
    """An opaque cursor for the list ``kind``: the position after item ``last_id``."""
    return base64.urlsafe_b64encode(f"{kind}:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str | None) -> int:
    """The id a cursor of the list ``kind`` stands after (0: none given). A cursor this list
    did not give out is refused with 422 ``invalid_cursor``."""
    if cursor is None or cursor == "":
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        prefix, _, number = text.partition(":")
        value = int(number) if number.isdigit() and len(number) <= 10 else -1
    except (ValueError, UnicodeDecodeError):
        value, prefix = -1, ""
    if prefix != kind or not 0 <= value <= 2**31 - 1:
        raise ApiRefusal(422, ErrorCode.INVALID_CURSOR, "cursor が正しくありません（前の応答の cursor を渡してください）")
    return value


def page_links(request: Request, kind: str, ids: list[int], limit: int, after: int) -> dict[str, Any]:
    """``next`` (this list's URL with the same filters after the last item; None on the last
    page), ``cursor`` (where this page ends, for polling later) and ``limit``. ``ids`` holds up
    to ``limit + 1`` ids: one more than the page means there is a next page."""
    more = len(ids) > limit
    shown = ids[:limit]
    cursor = encode_cursor(kind, shown[-1]) if shown else (encode_cursor(kind, after) if after else None)
    next_url = None
    if more and cursor:
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
        next_url = f"{request.url.path}?{urlencode([*query, ('cursor', cursor)])}"
    return {"next": next_url, "cursor": cursor, "limit": limit}


def one_of(name: str, value: str | None, allowed: Iterable[str]) -> str | None:
    """A filter's value when it is one of ``allowed`` (or not given); else 422 ``invalid_filter``
    (an unknown value never silently gives an empty list)."""
    known = sorted(allowed)
    if value is not None and value not in known:
        raise ApiRefusal(
            422, ErrorCode.INVALID_FILTER, f"{name} が正しくありません（{' / '.join(known)} のいずれか）"
        )
    return value


def aware(moment: datetime | None) -> datetime | None:
    """A time filter as an aware datetime (a time without an offset is UTC)."""
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
