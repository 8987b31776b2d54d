"""What every screen shares: the templates, the Japanese names of forms, states and roles, and
the error page."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from intake.auth import User
from intake.domain import DocumentStatus

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))
FORM_NAMES = {
    "kofu_shinsei": "資格確認書（新規・再）交付申請書",
    "hifuyosha_ido": "被扶養者（異動）届",
    "messhitsu": "資格確認書 滅失届",
    "jusho_shimei_henko": "住所・氏名変更届",
    None: "様式不明",
}
STATUS_NAMES = {
    DocumentStatus.RECEIVED: "受付済",
    DocumentStatus.PROCESSING: "処理中",
    DocumentStatus.IN_REVIEW: "確認待ち",
    DocumentStatus.FAILED: "エラー",
    DocumentStatus.VALIDATED: "確定",
    DocumentStatus.REJECTED: "差戻し",
}
ROLE_NAMES = {"reviewer": "確認者", "approver": "承認者", "admin": "管理者"}


def error_page(request: Request, user: User, message: str, status_code: int) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request, "error.html", {"message": message, "user": user}, status_code=status_code
    )
