"""Shared fixtures of the review screen tests: users, a real review task, logging in."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from intake import jobs
from intake.accept import accept
from intake.auth import create_user
from intake.services import Services
from intake.store.db import transaction
from intake.store.models import AuditEventRow, ReviewTaskRow
from intake.worker import queue_worker
from ocr.engine import OcrEngine
from review_ui.app import create_app
from tests.conftest import SAMPLES

MY_NUMBER = "123456789018"


@pytest.fixture
def task_id(services: Services, engine: OcrEngine) -> int:
    """A real review task: a sample scan through the real worker."""
    accept(services, (SAMPLES / "sample_2025_0002_kofu_shinsei.tif").read_bytes(), "k.tif", "upload")
    jobs._context = jobs.WorkerContext(services, engine)
    queue_worker(services).work(burst=True)
    jobs._context = None
    with transaction(services.sessions) as session:
        return int(session.scalars(select(ReviewTaskRow.id)).one())


@pytest.fixture
def app(services: Services) -> Iterator[TestClient]:
    for name, role in (("rev", "reviewer"), ("rev2", "reviewer"), ("appr", "approver"), ("adm", "admin")):
        create_user(services, name, role, password=f"pw-{name}-long")
    services.settings.cookie_secure = False  # the test client speaks plain HTTP to "testserver"
    with TestClient(create_app(services.settings)) as client:
        yield client


def login_token(client: TestClient) -> str:
    """The login form's CSRF token (its cookie stays in the client)."""
    page = client.get("/login").text
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def login(client: TestClient, name: str) -> str:
    client.cookies.clear()
    response = client.post(
        "/login",
        data={"username": name, "password": f"pw-{name}-long", "csrf": login_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    page = client.get("/").text
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def audit_actions(services: Services) -> list[str]:
    with transaction(services.sessions) as session:
        return [a for a in session.scalars(select(AuditEventRow.action))]


def set_my_number(services: Services, value: str) -> None:
    from intake.store.models import FieldReadingRow

    with transaction(services.sessions) as session:
        row = session.scalars(
            select(FieldReadingRow).where(FieldReadingRow.field_name == "insured_my_number")
        ).one()
        row.value = value
