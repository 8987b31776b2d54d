"""「下の同じ欄に写す」: a block of fields finished once, copied to where the same layout
repeats on the page (issue 14; the 資格取得届 and 資格喪失届 print four identical 被保険者
blocks 121.8 pt apart, and clerks made every edit four times).

Pure functions over a template's field list (the JSON the designer edits): the offsets at
which the selected fields' boxes line up with other boxes — the draft's fields and the blank's
printed rectangles (:func:`extractors.onboard.lines.blank_lines`) — found along one axis, then
a copy of every selected field at each offset: same type, label and marks, every box shifted,
names suffixed ``_2``, ``_3`` … (one free suffix per copy, the originals' ``_1`` dropped first),
``reading_of`` / ``postcode`` pointing at the copy's counterpart; the drafted fields a copy
lands on (most of their area under it) are removed, and the copies take their place in the
field order."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from extractors.template import PtBox

#: Two edges this close (pt) line up.
TOLERANCE = 1.5
#: An offset is proposed when at least this share of the selected fields line up there.
MIN_SHARE = 0.4
#: ... and at least this many of them.
MIN_FIELDS = 2
#: A drafted field is replaced when at least this share of its area lies under a copy.
COVERED = 0.5
#: The keys holding one box, a list of boxes (segments: a cell count fifth) or named boxes.
SINGLE_KEYS = ("box", "year", "month", "day", "era_box")
LIST_KEYS = ("more_lines", "segments")
NAMED_KEYS = ("options", "era_options", "prefecture_printed")
#: Field references a copy maps to its own block's counterpart.
REFERENCE_KEYS = ("reading_of", "postcode")
#: How an offset is said, per axis and sign.
DIRECTIONS = {("y", 1): "下", ("y", -1): "上", ("x", 1): "右", ("x", -1): "左"}


class NoRepeat(ValueError):
    """Nothing to copy, or no place where the selection's layout repeats (Japanese message)."""


@dataclass(frozen=True)
class Repeat:
    """The field list after copying, and what was done (for the screen's message)."""

    fields: list[dict[str, Any]]
    axis: str
    offsets: tuple[float, ...]
    copied: tuple[str, ...]
    removed: tuple[str, ...]
    message: str


def field_boxes(field: dict[str, Any]) -> list[PtBox]:
    """Every box of a field (points), whatever its type keeps them in."""
    out: list[PtBox] = []
    for key in SINGLE_KEYS:
        if isinstance(field.get(key), list):
            out.append(_box(field[key]))
    for key in LIST_KEYS:
        out.extend(_box(b) for b in field.get(key) or [])
    for key in NAMED_KEYS:
        out.extend(_box(b) for b in (field.get(key) or {}).values())
    return out


def _box(values: Sequence[float]) -> PtBox:
    return (float(values[0]), float(values[1]), float(values[2]), float(values[3]))


def _area(box: PtBox) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def _overlap(a: PtBox, b: PtBox) -> float:
    return _area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def _bounds(boxes: Iterable[PtBox]) -> PtBox:
    listed = list(boxes)
    return (
        min(b[0] for b in listed),
        min(b[1] for b in listed),
        max(b[2] for b in listed),
        max(b[3] for b in listed),
    )


def _axis_index(axis: str) -> tuple[int, int, int, int]:
    """(start, end) along ``axis`` and (start, end) across it, as indices of a box."""
    return (1, 3, 0, 2) if axis == "y" else (0, 2, 1, 3)


def _lined_up(s: PtBox, c: PtBox, axis: str) -> float | None:
    """The offset along ``axis`` taking ``s`` onto ``c`` when they are the same box moved."""
    a0, a1, c0, c1 = _axis_index(axis)
    if abs(s[c0] - c[c0]) > TOLERANCE or abs(s[c1] - c[c1]) > TOLERANCE:
        return None
    if abs((s[a1] - s[a0]) - (c[a1] - c[a0])) > TOLERANCE:
        return None
    return c[a0] - s[a0]


def find_offsets(
    selected: Sequence[Sequence[PtBox]],
    others: Sequence[PtBox],
    page: tuple[float, float],
    axis: str,
) -> tuple[float, ...]:
    """The offsets along ``axis`` (``"y"`` down, ``"x"`` right; negative up/left) at which
    the selected fields (each a list of its boxes) line up with ``others``: at least
    :data:`MIN_SHARE` of the fields (and :data:`MIN_FIELDS`) have a box there, the copies
    clear of the selection and on the page. Sorted by distance, each rounded to 0.1 pt."""
    a0, a1, _, _ = _axis_index(axis)
    everything = [b for boxes in selected for b in boxes]
    if not everything:
        return ()
    whole = _bounds(everything)
    extent = whole[a1] - whole[a0]
    found: list[tuple[float, int]] = []
    for index, boxes in enumerate(selected):
        for s in boxes:
            for c in others:
                offset = _lined_up(s, c, axis)
                if offset is not None and abs(offset) >= extent - TOLERANCE:
                    found.append((offset, index))
    found.sort()
    groups: list[list[tuple[float, int]]] = []
    for item in found:
        if groups and item[0] - groups[-1][-1][0] <= TOLERANCE / 2:
            groups[-1].append(item)
        else:
            groups.append([item])
    limit = page[1] if axis == "y" else page[0]
    offsets: list[float] = []
    for group in groups:
        fields = {index for _, index in group}
        if len(fields) < MIN_FIELDS or len(fields) < MIN_SHARE * len(selected):
            continue
        values = sorted(offset for offset, _ in group)
        offset = round(values[len(values) // 2], 1)
        if whole[a0] + offset < 0 or whole[a1] + offset > limit:
            continue
        if offsets and abs(offsets[-1] - offset) <= TOLERANCE:
            continue
        offsets.append(offset)
    return tuple(sorted(offsets, key=abs))


def _offsets_of_band(
    fields: Sequence[dict[str, Any]],
    chosen: Sequence[int],
    printed: Sequence[PtBox],
    page: tuple[float, float],
) -> tuple[float, ...]:
    """Where the rows of the selection repeat, found from the other fields and the printed
    rectangles in those rows: a choice whose option boxes were drawn round printed words lines
    up with nothing itself (picked alone, it goes where its block's rows repeat)."""
    whole = _bounds(b for i in chosen for b in field_boxes(fields[i]))
    band = [
        i
        for i, f in enumerate(fields)
        if i not in chosen
        and field_boxes(f)
        and all(whole[1] - TOLERANCE <= (b[1] + b[3]) / 2 <= whole[3] + TOLERANCE for b in field_boxes(f))
    ]
    inside = [b for b in printed if whole[1] - TOLERANCE <= (b[1] + b[3]) / 2 <= whole[3] + TOLERANCE]
    if not band and not inside:
        return ()
    # The probe: those fields and the printed rectangles of those rows, each on its own.
    probe = [field_boxes(fields[i]) for i in band] + [[b] for b in inside]
    others = [b for i, f in enumerate(fields) if i not in band and i not in chosen for b in field_boxes(f)]
    offsets = find_offsets(probe, others + list(printed), page, "y")
    return tuple(o for o in offsets if whole[1] + o >= 0 and whole[3] + o <= page[1])


def shifted(field: dict[str, Any], dx: float, dy: float) -> dict[str, Any]:
    """A deep copy of ``field`` with every box moved by (dx, dy) points (a segment's cell
    count kept)."""

    def move(values: Sequence[Any]) -> list[Any]:
        moved = [round(float(values[0]) + dx, 1), round(float(values[1]) + dy, 1)]
        moved += [round(float(values[2]) + dx, 1), round(float(values[3]) + dy, 1)]
        return moved + list(values[4:])

    out = copy.deepcopy(field)
    for key in SINGLE_KEYS:
        if isinstance(out.get(key), list):
            out[key] = move(out[key])
    for key in LIST_KEYS:
        if isinstance(out.get(key), list):
            out[key] = [move(b) for b in out[key]]
    for key in NAMED_KEYS:
        if isinstance(out.get(key), dict):
            out[key] = {name: move(b) for name, b in out[key].items()}
    return out


def _base(name: str) -> str:
    """A field's name without the ``_1`` of a first block."""
    return name[:-2] if re.search(r"[^_]_1$", name) else name


def _suffix(bases: Sequence[str], taken: set[str], start: int) -> int:
    """The first number from ``start`` free as a suffix for every one of ``bases``."""
    n = start
    while any(f"{base}_{n}" in taken for base in bases):
        n += 1
    return n


def _covered(field: dict[str, Any], copies: Sequence[PtBox]) -> bool:
    """Whether most of ``field``'s area lies under the copies (each a copied field's bounds)."""
    boxes = field_boxes(field)
    total = sum(_area(b) for b in boxes)
    if total <= 0:
        return False
    under = sum(max((_overlap(b, c) for c in copies), default=0.0) for b in boxes)
    return under >= COVERED * total


def removed_boxes(
    original: Sequence[dict[str, Any]], current: Sequence[dict[str, Any]], area: PtBox
) -> list[PtBox]:
    """The boxes inside ``area`` that the file as opened (``original``) had and no field of
    ``current`` has any more: the drafted fields deleted there (the copies delete their
    counterparts too)."""
    now = [b for f in current for b in field_boxes(f)]
    gone: list[PtBox] = []
    for field in original:
        for b in field_boxes(field):
            inside = b[0] >= area[0] - TOLERANCE and b[1] >= area[1] - TOLERANCE
            inside = inside and b[2] <= area[2] + TOLERANCE and b[3] <= area[3] + TOLERANCE
            if inside and not any(
                all(abs(p - q) <= TOLERANCE for p, q in zip(b, c, strict=True)) for c in now
            ):
                gone.append(b)
    return gone


def _stale(field: dict[str, Any], stale: Sequence[PtBox], dx: float, dy: float) -> bool:
    """Whether every box of ``field``, moved back by (dx, dy), is one of the ``stale`` boxes."""
    boxes = field_boxes(field)
    back = [(b[0] - dx, b[1] - dy, b[2] - dx, b[3] - dy) for b in boxes]
    return bool(back) and all(
        any(all(abs(p - q) <= TOLERANCE for p, q in zip(b, c, strict=True)) for c in stale) for b in back
    )


def _relabelled(label: str, number: int) -> str:
    """A first block's label (「被保険者1 氏名」) numbered for the copy (「被保険者2 氏名」)."""
    return re.sub(r"(?<![0-9０-９])[1１](?![0-9０-９])", str(number), label, count=1)


def _said(axis: str, offsets: Sequence[float]) -> str:
    """「下へ 121.8 pt ごと」 for evenly spaced offsets, else each one named."""
    direction = DIRECTIONS[(axis, 1 if offsets[0] > 0 else -1)]
    steps = [abs(o) for o in offsets]
    even = all(abs(s - steps[0] * (i + 1)) <= TOLERANCE for i, s in enumerate(steps))
    if even:
        return f"{direction}へ {steps[0]:.1f} pt ごと"
    return f"{direction}へ " + "・".join(f"{s:.1f}" for s in steps) + " pt"


def repeat_fields(
    fields: Sequence[dict[str, Any]],
    selected: Sequence[int],
    printed: Sequence[PtBox],
    page: tuple[float, float],
    offsets: Sequence[float] | None = None,
    axis: str | None = None,
    original: Sequence[dict[str, Any]] = (),
) -> Repeat:
    """The selected fields (indices into ``fields``) copied to every place their layout
    repeats (or to the ``offsets`` given along ``axis``), as the module says; a drafted field
    whose counterpart in the selection's block was deleted (a box of the file as opened,
    ``original``, that no field has any more: :func:`removed_boxes`) goes too, and a label numbered 1 in a block named ``_1`` is
    numbered for each copy. Raises
    :class:`NoRepeat` with a Japanese reason when nothing is selected or nothing repeats."""
    chosen = sorted({i for i in selected if 0 <= i < len(fields)})
    if not chosen:
        raise NoRepeat("写す項目を選んでください（Shift を押しながら一つの被保険者欄の項目を選びます）")
    picked = [fields[i] for i in chosen]
    boxes = [field_boxes(f) for f in picked]
    if not all(boxes):
        raise NoRepeat("枠のない項目は写せません")
    if offsets is None:
        others = [b for i, f in enumerate(fields) if i not in chosen for b in field_boxes(f)] + list(printed)
        axis, offsets = "y", find_offsets(boxes, others, page, "y")
        if not offsets:
            axis, offsets = "x", find_offsets(boxes, others, page, "x")
        if not offsets:
            axis, offsets = "y", _offsets_of_band(fields, chosen, printed, page)
    if not offsets or axis not in ("x", "y"):
        raise NoRepeat("選んだ項目と同じ並びの欄が用紙の上に見つかりません（写す先の枠が印刷されていません）")
    # The selection's block: from its first box one step (the nearest offset) along the axis.
    whole = _bounds(b for bs in boxes for b in bs)
    step = min(abs(o) for o in offsets) - TOLERANCE
    start = whole[1] if axis == "y" else whole[0]
    start = start if offsets[0] > 0 else (whole[3] if axis == "y" else whole[2]) - step
    span = (0.0, start, 1e6, start + step) if axis == "y" else (start, 0.0, start + step, 1e6)
    stale = removed_boxes(original, fields, span)
    names = [str(f.get("name", "")) for f in picked]
    bases = [_base(n) for n in names]
    # Each copy and the drafted fields it lands on (to go).
    blocks: list[list[dict[str, Any]]] = []
    gone: set[int] = set()
    anchors: list[int | None] = []
    for offset in offsets:
        dx, dy = (0.0, offset) if axis == "y" else (offset, 0.0)
        block = [shifted(f, dx, dy) for f in picked]
        under = [_bounds(field_boxes(f)) for f in block]
        landed = [
            i
            for i, f in enumerate(fields)
            if i not in chosen
            and i not in gone
            and field_boxes(f)
            and (_covered(f, under) or _stale(f, stale, dx, dy))
        ]
        gone.update(landed)
        anchors.append(min(landed) if landed else None)
        blocks.append(block)
    removed = tuple(str(fields[i].get("name", "")) for i in sorted(gone))
    taken = {str(f.get("name", "")) for i, f in enumerate(fields) if i not in gone}
    number = 1
    for block in blocks:
        number = _suffix(bases, taken, number + 1)
        renamed = {old: f"{base}_{number}" for old, base in zip(names, bases, strict=True)}
        for field, old in zip(block, names, strict=True):
            field["name"] = renamed[old]
            if old != _base(old) and isinstance(field.get("label"), str):
                field["label"] = _relabelled(field["label"], number)
            taken.add(renamed[old])
            for key in REFERENCE_KEYS:
                if field.get(key) in renamed:
                    field[key] = renamed[field[key]]
    # The copies take the place of the first field they replace (else follow the block before).
    keyed: list[tuple[float, dict[str, Any]]] = [(float(i), f) for i, f in enumerate(fields) if i not in gone]
    after = float(max(chosen))
    for block, anchor in zip(blocks, anchors, strict=True):
        at = anchor - 0.5 if anchor is not None else after + 0.25
        keyed.extend((at + n * 1e-4, f) for n, f in enumerate(block))
        after = at + len(block) * 1e-4
    keyed.sort(key=lambda item: item[0])
    message = f"{len(offsets)} か所に {len(picked)} 項目を写しました（{_said(axis, offsets)}）。"
    if removed:
        message += f"写した先の下書きの項目 {len(removed)} 個（{'・'.join(removed)}）を削除しました。"
    return Repeat(
        [f for _, f in keyed],
        axis,
        tuple(offsets),
        tuple(f["name"] for block in blocks for f in block),
        removed,
        message,
    )
