"""Small builders shared by tests."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from extractors.template import TEMPLATE_DIR
from intake.settings import Settings

if TYPE_CHECKING:
    import subprocess

    from sqlalchemy.orm import Session

    from intake.services import Services

FONT = "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"


def blank_pdf(form_id: str) -> bytes:
    return (TEMPLATE_DIR / f"{form_id}.pdf").read_bytes()


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def text_image(text: str, height: int = 64, font: str = FONT) -> np.ndarray:
    """A clean greyscale crop with ``text`` printed on it."""
    face = ImageFont.truetype(font, int(height * 0.6))
    width = int(face.getlength(text)) + height
    image = Image.new("L", (width, height), 255)
    ImageDraw.Draw(image).text((height // 2, height * 0.18), text, font=face, fill=0)
    return np.asarray(image, dtype=np.uint8)


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def service_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment a `kakunin` subprocess needs to share a test's database, Redis and files."""
    import os

    return {
        **os.environ,
        "KAKUNIN_DATABASE_URL": settings.resolved_database_url,
        "KAKUNIN_REDIS_URL": settings.redis_url,
        "KAKUNIN_DATA_DIR": str(settings.data_dir),
        **extra,
    }


def worker_process(services: Services, burst: bool = False) -> subprocess.Popen[bytes]:
    """A `kakunin worker` subprocess (one OCR thread) on the test's database, Redis and files."""
    import subprocess
    import sys

    return subprocess.Popen(
        [sys.executable, "-m", "intake.cli", "worker", *(["--burst"] if burst else [])],
        env=service_env(services.settings, KAKUNIN_OCR__THREADS="1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def document_statuses(services: Services) -> dict[int, str]:
    """Every document's status, by id, as committed."""
    from sqlalchemy import select

    from intake.store.db import transaction
    from intake.store.models import DocumentRow

    with transaction(services.sessions) as session:
        return dict(session.execute(select(DocumentRow.id, DocumentRow.status)).all())


def document_in_processing(
    session: Session, name: str = "scan.tif", pages: int = 1, sha: str = "c" * 64
) -> int:
    """A document stored as received and claimed by a worker, the state ``save_extraction``
    expects; its id."""
    from intake.domain import DocumentStatus
    from intake.store import repo

    document, _ = repo.insert_document(
        session,
        sha256=sha,
        source="upload",
        original_name=name,
        media_type="image/tiff",
        size_bytes=10,
        page_count=pages,
        status=DocumentStatus.RECEIVED,
    )
    repo.claim_for_processing(session, document.id)
    return document.id


class NoEngine:
    """An OCR engine that is never to be called: the input must be refused before any OCR."""

    info = None

    def recognize(self, crops: object, alphabets: object = None) -> list[object]:
        raise AssertionError("OCR must not run on refused input")

    def read_page(self, page: object) -> list[object]:
        raise AssertionError("OCR must not run on refused input")
