"""The JSON API (``/api/v1``): documents in, records and decisions out. Every route needs an API
key with the right scope; reads also take a screen session, writes never
(:data:`review_ui.deps.Reader` / ``Writer``)."""

from __future__ import annotations

from fastapi import APIRouter

from review_ui.api import docs, documents, records

router = APIRouter()
router.include_router(documents.router)
router.include_router(records.router)
router.include_router(docs.router)
