"""Draft names and labels by the block of the form a field is in.

Contract: :func:`block_named` takes the drafted fields (template JSON dicts) and the page's label
cells (:func:`extractors.onboard.draft.label_boxes`) and returns the fields renamed and
relabelled: a field right of a block heading printed down the page's left edge (「Ａ.被保険者欄」,
「Ｂ.配偶者（第３号被保険者）欄」 — read as garbled horizontal text —, 「C．その他の被扶養者欄１」)
is named for its block (``insured_birth_date``, ``spouse_my_number``, ``dep_birth_date_1``,
``employer_address``: the names of our own templates and of a clerk's) and labelled with it
(「被扶養者1 生年月日」); a label that is no row heading (an era 「9.令和」, a bracket alone
「（年収）」, two headings run together 「理由⑲理由」) is the printed heading of the field's row;
the item mark of a heading (①…㉟) is left out; a text field whose label or row says 住所/所在地
is an address (``"address": true``), linked to the postcode drafted just before it in its
block (``"postcode"``). Fields the draft could not name (``field_N``, ``date_N``) keep their
name; a reference (``reading_of``, ``postcode``) follows a renamed field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from extractors.onboard.repeat import REFERENCE_KEYS, field_boxes
from extractors.template import PtBox

#: A block heading is printed down a cell at least this many times as tall as it is wide and
#: at least this tall (pt).
BLOCK_TALL = 2.5
BLOCK_MIN_HEIGHT = 50.0
#: A block heading stands in the page's left part: its right edge within this share of the width,
#: its left edge this close (pt) to the leftmost label cell's.
BLOCK_LEFT = 0.2
BLOCK_EDGE = 4.0

#: What a block heading says (its characters, vertical print read in any order) -> the name
#: prefix and the label of its fields; first match wins (配偶者's heading also prints
#: 被保険者 and 被扶養者 in its bracket).
BLOCK_WORDS: tuple[tuple[str, str, str], ...] = (
    ("配偶", "spouse", "配偶者"),
    ("被扶養者", "dep", "被扶養者"),
    ("扶養", "dep", "被扶養者"),
    ("被保険者", "insured", "被保険者"),
    ("事業", "employer", ""),
    # 協会けんぽ's 資格取得届/喪失届 head the 事業主's block 「提出者記入欄」 (提出者: the 事業主)
    ("提出者", "employer", ""),
)
#: In the 事業主 block these drafted names read as our templates' (事業所名称 is the employer's
#: ``name``, 事業主氏名 its owner's).
EMPLOYER_NAMES = {"company_name": "name", "name": "owner_name", "office_symbol": "office_symbol"}
#: Names the draft gives a field it could not name: they stay as they are (a block prefix would
#: pretend to know).
GENERIC = re.compile(r"^(?:field|date|choice)(?:_|$)")
#: A heading's item mark (①, ㉑) and the spaces after it.
ITEM_MARKS = re.compile(r"[①-⑳㉑-㉟]\s*")
#: A label of words in brackets alone: the last bracket is the box's own caption (「（氏）（名）」
#: over the 名's box), said after its row's heading (氏名（名）).
BRACKETS_ONLY = re.compile(r"^(?:[（(][^）)]*[）)])+$")
LAST_BRACKET = re.compile(r"[（(][^（()）]*[）)]$")
#: A field's own words in its label -> its name in a block, per type; first match wins (our
#: templates' and a clerk's names: ``family_name``, ``birth_date``, ``annual_income`` …).
CANONICAL: dict[str, tuple[tuple[str, str], ...]] = {
    "katakana": (
        ("（氏）", "family_name_kana"),
        ("(氏)", "family_name_kana"),
        ("（名）", "given_name_kana"),
        ("(名)", "given_name_kana"),
    ),
    "text": (
        ("（氏）", "family_name"),
        ("(氏)", "family_name"),
        ("（名）", "given_name"),
        ("(名)", "given_name"),
    ),
    "date": (
        ("生年月日", "birth_date"),
        ("でなくなった日", "removed_date"),
        ("になった日", "became_date"),
        ("取得", "acquired_date"),
        ("喪失", "lost_date"),
        ("提出", "submission_date"),
    ),
    "amount": (("収入", "annual_income"),),
    "choice": (
        ("性別（続柄）", "relationship"),
        ("性別(続柄)", "relationship"),
        ("続柄", "relationship"),
        ("性別", "sex"),
        ("職業", "occupation"),
        ("同居", "living"),
        ("別居", "living"),
    ),
}
#: A label that is no row heading: an era or option printed beside the box (「9.令和」,
#: 「1.該当」), words in brackets alone (「（年収）」, 「（氏）（名）」), or two headings run
#: together (「理由⑲理由」).
NO_HEADING = re.compile(r"^[0-9０-９]\s*[.．]|^(?:[（(][^）)]*[）)])+$|.[①-⑳㉑-㉟]")
NUMBERED = re.compile(r"^\s*[0-9０-９]\s*[.．]")
ADDRESS_WORDS = re.compile(r"住\s*所|所在地")
#: A row printing 住所 beside a name or a phone (「①氏名⑥住所」 left of the 名's box) is no address.
NOT_ADDRESS = re.compile(r"氏名|名称|電話|フリガナ|ﾌﾘｶﾞﾅ")
ERA = re.compile(r"昭和|平成|令和")


@dataclass(frozen=True)
class Block:
    """A block of the form: its heading cell, the prefix of its fields' names, the word their
    labels start with and its number among blocks of one kind (0: the only one)."""

    box: PtBox
    prefix: str
    label: str
    number: int


def printed_down(box: PtBox) -> bool:
    """Whether a label cell is a block's heading printed down the page (as tall as
    :data:`BLOCK_MIN_HEIGHT`, :data:`BLOCK_TALL` times its width): its text, read across,
    is garbled (「Ｂ.配偶（第者３で号あ被る保被険扶者養）者欄」) and no field's label."""
    wide, high = box[2] - box[0], box[3] - box[1]
    return high >= BLOCK_MIN_HEIGHT and high >= BLOCK_TALL * wide


def blocks_of(headings: Sequence[tuple[PtBox, str]], width: float) -> list[Block]:
    """The blocks whose headings are printed down a tall cell at the page's left edge, where
    there are two or more."""
    found: list[tuple[PtBox, str, str]] = []
    # A block's heading stands in the page's first column of cells: one printed down a cell
    # further in heads a part of a block (the 交付申請書's 「○イ被扶養者」 beside one of three rows).
    edge = min((box[0] for box, _ in headings), default=0.0)
    for box, text in headings:
        if not printed_down(box) or box[2] > BLOCK_LEFT * width or box[0] > edge + BLOCK_EDGE:
            continue
        kind = next(((p, lb) for word, p, lb in BLOCK_WORDS if word in text), None)
        if kind is not None and all(abs(box[1] - f[0][1]) > 1 for f in found):
            found.append((box, *kind))
    found.sort(key=lambda f: f[0][1])
    if len(found) < 2:
        return []  # one block is the whole form's: its names need not say which
    blocks = []
    for box, prefix, label in found:
        same = [f for f in found if f[1] == prefix]
        number = same.index((box, prefix, label)) + 1 if len(same) > 1 else 0
        blocks.append(Block(box, prefix, f"{label}{number}" if number and label else label, number))
    return blocks


def _bounds(field: dict[str, Any]) -> PtBox | None:
    boxes = field_boxes(field)
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def block_of(box: PtBox, blocks: Sequence[Block]) -> Block | None:
    """The block whose heading spans the box's middle height, left of it."""
    y = (box[1] + box[3]) / 2
    x = (box[0] + box[2]) / 2
    beside = [b for b in blocks if b.box[1] - 1 <= y <= b.box[3] + 1 and b.box[2] - 1 <= x]
    return max(beside, key=lambda b: b.box[2]) if beside else None


def clean_label(label: str) -> str:
    """A label without its item marks (①)."""
    return ITEM_MARKS.sub("", label).strip()


def canonical_base(label: str, type_: str) -> str | None:
    """The name a field of ``type_`` labelled ``label`` (its block left out) has in our
    templates, where its words say it; else None."""
    return next((name for word, name in CANONICAL.get(type_, ()) if word in label), None)


def row_heading(box: PtBox, headings: Sequence[tuple[PtBox, str]], blocks: Sequence[Block]) -> str:
    """The printed heading of the box's row: the nearest label cell left of it spanning its
    middle height, not a block's heading, an era or option list, or an item mark alone."""
    y = (box[1] + box[3]) / 2
    own = {b.box for b in blocks}
    left = [
        (cell, text)
        for cell, text in headings
        if cell not in own
        and cell[2] <= box[0] + 1
        and cell[1] - 0.5 <= y <= cell[3] + 0.5
        and clean_label(text)
        and not NUMBERED.match(text)
        and not ERA.search(text)
        and not BRACKETS_ONLY.match(text)
    ]
    if not left:
        return ""
    cell, text = max(left, key=lambda c: c[0][2])
    return clean_label(stacked_part(text, cell, box))


def stacked_part(text: str, cell: PtBox, box: PtBox) -> str:
    """Of a cell printing headings one under another, each after its item mark (「①氏名」
    over 「⑥住所」, read as 「①氏名⑥住所」), the one at the height of ``box``'s middle."""
    parts = [p for p in re.split(r"(?=[①-⑳㉑-㉟])", text) if clean_label(p)]
    if len(parts) < 2:
        return text
    share = ((box[1] + box[3]) / 2 - cell[1]) / max(cell[3] - cell[1], 1e-6)
    return parts[min(len(parts) - 1, max(0, int(share * len(parts))))]


#: A choice's options that say what it is, whatever its label: (values all among these, at
#: least two of them) -> its name and label words.
OPTION_KINDS: tuple[tuple[frozenset[str], str, str], ...] = (
    (frozenset({"male", "female"}), "sex", "性別"),
    (frozenset({"together", "apart"}), "living", "同居・別居"),
    (frozenset({"home", "mobile", "work", "other"}), "phone_type", "電話番号の種別"),
    (
        frozenset({"overseas_exception_applicable", "overseas_exception_not_applicable"}),
        "overseas_status",
        "海外特例要件該当・非該当",
    ),
    (frozenset({"applicable", "not_applicable", "change"}), "change_type", "該当・非該当・変更"),
)


def options_kind(values: Iterable[str]) -> tuple[str, str] | None:
    """The name and label words of a choice of these option values (male/female: ``sex``,
    性別), else None."""
    found = set(values)
    return next(
        ((name, words) for kind, name, words in OPTION_KINDS if len(found) >= 2 and found <= kind),
        None,
    )


def option_kind(field: dict[str, Any]) -> tuple[str, str] | None:
    """:func:`options_kind` of a drafted choice field."""
    return options_kind(field.get("options", {})) if field.get("type") == "choice" else None


def _base(name: str) -> str:
    return re.sub(r"_\d+$", "", name)


def _renamed(field: dict[str, Any], block: Block, label: str, taken: set[str]) -> str:
    """The field's name in its block (``spouse_birth_date``, ``dep_sex_1``), unique: its
    label's words' name where they say it, else the drafted name's."""
    name = str(field["name"])
    kind = option_kind(field)
    base = kind[0] if kind else canonical_base(label, str(field["type"])) or _base(name)
    if GENERIC.match(base):
        return name
    if block.prefix == "employer":
        base = EMPLOYER_NAMES.get(base, base)
    suffix = f"_{block.number}" if block.number else ""
    if base.startswith(f"{block.prefix}_"):  # drafted so already (整理番号: insured_number)
        base = base[len(block.prefix) + 1 :]
    new, index = f"{block.prefix}_{base}{suffix}", 2
    while new in taken and new != name:
        new, index = f"{block.prefix}_{base}_{index}{suffix}", index + 1
    return new


def block_named(
    fields: Sequence[dict[str, Any]], headings: Sequence[tuple[PtBox, str]], width: float
) -> list[dict[str, Any]]:
    """The fields (in their order, copies) named and labelled by their block and row (see the
    module's contract)."""
    blocks = blocks_of(headings, width)
    out = [dict(f) for f in fields]
    taken = {str(f["name"]) for f in out}
    renamed: dict[str, str] = {}
    for field in out:
        box = _bounds(field)
        if box is None:
            continue
        drafted = str(field.get("label", ""))
        label = clean_label(drafted)
        if NO_HEADING.search(drafted):
            own = LAST_BRACKET.search(drafted)
            heading = row_heading(box, headings, blocks)
            label = f"{heading}{own.group(0) if own else ''}" if heading else label
        kind = option_kind(field)
        if kind and kind[1] not in label:
            label = kind[1]
        own_words = label
        # A 住所/所在地 row's text box is an address though no 都道府県 is printed in it.
        if field["type"] == "text" and ADDRESS_WORDS.search(label) and not NOT_ADDRESS.search(label):
            field["address"] = True
        block = block_of(box, blocks)
        if block is None and GENERIC.match(str(field["name"])):
            # Outside any block a drafted ``date_9`` printed 「提出年月日」 is ``submission_date``.
            base = canonical_base(own_words, str(field["type"]))
            if base is not None and base not in taken:
                taken.discard(str(field["name"]))
                taken.add(base)
                renamed[str(field["name"])] = base
                field["name"] = base
        if block is not None:
            if label and block.label and not label.startswith(block.label):
                label = f"{block.label} {label}".strip()
            new = _renamed(field, block, own_words, taken)
            if new != field["name"]:
                taken.discard(str(field["name"]))
                taken.add(new)
                renamed[str(field["name"])] = new
                field["name"] = new
        field["label"] = label
    for field in out:
        for key in REFERENCE_KEYS:
            if field.get(key) in renamed:
                field[key] = renamed[field[key]]
    _readings_named(out, taken)
    _link_postcodes(out, blocks)
    return out


#: A name its フリガナ is the reading of, in a block: the reading is named after it.
READ_NAME = re.compile(r"(?P<head>[a-z]+_(?:family_|given_)?name)(?P<suffix>_\d+)?")


def _readings_named(fields: list[dict[str, Any]], taken: set[str]) -> None:
    """A katakana field reading a block's name (``insured_given_name_1``) is named its reading
    (``insured_given_name_kana_1``), however its label reads (「氏名」 over both halves)."""
    for field in fields:
        target = READ_NAME.fullmatch(str(field.get("reading_of") or ""))
        if field["type"] != "katakana" or target is None:
            continue
        new = f"{target['head']}_kana{target['suffix'] or ''}"
        if new != field["name"] and new not in taken:
            taken.discard(str(field["name"]))
            taken.add(new)
            field["name"] = new


def _link_postcodes(fields: list[dict[str, Any]], blocks: Sequence[Block]) -> None:
    """Each address not yet linked takes the postcode (a digits field named ``…postcode…``)
    drafted last before it in reading order within its block (or on the page, outside any)."""
    for i, field in enumerate(fields):
        if not field.get("address") or field.get("postcode"):
            continue
        box = _bounds(field)
        block = block_of(box, blocks) if box else None
        for before in reversed(fields[:i]):
            other = _bounds(before)
            if other is None:
                continue
            if block_of(other, blocks) != block:
                continue
            if before["type"] == "digits" and "postcode" in str(before["name"]):
                field["postcode"] = before["name"]
                break
            if before.get("address"):
                break  # the previous address's postcode is not this one's
