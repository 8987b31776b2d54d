"""Server-rendered Japanese screens: login, queue, task (keyboard-first), records, statistics
and the audit log; one router per screen, joined here."""

from __future__ import annotations

from fastapi import APIRouter

from review_ui.screens import (
    account,
    admin,
    approvals,
    designer,
    login,
    queue,
    records,
    suggest,
    tasks,
    trust,
)

router = APIRouter()
for _screen in (login, account, queue, approvals, tasks, suggest, records, admin, designer, trust):
    router.include_router(_screen.router)
