"""Hostile and broken input: each answered with a stable code, never a crash or a hang."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image
from pypdf import PdfWriter

from intake.accept import accept
from intake.domain import DocumentStatus
from intake.pipeline import extract
from intake.services import Services
from ocr.raster import RasterLimits
from tests.helpers import NoEngine


def _pdf(pages: int, width: float = 595, height: float = 842, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=width, height=height)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_pdf_with_thousands_of_pages_is_refused_at_the_door(services: Services) -> None:
    result = accept(services, _pdf(2000), "batch.pdf", "upload")
    assert result.document.status is DocumentStatus.FAILED and result.document.error_code == "too_many_pages"
    assert services.queue.count == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_encrypted_pdf_is_refused_with_its_code(services: Services) -> None:
    result = accept(services, _pdf(1, password="secret"), "locked.pdf", "upload")
    assert result.document.error_code == "encrypted"
    assert "パスワード" in (result.document.error_message or "")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (_pdf(1, width=14000, height=14000), "too_large"),  # a page far larger than A4
        (b"%PDF-1.4\n%%EOF", "unreadable"),
        (_pdf(2), "empty"),  # blank pages only: nothing to read, said so before any OCR
    ],
)
def test_pipeline_refuses_huge_pages_broken_pdfs_and_blank_pages(data: bytes, code: str) -> None:
    result = extract(data, "pdf", "x.pdf", NoEngine(), RasterLimits(dpi=200), date(2026, 11, 26))  # type: ignore[arg-type]
    assert result.error is not None and result.error[0] == code


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow warns; our cap answers
def test_decompression_bomb_is_refused_before_decoding() -> None:
    bomb = Image.new("1", (20000, 20000), 1)  # 400 Mpx of white, a few hundred kB as PNG
    buffer = io.BytesIO()
    bomb.save(buffer, format="PNG", optimize=True)
    result = extract(buffer.getvalue(), "png", "bomb.png", NoEngine(), RasterLimits(), date(2026, 11, 26))  # type: ignore[arg-type]
    assert result.error is not None and result.error[0] == "too_large"
