"""Where a card was lost, from the 滅失場所 as written (rule R8, forms README §4a).

A loss at home needs no police report; a loss anywhere else does. Where the words do not say
which, the answer is ``None`` and a person decides: the field goes to review instead of a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from extractors.model import Finding
from extractors.normalize import without_spaces


class LossPlace(StrEnum):
    HOME = "home"
    OUTSIDE = "outside"


#: Words that place the loss inside the home.
HOME_WORDS = ("自宅", "家の中", "家中", "宅内", "自室", "居間", "寝室", "室内", "屋内", "自分の家", "住まい")
#: Words that place it outside: public places, transport, work.
OUTSIDE_WORDS = (
    "駅",
    "電車",
    "車内",
    "車中",
    "バス",
    "タクシー",
    "路上",
    "道路",
    "店",
    "会社",
    "職場",
    "事務所",
    "事業所",
    "勤務先",
    "公園",
    "病院",
    "薬局",
    "学校",
    "駐車場",
    "駐輪場",
    "屋外",
    "外出",
    "旅行",
    "出張",
    "通勤",
    "通学",
)
#: Next to a home word these mean "near / on the way from home", i.e. outside it.
NEAR_WORDS = ("近く", "付近", "周辺", "近所", "前", "から", "まで", "外", "途中", "帰り", "行き")
#: Words that leave the place open.
DOUBT_WORDS = ("不明", "わからない", "分からない", "不詳", "または", "もしくは", "又は", "か？", "?", "？")


def loss_place(text: object) -> LossPlace | None:
    """HOME or OUTSIDE when the 滅失場所 says so; ``None`` when it is blank or unclear."""
    if not isinstance(text, str):
        return None
    place = str(without_spaces(text))
    if not place:
        return None
    home = place in ("家", "うち", "自宅") or any(w in place for w in HOME_WORDS)
    outside = any(w in place for w in OUTSIDE_WORDS) or (home and any(w in place for w in NEAR_WORDS))
    doubt = any(w in place for w in DOUBT_WORDS)
    if home and not outside and not doubt:
        return LossPlace.HOME
    if outside and not (home and doubt):
        return LossPlace.OUTSIDE
    return None


#: The finding that sends an unclear 滅失場所 to a person (R8, §4a).
LOSS_PLACE_UNCLEAR = "loss_place_unclear"


def place_doubts(form_id: str | None, values: Mapping[str, object]) -> list[Finding]:
    """R8 on an extracted SK-03: a card lost (not stolen: theft always needs the police) without
    a police report, at a written place that does not say whether it is the home → a finding on
    ``loss_place`` for the reviewer to settle, instead of a guess."""
    if form_id != "messhitsu" or values.get("loss_cause") != "lost" or values.get("police_reported") == "yes":
        return []
    text = values.get("loss_place")
    if not isinstance(text, str) or not text.strip() or loss_place(text) is not None:
        return []
    return [
        Finding(
            "loss_place",
            LOSS_PLACE_UNCLEAR,
            "滅失場所が自宅内か自宅外か判断できません（自宅外の紛失は警察への届出が必要です）。確認してください",
        )
    ]
