"""``bench.accuracy --keep-scans DIR`` keeps what it generated: a clerk measuring a form just
onboarded could not see what the generator wrote where (the scans went with the run's
temporary folder), so could not tell a template's mistake from the generator's."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench import accuracy


def test_the_generated_scans_and_their_golden_files_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = tmp_path / "scans"
    monkeypatch.setattr(
        sys,
        "argv",
        ["accuracy", "--forms", "1", "--broken-share", "0", "--no-crosscheck", "--only", "messhitsu",
         "--keep-scans", str(kept)],
    )  # fmt: skip

    accuracy.main()

    scans = [p for p in kept.iterdir() if not p.name.endswith(".golden.json")]
    assert len(scans) == 1 and scans[0].with_name(scans[0].name + ".golden.json").is_file()
    assert "form identification" in capsys.readouterr().out
