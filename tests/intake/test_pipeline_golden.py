"""The pipeline on the committed sample scans, compared with their golden JSON.

OCR assertions are tolerant (a share of fields), the form and the JSON shape are exact.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from intake.pipeline import extract
from ocr.engine import OcrEngine
from ocr.raster import RasterLimits, sniff_type
from tests.conftest import SAMPLES

pytestmark = pytest.mark.ocr

SCANS = sorted(p for p in SAMPLES.iterdir() if not p.name.endswith(".json"))


def _run(engine: OcrEngine, path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    return extract(
        data, sniff_type(data[:2048]) or "", path.name, engine, RasterLimits(dpi=200), date(2026, 11, 26)
    ).to_json()


@pytest.fixture(scope="module")
def results(engine: OcrEngine) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    out = {}
    for path in SCANS:
        golden = json.loads(path.with_name(path.name + ".golden.json").read_text(encoding="utf-8"))
        out[path.name] = (golden, _run(engine, path))
    return out


def test_every_sample_has_golden_json() -> None:
    assert len(SCANS) >= 6
    for path in SCANS:
        assert path.with_name(path.name + ".golden.json").is_file()


@pytest.mark.parametrize("name", [p.name for p in SCANS])
def test_form_is_identified_and_json_follows_the_contract(results: dict[str, Any], name: str) -> None:
    golden, result = results[name]
    assert result["source"] == name
    if golden["error"]:  # a file of blank pages: refused with its code, no document
        assert (result["error"]["code"], result["documents"]) == (golden["error"], [])
        return
    assert result["error"] is None
    [document] = result["documents"]
    assert document["form_id"] == golden["documents"][0]["form_id"]
    assert document["pages"] == [1]
    for reading in document["fields"].values():
        assert set(reading) == {"value", "confidence", "needs_review"}
        assert 0.0 <= reading["confidence"] <= 1.0
    if document["form_id"] is None:
        assert [f["code"] for f in document["findings"]] == ["not_a_form"]
    else:
        assert document["form_version"] == golden["documents"][0]["form_version"]
        assert set(document["fields"]) == set(golden["documents"][0]["fields"])


def test_most_fields_match_the_golden_values(results: dict[str, Any]) -> None:
    total = matched = 0
    wrong_but_trusted = []
    for name, (golden, result) in results.items():
        if not golden["documents"]:
            continue
        expected = golden["documents"][0]["fields"]
        for field, value in expected.items():
            reading = result["documents"][0]["fields"][field]
            total += 1
            if reading["value"] == value:
                matched += 1
            elif not reading["needs_review"]:
                wrong_but_trusted.append((name, field, reading["value"], value))
    assert total > 30
    assert matched / total >= 0.85, f"{matched}/{total} fields right"
    # A wrong value that is not sent to review is the costly kind: allow at most a stray one.
    assert len(wrong_but_trusted) <= 2, wrong_but_trusted
