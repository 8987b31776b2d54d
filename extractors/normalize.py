"""Canonical values (forms README §2a): NFKC text, ASCII digits, ISO dates."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache
from typing import Any

import jaconv

#: Gregorian year of year 1 and the first/last day of each era (forms README §2).
ERAS: dict[str, tuple[int, date, date | None]] = {
    "showa": (1926, date(1926, 12, 25), date(1989, 1, 7)),
    "heisei": (1989, date(1989, 1, 8), date(2019, 4, 30)),
    "reiwa": (2019, date(2019, 5, 1), None),
}

# Characters OCR gives for handwritten digits in digit-only boxes (a box holds a digit, so a
# letter there is a misread digit): 〇/O/o for 0, l/I for 1, q/g for 9 (a looped 9), …
_DIGIT_LOOKALIKES = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "〇": "0",
        "D": "0",
        "l": "1",
        "I": "1",
        "i": "1",
        "|": "1",
        "元": "1",
        "q": "9",
        "g": "9",
        "Z": "2",
        "z": "2",
        "S": "5",
        "s": "5",
        "B": "8",
        "b": "6",
        "G": "6",
    }
)
_DASHES = "-‐‑‒–—―ー一−~～〜"


#: Hiragana and katakana a hand writes alike: only the neighbouring kana tell which it is.
_TWINS = {h: jaconv.hira2kata(h) for h in "りへべぺ"} | {jaconv.hira2kata(h): h for h in "りへべぺ"}


def _script(char: str) -> str | None:
    if char in _TWINS:
        return None
    if "\u3041" <= char <= "\u3096":
        return "hiragana"
    if "\u30a1" <= char <= "\u30fa" or char == "ー":
        return "katakana"
    return None


def harmonize_twins(text: str, default: str | None = None) -> str:
    """Each of り/リ, へ/ヘ, べ/ベ, ぺ/ペ in the script of the kana beside it (によリ → により,
    ヘルパー stays): the recogniser cannot tell the twins apart, the writer's script can.
    Between kana of both scripts a twin is left as read; with no kana beside it, it takes
    ``default`` ("katakana" in a フリガナ box) or stays as read."""
    out = list(text)
    for index, char in enumerate(text):
        if char not in _TWINS:
            continue
        beside = {_script(text[i]) for i in (index - 1, index + 1) if 0 <= i < len(text)} - {None}
        script = beside.pop() if len(beside) == 1 else (default if not beside else None)
        if script == "hiragana":
            out[index] = jaconv.kata2hira(char)
        elif script == "katakana":
            out[index] = jaconv.hira2kata(char)
    return "".join(out)


#: Chinese glyph forms the recogniser sometimes emits for Japanese characters; none of them is
#: written on a Japanese form (人名用漢字 variants such as 惠・增・凉 are deliberately absent).
_CHINESE_FORMS = str.maketrans(
    {
        "别": "別",
        "团": "団",
        "户": "戸",
        "屆": "届",
        "爱": "愛",
        "宫": "宮",
        "聪": "聡",
        "讓": "譲",
        "霸": "覇",
        "减": "減",
        "变": "変",
        "齐": "斉",
        "为": "為",
        "发": "発",
        "证": "証",
        "书": "書",
        "类": "類",
    }
)


@lru_cache(maxsize=1)
def _to_shinjitai() -> Any:
    import opencc  # OpenCC's t2jp: 旧字体 → the forms of the 常用漢字表 (JPShinjitaiCharacters)

    return opencc.OpenCC("t2jp")


#: Kanji radicals that are not written as characters in Japanese text but look like the
#: katakana beside them (烏丸通七条下儿 is 下ル).
_RADICAL_LOOKALIKES = str.maketrans({"儿": "ル", "卜": "ト", "丿": "ノ", "乛": "フ"})


def common_forms(text: str) -> str:
    """``text`` with 旧字体 (惠, 增, 燒, 澤) in the forms in common use (恵, 増, 焼, 沢), and
    bare radicals read for a katakana (儿, 卜) as that katakana.

    The recogniser, trained largely on Chinese, often picks the old form of a character; but
    some people do write their names with one (and 卜部 is a surname), so callers send a
    changed field to review.
    """
    if not text or text.isascii():
        return text
    return str(_to_shinjitai().convert(text)).translate(_RADICAL_LOOKALIKES)


#: The 47 都道府県, with which a Japanese address begins.
PREFECTURES = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
    "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
    "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
    "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
)  # fmt: skip


def settle_prefecture(address: str) -> str:
    """An address whose first words are one character off exactly one prefecture's name,
    with its 都/道/府/県 in place (干葉県 → 千葉県, 神奈州県 → 神奈川県), begins with that
    prefecture; anything else is left as it is (an address without its prefecture, such as
    大阪市北区…, differs from 大阪府 in the 府/市 and stays). Callers send a change to review."""
    if address.startswith(PREFECTURES):
        return address
    near = [
        prefecture
        for prefecture in PREFECTURES
        if len(address) > len(prefecture)
        and address[len(prefecture) - 1] == prefecture[-1]
        and sum(a != b for a, b in zip(address, prefecture[:-1], strict=False)) == 1
    ]
    return near[0] + address[len(near[0]) :] if len(near) == 1 else address


def nfkc(text: str) -> str:
    """Unicode NFKC, whitespace runs collapsed to one space, trimmed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def without_spaces(value: object) -> object:
    """Strings with every space (ASCII and ideographic) removed, for comparing names as written
    with and without the space between 氏 and 名; other values unchanged."""
    return value.replace(" ", "").replace("\u3000", "") if isinstance(value, str) else value


def text_value(raw: str) -> str | None:
    value = harmonize_twins(nfkc(raw).translate(_CHINESE_FORMS))
    return value or None


#: What a speck, a scrap of a printed bracket or a seal's edge at either end of a crop is read
#: as. None of them begins a name, an address or a company (「(株)」 begins with its bracket,
#: which stays), and none ends one but the closing bracket of 「…(株)」 and a sentence's 。.
_STRAY_LEAD = ".,·・、。:;」』)]}》〉〕】'\"`_|•〈《"
_STRAY_TAIL = ".,·・、:;「『([{《〈〔【'\"`_|•》〉"


#: Kanji and digits shaped like a katakana, as the recogniser reads a hand's katakana word
#: (力一サ for カーサ, 八イツ for ハイツ, 7ーバン for アーバン, 工ステート for エステート).
_KATAKANA_LOOKALIKES = {
    "力": "カ", "一": "ー", "八": "ハ", "口": "ロ", "工": "エ", "夕": "タ",
    "卜": "ト", "二": "ニ", "才": "オ", "又": "ヌ", "7": "ア",
}  # fmt: skip
_KATAKANA = re.compile(r"[ァ-ヺ]")
_KANJI = re.compile(r"[一-龥々〆]")


def katakana_words(text: str) -> str:
    """Look-alikes inside a katakana word made katakana again: a run of three or more
    katakana, ー and look-alikes, one of them a true katakana, is a katakana word (a building's
    name), unless it begins with a look-alike right after a kanji or a digit (第一ビル, 3二ュー
    stay as read). Two-character runs (一ノ瀬, 八ヶ岳) are left alone."""
    out = list(text)
    for run in re.finditer(r"[ァ-ヺー" + "".join(_KATAKANA_LOOKALIKES) + "]+", text):
        word = run.group()
        if len(word) < 3 or not _KATAKANA.search(word) or all(ch not in _KATAKANA_LOOKALIKES for ch in word):
            continue
        start = run.start()
        before = text[start - 1] if start else " "
        if word[0] in _KATAKANA_LOOKALIKES and (_KANJI.match(before) or before.isdigit()):
            continue
        for index, char in enumerate(word, start=start):
            out[index] = _KATAKANA_LOOKALIKES.get(char, char)
    return "".join(out)


#: Titles a representative's name begins with (事業主氏名: 代表取締役 山田 太郎), longest first.
TITLES = (
    "代表取締役社長", "代表取締役会長", "代表取締役", "取締役社長", "代表執行役",
    "代表社員", "代表理事", "営業所長", "事務所長",
)  # fmt: skip


def settle_title(text: str) -> str:
    """A title at the beginning read one character off (代表取紬役 → 代表取締役): spelled as
    titles are. Only titles of four characters or more, one character off exactly one of
    them (代表取締役会長 is no misread 代表取締役社長), never the name that follows."""
    if text.startswith(TITLES):
        return text
    near = [
        title
        for title in TITLES
        if len(text) >= len(title) and sum(a != b for a, b in zip(text, title, strict=False)) == 1
    ]
    # 代表取締殳社長 is near 代表取締役社長 and near its head 代表取締役: one spelling all the same
    if near and all(near[0].startswith(title) for title in near):
        return near[0] + text[len(near[0]) :]
    return text


#: The kinds of company written before or after a company's name (商業登記の会社の種類 and the
#: 法人 an employer most often is).
ENTITY_KINDS = (
    "株式会社", "有限会社", "合同会社", "合資会社", "合名会社",
    "医療法人", "社会福祉法人", "一般社団法人", "一般財団法人", "特定非営利活動法人",
)  # fmt: skip


def settle_entity(text: str) -> str:
    """A kind of company at the end or the beginning read one character off (さくら電機株式会し
    → さくら電機株式会社, 株式会杜さくら → 株式会社さくら): spelled as it is registered. Only
    when the text is one character off exactly one kind there (合同会社 and 合資会社 are one
    character apart: 合X会社 is left as read) and the text is longer than the kind."""
    for at_end in (True, False):
        for length in sorted({len(kind) for kind in ENTITY_KINDS}):
            if len(text) <= length:
                continue
            part = text[-length:] if at_end else text[:length]
            if part in ENTITY_KINDS:
                return text
            near = [
                kind
                for kind in ENTITY_KINDS
                if len(kind) == length and sum(a != b for a, b in zip(part, kind, strict=True)) == 1
            ]
            if len(near) == 1:
                return text[:-length] + near[0] if at_end else near[0] + text[length:]
    return text


#: A sentence's closing 。, small and round, read as a digit or a letter after its last kana,
#: or as a colon: a 。 written on the dotted rule below the line is cut in two by the rule
#: painted out, its upper and lower arcs left one above the other.
_LAST_MARU = re.compile(r"(?<=[ぁ-んァ-ヶ])[0-9oO○:;]$")


def sentence_end(text: str) -> str:
    """A sentence (a multi-line free text) whose last character, after kana, was read as a
    digit, o or a colon: its 。 (盗まれた6 → 盗まれた。, 廃棄した: → 廃棄した。)."""
    return _LAST_MARU.sub("。", text)


def strip_stray_marks(value: str) -> str:
    """The value without marks read from specks at its ends (``)母``, ``株式会社」``,
    ``小宮山 颯太郎 ·``); a bracket closed or opened inside the value stays."""
    text = value.strip()
    while text and text[0] in _STRAY_LEAD:
        text = text[1:].lstrip()
    while text and text[-1] in _STRAY_TAIL:
        text = text[:-1].rstrip()
    if text.endswith(("」", "』")) and not any(o in text for o in "「『"):
        text = text[:-1].rstrip()
    return text


#: A ゛ written apart from its kana (in a cell of its own, as forms with kana cells ask:
#: 「濁点・半濁点は1字として」), as Unicode and the recogniser write it: the spacing mark, its
#: half-width form, and the quotation marks the model reads for two short strokes.
VOICED_MARKS = "゛ﾞ\"”〃"
#: A ゜ written apart: the spacing mark, its half-width form, and a degree sign.
SEMI_VOICED_MARKS = "゜ﾟ°"


def joined_sound_marks(text: str) -> str:
    """``text`` with each ゛/゜ written after a kana joined to it (タ゛ → ダ, ハ゜ → パ). A mark
    that makes no kana with the one before it (ン゛, or at the start) stays, so the value
    fails the katakana check and a person sees it."""
    out: list[str] = []
    for char in text:
        combining = "\u3099" if char in VOICED_MARKS else "\u309a" if char in SEMI_VOICED_MARKS else ""
        if combining and out:
            joined = unicodedata.normalize("NFC", out[-1] + combining)
            if len(joined) == 1:
                out[-1] = joined
                continue
        out.append(char)
    return "".join(out)


def katakana_value(raw: str) -> str | None:
    """フリガナ: NFKC (half-width kana become full-width); hiragana read by OCR become katakana;
    a ゛/゜ written in a cell of its own joined to its kana.

    The reading keeps what was written; converting hiragana is safe because a フリガナ box
    is katakana by definition and the OCR model sometimes picks the hiragana twin of a glyph.
    """
    value = nfkc(joined_sound_marks(raw))
    if not value:
        return None
    # NFKC already made every space ASCII (U+3000 included), as README §2a asks. Only the
    # hiragana that look exactly like their katakana twins (り/リ, へ/ヘ …) follow the kana
    # around them: any other hiragana is the applicant's and must stay visible to the validator.
    value = harmonize_twins(value, default="katakana")
    # A long-vowel mark never begins a word: one there is the recogniser reading the blank
    # between 氏 and 名 as a stroke.
    value = re.sub(r"(^|\s)ー+", r"\1", value).strip()
    return fix_small_kana(value) or None


#: Kana a small ャュョ can follow (キャ, シュ, チョ … and the voiced ones).
_I_ROW = set("キシチニヒミリギジヂビピ")
_SMALL_YA = {"ャ": "ヤ", "ュ": "ユ", "ョ": "ヨ"}
#: Small vowels and the kana each can follow (ファ, ウィ/ティ, トゥ, シェ/チェ, ウォ/フォ …).
_SMALL_VOWELS = {"ァ": "ア", "ィ": "イ", "ゥ": "ウ", "ェ": "エ", "ォ": "オ"}
_VOWEL_HOSTS = {
    "ァ": set("フヴツ"),
    "ィ": set("ウテデフヴスツ"),
    "ゥ": set("トド"),
    "ェ": set("ウシジチツフヴイ"),
    "ォ": set("ウツフヴ"),
}


def fix_small_kana(text: str) -> str:
    """Undo small/large kana confusions that Japanese spelling rules out: a small ャュョ
    only follows an い-row kana, a small vowel only a few hosts, and ッ never starts or ends
    a word. Handwritten small kana differ from large ones only by size, which the recogniser
    misjudges; what the rules allow is left as read. Hiragana follow the same rules."""
    katakana = jaconv.hira2kata(text)
    fixed = _fix_small_katakana(katakana)
    return "".join(
        f if k == t else jaconv.kata2hira(f) for t, k, f in zip(text, katakana, fixed, strict=True)
    )


def _fix_small_katakana(text: str) -> str:
    out: list[str] = []
    for index, char in enumerate(text):
        previous = out[-1] if out else " "
        following = text[index + 1] if index + 1 < len(text) else " "
        if char in _SMALL_YA and previous not in _I_ROW:
            char = _SMALL_YA[char]
        elif char in _SMALL_VOWELS and previous not in _VOWEL_HOSTS[char]:
            char = _SMALL_VOWELS[char]
        elif char == "ッ" and (previous == " " or following == " " or following in "ンッー"):
            char = "ツ"
        out.append(char)
    return "".join(out)


def digits_value(raw: str) -> str:
    """Only the ASCII digits of a reading, after mapping look-alike characters."""
    return "".join(ch for ch in nfkc(raw).translate(_DIGIT_LOOKALIKES) if ch.isdigit())


def phone_value(raw: str) -> str | None:
    """Digits and hyphens as written; other dash glyphs become '-', brackets and spaces kept out."""
    text = nfkc(raw)
    out = []
    for ch in text:
        if ch.isdigit():
            out.append(ch)
        elif (ch in _DASHES or ch == "(" or ch == ")") and out and out[-1] != "-":
            out.append("-")
    value = "".join(out).strip("-")
    return value or None


def amount_value(raw: str) -> int | None:
    """An amount in yen: digits with optional thousands commas; 円 and ¥ ignored."""
    text = nfkc(raw).replace("円", "").replace("¥", "").replace(" ", "")
    text = text.translate(_DIGIT_LOOKALIKES)
    # Yen have no decimals: a point between groups of three is a misread comma.
    if not re.fullmatch(r"\d{1,3}([,.]\d{3})+|\d+", text):
        return None
    return int(text.replace(",", "").replace(".", ""))


#: The era names as printed on the forms.
ERA_NAMES = {"showa": "昭和", "heisei": "平成", "reiwa": "令和"}


def wareki(day: date) -> str:
    """A date written in 和暦 as messages show it (2024-12-02 → 令和6年12月2日); the inverse of
    :func:`wareki_to_date`; raises ValueError before 昭和."""
    era = next((e for e, (_base, first, _last) in reversed(ERAS.items()) if day >= first), None)
    if era is None:
        raise ValueError(f"{day} is before the eras the forms know")
    return f"{ERA_NAMES[era]}{day.year - ERAS[era][0] + 1}年{day.month}月{day.day}日"


def wareki_to_date(era: str, year: int, month: int, day: int) -> date | None:
    """The Gregorian date of an era date, or None when it is not a real date inside the era."""
    try:
        base, first, last = ERAS[era]
        result = date(base + year - 1, month, day)
    except (KeyError, ValueError):
        return None
    if year < 1 or result < first or (last is not None and result > last):
        return None
    return result
