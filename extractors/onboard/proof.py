"""A template proven against its own blank the way pages are read (issue 14): before the
designer saves a version, or ``kakunin forms check`` / ``install`` passes a template file, its
blank form is rendered to pixels at :data:`PROOF_DPI` and made to look scanned (shifted, turned,
a little smaller, blurred, greyer), and the product's identification
(:func:`extractors.identify.identify`, with the template among the other installed ones) must
name this form and version; so must the text-layer identification of the born-digital blank
(:func:`extractors.digital.identify_text_page`). No other installed form's blank may be
identified as it (a new template must not take another form's pages).

When it is not, the Japanese problem says which region failed and what to do: a title region
over two printed lines (the recogniser reads one line: 「タイトル領域が印刷された1行に収まって
いません」), a title that does not match its region's reading, a footer code the pattern does
not find, a blank without the printed rules a page is aligned on, or the other form or version
the page was taken for.

Identification costs seconds of OCR: the results are kept per process, keyed by what
identification reads of each template (page, regions, title, code pattern, the blank's bytes;
never the fields), so a version saved again with its fields edited is proven at once."""

from __future__ import annotations

import hashlib
import io
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import pdfplumber

from extractors.digital import has_text_layer, identify_text_page
from extractors.fields.crops import text_crop
from extractors.identify import (
    blank_page,
    fits,
    identify,
    match_footer,
    structure_fit,
    title_candidates,
)
from extractors.onboard.installed import InstalledFile
from extractors.template import Template
from ocr.engine import EngineOptions, OcrEngine, build_engine
from ocr.types import Image

#: Pixels per inch of the blank made a page: as scans are read (``Settings.dpi``).
PROOF_DPI = 200
#: How the blank is made to look scanned: moved on the glass (points right, down), turned
#: (degrees) and printed a little smaller, as a real scan of a real sheet is.
SCAN_SHIFT_PT = (6.0, 4.0)
SCAN_TURN_DEG = 0.4
SCAN_SCALE = 0.99
#: A run of inked rows at least this tall (inches, ~4 pt) inside the title region is a line
#: of print (a smaller run is a rule's stub or a speck).
LINE_MIN_IN = 0.055
#: A row inked over more than this share of the region's width is a printed rule, not text.
RULE_ROW_SHARE = 0.6
#: Identification results kept per process (see the module's docstring).
CACHE_SIZE = 256

#: (form_id, form_version) of a template, or None: what a page was identified as.
Found = tuple[str, str] | None


@dataclass(frozen=True)
class Proof:
    """What proving a template found: one Japanese line per problem (none: proven), and
    how long it took (seconds)."""

    problems: tuple[str, ...]
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.problems


_LOCK = threading.Lock()
#: Which of the templates (its index) a blank was identified as, or None (see :func:`_identified`).
_RESULTS: dict[tuple[object, ...], int | None] = {}


@lru_cache(maxsize=2)
def _built(options: EngineOptions) -> OcrEngine:
    """The OCR engine identification is proven with, built once per process and options (the
    models load in seconds: the first proof pays it, the next ones do not)."""
    return build_engine(options)


def installed_with(
    template: Template, target: Path, files: Sequence[InstalledFile], folders: Sequence[Path]
) -> tuple[Template, ...]:
    """The templates pages are identified among once ``template`` is installed as ``target``
    (a file of one of ``folders``, in reading order; a folder not among them comes last):
    the installed ``files`` in folder and file-name order, a file at ``target`` replaced, and
    the form's other versions of the target's folder left out when ``template`` has no code
    pattern (:func:`extractors.onboard.installed.retire_older_versions` moves them out)."""
    order = [f.resolve() for f in folders]
    folder = target.parent.resolve()
    if folder not in order:
        order.append(folder)

    def rank(path: Path) -> tuple[int, str]:
        parent = path.parent.resolve()
        return (order.index(parent) if parent in order else len(order), path.name)

    kept: list[tuple[tuple[int, str], Template]] = [(rank(target), template)]
    for installed in files:
        other = installed.template
        if other is None or installed.path.resolve() == target.resolve():
            continue
        if (
            template.code_pattern is None
            and other.form_id == template.form_id
            and installed.path.parent.resolve() == folder
        ):
            continue
        kept.append((rank(installed.path), other))
    return tuple(t for _, t in sorted(kept, key=lambda item: item[0]))


def as_scanned(page: Image, dpi: int) -> Image:
    """A rendered page as a scanner gives it back: moved by :data:`SCAN_SHIFT_PT`, turned
    :data:`SCAN_TURN_DEG`, at :data:`SCAN_SCALE` of its size, blurred, on greyer paper with
    a little sensor noise (always the same: a proof is repeatable)."""
    height, width = page.shape[:2]
    move = cv2.getRotationMatrix2D((width / 2, height / 2), SCAN_TURN_DEG, SCAN_SCALE)
    move[0, 2] += SCAN_SHIFT_PT[0] * dpi / 72
    move[1, 2] += SCAN_SHIFT_PT[1] * dpi / 72
    image = cv2.warpAffine(page, move, (width, height), borderValue=(255,))
    image = cv2.GaussianBlur(image, (0, 0), 0.8).astype(np.float32) * 0.85 + 25
    image += np.random.default_rng(3).normal(0, 6, image.shape).astype(np.float32)
    return np.ascontiguousarray(np.clip(image, 0, 255).astype(np.uint8))


def prove(template: Template, installed: Sequence[Template], options: EngineOptions) -> Proof:
    """Prove ``template`` (one of ``installed``, the templates pages will be identified
    among: :func:`installed_with`) against its blank: its rendered, scanned-looking blank
    and its born-digital blank are identified as its form and version, and no other form's
    blank is identified as it. One Japanese problem per failure, saying what to change."""
    started = time.perf_counter()
    if not any(t is template for t in installed):
        installed = (*installed, template)
    with _LOCK:
        engine = _built(options)
        own = _own_blank(template, installed, engine)
        # The text layer only once the scan is right: its problem is mostly the same one.
        problems = [
            *own,
            *(_text_layer(template, installed) if not own else []),
            *_taken(template, installed, engine),
        ]
    return Proof(tuple(problems), time.perf_counter() - started)


# -- the template's own blank ---------------------------------------------------------------


def _key(template: Template) -> tuple[str, str]:
    return (template.form_id, template.form_version)


def _named(template: Template) -> str:
    return f"「{template.display_name}」（{template.form_version}）"


def _own_blank(template: Template, installed: Sequence[Template], engine: OcrEngine) -> list[str]:
    """Problems of the template's own blank read as a scan: none when identified as itself."""
    found = _identified(template, "scanned", installed, engine)
    if found == _key(template):
        return []
    if found is not None:
        other = next(t for t in installed if _key(t) == found)
        return [_taken_for(template, other)]
    return _not_identified(template, installed, engine)


def _taken_for(template: Template, other: Template) -> str:
    """The blank was identified as another version of its form, or as another form."""
    if other.form_id == template.form_id:
        return "白紙を読み取った画像が" + _other_version(other)
    return (
        f"白紙を読み取った画像が、別の様式 {_named(other)} と判定されました。"
        f"タイトル「{template.title}」または欄外の様式番号がその様式と見分けられません。"
        "タイトル領域を、この様式にしかない印刷された文字の1行に合わせ、「タイトル」をその文字どおりにしてください。"
    )


def _other_version(other: Template) -> str:
    return (
        f"、同じ様式の版 {other.form_version} と判定されました（この版では読まれません）。"
        "欄外の様式番号がその版を指しているか、様式番号で版を見分けられません。"
        "印刷された版（様式番号）の変わった新しい白紙で保存してください"
        "（同じ白紙のまま項目を直すなら、その版を様式フォルダから外してから）。"
    )


def _not_identified(template: Template, installed: Sequence[Template], engine: OcrEngine) -> list[str]:
    """Why the scanned-looking blank is none of the forms: the title and footer regions read
    on the clean rendered blank, its printed structure, or (all fine on the clean blank) a
    region too tight for a page a little off."""
    blank = blank_page(template.blank_pdf, PROOF_DPI)
    title_crop = text_crop(blank, template.title_box, PROOF_DPI)
    crops = [title_crop]
    if template.has_footer:
        crops.append(text_crop(blank, template.footer_box, PROOF_DPI))
    title, *footer = (r.text for r in engine.recognize(crops))
    by_title = bool(title_candidates(title, [template]))
    by_footer = bool(footer) and match_footer(footer[0], [template]) is not None
    lead = "白紙を 200 dpi の画像にして読み取ると、どの様式とも判定されません（スキャンした用紙はすべて「様式不明」になります）。"
    if not by_title and not by_footer:
        problems = [lead + _title_problem(template, title_crop, title)]
        if template.has_footer and template.code_pattern is not None:
            problems.append(
                f"欄外の様式番号の領域の読み取り「{footer[0]}」に、様式番号の形（{template.code_pattern.pattern}）が"
                "見つかりません。領域を印刷された様式番号に合わせてください（様式番号が印刷されていなければ「なし」）。"
            )
        return problems
    rules, own = structure_fit(blank, template, PROOF_DPI)
    if not fits(rules, own):
        return [
            lead + "白紙に長い罫線がほとんどないため、読み取った用紙を白紙に合わせられません"
            f"（罫線の一致 {rules:.2f}・{own:.2f}）。罫線のある様式の白紙を使ってください。"
        ]
    if _identified(template, "rendered", installed, engine) == _key(template):
        return [
            "白紙そのままの画像は判定できますが、少しずれて傾いた用紙（2 mm ずらし 0.4° 傾けた画像）は"
            "どの様式とも判定されません。タイトル領域（と欄外の様式番号の領域）が印刷された文字にぴったり"
            "すぎないか確かめ、文字の周りに少し余白を取って囲んでください。"
        ]
    return [
        lead + f"タイトル「{template.title}」は読めていますが、様式と判定されません。"
        "タイトル領域と欄外の様式番号の領域を、印刷された文字に合わせて描き直してください。"
    ]


def _title_problem(template: Template, crop: Image, reading: str) -> str:
    """What is wrong with the title region, read on the clean blank: over two printed lines,
    empty, cutting its print, or read as another text than the title typed."""
    lines, cut = printed_lines(crop, PROOF_DPI)
    read = f"（白紙での読み取り「{reading}」）"
    if lines >= 2:
        return (
            f"タイトル領域が印刷された1行に収まっていません（{lines} 行にかかっています）{read}。"
            "文字は1行ずつ読み取るため、2行を囲むとタイトルが読めません。タイトル領域を、この様式を"
            "見分けられる1行だけを囲むように縮め、「タイトル」をその行の文字どおりにしてください。"
        )
    if lines == 0:
        return "タイトル領域に印刷された文字がありません。印刷されたタイトルの行を囲んでください。"
    if cut:
        return (
            f"タイトル領域が印刷された文字の途中で切れています{read}。文字全体が入るように"
            "上下に少し広げてください（1行だけを囲みます）。"
        )
    return (
        f"タイトル領域の読み取り「{reading}」がタイトル「{template.title}」と合いません。"
        "「タイトル」を印刷どおりに入力するか、タイトル領域を印刷されたタイトルの行に合わせてください。"
    )


def printed_lines(crop: Image, dpi: int) -> tuple[int, bool]:
    """How many lines of print a region of a clean blank holds (runs of inked rows at least
    :data:`LINE_MIN_IN` tall; printed rules left out), and whether one is cut by the region's
    top or bottom edge."""
    if crop.size == 0:
        return 0, False
    ink = crop < 128
    wide = ink.sum(axis=1) > RULE_ROW_SHARE * ink.shape[1]
    tall = ink.sum(axis=0) > RULE_ROW_SHARE * ink.shape[0]
    ink[wide, :] = False
    ink[:, tall] = False
    rows = ink.sum(axis=1) > 0
    minimum = max(1, round(LINE_MIN_IN * dpi))
    lines, cut, start = 0, False, None
    for y, inked in enumerate([*rows.tolist(), False]):
        if inked and start is None:
            start = y
        elif not inked and start is not None:
            if y - start >= minimum:
                lines += 1
                cut = cut or start == 0 or y == len(rows)
            start = None
    return lines, cut


# -- the born-digital blank and the other forms' blanks ---------------------------------------


def _text_layer(template: Template, installed: Sequence[Template]) -> list[str]:
    """The blank as a born-digital PDF: identified from its text layer as itself (nothing to
    say when the blank has no text of its own: a scanned blank)."""
    # The text layer is matched on the whole page's print (not the regions nor the title):
    # kept per the blanks, and the other templates' versions (their fields say where writing
    # may stand).
    key = (
        _digest(template.blank_pdf),
        "text layer",
        tuple(("", "") if t is template else _key(t) for t in installed),
        tuple(_digest(t.blank_pdf) for t in installed),
    )
    if key not in _RESULTS:
        data = template.blank_pdf.read_bytes()
        if has_text_layer(data):
            with pdfplumber.open(io.BytesIO(data)) as document:
                identified = identify_text_page(document.pages[0], list(installed))
            _keep(key, None if identified is None else _index(identified, installed))
        else:
            _keep(key, _index(template, installed))  # a scanned blank: nothing to say
    index = _RESULTS[key]
    found = None if index is None else installed[index]
    if found is not None and _key(found) == _key(template):
        return []
    lead = "文字情報のある白紙のPDF（印刷の文字で判定）が"
    if found is None:
        return [lead + "どの様式とも判定されません。白紙のPDFが壊れていないか確かめてください。"]
    if found.form_id == template.form_id:
        return [lead + _other_version(found)]
    return [
        f"{lead}、登録済みの様式 {_named(found)} と判定されました（印刷がその様式の白紙とほとんど同じです）。"
        "同じ様式なら、その様式の新しい版として保存してください。"
    ]


def _taken(template: Template, installed: Sequence[Template], engine: OcrEngine) -> list[str]:
    """Every other installed form whose rendered blank is identified as ``template``: looked
    for among ``template`` alone first (a blank no other form's template would name), then
    among all of them (another template may name it first)."""
    problems: list[str] = []
    seen: set[str] = set()  # a blank shared by two forms is looked at once
    for other in installed:
        digest = _digest(other.blank_pdf)
        if other.form_id == template.form_id or digest in seen:
            continue
        seen.add(digest)
        if _identified(other, "rendered", [template], engine) != _key(template):
            continue
        if _identified(other, "rendered", installed, engine) == _key(template):
            problems.append(
                f"登録済みの様式 {_named(other)} の白紙が、この様式と判定されました。このままでは、"
                "その様式の用紙をこの様式として読んでしまいます。タイトル領域と「タイトル」を、"
                "この様式にしかない印刷された文字の1行にしてください。"
            )
    return problems


# -- identification, kept per what it reads ---------------------------------------------------


def _identified(page_of: Template, how: str, templates: Sequence[Template], engine: OcrEngine) -> Found:
    """What ``page_of``'s blank (``how``: "rendered" or "scanned", :func:`as_scanned`) is
    identified as among ``templates``; kept per the blank's bytes and what identification
    reads of each template (:func:`_reads`: not its id, version or fields, so a version saved
    again with only those changed is not identified again)."""
    key = (_digest(page_of.blank_pdf), how, PROOF_DPI, tuple(_reads(t) for t in templates))
    if key not in _RESULTS:
        page = blank_page(page_of.blank_pdf, PROOF_DPI)
        if how == "scanned":
            page = as_scanned(page, PROOF_DPI)
        identified = identify(page, templates, engine, PROOF_DPI)
        _keep(key, None if identified is None else _index(identified.template, templates))
    index = _RESULTS[key]
    return None if index is None else _key(templates[index])


def _keep(key: tuple[object, ...], index: int | None) -> None:
    if len(_RESULTS) >= CACHE_SIZE:
        _RESULTS.clear()
    _RESULTS[key] = index


def _index(found: Template, templates: Sequence[Template]) -> int:
    return next(n for n, t in enumerate(templates) if t is found)


def _reads(template: Template) -> tuple[object, ...]:
    """What identification reads of a template (its page, regions, title, code pattern and
    blank; never its id, version or fields)."""
    pattern = template.code_pattern.pattern if template.code_pattern is not None else None
    return (
        template.title,
        template.canvas,
        template.title_box,
        template.footer_box,
        template.has_footer,
        template.orientation,
        pattern,
        _digest(template.blank_pdf),
    )


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
