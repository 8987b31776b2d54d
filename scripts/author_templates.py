"""Author the form templates (extractors/templates/*.json) from the blank PDFs' geometry.

    .venv/bin/python scripts/author_templates.py

Coordinates are PDF points, top-left origin, as pdfplumber lists the vector rectangles of the
blank forms (`pdfplumber.open(pdf).pages[0].rects` / `.chars`). Each box below was read from
that listing; option words for ○ choices are looked up from the PDF's own characters. The
JSON files are the data the service loads; this script only writes them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pdfplumber

from extractors.template import default_code_pattern

TEMPLATES = Path(__file__).resolve().parents[1] / "extractors" / "templates"
PAGE = {
    "width": 595.2756,
    "height": 841.8898,
    "orientation": "portrait",
    "marks": "squares",
    "mark_top_left": [20.0, 20.0],
    "mark_bottom_right": [575.3, 821.9],
    "mark_size": 12.0,
}
IDENTIFY = {"footer": [30.0, 811.0, 118.0, 828.0], "title": [80.0, 36.0, 450.0, 62.0]}
Box = list[float]
F = dict[str, Any]


def chk(x: float, y: float, w: float = 7.6) -> Box:
    return [x, y, round(x + w, 1), round(y + w, 1)]


def text(name: str, box: Box, kind: str = "text", required: bool = False, **extra: Any) -> F:
    # Person names are written with a space between 氏 and 名; a company name is not.
    spaced = (
        name.endswith(("_name", "_name_kana", "name_old", "name_new", "_kana")) and name != "employer_name"
    )
    # A フリガナ box reads the name in the box below it: insured_name_kana → insured_name.
    reading_of = (
        {"reading_of": name.removesuffix("_kana")} if kind == "katakana" and name.endswith("_kana") else {}
    )
    # 住所 boxes: insured_address, employer_address, address_old, address_new.
    address = kind == "text" and (name.endswith("_address") or name in ("address_old", "address_new"))
    # An address with a 郵便番号 beside it: insured_postal_code, address_old_postal_code …
    postcode = (
        {"postcode": name.removesuffix("_address") + "_postal_code"}
        if name == "insured_address" or name in ("address_old", "address_new")
        else {}
    )
    return {
        "name": name,
        "type": kind,
        "required": required,
        "box": box,
        **({"spaced": True} if spaced else {}),
        **reading_of,
        **({"address": True} if address else {}),
        **postcode,
        **extra,
    }


def digits(
    name: str, segments: list[list[float]], lo: int, hi: int, kind: str = "digits", required: bool = False
) -> F:
    return {
        "name": name,
        "type": kind,
        "required": required,
        "segments": segments,
        "min_digits": lo,
        "max_digits": hi,
    }


def date(
    name: str,
    y: Box,
    m: Box,
    d: Box,
    era: dict[str, Box] | None = None,
    required: bool = False,
    style: str = "tick",
) -> F:
    field: F = {"name": name, "type": "date", "required": required, "year": y, "month": m, "day": d}
    if era is None:
        field["era"] = "reiwa"
    else:
        field["era_options"] = era
        field["style"] = style
    return field


def dates_row(x0: float, y0: float, y1: float, width: float, step: float) -> tuple[Box, Box, Box]:
    return tuple([round(x0 + i * step, 1), y0, round(x0 + i * step + width, 1), y1] for i in range(3))  # type: ignore[return-value]


def era_ticks(x: float, ys: tuple[float, float, float]) -> dict[str, Box]:
    return {e: chk(x, y, 6.6) for e, y in zip(("showa", "heisei", "reiwa"), ys, strict=True)}


def choice(name: str, options: dict[str, Box], required: bool = False, style: str = "tick") -> F:
    return {"name": name, "type": "choice", "required": required, "options": options, "style": style}


def group(name: str, options: dict[str, Box], required: bool = False) -> F:
    return {"name": name, "type": "checkbox_group", "required": required, "options": options}


def checkbox(name: str, box: Box) -> F:
    return {"name": name, "type": "checkbox", "box": box}


class Words:
    """Boxes of printed words, for ○ choices drawn around them."""

    def __init__(self, pdf: Path) -> None:
        self.chars = pdfplumber.open(pdf).pages[0].chars

    def box(self, word: str, near: tuple[float, float]) -> Box:
        candidates = []
        for i in range(len(self.chars) - len(word) + 1):
            run = self.chars[i : i + len(word)]
            if "".join(c["text"] for c in run) == word:
                x, y = run[0]["x0"], run[0]["top"]
                candidates.append((abs(x - near[0]) + abs(y - near[1]), run))
        if not candidates:
            raise LookupError(word)
        run = min(candidates, key=lambda item: item[0])[1]
        return [
            round(run[0]["x0"], 1),
            round(min(c["top"] for c in run), 1),
            round(run[-1]["x1"], 1),
            round(max(c["bottom"] for c in run), 1),
        ]


def employer(cert_y: float, cert_h: float, row1: float) -> list[F]:
    y, m, d = dates_row(450.3, cert_y, cert_y + cert_h, 22.0, 34.5)
    row2 = row1 + 26.0
    return [
        date("employer_cert_date", y, m, d),
        text("employer_address", [112.0, row1, 362.0, row2]),
        {"name": "employer_phone", "type": "phone", "box": [414.0, row1, 561.3, row2]},
        text("employer_name", [112.0, row2, 306.0, row2 + 26.0]),
        text("employer_owner_name", [362.0, row2, 561.3, row2 + 26.0]),
    ]


def submission() -> F:
    y, m, d = dates_row(319.0, 85.5, 102.5, 25.0, 37.5)
    return date("submission_date", y, m, d, required=True)


def kofu_shinsei() -> list[F]:
    fields = [
        submission(),
        choice("application_type", {"new": chk(116.0, 123.2), "reissue": chk(177.8, 123.2)}, required=True),
        checkbox("is_voluntary_continuation", chk(434.0, 123.2)),
        digits("insured_symbol", [[92.0, 149.0, 156.0, 167.0, 4]], 4, 4),
        digits("insured_number", [[206.0, 149.0, 302.0, 167.0, 6]], 1, 6),
        digits("insured_my_number", [[370.0, 149.0, 556.0, 167.0, 12]], 12, 12, kind="my_number"),
        text("insured_name_kana", [112.0, 172.0, 330.0, 188.0], "katakana", True),
        text("insured_name", [112.0, 188.0, 330.0, 218.0], required=True),
        date(
            "insured_birth_date",
            *dates_row(404.2, 186.0, 204.0, 26.0, 38.5),
            era=era_ticks(376.0, (180.7, 191.7, 202.7)),
            required=True,
        ),
        choice("insured_sex", {"male": chk(118.0, 227.2), "female": chk(148.3, 227.2)}, required=True),
        digits(
            "insured_postal_code",
            [[222.0, 222.0, 261.0, 240.0, 3], [271.0, 222.0, 323.0, 240.0, 4]],
            7,
            7,
            required=True,
        ),
        {"name": "insured_phone", "type": "phone", "required": True, "box": [420.0, 218.0, 561.3, 244.0]},
        text("insured_address", [112.0, 244.0, 561.3, 274.0], required=True),
    ]
    for row, dy in ((1, 0.0), (2, 60.0)):
        p = f"target{row}_"
        fields += [
            choice(
                p + "type",
                {"insured": chk(75.0, 302.2 + dy), "dependent": chk(75.0, 317.2 + dy)},
                required=row == 1,
            ),
            text(p + "name_kana", [158.0, 294.5 + dy, 289.5, 305.5 + dy], "katakana", row == 1),
            text(p + "name", [143.0, 307.0 + dy, 289.0, 331.0 + dy], required=row == 1),
            date(
                p + "birth_date",
                *dates_row(322.2, 304.5 + dy, 321.5 + dy, 26.0, 38.5),
                era=era_ticks(294.0, (298.7 + dy, 309.7 + dy, 320.7 + dy)),
                required=row == 1,
            ),
            choice(
                p + "sex",
                {"male": chk(467.0, 302.2 + dy), "female": chk(467.0, 317.2 + dy)},
                required=row == 1,
            ),
            text(p + "relationship", [500.0, 302.5 + dy, 560.3, 331.0 + dy]),
            digits(p + "my_number", [[146.0, 334.5 + dy, 326.0, 351.5 + dy, 12]], 12, 12, kind="my_number"),
        ]
    fields += [
        group(
            "reasons",
            {
                "no_card": chk(62.0, 438.2),
                "card_returned": chk(62.0, 453.2),
                "not_registered": chk(62.0, 468.2),
                "cert_expired": chk(62.0, 483.2),
                "card_lost_or_renewing": chk(62.0, 498.2),
                "needs_assistance": chk(313.6, 438.2),
                "certificate_lost": chk(313.6, 468.2),
                "certificate_damaged": chk(313.6, 483.2),
                "other": chk(313.6, 498.2),
            },
            required=True,
        ),
        text("reason_other_text", [365.0, 494.0, 550.5, 509.5]),
        digits("reissue_count", [[148.0, 523.0, 163.0, 541.0, 1]], 1, 1),
        {"name": "fee_amount", "type": "amount", "box": [228.0, 525.5, 305.0, 547.0]},
        date("fee_transfer_date", *dates_row(387.0, 524.5, 541.5, 25.0, 37.5)),
        *employer(557.0, 16.0, 576.0),
    ]
    return fields


def hifuyosha_ido(words: Words) -> list[F]:
    def circle(word: str, near: tuple[float, float]) -> Box:
        return words.box(word, near)

    fields = [
        submission(),
        choice(
            "change_type",
            {"add": circle("増", (114, 122)), "remove": circle("減", (218, 122))},
            required=True,
            style="circle",
        ),
        checkbox("is_voluntary_continuation", chk(434.0, 123.2)),
        digits("insured_symbol", [[92.0, 149.0, 156.0, 167.0, 4]], 4, 4),
        digits("insured_number", [[206.0, 149.0, 302.0, 167.0, 6]], 1, 6),
        digits("insured_my_number", [[370.0, 149.0, 556.0, 167.0, 12]], 12, 12, kind="my_number"),
        text("insured_name_kana", [112.0, 172.0, 330.0, 188.0], "katakana", True),
        text("insured_name", [112.0, 188.0, 330.0, 214.0], required=True),
        date(
            "insured_birth_date",
            *dates_row(397.4, 184.0, 202.0, 26.0, 38.5),
            required=True,
            style="circle",
            era={
                e: circle(w, (378, y))
                for e, w, y in (("showa", "昭和", 178), ("heisei", "平成", 189), ("reiwa", "令和", 200))
            },
        ),
        choice(
            "insured_sex",
            {"male": circle("男", (118, 222)), "female": circle("女", (138, 222))},
            required=True,
            style="circle",
        ),
        digits(
            "insured_postal_code",
            [[222.0, 218.0, 261.0, 236.0, 3], [271.0, 218.0, 323.0, 236.0, 4]],
            7,
            7,
            required=True,
        ),
        {"name": "insured_phone", "type": "phone", "required": True, "box": [420.0, 214.0, 561.3, 240.0]},
        text("insured_address", [112.0, 240.0, 561.3, 270.0], required=True),
    ]
    for row in (1, 2, 3):
        dy = 80.0 * (row - 1)
        p = f"dep{row}_"
        fields += [
            text(p + "name_kana", [116.0, 289.5 + dy, 245.5, 300.0 + dy], "katakana", row == 1),
            text(p + "name", [101.0, 301.5 + dy, 245.5, 320.5 + dy], required=row == 1),
            date(
                p + "birth_date",
                *dates_row(299.4, 296.5 + dy, 313.5 + dy, 25.0, 37.5),
                required=row == 1,
                style="circle",
                era={
                    e: circle(w, (280, y + dy))
                    for e, w, y in (
                        ("showa", "昭和", 291.7),
                        ("heisei", "平成", 301.3),
                        ("reiwa", "令和", 310.9),
                    )
                },
            ),
            choice(
                p + "sex",
                {"male": circle("男", (446, 300.6 + dy)), "female": circle("女", (463.5, 300.6 + dy))},
                required=row == 1,
                style="circle",
            ),
            text(p + "relationship", [502.5, 297.5 + dy, 560.8, 320.5 + dy], required=row == 1),
            digits(p + "my_number", [[117.0, 324.0 + dy, 291.0, 342.0 + dy, 12]], 12, 12, kind="my_number"),
            date(p + "change_date", *dates_row(352.0, 325.0 + dy, 341.0 + dy, 21.0, 33.5), required=row == 1),
            text(p + "change_reason", [488.5, 321.5 + dy, 560.8, 344.5 + dy], required=row == 1),
            text(p + "occupation", [114.5, 353.0 + dy, 207.5, 368.5 + dy]),
            {"name": p + "annual_income", "type": "amount", "box": [252.5, 346.5 + dy, 312.0, 368.5 + dy]},
            choice(
                p + "living",
                {"together": circle("同居", (359, 352.6 + dy)), "apart": circle("別居", (387, 352.6 + dy))},
                style="circle",
            ),
            checkbox(p + "certificate_required", chk(467.0, 353.2 + dy)),
        ]
    fields += [checkbox("employer_confirmed", chk(42.0, 541.2)), *employer(564.0, 16.0, 583.0)]
    return fields


def messhitsu() -> list[F]:
    fields = [
        submission(),
        choice(
            "notification_type",
            {"use_myna": chk(113.0, 122.2), "after_loss_of_eligibility": chk(113.0, 136.2)},
            required=True,
        ),
        checkbox("is_voluntary_continuation", chk(434.0, 129.2)),
        digits("insured_symbol", [[92.0, 161.0, 156.0, 179.0, 4]], 4, 4, required=True),
        digits("insured_number", [[206.0, 161.0, 302.0, 179.0, 6]], 1, 6, required=True),
        {"name": "insured_phone", "type": "phone", "required": True, "box": [366.0, 156.0, 561.3, 184.0]},
        text("insured_name_kana", [112.0, 184.0, 330.0, 200.0], "katakana", True),
        text("insured_name", [112.0, 200.0, 330.0, 228.0], required=True),
        date(
            "insured_birth_date",
            *dates_row(404.2, 197.0, 215.0, 26.0, 38.5),
            era=era_ticks(376.0, (191.7, 202.7, 213.7)),
            required=True,
        ),
        digits(
            "insured_postal_code",
            [[128.0, 231.0, 165.5, 247.0, 3], [175.5, 231.0, 225.5, 247.0, 4]],
            7,
            7,
            required=True,
        ),
        text("insured_address", [113.0, 249.5, 560.3, 271.5], required=True),
    ]
    for row, dy in ((1, 0.0), (2, 36.0)):
        p = f"target{row}_"
        fields += [
            choice(
                p + "type",
                {"insured": chk(75.0, 299.2 + dy), "dependent": chk(75.0, 313.2 + dy)},
                required=row == 1,
            ),
            text(p + "name_kana", [158.0, 292.5 + dy, 311.5, 303.5 + dy], "katakana", row == 1),
            text(p + "name", [143.0, 305.0 + dy, 311.0, 327.0 + dy], required=row == 1),
            date(
                p + "birth_date",
                *dates_row(344.2, 301.5 + dy, 318.5 + dy, 26.0, 38.5),
                era=era_ticks(316.0, (295.7 + dy, 306.7 + dy, 317.7 + dy)),
                required=row == 1,
            ),
            text(p + "relationship", [478.0, 300.5 + dy, 560.3, 327.0 + dy]),
        ]
    fields += [
        choice(
            "loss_cause",
            {
                "lost": chk(120.0, 378.2),
                "stolen": chk(162.8, 378.2),
                "burned": chk(205.6, 378.2),
                "other": chk(273.9, 378.2),
            },
            required=True,
        ),
        text("loss_cause_other_text", [322.0, 372.0, 550.5, 392.5]),
        date("loss_date", *dates_row(137.0, 397.5, 414.5, 25.0, 37.5), required=True),
        text("loss_place", [333.0, 395.0, 560.3, 417.0], required=True),
        text(
            "loss_circumstances",
            [116.0, 419.0, 557.3, 439.5],
            required=True,
            more_lines=[[116.0, 440.5, 557.3, 461.5], [116.0, 462.5, 557.3, 483.0]],
        ),
        choice("police_reported", {"yes": chk(118.0, 498.2), "no": chk(163.8, 498.2)}, required=True),
        text("police_station", [313.0, 491.0, 515.0, 513.0]),
        date("police_report_date", *dates_row(135.0, 517.5, 534.5, 24.0, 36.5)),
        text("police_receipt_number", [313.0, 515.0, 560.3, 537.0]),
        checkbox("myna_hokensho_confirmed", chk(42.0, 551.2)),
        *employer(587.0, 16.0, 606.0),
    ]
    return fields


def jusho_shimei_henko() -> list[F]:
    return [
        submission(),
        group("change_kinds", {"address": chk(118.0, 123.2), "name": chk(169.8, 123.2)}, required=True),
        checkbox("is_voluntary_continuation", chk(434.0, 123.2)),
        choice("target_type", {"insured": chk(118.0, 145.2), "dependent": chk(202.8, 145.2)}, required=True),
        digits("insured_symbol", [[92.0, 171.0, 156.0, 189.0, 4]], 4, 4, required=True),
        digits("insured_number", [[206.0, 171.0, 302.0, 189.0, 6]], 1, 6, required=True),
        {"name": "insured_phone", "type": "phone", "required": True, "box": [366.0, 166.0, 561.3, 194.0]},
        text("insured_name_kana", [112.0, 194.0, 330.0, 210.0], "katakana", True),
        text("insured_name", [150.0, 210.0, 330.0, 237.0], required=True),
        date(
            "insured_birth_date",
            *dates_row(404.2, 206.5, 224.5, 26.0, 38.5),
            era=era_ticks(376.0, (201.2, 212.2, 223.2)),
            required=True,
        ),
        text("dependent_name_kana", [128.0, 256.5, 281.5, 267.5], "katakana"),
        text("dependent_name", [113.0, 269.0, 281.0, 290.0]),
        date(
            "dependent_birth_date",
            *dates_row(353.2, 265.0, 282.0, 25.0, 37.5),
            era=era_ticks(325.0, (259.2, 270.2, 281.2)),
        ),
        text("dependent_relationship", [505.0, 257.0, 560.3, 290.0]),
        text("name_old_kana", [113.0, 310.0, 335.6, 325.5], "katakana"),
        text("name_old", [113.0, 327.0, 335.6, 352.0]),
        text("name_new_kana", [337.6, 310.0, 560.3, 325.5], "katakana"),
        text("name_new", [337.6, 327.0, 560.3, 352.0]),
        date("name_change_date", *dates_row(135.0, 356.5, 373.5, 24.0, 36.5)),
        choice(
            "name_change_reason",
            {
                "marriage": chk(322.0, 361.2),
                "divorce": chk(355.0, 361.2),
                "adoption": chk(388.0, 361.2),
                "other": chk(459.0, 361.2),
            },
        ),
        text("name_change_reason_other", [501.0, 355.0, 551.5, 376.0]),
        digits(
            "address_old_postal_code",
            [[160.0, 385.0, 199.0, 403.0, 3], [209.0, 385.0, 261.0, 403.0, 4]],
            7,
            7,
        ),
        text("address_old", [113.0, 406.0, 560.3, 432.0]),
        digits(
            "address_new_postal_code",
            [[160.0, 435.0, 199.0, 453.0, 3], [209.0, 435.0, 261.0, 453.0, 4]],
            7,
            7,
        ),
        text("address_new", [113.0, 456.0, 560.3, 482.0]),
        date("address_change_date", *dates_row(135.0, 486.5, 503.5, 24.0, 36.5)),
        choice("dependent_living_after", {"together": chk(376.0, 491.2), "apart": chk(418.8, 491.2)}),
        group(
            "attachments",
            {
                "certificate": chk(116.0, 518.2),
                "marriage_cert": chk(306.0, 518.2),
                "koseki": chk(116.0, 531.2),
                "juminhyo": chk(306.0, 531.2),
                "other": chk(116.0, 544.2),
            },
        ),
        text("attachments_other_text", [160.0, 541.5, 295.0, 554.5]),
        checkbox("no_certificate_issued", chk(306.0, 544.2)),
        text("remarks", [110.0, 572.0, 560.3, 592.0]),
        *employer(602.0, 16.0, 621.0),
    ]


FORMS = {
    "kofu_shinsei": ("SK-01", "資格確認書（新規・再）交付申請書"),
    "hifuyosha_ido": ("SK-02", "被扶養者（異動）届"),
    "messhitsu": ("SK-03", "資格確認書 滅失届"),
    "jusho_shimei_henko": ("SK-04", "住所・氏名変更届"),
}


def main() -> None:
    builders = {
        "kofu_shinsei": kofu_shinsei,
        "hifuyosha_ido": lambda: hifuyosha_ido(Words(TEMPLATES / "hifuyosha_ido.pdf")),
        "messhitsu": messhitsu,
        "jusho_shimei_henko": jusho_shimei_henko,
    }
    for old in TEMPLATES.glob("*.json"):
        old.unlink()
    for form_id, (code, title) in FORMS.items():
        document = {
            "form_id": form_id,
            "form_code": code,
            "form_version": f"{code} (2025.4)",
            "title": title,
            "blank_pdf": f"{form_id}.pdf",
            "page": PAGE,
            "identify": {**IDENTIFY, "code_pattern": default_code_pattern(code)},
            "fields": builders[form_id](),
        }
        path = TEMPLATES / f"{form_id}.{code.lower().replace('-', '')}_2025_4.json"
        path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(path.name, len(document["fields"]), "fields")


if __name__ == "__main__":
    main()
