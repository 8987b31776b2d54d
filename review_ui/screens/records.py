"""A validated (or pending) record with its decision; every view is audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from intake import review
from intake.privacy import mask_values
from intake.store import repo
from intake.store.db import transaction
from review_ui.deps import DbId, ServicesDep, SessionDep
from review_ui.labels import decision_label, field_label, value_label
from review_ui.screens.common import FORM_NAMES, TEMPLATES, error_page
from review_ui.screens.tasks import next_url

router = APIRouter()


@router.get("/records/{record_id}/next")
def next_after(
    services: ServicesDep, info: SessionDep, record_id: DbId, from_: Annotated[str, Query(alias="from")] = ""
) -> RedirectResponse:
    """Where an approval leads (issue 15 item 6): the next task nobody holds, saying which
    record was just made; the record itself when there is no task left."""
    following = next_url(services, info.user, from_ == "approvals")
    if following is None:
        return RedirectResponse(f"/records/{record_id}?approved=1", status_code=303)
    return RedirectResponse(f"{following}?done={record_id}", status_code=303)


@router.get("/records/{record_id}", response_class=HTMLResponse)
def record_page(request: Request, services: ServicesDep, info: SessionDep, record_id: DbId) -> HTMLResponse:
    view = review.record_view(services, record_id)
    if view is None:
        return error_page(request, info.user, "記録が見つかりません", 404)
    view["values"] = mask_values(view["values"])
    with transaction(services.sessions) as session:
        repo.audit(session, info.user.name, "record_viewed", view["document_id"], record=record_id)
    return TEMPLATES.TemplateResponse(
        request,
        "record.html",
        {
            "record": view,
            "user": info.user,
            "csrf": info.csrf_token,
            "form_names": FORM_NAMES,
            "label": field_label,
            "value_label": value_label,
            "decision_label": decision_label,
        },
    )
