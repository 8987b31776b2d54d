"""A page read again with the form a reviewer chose (issue 15 item 8).

A page none of the installed templates was found on becomes a task without a form; the
reviewer says which form it is, and the document goes through the pipeline again (the worker's
own job, :func:`intake.jobs.process_document`) with that page identified among that form only
and read as it when it still does not fit. What the reviewer chose waits in the document's
extraction JSON under :data:`KEY` until the new extraction replaces it.
"""

from __future__ import annotations

from typing import Any

#: Where the chosen forms wait in the document's extraction JSON: page number → form id.
KEY = "forced_forms"


def forced_forms(extraction: dict[str, Any] | None) -> dict[int, str]:
    """The forms reviewers chose for pages of a document, by page number (none: empty)."""
    chosen = (extraction or {}).get(KEY) or {}
    return {int(page): str(form_id) for page, form_id in chosen.items() if str(page).isdigit()}


def with_forced(extraction: dict[str, Any] | None, page_no: int, form_id: str) -> dict[str, Any]:
    """The extraction JSON with ``form_id`` chosen for page ``page_no`` (the others kept)."""
    current = dict(extraction or {})
    current[KEY] = {**(current.get(KEY) or {}), str(page_no): form_id}
    return current
