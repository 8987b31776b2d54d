"""`kakunin extract --employers CSV` (issue 20, done-when): a generated scan in 1-bit (the red
drop-out cannot work) with a company seal over the employer block: the sealed 事業主氏名 is
filled from the master, for a person to confirm; without the master it is read as garbled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from fixtures.generate import ScanStyle, generate

pytestmark = pytest.mark.ocr
SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "employers_sample.csv"


def _extract(scan: Path, tmp_path: Path, *options: str) -> dict:  # type: ignore[type-arg]
    env = {
        **os.environ,
        "KAKUNIN_DATA_DIR": str(tmp_path / "var"),
        "KAKUNIN_REDIS_URL": "redis://127.0.0.1:1/0",
    }
    completed = subprocess.run(
        [sys.executable, "-m", "intake.cli", "extract", str(scan), *options],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return json.loads(completed.stdout.splitlines()[-1])["documents"][0]  # type: ignore[no-any-return]


def test_extract_fills_a_sealed_employer_block_from_the_master(tmp_path: Path) -> None:
    (scan,) = generate(
        tmp_path / "scans",
        1,
        777,
        today=date(2026, 11, 1),
        styles=[ScanStyle(".png", 200, True, False)],
        seals=1.0,
        employers=True,
        forms=["kofu_shinsei"],
    )
    golden = json.loads(scan.with_name(scan.name + ".golden.json").read_text(encoding="utf-8"))
    want = golden["documents"][0]["fields"]["employer_owner_name"]
    assert want == "代表取締役 桜井 一郎"

    without = _extract(scan, tmp_path)
    assert without["fields"]["employer_owner_name"]["value"] != want  # under the seal: misread
    assert not any(f["code"].startswith("employer_") for f in without["findings"])

    with_master = _extract(scan, tmp_path, "--employers", str(SAMPLE))
    owner = with_master["fields"]["employer_owner_name"]
    assert owner["value"] == want and owner["needs_review"] and owner["confidence"] <= 0.5
    assert any(
        f["field"] == "employer_owner_name" and f["code"] == "employer_proposed"
        for f in with_master["findings"]
    )
    assert not (tmp_path / "var" / "kakunin.sqlite3").exists()  # no database touched
