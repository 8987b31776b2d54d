"""Small builders shared by tests."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from extractors.template import TEMPLATE_DIR
from intake.settings import Settings

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
