"""本番・試行 on the フォーム定義 screen (issue 14 trust gate): per installed form version its
state (本番 / 試行中) and, for a version from a forms folder, the first batch read on trial
(pages read and reviewed, fields reviewed, fields corrected by reviewers and their rate, the
most corrected fields); 「本番に切り替える」 (enabled once ``Settings.form_trial_pages`` of its
pages were reviewed) and 「試行に戻す」. The changes are posted with the CSRF token and checked
on the server by :mod:`intake.trust` (admin only, the reviewed pages), which audits them and
their refusals; a refused change answers with its reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from extractors.template import template_for
from intake import trust
from intake.errors import ErrorCode
from intake.services import Services
from review_ui.deps import PostSessionDep, ServicesDep
from review_ui.labels import field_label
from review_ui.screens.common import error_page

router = APIRouter()
#: What the list says after a change, by the ``trust`` query parameter.
NOTICES = {"promoted": "本番に切り替えました", "demoted": "試行に戻しました"}


@dataclass(frozen=True)
class TrustRow:
    """One installed version as the list shows it."""

    state: trust.VersionState
    #: Whether 「本番に切り替える」 may be pressed (a version on trial with enough reviewed pages).
    promotable: bool
    #: How many more pages must be reviewed before it may (0: none).
    pages_missing: int
    #: The correction rate in per cent, one decimal ("—" before any field was reviewed).
    rate: str
    #: The most corrected fields by their labels, with how often.
    most_corrected: tuple[tuple[str, int], ...]


def trust_rows(services: Services) -> list[TrustRow]:
    """Every installed version with its state and first batch, for the list."""
    needed = services.settings.form_trial_pages
    rows = []
    for state in trust.states(services):
        batch = state.batch
        template = template_for(state.version.form_id, state.version.version)
        printed = {f.name: f.label for f in template.fields} if template else {}
        missing = max(0, needed - batch.pages_reviewed)
        rate = batch.correction_rate
        rows.append(
            TrustRow(
                state,
                state.trust is trust.Trust.TRIAL and not state.version.shipped and missing == 0,
                missing,
                "—" if rate is None else f"{100 * rate:.1f} %",
                tuple((field_label(name, printed.get(name, "")), n) for name, n in batch.most_corrected),
            )
        )
    return rows


def trust_context(services: Services, notice: str | None) -> dict[str, object]:
    """What the フォーム定義 list needs for its 本番・試行 table: the rows, the pages a version
    needs reviewed, and the notice of a change just made (``?trust=promoted|demoted``)."""
    return {
        "trust_rows": trust_rows(services),
        "trial_pages": services.settings.form_trial_pages,
        "trust_notice": NOTICES.get(notice or ""),
    }


def _changed(
    request: Request, services: Services, info: PostSessionDep, form_id: str, version: str, promote: bool
) -> Response:
    """Promote or demote a version (checked and audited by :mod:`intake.trust`)."""
    change = trust.promote if promote else trust.demote
    try:
        change(services, form_id, version, info.user.name, info.user.role)
    except trust.TrustRefused as refused:
        status = {ErrorCode.FORBIDDEN: 403, ErrorCode.NOT_FOUND: 404}.get(refused.code, 409)
        return error_page(request, info.user, refused.message, status)
    return RedirectResponse(f"/admin/forms?trust={'promoted' if promote else 'demoted'}", status_code=303)


@router.post("/admin/forms/promote")
def promote(
    request: Request,
    services: ServicesDep,
    info: PostSessionDep,
    form_id: Annotated[str, Form()],
    version: Annotated[str, Form()],
) -> Response:
    """「本番に切り替える」: an admin, once enough pages of the version were reviewed."""
    return _changed(request, services, info, form_id, version, promote=True)


@router.post("/admin/forms/demote")
def demote(
    request: Request,
    services: ServicesDep,
    info: PostSessionDep,
    form_id: Annotated[str, Form()],
    version: Annotated[str, Form()],
) -> Response:
    """「試行に戻す」: an admin puts a promoted version back on trial."""
    return _changed(request, services, info, form_id, version, promote=False)
