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
import re
import sys
import traceback
from datetime import datetime
from enum import StrEnum
from pathlib import Path
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


#: Twelve digits (half- or full-width), as written or in groups with a space or a hyphen
#: between them: the shape of a 個人番号 (a 13-digit 法人番号 or a longer run is left alone).
_DIGIT = "[0-9０-９]"
_TWELVE_DIGITS = re.compile(rf"(?<!{_DIGIT})(?:{_DIGIT}[ \-‐－　]?){{11}}{_DIGIT}(?!{_DIGIT})")
REDACTED = "[12桁の数字を伏せました]"


def redact(text: str) -> str:
    """``text`` with every run of twelve digits (a possible 個人番号) replaced by
    :data:`REDACTED`: for messages that come from elsewhere (an engine's error) and are kept."""
    return _TWELVE_DIGITS.sub(REDACTED, text)


def without_message(exc: BaseException) -> str:
    """An exception as a log line or a stored traceback may carry it: its class and where it
    was raised (file, line and function of the innermost frames), never its message. Python's
    own messages quote the values they choke on (``int('3327 7096 4655')``, ``KeyError``), a
    database driver's the statement's parameters."""
    frames = traceback.extract_tb(exc.__traceback__)[-6:]
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))
    return f"{type(exc).__module__}.{type(exc).__qualname__}" + (f" at {where}" if where else "")


class RedactingFilter(logging.Filter):
    """A second net on the handler of every process: a record's message and traceback with
    every twelve-digit run replaced (the code logs ids, codes and exception classes only;
    ``tests/intake/test_no_my_number_leaks.py`` checks the records before this filter)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def configure(log_format: LogFormat | str, level: int = logging.INFO) -> None:
    """Send this process's log records to standard error in ``log_format`` (replacing any
    handler the root logger had), each through :class:`RedactingFilter`."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(LogFormat(log_format)))
    handler.addFilter(RedactingFilter())
    logging.basicConfig(level=level, handlers=[handler], force=True)


def uvicorn_config() -> dict[str, Any] | None:
    """uvicorn's ``log_config``: None, so that it installs no handler of its own and its
    loggers (``uvicorn.error``, ``uvicorn.access``) reach the root handler of :func:`configure`."""
    return None
