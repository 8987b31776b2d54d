"""「マスの数」: a digits field's cells counted from the blank's printed lines (solid and
dotted), and a template asking more digits than it has cells refused in Japanese."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from extractors.onboard.lines import printed_cells, read_lines
from extractors.template import TemplateError, parse_template
from tests.conftest import REPO

REAL = REPO / "fixtures" / "real-forms"


def test_cells_under_a_drawn_box_come_from_the_printed_lines() -> None:
    lines = read_lines((REAL / "kyokai_shikaku_soshitsu.pdf").read_bytes())
    # 個人番号 of block 3, drawn as one 189 x 40 pt box (the shape guess says 5): 12 cells,
    # dotted lines and the double rules between 4 | 3 | 5 counted once.
    assert printed_cells(lines, (83.0, 503.1, 272.2, 542.8)) == 12
    assert printed_cells(lines, (77.8, 66.5, 140.2, 82.2)) == 4  # 事業所整理記号
    assert printed_cells(lines, (241.2, 66.5, 319.8, 82.2)) == 5  # 事業所番号
    assert printed_cells(lines, (190.5, 235.8, 296.8, 256.8)) is None  # 氏: no cells printed


def test_max_digits_above_the_cells_is_refused() -> None:
    kept = next((REPO / "fixtures" / "forms-kyokai").glob("*.json"))
    raw = json.loads(kept.read_text(encoding="utf-8"))
    parse_template(raw, kept)  # as kept
    broken = copy.deepcopy(raw)
    field = next(f for f in broken["fields"] if f["type"] in ("digits", "my_number") and "segments" in f)
    cells = sum(s[4] for s in field["segments"])
    field["max_digits"] = cells + 1
    with pytest.raises(TemplateError, match=f"桁数の最多 {cells + 1} がマスの数 {cells} より多く"):
        parse_template(broken, Path(kept))
