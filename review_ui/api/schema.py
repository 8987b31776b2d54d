"""The OpenAPI document of ``/api/v1``: FastAPI's, plus what it cannot know from the routes.

- the bearer security scheme (``kakunin apikey create``), required on every operation;
- the error responses every operation may give, in the one error shape;
- request bodies a route reads itself (the events' discriminated union).

The screens and the documentation pages are left out of the schema (``include_in_schema=False``).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import TypeAdapter

from review_ui.api.models import EVENT_BODY, ErrorBody
from review_ui.api.webhooks_doc import webhooks_section

#: The name of the security scheme in ``components.securitySchemes``.
BEARER = "bearer"

_ERRORS = {
    "401": "API キーがない・無効（unauthorized）",
    "403": "キーにスコープがない（forbidden）",
    "422": "パラメータが正しくない（invalid_request、invalid_cursor、invalid_filter …）",
    "500": "予期しないエラー（internal、詳細なし）",
    "503": "データベースかファイル保管庫が応答しない（unavailable）",
}

_DESCRIPTION = """\
資格確認書 関係届出の受付・OCR・確認の API。

**認証**: `Authorization: Bearer <key>`（`kakunin apikey create NAME --scope read --scope write`、
個人番号を全桁で受け取るには `--scope my_number`）。

**エラー**: すべて `{"error": {"code": "...", "message": "..."}}`。コードの一覧は README の API 節。

**ページ送り**: 一覧はすべて `limit` と `cursor`。応答の `next` が次のページの URL（最後のページでは null）。
"""


def _components(schema: dict[str, Any], adapter_schema: dict[str, Any]) -> dict[str, Any]:
    """Moves an adapter's ``$defs`` into the document's components; returns the remainder."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(adapter_schema.pop("$defs", {}))
    return adapter_schema


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document (built once, then cached on the app as FastAPI does)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=_DESCRIPTION,
        routes=app.routes,
    )
    ref = "#/components/schemas/{model}"
    error_schema = _components(schema, ErrorBody.model_json_schema(ref_template=ref))
    schema["components"]["schemas"]["ErrorBody"] = error_schema
    event_schema = _components(schema, TypeAdapter(EVENT_BODY).json_schema(ref_template=ref))
    schema["components"]["schemas"]["EventBody"] = event_schema
    schema["components"].setdefault("securitySchemes", {})[BEARER] = {
        "type": "http",
        "scheme": "bearer",
        "description": "kakunin apikey create で作るキー",
    }
    schema["security"] = [{BEARER: []}]
    error_ref = {"$ref": "#/components/schemas/ErrorBody"}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status, description in _ERRORS.items():
                entry = responses.setdefault(status, {"description": description})
                entry["content"] = {"application/json": {"schema": error_ref}}
            if path == "/api/v1/events" and method == "post":
                operation["requestBody"] = {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/EventBody"}}
                    },
                }
    schema["webhooks"] = webhooks_section()
    app.openapi_schema = schema
    return schema
