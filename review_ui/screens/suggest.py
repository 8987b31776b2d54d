"""Proposals on the task screen (issue 20 item 4), for the reviewer to accept with a key:
a 郵便番号 typed proposes the beginning of the address beside it (都道府県, 市区町村 and the town
as Japan Post spells them), and the employer block's values offer the 事業所 of the master
they match (:func:`extractors.employers.match`). Nothing is written by the server: the page
shows the proposal and the reviewer takes it (Alt+J) or not.

Only the holder of the task's claim may ask (the values typed are theirs to check).
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import JSONResponse

from extractors.employers import BLOCK, match
from extractors.postcodes import places
from intake import review
from intake.domain import TaskStatus
from intake.employers import master
from intake.errors import ErrorCode
from review_ui.deps import DbId, PostSessionDep, ServicesDep

router = APIRouter()


def _held(services: ServicesDep, info: PostSessionDep, task_id: int) -> review.TaskView | JSONResponse:
    """The task, when this user holds its claim; else the refusal as JSON."""
    try:
        view = review.load_task(services, task_id)
    except review.ReviewError as exc:
        return JSONResponse({"error": {"code": exc.code.value, "message": exc.message}}, status_code=404)
    if view.status is not TaskStatus.CLAIMED or view.claimed_by != info.user.name:
        return JSONResponse(
            {"error": {"code": ErrorCode.CLAIMED.value, "message": "この確認タスクを確認中ではありません"}},
            status_code=409,
        )
    return view


def address_beginning(postcode: str) -> str | None:
    """What every place ``postcode`` stands for begins with (都道府県 + 市区町村, and the town
    when it is one): the part of an address a postcode settles. None for a postcode that
    does not exist."""
    found = places(postcode)
    if not found:
        return None
    whole = [p.prefecture + p.city + p.town for p in found]
    common = os.path.commonprefix(whole)
    city = found[0].prefecture + found[0].city
    return common if len(common) >= len(city) else city


@router.post("/tasks/{task_id}/postcode")
def postcode_proposal(
    services: ServicesDep,
    info: PostSessionDep,
    task_id: DbId,
    field: Annotated[str, Form()],
    value: Annotated[str, Form()] = "",
) -> JSONResponse:
    """The beginning of the address for the 郵便番号 ``value`` typed in ``field``: the address
    field beside it and the proposal (null while the postcode is incomplete or unknown)."""
    view = _held(services, info, task_id)
    if isinstance(view, JSONResponse):
        return view
    template = review.task_template(view)
    address = next((s for s in template.fields if s.postcode == field), None) if template else None
    if address is None:
        return JSONResponse(
            {"error": {"code": ErrorCode.NOT_FOUND.value, "message": "項目が見つかりません"}}, status_code=404
        )
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", value))
    proposal = address_beginning(digits) if len(digits) == 7 else None
    message = "" if proposal or len(digits) < 7 else "この郵便番号は日本郵便のデータにありません"
    return JSONResponse({"field": address.name, "proposal": proposal, "message": message})


@router.post("/tasks/{task_id}/employer")
def employer_proposal(
    services: ServicesDep,
    info: PostSessionDep,
    task_id: DbId,
    employer_name: Annotated[str, Form()] = "",
    employer_phone: Annotated[str, Form()] = "",
    employer_address: Annotated[str, Form()] = "",
    employer_owner_name: Annotated[str, Form()] = "",
) -> JSONResponse:
    """The 事業所 of the master the employer block's values (as on the screen) match, with its
    value for each field of the block; null when none or several match."""
    view = _held(services, info, task_id)
    if isinstance(view, JSONResponse):
        return view
    typed = {
        "employer_name": employer_name,
        "employer_phone": employer_phone,
        "employer_address": employer_address,
        "employer_owner_name": employer_owner_name,
    }
    found = match(typed, master(services))
    if found is None:
        return JSONResponse({"employer": None, "values": {}})
    values = {field: found.value(column) for column, field in BLOCK.items() if found.value(column)}
    return JSONResponse({"employer": {"code": found.code, "name": found.name}, "values": values})
