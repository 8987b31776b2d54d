"""Figures for supervisors (issue 15 item 10): documents per day and status, the backlog (the
oldest task waiting and the waiting tasks by the day they came in), corrections per field, and
review time per form and per reviewer counted only while the task's page was in front of the
reviewer (the page's visibility beacons, audited as ``task_seen``)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime
from statistics import median
from typing import Any

from intake.domain import UNFINISHED_TASKS, aware
from intake.services import Services
from intake.store import figures
from intake.store.audit_log import seen_beacons
from intake.store.db import transaction

#: Days shown in the charts.
DAYS = 30


def _bars(counts: dict[str, int]) -> list[tuple[str, int, float]]:
    """(day, count, share of the highest day) for the last :data:`DAYS` days with a count."""
    days = sorted(counts)[-DAYS:]
    peak = max((counts[d] for d in days), default=1) or 1
    return [(d, counts[d], counts[d] / peak) for d in days]


def review_times(events: list[tuple[str, dict[str, Any]]]) -> tuple[dict[str | None, int], dict[str, int]]:
    """Median seconds of visible review per task, by form and by reviewer, from ``task_seen``
    events (actor, detail): a task's time is the sum of its beacons (by anyone for the form's
    figure, by that reviewer for theirs)."""
    per_task: dict[int, float] = defaultdict(float)
    per_task_actor: dict[tuple[str, int], float] = defaultdict(float)
    form_of: dict[int, str | None] = {}
    for actor, detail in events:
        task, ms = detail.get("task"), detail.get("ms")
        if not isinstance(task, int) or not isinstance(ms, int | float):
            continue
        per_task[task] += ms / 1000
        per_task_actor[(actor, task)] += ms / 1000
        form_of.setdefault(task, detail.get("form"))
    by_form: dict[str | None, list[float]] = defaultdict(list)
    for task, seconds in per_task.items():
        by_form[form_of.get(task)].append(seconds)
    by_actor: dict[str, list[float]] = defaultdict(list)
    for (actor, _task), seconds in per_task_actor.items():
        by_actor[actor].append(seconds)
    return (
        {form: round(median(values)) for form, values in by_form.items()},
        {actor: round(median(values)) for actor, values in sorted(by_actor.items())},
    )


def statistics(services: Services, now: datetime | None = None) -> dict[str, Any]:
    """Everything the statistics page shows."""
    now = now or datetime.now(UTC)
    with transaction(services.sessions) as session:
        documents = figures.documents_received(session)
        corrections = figures.corrected_fields(session)
        seen = seen_beacons(session)
        waiting = figures.tasks_in(session, UNFINISHED_TASKS)
    per_day: dict[str, Counter[str]] = defaultdict(Counter)
    for created, status in documents:
        per_day[aware(created).date().isoformat()][status] += 1
    corrected: Counter[str] = Counter()
    for fields in corrections:
        corrected.update(fields)
    by_form, by_actor = review_times(seen)
    backlog_days: Counter[str] = Counter(aware(task.created_at).date().isoformat() for task in waiting)
    oldest = min(waiting, key=lambda task: aware(task.created_at), default=None)
    days = [(d, n, share) for d, n, share in _bars({d: sum(c.values()) for d, c in per_day.items()})]
    return {
        "days": [(d, dict(per_day[d]), n, share) for d, n, share in days],
        "corrected": corrected.most_common(15),
        "corrected_peak": max(corrected.values(), default=1),
        "review_time": by_form,
        "review_time_by_reviewer": by_actor,
        "backlog": {
            "count": len(waiting),
            "oldest_task": oldest.id if oldest else None,
            "oldest_form": oldest.form_id if oldest else None,
            "oldest_hours": round((now - aware(oldest.created_at)).total_seconds() / 3600, 1)
            if oldest
            else None,
            "days": _bars(dict(backlog_days)),
        },
    }
