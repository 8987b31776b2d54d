"""Opening a file in a child under a budget (intake.sandbox): a crafted file that would hang
or exhaust a worker is refused as too_complex; ordinary files open exactly as in-process."""

from __future__ import annotations

import zlib
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from intake.errors import MESSAGES, ErrorCode
from intake.pipeline import extract
from intake.sandbox import Budget, open_document
from ocr.errors import RasterError
from ocr.raster import RasterLimits, rasterize
from tests.helpers import NoEngine, blank_pdf

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "samples"
TODAY = date(2026, 12, 1)


def operator_bomb(operators: int) -> bytes:
    """A one-page PDF of ~100 KB whose content stream draws ``operators`` rectangles: tiny on
    disk, seconds (or minutes) of work for any renderer or text extractor."""
    content = zlib.compress(b"0 0 1 1 re f\n" * operators, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out, offsets = b"%PDF-1.7\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


@pytest.mark.parametrize("name", ["sample_2025_0002_kofu_shinsei.tif", "sample_2025_0000_hifuyosha_ido.jpg"])
def test_a_scan_opens_into_the_same_pages_as_in_process(name: str) -> None:
    data = (SAMPLES / name).read_bytes()
    kind = "tiff" if name.endswith(".tif") else "jpeg"
    opened = open_document(data, kind, RasterLimits(), TODAY)
    expected = rasterize(data, kind, RasterLimits())
    assert opened.digital is None
    assert len(opened.pages) == len(expected)
    assert all(np.array_equal(a, b) for a, b in zip(opened.pages, expected, strict=True))


def test_a_pdf_with_its_own_text_is_read_from_its_text_layer() -> None:
    opened = open_document(blank_pdf("messhitsu"), "pdf", RasterLimits(), TODAY)
    assert opened.digital is not None and len(opened.pages) == 1  # rendered to be shown (issue 19 item 9)
    assert [form.form_id for form in opened.digital] == ["messhitsu"]


def test_a_text_layer_is_read_with_the_forms_this_process_names_now(
    kyokai_kofu_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a child (and the fork server behind it) started while no society's forms folder
    was named WHEN this process names one (KAKUNIN_FORMS_DIRS) and opens that form's
    PC-filled PDF THEN the child reads it with that folder's template (it read with the
    forms of the fork server's start: the page was 様式不明 to a worker's tests)."""
    data = next(kyokai_kofu_folder.glob("*.pdf")).read_bytes()
    monkeypatch.delenv("KAKUNIN_FORMS_DIRS")
    before = open_document(data, "pdf", RasterLimits(), TODAY)
    monkeypatch.setenv("KAKUNIN_FORMS_DIRS", str(kyokai_kofu_folder))

    after = open_document(data, "pdf", RasterLimits(), TODAY)

    assert not before.digital or before.digital[0].form_id is None
    assert after.digital is not None and after.digital[0].form_id == "kyokai_kofu_shinsei"


def test_the_rasterisers_own_refusals_come_through() -> None:
    with pytest.raises(RasterError) as refused:
        open_document(b"%PDF-1.4\nnot a pdf", "pdf", RasterLimits(), TODAY)
    assert refused.value.code == "unreadable"


def test_a_file_over_its_time_budget_is_too_complex() -> None:
    with pytest.raises(RasterError) as refused:
        open_document(operator_bomb(4_000_000), "pdf", RasterLimits(), TODAY, Budget(step_seconds=0.5))
    assert refused.value.code == ErrorCode.TOO_COMPLEX.value


def test_a_file_over_its_memory_budget_is_too_complex() -> None:
    # 300 MB of address space does not even hold the parsers: every allocation fails.
    with pytest.raises(RasterError) as refused:
        open_document(
            (SAMPLES / "sample_2025_0002_kofu_shinsei.tif").read_bytes(),
            "tiff",
            RasterLimits(),
            TODAY,
            Budget(memory_bytes=300 * 1024**2),
        )
    assert refused.value.code == ErrorCode.TOO_COMPLEX.value


def test_the_pipeline_answers_a_bomb_with_a_reason_and_carries_on() -> None:
    bomb = extract(
        operator_bomb(4_000_000),
        "pdf",
        "bomb.pdf",
        NoEngine(),  # type: ignore[arg-type]
        RasterLimits(),
        TODAY,
        budget=Budget(step_seconds=0.5),
    )
    assert bomb.error == (ErrorCode.TOO_COMPLEX.value, MESSAGES[ErrorCode.TOO_COMPLEX])
    # the next file opens as ever: nothing of the killed child is left in the way
    assert open_document(blank_pdf("messhitsu"), "pdf", RasterLimits(), TODAY).digital is not None


def test_one_child_opens_file_after_file_and_a_killed_one_is_replaced() -> None:
    import intake.sandbox as sandbox

    scan = (SAMPLES / "sample_2025_0002_kofu_shinsei.tif").read_bytes()
    open_document(scan, "tiff", RasterLimits(), TODAY)
    assert sandbox._child is not None
    first = sandbox._child.process.pid
    open_document(scan, "tiff", RasterLimits(), TODAY)
    assert sandbox._child.process.pid == first  # no fork per file
    with pytest.raises(RasterError):
        open_document(b"%PDF-1.4\nnot a pdf", "pdf", RasterLimits(), TODAY)
    assert sandbox._child.process.pid == first  # a file's own refusal leaves the child sound
    with pytest.raises(RasterError):
        open_document(operator_bomb(4_000_000), "pdf", RasterLimits(), TODAY, Budget(step_seconds=0.5))
    assert sandbox._child is None  # killed over budget
    sandbox_pages = open_document(scan, "tiff", RasterLimits(), TODAY).pages
    assert sandbox._child.process.pid != first
    assert all(np.array_equal(a, b) for a, b in zip(sandbox_pages, rasterize(scan, "tiff", RasterLimits()), strict=True))


def test_a_child_that_died_between_two_files_is_replaced_without_failing_the_file() -> None:
    import intake.sandbox as sandbox

    scan = (SAMPLES / "sample_2025_0002_kofu_shinsei.tif").read_bytes()
    open_document(scan, "tiff", RasterLimits(), TODAY)
    assert sandbox._child is not None
    sandbox._child.process.kill()
    sandbox._child.process.join()
    assert len(open_document(scan, "tiff", RasterLimits(), TODAY).pages) == 1
