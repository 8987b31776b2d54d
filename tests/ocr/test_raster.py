"""Rasterising: types come from the bytes, limits are checked before decoding, errors carry codes."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from ocr.errors import RasterError
from ocr.raster import RasterLimits, count_pages, rasterize, sniff_type
from tests.helpers import blank_pdf, png_bytes


def test_sniff_type_reads_magic_bytes_not_names() -> None:
    assert sniff_type(blank_pdf("kofu_shinsei")[:2048]) == "pdf"
    assert sniff_type(png_bytes(np.zeros((4, 4), np.uint8))[:16]) == "png"
    assert sniff_type(b"\xff\xd8\xff\xe0rest") == "jpeg"
    assert sniff_type(b"II*\x00rest") == "tiff"
    assert sniff_type(b"hello, this is text") is None
    assert sniff_type(b"") is None


def test_pdf_renders_one_greyscale_page_at_the_requested_dpi() -> None:
    pages = rasterize(blank_pdf("messhitsu"), "pdf", RasterLimits(dpi=100))
    assert len(pages) == 1
    assert pages[0].ndim == 2 and pages[0].dtype == np.uint8
    assert abs(pages[0].shape[1] - 595.28 * 100 / 72) <= 1


def test_multipage_tiff_gives_every_page_including_1bit_g4_and_mixed_sizes() -> None:
    first = Image.new("1", (300, 400), 1)
    second = Image.new("1", (500, 200), 0)
    buffer = io.BytesIO()
    first.save(buffer, format="TIFF", compression="group4", save_all=True, append_images=[second])
    data = buffer.getvalue()
    assert count_pages(data, "tiff") == 2
    pages = rasterize(data, "tiff", RasterLimits())
    assert [p.shape for p in pages] == [(400, 300), (200, 500)]


def test_truncated_png_is_unreadable() -> None:
    data = png_bytes(np.random.default_rng(1).integers(0, 255, (300, 300), dtype=np.uint8))
    with pytest.raises(RasterError) as caught:
        rasterize(data[: len(data) // 2], "png", RasterLimits())
    assert caught.value.code == "unreadable"


def test_corrupt_pdf_is_unreadable() -> None:
    with pytest.raises(RasterError) as caught:
        rasterize(b"%PDF-1.7\nthis is not a pdf at all", "pdf", RasterLimits())
    assert caught.value.code == "unreadable"


def test_pixel_cap_is_checked_before_decoding() -> None:
    data = png_bytes(np.full((2000, 2000), 255, np.uint8))
    with pytest.raises(RasterError) as caught:
        rasterize(data, "png", RasterLimits(max_pixels=1_000_000))
    assert caught.value.code == "too_large"


def test_page_cap() -> None:
    buffer = io.BytesIO()
    frames = [Image.new("L", (50, 50), 255) for _ in range(4)]
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(RasterError) as caught:
        rasterize(buffer.getvalue(), "tiff", RasterLimits(max_pages=3))
    assert caught.value.code == "too_many_pages"


def test_red_seals_drop_out_of_colour_pages_and_writing_stays() -> None:
    from PIL import Image as PILImage

    from ocr.raster import to_gray

    page = PILImage.new("RGB", (60, 20), (250, 250, 245))
    page.paste((210, 40, 50), (0, 0, 20, 20))  # a seal's red
    page.paste((25, 35, 120), (20, 0, 40, 20))  # blue ballpoint
    page.paste((20, 20, 25), (40, 0, 60, 20))  # black ink
    gray = to_gray(page, red_dropout=True)
    assert gray[10, 10] > 200  # the seal is paper now
    assert gray[10, 30] < 60 and gray[10, 50] < 60  # the writing is not
    assert to_gray(page, red_dropout=False)[10, 10] < 120  # without drop-out the seal is ink


def test_red_dropout_leaves_grey_and_one_bit_pages_alone() -> None:
    from PIL import Image as PILImage

    from ocr.raster import to_gray

    grey = PILImage.new("L", (4, 4), 90)
    assert (to_gray(grey, red_dropout=True) == 90).all()
    assert (to_gray(grey.convert("1", dither=PILImage.Dither.NONE), red_dropout=True) == 0).all()
