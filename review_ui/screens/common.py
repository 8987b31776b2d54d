"""What every screen shares: the templates, the Japanese names of forms, states and roles, and
the error page."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from extractors.model import Finding
from extractors.template import form_names
from intake.auth import User
from intake.domain import DocumentStatus
from intake.privacy import shown_value
from review_ui.deps import secure_cookies
from review_ui.labels import field_label

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))
FORM_NAMES = {
    "kofu_shinsei": "資格確認書（新規・再）交付申請書",
    "hifuyosha_ido": "被扶養者（異動）届",
    "messhitsu": "資格確認書 滅失届",
    "jusho_shimei_henko": "住所・氏名変更届",
    None: "様式不明",
}


def form_names_shown() -> dict[str | None, str]:
    """Every installed form's name for people: the society's four as the screens have always
    named them, a form onboarded as data by its template's ``name`` (else its printed title),
    not its id (a clerk's 協会けんぽ 資格喪失届 showed as ``kyokai_shikaku_soshitsu``)."""
    return {**form_names(), **FORM_NAMES}


STATUS_NAMES = {
    DocumentStatus.RECEIVED: "受付済",
    DocumentStatus.PROCESSING: "処理中",
    DocumentStatus.IN_REVIEW: "確認待ち",
    DocumentStatus.FAILED: "エラー",
    DocumentStatus.VALIDATED: "確定",
    DocumentStatus.REJECTED: "差戻し",
}
ROLE_NAMES = {"reviewer": "確認者", "approver": "承認者", "admin": "管理者"}


def error_page(
    request: Request,
    user: User,
    message: str,
    status_code: int,
    takeover: int | None = None,
    csrf: str | None = None,
) -> HTMLResponse:
    """The error page, always with the way back to the queue; ``takeover``: the task an
    approver or admin may take over from the one holding it."""
    return TEMPLATES.TemplateResponse(
        request,
        "error.html",
        {"message": message, "user": user, "takeover": takeover, "takeover_csrf": csrf},
        status_code=status_code,
    )


def shown(name: str, value: Any) -> Any:
    """A value as the screens show it: the rule of the API too (:func:`intake.privacy.shown_value`:
    個人番号 masked to its last four, 記号・番号 as they are)."""
    return shown_value(name, value)


def snippet(
    box: list[float] | None, page_sha: str | None, page_size: tuple[int, int], scale: float | None
) -> str | None:
    """CSS showing one field's box cut from the page image, 34 px high; ``scale`` is the page
    image's pixels per template point (from the image's size, not a fixed DPI)."""
    if not box or not page_sha or not scale:
        return None
    x0, y0, x1, y1 = (v * scale for v in box)
    height = 34.0
    s = height / max(y1 - y0, 1)
    width = min((x1 - x0) * s, 420)
    return (
        f"width:{width:.0f}px;height:{height:.0f}px;background-image:url(/images/{page_sha}.png);"
        f"background-size:{page_size[0] * s:.0f}px {page_size[1] * s:.0f}px;"
        f"background-position:{-x0 * s:.0f}px {-y0 * s:.0f}px"
    )


#: The cookie that carries, across the redirects after an approval, the findings left on the
#: record just validated (:func:`keep_left`, :func:`left_on`): the next page shows them once.
LEFT_COOKIE = "kakunin_left"


def keep_left(response: Response, request: Request, record_id: int, findings: Sequence[Finding]) -> None:
    """Have the next page say which findings the values approved left on record ``record_id``
    (field label and Japanese message; at most 20)."""
    left = [[field_label(f.field) if f.field else "", f.message] for f in findings[:20]]
    value = base64.urlsafe_b64encode(json.dumps({"record": record_id, "left": left}).encode()).decode()
    response.set_cookie(
        LEFT_COOKIE, value, max_age=300, secure=secure_cookies(request), httponly=True, samesite="strict"
    )


def left_on(request: Request, record_id: int | None) -> list[tuple[str, str]]:
    """The findings an approval left on record ``record_id`` (label, message), when the cookie
    names that record (see :func:`forget_left`)."""
    raw = request.cookies.get(LEFT_COOKIE)
    if raw is None or record_id is None:
        return []
    try:
        kept = json.loads(base64.urlsafe_b64decode(raw.encode()))
        if kept.get("record") != record_id:
            return []
        return [(str(label), str(message)) for label, message in kept.get("left", [])]
    except (ValueError, TypeError, AttributeError):
        return []


def forget_left(request: Request, response: Response) -> None:
    """The cookie of :func:`keep_left` cleared, so its findings are shown once."""
    if LEFT_COOKIE in request.cookies:
        response.delete_cookie(LEFT_COOKIE, secure=secure_cookies(request), httponly=True, samesite="strict")
