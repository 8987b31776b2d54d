"""Pages for supervisors: statistics (approvers and admins) and the audit log (admins)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from intake.auth import SessionInfo
from intake.domain import aware
from intake.store import audit_log, repo
from intake.store.audit_log import AuditFilter
from intake.store.db import transaction
from review_ui.deps import ServicesDep, role_in
from review_ui.labels import ACTION_LABELS, action_label, detail_text, field_label
from review_ui.screens.common import STATUS_NAMES, TEMPLATES, form_names_shown
from review_ui.stats import statistics

Supervisor = Annotated[
    SessionInfo,
    Depends(role_in(frozenset({"approver", "admin"}), "統計は承認者・管理者のみ閲覧できます")),
]
Admin = Annotated[SessionInfo, Depends(role_in(frozenset({"admin"}), "管理者のみ閲覧できます"))]

router = APIRouter()


@router.get("/stats", response_class=HTMLResponse)
def stats_page(request: Request, services: ServicesDep, info: Supervisor) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request,
        "stats.html",
        {
            "user": info.user,
            "csrf": info.csrf_token,
            "stats": statistics(services),
            "form_names": form_names_shown(),
            "status_names": STATUS_NAMES,
            "label": field_label,
        },
    )


#: Events per page of the audit log.
AUDIT_PAGE = 50
#: Most rows one CSV export holds.
AUDIT_EXPORT_MAX = 100_000


def _query_string(chosen: AuditFilter) -> str:
    """The filter as the page's link carries it."""
    pairs = {"actor": chosen.actor, "action": chosen.action, "since": chosen.since, "until": chosen.until}
    return urlencode({k: str(v) for k, v in pairs.items() if v})


def _filter(actor: str | None, action: str | None, since: str | None, until: str | None) -> AuditFilter:
    def day(text: str | None) -> date | None:
        try:
            return date.fromisoformat(text) if text else None
        except ValueError:
            return None

    return AuditFilter(actor or None, action or None, day(since), day(until))


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    services: ServicesDep,
    info: Admin,
    action: str | None = None,
    actor: str | None = None,
    since: str | None = None,
    until: str | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """The audit log in Japanese, newest first, :data:`AUDIT_PAGE` events a page, narrowed by
    user, action and days; its CSV export carries the same filter."""
    chosen = _filter(actor, action, since, until)
    with transaction(services.sessions) as session:
        total = audit_log.count(session, chosen)
        rows = audit_log.newest(session, chosen, (page - 1) * AUDIT_PAGE, AUDIT_PAGE)
        events = [(e.at, e.actor, action_label(e.action), e.document_id, detail_text(e.detail)) for e in rows]
        actors = audit_log.actors(session)
    pages = max(1, -(-total // AUDIT_PAGE))
    return TEMPLATES.TemplateResponse(
        request,
        "audit.html",
        {
            "events": events,
            "user": info.user,
            "filter": chosen,
            "actors": actors,
            "actions": sorted(ACTION_LABELS.items(), key=lambda item: item[1]),
            "page": page,
            "pages": pages,
            "total": total,
            "query": _query_string(chosen),
        },
    )


@router.get("/admin/audit.csv")
def audit_csv(
    services: ServicesDep,
    info: Admin,
    action: str | None = None,
    actor: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Response:
    """The audit log, narrowed as on the page, as CSV (UTF-8 with BOM, for Excel); the export
    itself is audited with its filter and row count."""
    chosen = _filter(actor, action, since, until)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["日時(UTC)", "担当者", "操作", "操作コード", "受付番号", "内容"])
    with transaction(services.sessions) as session:
        count = 0
        for e in audit_log.oldest_first(session, chosen, AUDIT_EXPORT_MAX):
            writer.writerow(
                [
                    aware(e.at).isoformat(timespec="seconds"),
                    _cell(e.actor),
                    action_label(e.action),
                    e.action,
                    e.document_id or "",
                    _cell(detail_text(e.detail)),
                ]
            )
            count += 1
        repo.audit(session, info.user.name, "audit_exported", None, rows=count, filter=chosen.detail())
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="kakunin-audit.csv"',
            "Cache-Control": "private, no-store",
        },
    )


def _cell(text: str) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
