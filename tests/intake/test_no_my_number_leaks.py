"""No 個人番号 in a log line, in Redis or in an exception message (issue 19 item 4).

Scans whose 個人番号 are known (the samples' golden files) go through the real service: uploaded
over the API, read by the real OCR (a worker in this process and a `kakunin worker` subprocess
logging JSON lines), reviewed on the screens (a reviewer's reveal refused, an approval with a
wrong 個人番号 refused, an approver's reveal, the approval), and two documents whose reading
raises an exception quoting the 個人番号 (a reader's ValueError, an OCR engine error) retried
until they fail. Everything logged (every logger at DEBUG, and the subprocess's standard error),
every key and value in Redis (RQ's compressed fields opened) and every error message and audit
detail in the database is then searched for the 12 digits, spaced, hyphenated or full-width.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import logging
import re
import subprocess
import sys
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from redis import Redis
from sqlalchemy import select

from intake import jobs
from intake.auth import create_api_key, create_user
from intake.reconcile import promote_due_retries, reconcile
from intake.services import Services
from intake.store.db import transaction
from intake.store.models import AuditEventRow, DocumentRow, ReviewTaskRow
from intake.worker import queue_worker
from ocr.engine import OcrEngine
from ocr.errors import OcrEngineError
from ocr.types import EngineInfo
from review_ui.app import create_app
from tests.conftest import SAMPLES
from tests.helpers import service_env

pytestmark = [
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.ocr,
    pytest.mark.redis,
    pytest.mark.slow,
]

READ_HERE = SAMPLES / "sample_2025_0002_kofu_shinsei.tif"
READ_BY_SUBPROCESS = SAMPLES / "sample_2025_0000_hifuyosha_ido.jpg"
CRASHING = (SAMPLES / "sample_2025_0003_messhitsu.pdf", SAMPLES / "sample_2025_0001_jusho_shimei_henko.pdf")


def _golden_my_numbers(scan: Path) -> set[str]:
    golden = json.loads(Path(f"{scan}.golden.json").read_text(encoding="utf-8"))
    return {
        str(value)
        for document in golden["documents"]
        for name, value in document["fields"].items()
        if "my_number" in name and value
    }


#: The 個人番号 written on the scans that are read (and one typed wrong by a clerk).
KNOWN = _golden_my_numbers(READ_HERE) | _golden_my_numbers(READ_BY_SUBPROCESS)
FIRST = sorted(_golden_my_numbers(READ_HERE))[0]
WRONG = FIRST[:-1] + str((int(FIRST[-1]) + 1) % 10)  # its check digit wrong


def _spellings(number: str) -> list[str]:
    """The ways 12 digits may be written out: as is, 4-4-4 with a space or a hyphen, full-width."""
    groups = (number[:4], number[4:8], number[8:])
    full = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return [number, " ".join(groups), "-".join(groups), full]


def _leaks(where: str, text: str) -> list[str]:
    return [
        f"{where}: …{text[max(0, text.find(s) - 80) : text.find(s) + 20]}…"
        for number in sorted(KNOWN | {WRONG})
        for s in _spellings(number)
        if s in text
    ]


class QuotingEngine:
    """An engine with a bug that quotes what it read in its exception, as Python's own do
    (``int('3327 7096 4655')``); or, as ``ocr_error``, an engine error quoting it."""

    info = EngineInfo("quoting", "0", ("none",))
    ocr_error = False

    def _fail(self) -> Any:
        spaced = " ".join((FIRST[:4], FIRST[4:8], FIRST[8:]))
        if self.ocr_error:
            raise OcrEngineError(f"recogniser returned garbage for {FIRST}")
        return int(spaced)  # ValueError: invalid literal for int() with base 10: '…'

    def recognize(self, crops: Sequence[Any], alphabets: Sequence[str | None] | None = None) -> list[Any]:
        return [self._fail()]

    def read_page(self, page: Any) -> list[Any]:
        return [self._fail()]


def _redis_dump(redis: Redis) -> str:
    """Every key and value of the test database as text; values RQ compresses (a job's data,
    zlib; a result's exc_string, zlib in base64) are decompressed too."""
    parts: list[str] = []

    def add(value: Any) -> None:
        raw = value if isinstance(value, bytes) else str(value).encode()
        parts.append(raw.decode("utf-8", "replace"))
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompress(raw).decode("utf-8", "replace"))
        with contextlib.suppress(zlib.error, binascii.Error, ValueError):  # a result's exc_string
            parts.append(zlib.decompress(base64.b64decode(raw, validate=True)).decode("utf-8", "replace"))

    for key in redis.scan_iter(count=1000):
        add(key)
        kind = redis.type(key).decode()
        if kind == "string":
            add(redis.get(key))
        elif kind == "hash":
            for field, value in redis.hgetall(key).items():
                add(field)
                add(value)
        elif kind == "list":
            for value in redis.lrange(key, 0, -1):
                add(value)
        elif kind == "set":
            for value in redis.smembers(key):
                add(value)
        elif kind == "zset":
            for value, score in redis.zrange(key, 0, -1, withscores=True):
                add(value)
                add(score)
        elif kind == "stream":
            for entry_id, entry in redis.xrange(key):
                add(entry_id)
                for field, value in entry.items():
                    add(field)
                    add(value)
    return "\n".join(parts)


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every record captured, as a handler would write it, its traceback included."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records) + "\n" + caplog.text


def _csrf(text: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', text)
    assert found is not None
    return found.group(1)


def _login(client: TestClient, name: str) -> str:
    client.cookies.clear()
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"username": name, "password": f"pw-{name}-long-enough", "csrf": _csrf(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/", answer.text
    return _csrf(client.get("/").text)


@pytest.fixture
def reader(services: Services, engine: OcrEngine) -> Iterator[Services]:
    """This process's worker context, with the session's real OCR engine."""
    jobs._context = jobs.WorkerContext(services, engine)
    yield services
    jobs._context = None


def _task_of(services: Services, document_id: int) -> int:
    with transaction(services.sessions) as session:
        return int(
            session.scalars(select(ReviewTaskRow.id).where(ReviewTaskRow.document_id == document_id)).one()
        )


def _fail_with(services: Services, document_id: int, rounds: int = 8) -> None:
    """Work the document with the quoting engine until it is failed (retries taken as due)."""
    for _ in range(rounds):
        queue_worker(services).work(burst=True)
        promote_due_retries(services, now=10**10)
        reconcile(services)


def test_no_my_number_in_logs_redis_or_exception_messages(
    reader: Services, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN scans with known 個人番号 WHEN they are uploaded, read (here and by a worker
    subprocess logging JSON), reviewed with refusals, revealed, approved, and two others fail
    with exceptions quoting the 個人番号 THEN no log line, no Redis key or value and no error
    message or audit detail in the database holds it in any spelling; while the approver's
    reveal shows it was read (the search looks for something that is there)."""
    services = reader
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(logging.getLogger("rq.worker"), "propagate", True)
    for name, role in (("rev", "reviewer"), ("appr", "approver")):
        create_user(services, name, role, password=f"pw-{name}-long-enough")
    services.settings.cookie_secure = False
    token = create_api_key(services, "scanner", ["write", "read"])
    api = {"Authorization": f"Bearer {token}"}
    redis_seen: list[str] = []

    with TestClient(create_app(services.settings)) as client:
        # Uploaded over the API; one read in this process, one by a `kakunin worker` subprocess.
        def upload(scan: Path) -> int:
            answer = client.post(
                "/api/v1/documents", headers=api, files={"file": (scan.name, scan.read_bytes())}
            )
            assert answer.status_code == 202, answer.text
            return int(answer.json()["id"])

        read_here = upload(READ_HERE)
        queue_worker(services).work(burst=True)
        read_there = upload(READ_BY_SUBPROCESS)
        worker = subprocess.run(
            [sys.executable, "-m", "intake.cli", "worker", "--burst"],
            env=service_env(
                services.settings,
                KAKUNIN_LOG_FORMAT="json",
                KAKUNIN_OCR__THREADS="1",
                KAKUNIN_OCR__CROSSCHECK_REC_MODEL="",
            ),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert worker.returncode == 0, worker.stderr[-3000:]
        stderr_lines = [line for line in worker.stderr.splitlines() if line.strip()]
        assert stderr_lines and all(json.loads(line)["level"] for line in stderr_lines), worker.stderr[-2000:]
        for document_id in (read_here, read_there):
            status = client.get(f"/api/v1/documents/{document_id}", headers=api).json()["status"]
            assert status == "in_review", status
        redis_seen.append(_redis_dump(services.redis))

        # Review on the screens: refusals first, then the approver reveals and approves.
        task = _task_of(services, read_here)
        csrf = _login(client, "rev")
        assert client.get(f"/tasks/{task}").status_code == 200
        refused = client.post(f"/tasks/{task}/reveal", data={"csrf": csrf, "field": "insured_my_number"})
        assert refused.status_code == 403
        checked = client.post(
            f"/tasks/{task}/check", data={"csrf": csrf, "field": "insured_my_number", "value": WRONG}
        )
        assert checked.status_code == 200 and WRONG not in checked.text
        wrong = client.post(
            f"/tasks/{task}/approve",
            data={"csrf": csrf, "f_insured_my_number": WRONG},
            follow_redirects=False,
        )
        assert wrong.status_code == 303 and "error=" in wrong.headers["location"], wrong.headers
        client.post(f"/tasks/{task}/release", data={"csrf": csrf}, follow_redirects=False)
        csrf = _login(client, "appr")
        assert client.get(f"/tasks/{task}").status_code == 200
        revealed = client.post(f"/tasks/{task}/reveal", data={"csrf": csrf, "field": "insured_my_number"})
        assert revealed.status_code == 200 and revealed.json()["value"] == FIRST  # really read
        approved = client.post(f"/tasks/{task}/approve", data={"csrf": csrf}, follow_redirects=False)
        assert approved.status_code == 303 and approved.headers["location"].startswith("/records/"), (
            approved.headers
        )
        redis_seen.append(_redis_dump(services.redis))

        # Failure paths: readers that raise, quoting the 個人番号, until the documents fail.
        assert services.settings.max_attempts > 4  # RQ's own retries (3) run out first: its failure path
        for scan, ocr_error in zip(CRASHING, (False, True), strict=True):
            QuotingEngine.ocr_error = ocr_error
            jobs._context = jobs.WorkerContext(services, QuotingEngine())
            failing = upload(scan)
            queue_worker(services).work(burst=True)  # the first attempt raises: RQ keeps its traceback
            redis_seen.append(_redis_dump(services.redis))
            _fail_with(services, failing)
            body = client.get(f"/api/v1/documents/{failing}", headers=api).json()
            assert body["status"] == "failed", body
            redis_seen.append(_redis_dump(services.redis))
        QuotingEngine.ocr_error = False

    with transaction(services.sessions) as session:
        messages = [
            f"{i}: {m}" for i, m in session.execute(select(DocumentRow.id, DocumentRow.error_message))
        ]
        audits = [json.dumps(a.detail, ensure_ascii=False) for a in session.scalars(select(AuditEventRow))]
    leaks = [
        *_leaks("log record", _logged(caplog)),
        *_leaks("worker subprocess stderr", worker.stderr),
        *(leak for n, dump in enumerate(redis_seen) for leak in _leaks(f"redis dump {n}", dump)),
        *_leaks("documents.error_message", "\n".join(messages)),
        *_leaks("audit detail", "\n".join(audits)),
    ]
    assert leaks == [], "\n".join(leaks)
    # The search is not empty-handed: the failures were logged with their exception's class.
    assert "ValueError" in _logged(caplog) and "OcrEngineError" in _logged(caplog)
    assert any("ValueError" in dump for dump in redis_seen)  # RQ kept the failed attempt's traceback
    assert any("failed" in m or "失敗" in m for m in messages)
