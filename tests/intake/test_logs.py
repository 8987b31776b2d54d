"""KAKUNIN_LOG_FORMAT (issue 19 item 4): every process logs JSON lines when asked, uvicorn's and
RQ's records included, and the handler blacks out twelve-digit runs as a second net."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from intake.logs import REDACTED, RedactingFilter, redact, without_message
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_the_web_process_logs_json_lines_uvicorn_included(tmp_path: Path) -> None:
    """GIVEN KAKUNIN_LOG_FORMAT=json WHEN `kakunin serve` starts and answers a request THEN every
    line it writes is a JSON object with time (with its offset), level, logger and message, the
    lines of uvicorn's start and of its access log among them."""
    port = free_port()
    env = {**os.environ, "KAKUNIN_LOG_FORMAT": "json", "KAKUNIN_DATA_DIR": str(tmp_path / "var")}
    server = subprocess.Popen(
        [sys.executable, "-m", "intake.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        time.sleep(0.3)
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=30)
    lines = [line for line in (out + err).splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line parses
    assert all({"time", "level", "logger", "message", "pid"} <= r.keys() for r in records), records
    assert all(r["time"][-6] in "+-" for r in records), records  # RFC 3339 with an offset
    loggers = {r["logger"] for r in records}
    assert "uvicorn.error" in loggers and "uvicorn.access" in loggers, loggers
    assert any("/healthz" in r["message"] for r in records), records


def test_text_is_the_default_and_json_is_one_object_a_line() -> None:
    """GIVEN a command without the setting, and one with json WHEN each logs a record with a
    traceback THEN the first writes plain text, the second one JSON object with exc_info."""
    code = (
        "import logging\nfrom intake.cli import _logging\n_logging()\n"
        "try:\n    1 / 0\nexcept ZeroDivisionError:\n    logging.getLogger('kakunin.test').exception('boom %s', 7)\n"
    )
    plain = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if k != "KAKUNIN_LOG_FORMAT"},
    )
    assert "ERROR kakunin.test: boom 7" in plain.stderr and "Traceback" in plain.stderr
    as_json = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "KAKUNIN_LOG_FORMAT": "json"},
    )
    [line] = as_json.stderr.splitlines()
    record = json.loads(line)
    assert record["level"] == "ERROR" and record["message"] == "boom 7" and record["logger"] == "kakunin.test"
    assert "ZeroDivisionError" in record["exc_info"]


def test_the_handler_blacks_out_twelve_digits_in_messages_and_tracebacks() -> None:
    """GIVEN a record whose message and exception quote a 個人番号 in three spellings WHEN it
    passes the handler's filter THEN none is left (message, source line, exception: 4); a
    13-digit number and a phone number are left."""
    try:
        int("3327 7096 4655")
    except ValueError:
        record = logging.LogRecord(
            "x",
            logging.ERROR,
            __file__,
            1,
            "read %s and %s, 法人番号 %s, %s",
            ("332770964655", "３３２７７０９６４６５５", "1234567890123", "090-1234-5678"),
            sys.exc_info(),
        )
    assert RedactingFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "3327" not in text and "３３２７" not in text
    assert text.count(REDACTED) == 4 and "1234567890123" in text and "090-1234-5678" in text
    assert redact("3327-7096-4655") == REDACTED


def test_an_exception_without_its_message() -> None:
    """GIVEN an exception quoting a value WHEN it is summarised THEN the class and where it was
    raised are kept, the message is not."""
    try:
        int("3327 7096 4655")
    except ValueError as exc:
        summary = without_message(exc)
    assert summary.startswith("builtins.ValueError at test_logs.py:") and "3327" not in summary
