"""Turn PDF/TIFF/PNG/JPEG bytes into greyscale page images, with limits checked before decoding."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image as PILImage
from PIL import ImageSequence

from ocr.errors import RasterError
from ocr.types import Image, px_per_pt

# Pillow's own bomb guard stays on, set just above our cap: our cap answers first with a
# clear code, and Pillow still refuses anything a wrong caller would let through.
PILImage.MAX_IMAGE_PIXELS = 200_000_000

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
)

MEDIA_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg", "tiff": "image/tiff"}


def sniff_type(head: bytes) -> str | None:
    """The file type from its first bytes (never from its name); None when unsupported."""
    # A PDF may carry a few junk bytes before its header; readers accept up to 1 KiB.
    if b"%PDF-" in head[:1024]:
        return "pdf"
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    return None


@dataclass(frozen=True)
class RasterLimits:
    max_pages: int = 50
    max_pixels: int = 60_000_000  # per page, after rendering
    dpi: int = 200
    #: Red drop-out: colour pages become grey through their red channel, in which red seals
    #: (事業主印, 社判, 受付印) are as light as the paper while black and blue writing stay dark.
    red_dropout: bool = True
    #: Without red drop-out, a PDF rendered in colour and taken as its luminance (as a grey
    #: scanner sees colour print) rather than rendered grey by pdfium (whose grey mode draws
    #: black print a little differently).
    luminance: bool = False


def count_pages(data: bytes, kind: str) -> int:
    """Number of pages, read from the file's structure without rendering anything."""
    if kind == "pdf":
        pdf = _open_pdf(data)
        try:
            return len(pdf)
        finally:
            pdf.close()
    image = _open_image(data)
    return getattr(image, "n_frames", 1)


def rasterize(data: bytes, kind: str, limits: RasterLimits) -> list[Image]:
    """Every page as a greyscale uint8 image (PDFs rendered at ``limits.dpi``)."""
    return list(iter_pages(data, kind, limits))


def iter_pages(data: bytes, kind: str, limits: RasterLimits) -> Iterator[Image]:
    """The pages of :func:`rasterize` one at a time, each rendered when it is asked for (so a
    caller can give every page its own time budget: :mod:`intake.sandbox`)."""
    if kind == "pdf":
        yield from _rasterize_pdf(data, limits)
    elif kind in ("png", "jpeg", "tiff"):
        yield from _rasterize_image(data, limits)
    else:
        raise RasterError("unsupported_type", f"file type {kind!r} is not supported")


def _open_pdf(data: bytes):  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        text = str(exc).lower()
        if "password" in text:
            raise RasterError(
                "encrypted", "PDF はパスワードで保護されています。保護を外して再提出してください。"
            ) from exc
        raise RasterError("unreadable", f"PDF を読み取れません（破損の可能性）: {exc}") from exc


def _rasterize_pdf(data: bytes, limits: RasterLimits) -> Iterator[Image]:
    pdf = _open_pdf(data)
    try:
        if len(pdf) == 0:
            raise RasterError("unreadable", "PDF にページがありません。")
        if len(pdf) > limits.max_pages:
            raise RasterError(
                "too_many_pages",
                f"{len(pdf)} ページあります（上限 {limits.max_pages}）。分割して提出してください。",
            )
        scale = px_per_pt(limits.dpi)
        for page in pdf:
            width, height = page.get_size()
            if width * scale * height * scale > limits.max_pixels:
                raise RasterError(
                    "too_large",
                    f"ページが大きすぎます（{width:.0f}×{height:.0f} pt）。A4 で提出してください。",
                )
            bitmap = page.render(scale=scale, grayscale=not (limits.red_dropout or limits.luminance))
            yield np.ascontiguousarray(to_gray(bitmap.to_pil(), limits.red_dropout))
    finally:
        pdf.close()


def to_gray(image: PILImage.Image, red_dropout: bool) -> Image:
    """One grey page: the red channel of a colour image with ``red_dropout`` (seals vanish,
    writing stays), the luminance otherwise; 1-bit and grey images as they are."""
    if red_dropout and image.mode not in ("1", "L", "LA", "I", "I;16", "F"):
        red = image.convert("RGB").getchannel("R")
        return np.ascontiguousarray(np.asarray(red, dtype=np.uint8))
    return np.ascontiguousarray(np.asarray(image.convert("L"), dtype=np.uint8))


def _open_image(data: bytes) -> PILImage.Image:
    try:
        return PILImage.open(io.BytesIO(data))
    except PILImage.DecompressionBombError as exc:
        raise RasterError("too_large", f"画像の画素数が多すぎます: {exc}") from exc
    except Exception as exc:
        raise RasterError("unreadable", f"画像を読み取れません（破損の可能性）: {exc}") from exc


def _rasterize_image(data: bytes, limits: RasterLimits) -> Iterator[Image]:
    image = _open_image(data)
    frames = getattr(image, "n_frames", 1)
    if frames > limits.max_pages:
        raise RasterError(
            "too_many_pages",
            f"{frames} ページあります（上限 {limits.max_pages}）。分割して提出してください。",
        )
    frames_read = ImageSequence.Iterator(image)
    while True:
        try:
            frame = next(frames_read, None)
            if frame is None:
                return
            width, height = frame.size  # header values: nothing decoded yet
            if width * height > limits.max_pixels:
                raise RasterError("too_large", f"画像が大きすぎます（{width}×{height} 画素）。")
            page = to_gray(frame, limits.red_dropout)
        except (RasterError, MemoryError):  # out of memory is the budget's, not the file's fault
            raise
        except Exception as exc:  # truncated or corrupt image data
            raise RasterError(
                "unreadable", f"画像を読み取れません（途中で切れているか破損しています）: {exc}"
            ) from exc
        yield page
