"""The signed webhooks in the OpenAPI document (its ``webhooks`` section, OpenAPI 3.1), so an
integrator learns every event, its body and how to verify it from ``/docs`` alone (issue 18).

The events themselves are written by :mod:`intake.outbox` and signed by :mod:`intake.webhooks`;
this module only describes them, from the same list of event types.
"""

from __future__ import annotations

from typing import Any

from intake.webhooks import EVENT_TYPES

_VERIFY = (
    "Standard Webhooks (https://www.standardwebhooks.com) で署名されています。"
    "`kakunin webhook add URL` が表示する `whsec_…` の秘密鍵で、受け取った生のボディと "
    "`webhook-id`・`webhook-timestamp`・`webhook-signature` ヘッダを検証してください"
    "（例: Python `standardwebhooks.Webhook(secret).verify(body, headers)`）。"
    "`webhook-id` は再送でも同じ（冪等キー）: 同じ id は一度だけ処理してください。"
    "2xx 以外の応答は間隔を空けて再送されます。ボディに個人番号は含まれません（マスク済み）。"
)

#: What each event's ``data`` holds, beside the envelope.
_DATA: dict[str, tuple[str, dict[str, Any], tuple[str, ...]]] = {
    "document.received": (
        "文書を受け付けた（ホットフォルダまたはアップロード）",
        {"source": {"type": "string", "enum": ["hotfolder", "upload"]}},
        ("source",),
    ),
    "document.failed": (
        "文書を読めなかった（`code` はエラーコード表のコード）",
        {"code": {"type": "string"}, "source": {"type": "string"}},
        ("code",),
    ),
    "document.in_review": (
        "文書が確認待ちになった（訂正のための再オープンでは `reopened: true` と `record_id`）",
        {"record_id": {"type": "integer"}, "reopened": {"type": "boolean"}},
        (),
    ),
    "document.rejected": (
        "確認者が文書を差し戻した（`code` は理由）",
        {"code": {"type": "string"}},
        ("code",),
    ),
    "review.completed": (
        "文書の確認がすべて終わった（再オープンの取消では `reopen_cancelled: true`）",
        {"record_id": {"type": "integer"}, "reopen_cancelled": {"type": "boolean"}},
        (),
    ),
    "decision.created": (
        "記録に判定が出た（訂正後の判定は置き換える判定の id を `supersedes` に持つ）",
        {
            "decision_id": {"type": "integer"},
            "record_id": {"type": "integer"},
            "form_id": {"type": "string"},
            "decision": {"type": "string"},
            "outcomes": {"type": "array", "items": {"type": "object"}},
            "persons": {"type": "array", "items": {"type": "object"}},
            "values": {"type": "object", "description": "確定値（個人番号はマスク済み）"},
            "decided_at": {"type": "string", "format": "date-time"},
            "supersedes": {"type": "integer"},
        },
        ("decision_id", "record_id", "decision"),
    ),
    "decision.superseded": (
        "判定が訂正後の判定に置き換えられた",
        {
            "decision_id": {"type": "integer"},
            "superseded_by": {"type": "integer"},
            "record_id": {"type": "integer"},
        },
        ("decision_id", "superseded_by", "record_id"),
    ),
}

_HEADERS = (
    ("webhook-id", "イベントの id（冪等キー、再送でも同じ）"),
    ("webhook-timestamp", "この送信の時刻（Unix 秒）"),
    ("webhook-signature", "`v1,<base64 HMAC-SHA256>`（空白区切りで複数のことがある）"),
)


def _body(event_type: str) -> dict[str, Any]:
    """The JSON schema of one event's body: the envelope and its ``data``."""
    _summary, properties, required = _DATA[event_type]
    document_id: dict[str, Any] = {
        "type": ["integer", "null"] if event_type.startswith("decision.") else "integer"
    }
    data: dict[str, Any] = {
        "type": "object",
        "properties": {"document_id": document_id, **properties},
        "required": ["document_id", *required],
    }
    if event_type.startswith("document."):
        data["properties"]["status"] = {"type": "string", "const": event_type.removeprefix("document.")}
        data["required"].append("status")
    elif event_type == "review.completed":
        data["properties"]["status"] = {"type": "string"}
    return {
        "type": "object",
        "properties": {
            "type": {"type": "string", "const": event_type},
            "timestamp": {"type": "string", "format": "date-time"},
            "data": data,
        },
        "required": ["type", "timestamp", "data"],
    }


def webhooks_section() -> dict[str, Any]:
    """One OpenAPI ``webhooks`` entry per event type a target can take."""
    if set(_DATA) != set(EVENT_TYPES):  # a new event type must be described here too
        raise RuntimeError(f"webhook events without a description: {set(EVENT_TYPES) ^ set(_DATA)}")
    section: dict[str, Any] = {}
    for event_type in EVENT_TYPES:
        summary = _DATA[event_type][0]
        section[event_type] = {
            "post": {
                "summary": summary,
                "description": _VERIFY,
                "operationId": f"webhook_{event_type.replace('.', '_')}",
                "tags": ["webhooks"],
                "parameters": [
                    {
                        "name": name,
                        "in": "header",
                        "required": True,
                        "description": text,
                        "schema": {"type": "string"},
                    }
                    for name, text in _HEADERS
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _body(event_type)}},
                },
                "responses": {"2XX": {"description": "受け取った（それ以外は再送される）"}},
                "security": [],
            }
        }
    return section
