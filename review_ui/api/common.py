"""What the JSON API's routes share: one error shape and the pagination parameters."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import JSONResponse

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
