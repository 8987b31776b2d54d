"""The README's decision table is what the code decides (issue 21 item 7)."""

from __future__ import annotations

from pathlib import Path

from extractors.issuance.table import END, START, markdown, rewrite

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_decision_table_is_generated_from_the_code() -> None:
    """GIVEN the README WHEN its table is generated again from ``decide`` THEN nothing changes
    (run ``python -m extractors.issuance.table --write README.md`` after changing a rule)."""
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text
    assert rewrite(text) == text


def test_the_table_covers_every_form_and_event() -> None:
    table = markdown()
    for source in ("SK-01", "SK-02", "SK-03", "SK-04", "new_employee", "shokken_list", "myna_registered"):
        assert f"| {source} |" in table
    for source in ("cert_expired", "retired / died", "turned_75", "voluntary_ended", "card_expiry"):
        assert f"| {source} |" in table
