"""One error-code table: the OCR layer's codes are ours, an unavailable database is a transient
failure that loses nothing (the hotfolder puts the file back, an upload answers 503), and an
unexpected error reaches an API client as code ``internal`` without a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from intake import accept as accept_module
from intake.accept import accept
from intake.auth import create_api_key
from intake.errors import ErrorCode, TransientFailure, rejected_from_raster
from intake.hotfolder import DONE, StabilityTracker, poll_once
from intake.services import Services
from ocr.errors import RasterError
from review_ui.app import create_app
from tests.helpers import blank_pdf, write

RASTER = Path(__file__).parents[2] / "ocr" / "raster.py"


def test_every_code_the_ocr_layer_raises_is_in_the_table() -> None:
    """GIVEN ocr/raster.py (which cannot import intake) THEN each RasterError code it raises is an
    ErrorCode, so a stored error_code is always one of the table's."""
    codes = set(re.findall(r'RasterError\(\s*"(\w+)"', RASTER.read_text(encoding="utf-8")))
    assert codes >= {"unreadable", "too_large", "unsupported_type"}
    assert codes <= {c.value for c in ErrorCode}


def test_a_raster_code_unknown_to_the_table_reads_as_unreadable() -> None:
    rejected = rejected_from_raster(RasterError("something_new", "詳細"))
    assert rejected.code is ErrorCode.UNREADABLE and rejected.message == "詳細"
    assert rejected_from_raster(RasterError("encrypted", "保護")).code is ErrorCode.ENCRYPTED


@pytest.fixture
def database_down(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(accept_module.repo, "find_by_sha", refuse)


def test_accept_with_the_database_down_is_a_transient_failure(
    services: Services, database_down: None
) -> None:
    with pytest.raises(TransientFailure, match="database unavailable"):
        accept(services, blank_pdf("kofu_shinsei"), "form.pdf", "upload")


def test_hotfolder_puts_a_file_back_while_the_database_is_down(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a scanned file WHEN the database does not answer THEN the file is back in the
    hotfolder under its name ("retry"), and once the database answers it is taken as usual."""
    root = services.settings.hotfolder_dir
    write(root / "form.pdf", blank_pdf("kofu_shinsei"))
    tracker = StabilityTracker(delay=0.0)
    find_by_sha = accept_module.repo.find_by_sha

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(accept_module.repo, "find_by_sha", refuse)
    assert poll_once(services, root, tracker, now=0.0) == ["retry"]
    assert (root / "form.pdf").is_file()
    monkeypatch.setattr(accept_module.repo, "find_by_sha", find_by_sha)
    assert poll_once(services, root, tracker, now=1.0) + poll_once(services, root, tracker, now=2.0) == [
        "done"
    ]
    assert (root / DONE / "form.pdf").is_file() and not (root / "form.pdf").exists()


def test_upload_with_the_database_down_answers_503(services: Services, database_down: None) -> None:
    token = create_api_key(services, "scanner", ["write"])
    with TestClient(create_app(services.settings)) as client:
        response = client.post(
            "/api/v1/documents",
            files={"file": ("form.pdf", blank_pdf("kofu_shinsei"), "application/pdf")},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 503 and response.json()["error"]["code"] == "unavailable"


def test_an_unexpected_error_reaches_the_api_client_as_internal(services: Services) -> None:
    app = create_app(services.settings)

    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("secret detail")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal" and "secret" not in response.text
