"""Property-based API tests generated from the OpenAPI schema (schemathesis): no input, however
odd, makes the API answer with a server error, and every answer (success or error) matches the
schema's response for its status (the typed models, the one error shape): the schema cannot
drift from the code."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from intake.auth import create_api_key
from intake.services import Services
from intake.settings import Settings
from intake.store.db import make_engine, upgrade
from review_ui.app import create_app


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_api_never_answers_with_a_server_error(settings: Settings) -> None:
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    engine.dispose()
    token = create_api_key(Services(settings), "fuzz", ["read", "write", "audit"])
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(settings))
    operations = [result.ok() for result in schema.get_all_operations()]
    api = [op for op in operations if op.path.startswith("/api/")]
    assert len(api) >= 10
    statuses: list[int] = []
    for operation in api:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def run(case: Any) -> None:
            response = case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error, response_schema_conformance]
            )
            statuses.append(response.status_code)

        run()
    assert len(statuses) > 30 and all(status < 500 for status in statuses)
