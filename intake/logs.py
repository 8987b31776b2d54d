"""Log output of every Kakunin process: plain text lines, or JSON lines (``KAKUNIN_LOG_FORMAT``).

One handler on the root logger, on standard error, so the loggers of the libraries (uvicorn,
RQ, alembic) go through it too: RQ adds its own handlers only when no ancestor has one, and
``kakunin serve`` gives uvicorn no logging configuration of its own (see :func:`uvicorn_config`).
JSON lines are written by python-json-logger: one object a line, ``time`` (ISO 8601 with its
offset), ``level``, ``logger``, ``message``, and ``exc_info`` with the traceback when there is one.

What a log line may carry is the same everywhere: ids, codes, counts and exception classes,
never a value read from a form (``tests/intake/test_no_my_number_leaks.py``).
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from enum import StrEnum
from typing import Any

from pythonjsonlogger.json import JsonFormatter

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: The fields of a JSON line, in this order (renamed below), besides ``exc_info``.
JSON_FIELDS = "{asctime}{levelname}{name}{process}{message}"
JSON_RENAMES = {"asctime": "time", "levelname": "level", "name": "logger", "process": "pid"}


class LogFormat(StrEnum):
    """``KAKUNIN_LOG_FORMAT``: ``text`` (the default) or ``json`` (JSON Lines)."""

    TEXT = "text"
    JSON = "json"


class _JsonLines(JsonFormatter):
    """python-json-logger's formatter whose ``time`` is RFC 3339 with the offset, as the API's."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")


def formatter(log_format: LogFormat) -> logging.Formatter:
    """The formatter of every handler in a Kakunin process."""
    if log_format is LogFormat.JSON:
        return _JsonLines(JSON_FIELDS, style="{", rename_fields=JSON_RENAMES, json_ensure_ascii=False)
    return logging.Formatter(TEXT_FORMAT)


def configure(log_format: LogFormat | str, level: int = logging.INFO) -> None:
    """Send this process's log records to standard error in ``log_format`` (replacing any
    handler the root logger had)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(LogFormat(log_format)))
    logging.basicConfig(level=level, handlers=[handler], force=True)


def uvicorn_config() -> dict[str, Any] | None:
    """uvicorn's ``log_config``: None, so that it installs no handler of its own and its
    loggers (``uvicorn.error``, ``uvicorn.access``) reach the root handler of :func:`configure`."""
    return None
