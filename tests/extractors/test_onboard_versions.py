"""The designer's save (``save_new_version``, issue 14) beside the versions already installed:
a version without a footer code retires the older ones of its form; a forms folder holding
one version twice still refuses that version in Japanese instead of failing to load."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from extractors.onboard.installed import RETIRED
from extractors.onboard.versions import VersionRefused, save_new_version
from extractors.template import load_templates
from tests.conftest import KYOKAI
from tests.conftest import KYOKAI_KOFU as KOFU


@pytest.fixture
def forms(kyokai_kofu_folder: Path) -> Path:
    return kyokai_kofu_folder


def _raw(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = json.loads((KYOKAI / f"{KOFU}.json").read_text(encoding="utf-8"))
    return raw | changes


def test_a_version_saved_without_a_footer_code_retires_the_older_one(forms: Path) -> None:
    """GIVEN the 交付申請書's 「v2」 installed, reading no footer code WHEN the designer saves a
    「v3」 without one either THEN 「v2」 and its blank go to ``retired/``, the save says so in
    Japanese, and only 「v3」 of the form is read."""
    saved = save_new_version(_raw(form_version="KY-01 (2024.12) v3"), KYOKAI / f"{KOFU}.pdf", forms)
    [retired] = saved.retired
    assert retired.source == forms / f"{KOFU}.json" and retired.target == forms / RETIRED / f"{KOFU}.json"
    assert "前の版 KY-01 (2024.12) v2" in retired.message and "読み取りには使われません" in retired.message
    assert sorted(p.name for p in (forms / RETIRED).iterdir()) == [f"{KOFU}.json", f"{KOFU}.pdf"]
    versions = [t.form_version for t in load_templates() if t.form_id == "kyokai_kofu_shinsei"]
    assert versions == ["KY-01 (2024.12) v3"]


def test_a_version_saved_with_a_footer_code_keeps_the_older_one(forms: Path) -> None:
    raw = _raw(form_version="KY-01 (2026.4)")
    raw["identify"] = {**raw["identify"], "code_pattern": r"KY-?01\s*\((?P<year>\d{4})\.(?P<month>\d{1,2})\)"}
    saved = save_new_version(raw, KYOKAI / f"{KOFU}.pdf", forms)
    assert saved.retired == () and (forms / f"{KOFU}.json").is_file()


def test_a_folder_holding_a_version_twice_still_refuses_it_in_japanese(forms: Path) -> None:
    shutil.copy2(forms / f"{KOFU}.json", forms / "kyokai_kofu_shinsei.2024_12.json")
    with pytest.raises(VersionRefused, match="すでに登録されています"):
        save_new_version(_raw(), KYOKAI / f"{KOFU}.pdf", forms)
