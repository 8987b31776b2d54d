"""The API's documentation pages (issue 18 item 1): Swagger UI and ReDoc served by the app from
the ``fastapi-offline`` wheel, rendered in chromium under the app's CSP with no request to any
other origin, listing the API's operations."""

# ruff: noqa: F811 - the browser fixtures are imported from test_browser

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.review_ui.test_browser import browser, server  # noqa: F401

REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
OPERATIONS = ("/api/v1/documents", "/api/v1/records", "/api/v1/decisions", "/api/v1/events")


def _watch(page, base: str) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """Requests to another origin and CSP complaints seen by the page."""
    foreign: list[str] = []
    refused: list[str] = []
    own = urlsplit(base).netloc
    page.on(
        "request",
        lambda r: foreign.append(r.url)
        if urlsplit(r.url).scheme in ("http", "https") and urlsplit(r.url).netloc != own
        else None,
    )
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return foreign, refused


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_swagger_ui_renders_the_operations_offline(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    foreign, refused = _watch(page, server)
    page.goto(f"{server}/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=20000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    for path in OPERATIONS:
        assert any(p.replace("\u200b", "") == path for p in paths), (path, paths)
    assert not any(p.startswith("/login") or p == "/" for p in paths)  # the screens are not the API
    assert page.locator(".authorize").count() >= 1  # the bearer scheme gives an Authorize button
    assert foreign == [] and refused == [], (foreign, refused)


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_redoc_renders_the_operations_offline(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    foreign, refused = _watch(page, server)
    page.goto(f"{server}/redoc")
    page.wait_for_selector("[data-section-id^='operation/']", timeout=30000)
    text = page.inner_text("body")
    for path in OPERATIONS:
        assert path in text, path
    # ReDoc's side menu always tries its maker's logo from their CDN; the page's CSP stops it
    # in the browser (nothing leaves the machine) and ReDoc hides the image when it fails.
    assert set(foreign) <= {REDOC_LOGO}, foreign
    assert all(REDOC_LOGO in message for message in refused), refused


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_docs_assets_come_from_the_app_and_nothing_else_of_the_disk(app: TestClient) -> None:
    page = app.get("/docs")
    assert page.status_code == 200 and "cdn" not in page.text.lower()
    assert "'self'" in page.headers["content-security-policy"]
    assert "http" not in page.headers["content-security-policy"]  # no other origin allowed
    assert "<script>" not in page.text  # no inline script: script-src stays 'self'
    assert app.get("/api/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert app.get("/api/docs-assets/redoc.standalone.js").status_code == 200
    assert app.get("/api/docs-assets/..%2F__init__.py").status_code == 404
    assert app.get("/api/docs-assets/core.py").status_code == 404
