"""`kakunin extract` runs without Redis or a database and names the form of each blank form."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import blank_pdf, write

pytestmark = pytest.mark.ocr
FORMS = ["kofu_shinsei", "hifuyosha_ido", "messhitsu", "jusho_shimei_henko"]


def test_extract_names_each_blank_form_and_reports_bad_files(tmp_path: Path) -> None:
    inputs = [write(tmp_path / "in" / f"{form}.pdf", blank_pdf(form)) for form in FORMS]
    inputs.append(write(tmp_path / "in" / "empty.pdf", b""))
    inputs.append(write(tmp_path / "in" / "note.pdf", b"just text"))
    env = {
        **os.environ,
        "KAKUNIN_DATA_DIR": str(tmp_path / "var"),
        "KAKUNIN_REDIS_URL": "redis://127.0.0.1:1/0",
    }
    completed = subprocess.run(
        [sys.executable, "-m", "intake.cli", "extract", *map(str, inputs), "--out", str(tmp_path / "out")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    results = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "out").glob("*.json")}
    for form in FORMS:
        result = results[f"{form}.pdf.json"]
        assert result["error"] is None
        assert [d["form_id"] for d in result["documents"]] == [form]
        assert result["documents"][0]["fields"]["insured_name"] == {
            "value": None,
            "confidence": 1.0,
            "needs_review": True,
        }
    assert results["empty.pdf.json"]["error"]["code"] == "empty"
    assert results["note.pdf.json"]["error"]["code"] == "unsupported_type"
    assert not (tmp_path / "var" / "kakunin.sqlite3").exists()  # no database touched
