"""The form designer (フォーム定義, issue 14 item 2), for admins only: the blank page of an
installed template or of a draft made by ``kakunin forms add`` with every box drawn over it;
boxes are selected, renamed, retyped, moved and resized by dragging or with the arrow keys,
merged, split, deleted and drawn (``static/designer.js``), and so are the title and footer
regions identification reads (the footer cleared for a form without one), and a katakana
field's 「読み仮名の対象」 (``reading_of``: the text field whose name it is the reading of,
proposed by the draft, kept when its target is renamed, cleared when it is deleted); a choice's
「印の付け方」 (✓ in a □ or ○ round the printed word, ``style``) and its options drawn one by one
with 「選択肢を追加」, a date's 「元号の書き方」 (printed, marked among the printed 昭和・平成・令和
``era_options``, or a digit ``era_digits`` in its ``era_box``; the boxes drawn with 「元号の枠を描く」),
「氏と名の間に空白」 (``spaced``) on text and katakana fields, and 「上下に分割」 (or Shift+分割) for a
text box holding stacked rows; a choice in one gesture (「選択肢を囲んで作成」: one rectangle round
the printed options, or drafted □ picked with Shift+click and 「選択肢にまとめる」; the options
and their values proposed by ``/admin/forms/choice`` from the blank, and so are a date's printed
eras boxed in one rectangle); 「下の同じ欄に写す」 (the picked fields of one finished block copied
by ``/admin/forms/repeat`` to every place their layout repeats, :mod:`extractors.onboard.repeat`;
「元に戻す」), 「マスの数」 of a run of digit cells (a field made digits counts the cells printed
under it, ``/admin/forms/cells``) and 「上下に分割」 of a field with rows of cells; "新しい版として保存"
puts the fields in the page's reading order (:func:`extractors.onboard.draft.reading_order`,
so the review screens go through them as the page reads) and is validated on the server with the checks of ``kakunin forms check``
(its blank identified as itself read as a scan, :mod:`extractors.onboard.proof`) and written as a new
template version into the society's forms folder (the first of ``KAKUNIN_FORMS_DIRS``),
audited; the list then names the older versions the save moved into ``retired/``. A version
once saved is never saved over (records carry it): the screen proposes the next free one
(:func:`next_free_version`, 「KY-02 (2024.12)」 saved: 「KY-02 (2024.12) v2」, numbered on as the
saved versions are) for the admin to confirm, and a refused version is answered with it. No
coordinate is ever typed: the numbers are shown read-only."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from extractors.onboard.blank import render
from extractors.onboard.choices import NoChoice, blank_print, printed_labels, propose_choice, propose_ticks
from extractors.onboard.draft import printed_date_parts, reading_order
from extractors.onboard.installed import RETIRED
from extractors.onboard.lines import blank_lines, printed_cells
from extractors.onboard.repeat import NoRepeat, repeat_fields
from extractors.onboard.versions import VersionRefused, save_new_version, version_slug
from extractors.template import FieldType, installed_dirs
from intake.auth import SessionInfo
from intake.settings import Settings
from intake.store.db import transaction
from intake.store.repo import audit
from review_ui.deps import PostSessionDep, ServicesDep, role_in
from review_ui.screens.common import TEMPLATES
from review_ui.screens.trust import trust_context

Admin = Annotated[SessionInfo, Depends(role_in(frozenset({"admin"}), "フォーム定義は管理者のみ使えます"))]
#: Pixels per inch of the blank page shown under the boxes.
BLANK_DPI = 110
#: Where drafts made by ``kakunin forms add --out`` are looked for, inside the data directory.
DRAFTS_DIR = "forms-draft"
TYPE_NAMES = {
    FieldType.TEXT: "文字（枠に記入）",
    FieldType.KATAKANA: "カタカナ",
    FieldType.PHONE: "電話番号",
    FieldType.AMOUNT: "金額",
    FieldType.DIGITS: "数字（1字1枠）",
    FieldType.MY_NUMBER: "個人番号（1字1枠）",
    FieldType.CHECKBOX: "チェック欄",
    FieldType.CHOICE: "選択（一つ）",
    FieldType.CHECKBOX_GROUP: "選択（複数可）",
    FieldType.DATE: "日付",
}

#: At most this many tick boxes are made one choice at a time (「選択肢にまとめる」).
MAX_TICKS = 60
#: The regions identification reads, drawn and edited on the screen like boxes.
IDENTIFY_REGIONS = ("title", "footer")
#: How a version is numbered on from the one before it when no saved version shows another way.
VERSION_SUFFIX = " v"
#: A saved version numbered on from another: its base, the suffix 「 v」 (「v」, 「 rev」), a number.
#: (No 「-2」: 「2024-12」 is a date, not the 12th version of 2024.)
NUMBERED_VERSION = re.compile(r"(?P<base>.*?)(?P<suffix>\s*(?:[vV]|rev\.?)\s*)(?P<n>\d{1,3})")

router = APIRouter()


@dataclass(frozen=True)
class Source:
    """A template file the designer can open: an installed one or a draft."""

    key: str
    path: Path
    draft: bool
    form_id: str
    form_version: str
    name: str


def drafts_dir(settings: Settings) -> Path:
    """The drafts folder: ``<data dir>/forms-draft`` (``kakunin forms add --out`` there)."""
    return settings.data_dir / DRAFTS_DIR


def target_dir() -> Path | None:
    """Where a new version is installed: the first ``KAKUNIN_FORMS_DIRS`` folder (the shipped
    templates' folder is never written); None when that variable names none."""
    dirs = installed_dirs()
    return dirs[1] if len(dirs) > 1 else None


def sources(settings: Settings) -> list[Source]:
    """Every template file of the installed folders and every draft, keyed for the URLs
    (only these files are ever opened: a key is looked up, never joined into a path)."""
    found: list[Source] = []
    folders = [(f"i{n}", d, False) for n, d in enumerate(installed_dirs())]
    folders.append(("d", drafts_dir(settings), True))
    for prefix, folder, draft in folders:
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if not isinstance(raw, dict) or "fields" not in raw:
                continue
            found.append(
                Source(
                    f"{prefix}:{path.name}",
                    path,
                    draft,
                    str(raw.get("form_id", "")),
                    str(raw.get("form_version", "")),
                    str(raw.get("name") or raw.get("title") or ""),
                )
            )
    return found


def saved_versions(form_id: str) -> set[str]:
    """Every version of ``form_id`` saved in the installed folders, those moved into their
    ``retired/`` too (a version once read is never given again: records carry it)."""
    found: set[str] = set()
    for folder in installed_dirs():
        for path in [*folder.glob("*.json"), *(folder / RETIRED).glob("*.json")] if folder.is_dir() else []:
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(raw, dict) and str(raw.get("form_id", "")) == form_id:
                found.add(str(raw.get("form_version", "")).strip())
    return found


def next_free_version(version: str, taken: Collection[str]) -> str:
    """``version`` itself when no saved version has it (nor its file name), else the next free
    one numbered on from it the way the saved versions of its base are (「KY-02 (2024.12) v2」
    after 「KY-02 (2024.12)」 and up to the highest saved number, 「2024.12 rev3」 after
    「2024.12 rev2」; :data:`VERSION_SUFFIX` when none is numbered yet). Empty stays empty."""
    version = version.strip()
    slugs = {version_slug(t) for t in taken}
    if not version or (version not in taken and version_slug(version) not in slugs):
        return version
    own = NUMBERED_VERSION.fullmatch(version)
    base = own.group("base") if own else version
    numbered = sorted(
        (m for t in taken if (m := NUMBERED_VERSION.fullmatch(t)) and m.group("base") == base),
        key=lambda m: int(m.group("n")),
    )
    suffix = own.group("suffix") if own else numbered[-1].group("suffix") if numbered else VERSION_SUFFIX
    number = max([1, *(int(m.group("n")) for m in numbered), *([int(own.group("n"))] if own else [])]) + 1
    while (candidate := f"{base}{suffix}{number}") in taken or version_slug(candidate) in slugs:
        number += 1
    return candidate


def _source(settings: Settings, key: str) -> Source:
    for source in sources(settings):
        if source.key == key:
            return source
    raise HTTPException(404, "テンプレートが見つかりません")


def _raw(source: Source) -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(source.path.read_text(encoding="utf-8"))
    return raw


def _blank_of(source: Source, raw: dict[str, Any]) -> Path:
    blank = source.path.parent / Path(str(raw.get("blank_pdf", ""))).name
    if not blank.is_file():
        raise HTTPException(404, "白紙の様式（PDF）がテンプレートの横にありません")
    return blank


def retired_notices(target: Path | None, moved: Sequence[str]) -> list[str]:
    """What the last save moved into the forms folder's ``retired/`` (paths relative to the
    folder, as the save's redirect names them), one Japanese line each; a name that is no
    template file there is left out (the page says only what is true)."""
    if target is None:
        return []
    retired = (target / RETIRED).resolve()
    notices = []
    for name in moved:
        path = (target / name).resolve()
        if not path.is_relative_to(retired) or path.suffix != ".json" or not path.is_file():
            continue
        try:
            version = str(json.loads(path.read_text(encoding="utf-8")).get("form_version", ""))
        except (OSError, ValueError, AttributeError):
            continue
        notices.append(
            f"前の版 {version}（{path.name}）を {path.parent.relative_to(target.resolve())}/ に移しました。"
            "新しい版は欄外の様式番号で前の版と見分けられないため、前の版は読み取りに使われません。"
        )
    return notices


@router.get("/admin/forms", response_class=HTMLResponse)
def forms_list(
    request: Request,
    services: ServicesDep,
    info: Admin,
    saved: str | None = None,
    retired: Annotated[list[str] | None, Query()] = None,
    trust: str | None = None,
) -> HTMLResponse:
    target = target_dir()
    found = sources(services.settings)
    return TEMPLATES.TemplateResponse(
        request,
        "designer_list.html",
        {
            "user": info.user,
            "csrf": info.csrf_token,
            "sources": found,
            # A draft whose version is installed was saved (a clerk took the draft left beside
            # it, same version, for one still to save).
            "installed": {(s.form_id, s.form_version) for s in found if not s.draft},
            "drafts": drafts_dir(services.settings),
            "target": target,
            "saved": saved,
            "retired": retired_notices(target, retired or []),
            **trust_context(services, trust),  # 本番・試行 (review_ui.screens.trust)
        },
    )


def _designer_page(
    request: Request,
    info: SessionInfo,
    source: Source,
    raw: dict[str, Any],
    version: str,
    error: str | None = None,
    status_code: int = 200,
    proposed_over: str | None = None,
) -> HTMLResponse:
    """The designer page, its 「新しい版」 holding ``version``; ``proposed_over``: the version
    already saved that it was proposed in place of (said beside it)."""
    return TEMPLATES.TemplateResponse(
        request,
        "designer.html",
        {
            "user": info.user,
            "csrf": info.csrf_token,
            "source": source,
            "template": raw,
            "version": version,
            "proposed_over": proposed_over,
            "error": error,
            "target": target_dir(),
            "types": [{"value": t.value, "name": TYPE_NAMES[t], "layout": t.layout.value} for t in FieldType],
        },
        status_code=status_code,
    )


@router.get("/admin/forms/edit", response_class=HTMLResponse)
def designer(request: Request, services: ServicesDep, info: Admin, src: str) -> HTMLResponse:
    source = _source(services.settings, src)
    raw = _raw(source)
    # A saved version is never saved over: the next free one is proposed, to be confirmed.
    opened = str(raw.get("form_version", "")).strip()
    version = next_free_version(opened, saved_versions(source.form_id))
    return _designer_page(
        request,
        info,
        source,
        _labelled(source, raw),
        version,
        proposed_over=opened if version != opened else None,
    )


def _labelled(source: Source, raw: dict[str, Any]) -> dict[str, Any]:
    """The template as the screen opens it: a choice saved before options kept their printed
    labels (``option_labels``) gets them proposed from the blank, shown for the admin to check
    and saved with the next version (the review screens show a choice by them)."""
    unlabelled = [
        f
        for f in raw.get("fields") or []
        if isinstance(f, dict)
        and f.get("type") in (FieldType.CHOICE, FieldType.CHECKBOX_GROUP)
        and isinstance(f.get("options"), dict)
        and set(f["options"]) - set(f.get("option_labels") or {})
    ]
    if not unlabelled:
        return raw
    try:
        blank = blank_print(_blank_of(source, raw))
    except HTTPException:
        return raw
    for field in unlabelled:
        try:
            options = [(str(k), _pt_box(",".join(map(str, b[:4])))) for k, b in field["options"].items()]
        except (HTTPException, TypeError):
            continue
        printed = printed_labels(blank, options, str(field.get("style", "tick")))
        labels = {**printed, **(field.get("option_labels") or {})}
        if labels:
            field["option_labels"] = labels
    return raw


@router.get("/admin/forms/blank.png")
def blank_png(services: ServicesDep, info: Admin, src: str) -> Response:
    """The template's blank page rendered on the server, drawn under the boxes."""
    source = _source(services.settings, src)
    image = render(_blank_of(source, _raw(source)).read_bytes(), BLANK_DPI)
    out = io.BytesIO()
    image.save(out, "PNG")
    return Response(out.getvalue(), media_type="image/png")


def _pt_box(text: str) -> tuple[float, float, float, float]:
    """A box the screen sends, 「x0,y0,x1,y1」 in points; 400 when it is none."""
    try:
        x0, y0, x1, y1 = (float(v) for v in text.split(","))
    except ValueError:
        raise HTTPException(400, "枠が読めません") from None
    if not (0 <= x0 < x1 < 10_000 and 0 <= y0 < y1 < 10_000):
        raise HTTPException(400, "枠が読めません")
    return (x0, y0, x1, y1)


@router.get("/admin/forms/choice")
def choice_proposal(
    services: ServicesDep,
    info: Admin,
    src: str,
    area: str | None = None,
    tick: Annotated[list[str] | None, Query()] = None,
) -> JSONResponse:
    """A choice's options proposed from the blank (:mod:`extractors.onboard.choices`): from the
    □ or the printed words inside ``area`` (a rectangle drawn round them), or for the tick
    boxes ``tick`` picked on the screen (「選択肢にまとめる」). JSON ``{style, name, label,
    options: [{value, label, box}]}``; 422 with the reason in Japanese when nothing is found."""
    if tick and len(tick) > MAX_TICKS:
        raise HTTPException(400, f"まとめられるチェック欄は {MAX_TICKS} 個までです")
    source = _source(services.settings, src)
    blank = blank_print(_blank_of(source, _raw(source)))
    try:
        if tick:
            proposal = propose_ticks(blank, [_pt_box(t) for t in tick])
        elif area:
            proposal = propose_choice(blank, _pt_box(area))
        else:
            raise NoChoice("選択肢を囲む枠か、まとめるチェック欄を指定してください")
    except NoChoice as nothing:
        return JSONResponse({"detail": str(nothing)}, status_code=422)
    return JSONResponse(proposal.as_json())


#: At most this many fields are copied by one 「下の同じ欄に写す」.
MAX_REPEAT = 200


@router.post("/admin/forms/repeat")
def repeat(
    services: ServicesDep,
    info: Admin,
    _checked: PostSessionDep,  # the CSRF token, as the save's
    src: Annotated[str, Form()],
    template: Annotated[str, Form()],
    selected: Annotated[str, Form()],
) -> JSONResponse:
    """「下の同じ欄に写す」: the fields of ``template`` (the screen's JSON list) picked by
    ``selected`` (their indices, JSON) copied to every place their layout repeats on the blank
    (:mod:`extractors.onboard.repeat`; the file as opened tells which drafted fields the admin
    deleted in the block). JSON ``{fields, axis, offsets, copied, removed, message}``; 422 with
    the reason in Japanese when nothing repeats. Nothing is saved: the screen keeps the result."""
    source = _source(services.settings, src)
    raw = _raw(source)
    try:
        fields, picked = json.loads(template), json.loads(selected)
    except ValueError:
        raise HTTPException(400, "送信された様式定義が読めません") from None
    if (
        not isinstance(fields, list)
        or not all(isinstance(f, dict) for f in fields)
        or not isinstance(picked, list)
        or not all(isinstance(i, int) for i in picked)
        or len(picked) > MAX_REPEAT
    ):
        raise HTTPException(400, "送信された様式定義が読めません")
    lines = blank_lines(_blank_of(source, raw))
    try:
        done = repeat_fields(fields, picked, lines.boxes, lines.size, original=raw.get("fields") or [])
    except (NoRepeat, TypeError, ValueError, KeyError, IndexError) as nothing:
        detail = str(nothing) if isinstance(nothing, NoRepeat) else "選んだ項目の枠が読めません"
        return JSONResponse({"detail": detail}, status_code=422)
    return JSONResponse(
        {
            "fields": done.fields,
            "axis": done.axis,
            "offsets": list(done.offsets),
            "copied": list(done.copied),
            "removed": list(done.removed),
            "message": done.message,
        }
    )


@router.get("/admin/forms/cells")
def cells(services: ServicesDep, info: Admin, src: str, box: str) -> JSONResponse:
    """「マスの数」: how many cells the blank's printed lines divide ``box`` into (``{"cells":
    n}``, null where no line divides it: the screen keeps its guess from the box's shape)."""
    source = _source(services.settings, src)
    lines = blank_lines(_blank_of(source, _raw(source)))
    return JSONResponse({"cells": printed_cells(lines, _pt_box(box))})


@router.get("/admin/forms/date-parts")
def date_parts(services: ServicesDep, info: Admin, src: str, box: str) -> JSONResponse:
    """A date drawn as one rectangle: its year, month and day parts cut between the 年, 月 and
    日 printed in it (``{"year": [x0, y0, x1, y1], "month": …, "day": …}``), each its cells
    border to border where the 年/月/日 are printed in cells of their own (in a corner of the
    part's last cell), or ``{}`` where they are not printed (the screen keeps its equal thirds)."""
    source = _source(services.settings, src)
    blank = blank_print(_blank_of(source, _raw(source)))
    parts = printed_date_parts(_pt_box(box), blank.chars, blank.boxes)
    if parts is None:
        return JSONResponse({})
    return JSONResponse({key: list(part) for key, part in zip(("year", "month", "day"), parts, strict=True)})


def _regions(original: dict[str, Any], edited: dict[str, Any]) -> dict[str, Any]:
    """The file's ``identify`` with the title and footer regions drawn on the screen (a
    footer cleared: null); checked with the rest of the template on save."""
    regions = edited.get("identify")
    identify = dict(original.get("identify") or {})
    if regions is None:
        return identify
    if not isinstance(regions, dict):
        raise HTTPException(400, "送信された様式定義が読めません")
    for key in IDENTIFY_REGIONS:
        if key in regions:
            identify[key] = regions[key]
    return identify


@router.post("/admin/forms/save", response_class=HTMLResponse)
def save(
    request: Request,
    services: ServicesDep,
    info: Admin,
    _checked: PostSessionDep,  # the CSRF token of the form
    src: Annotated[str, Form()],
    version: Annotated[str, Form()],
    template: Annotated[str, Form()],
    title: Annotated[str | None, Form()] = None,
    form_name: Annotated[str | None, Form()] = None,
) -> Response:
    """Save the edited template as a new version (validated, installed, audited): its fields,
    its title and footer regions (where identification reads; the footer null for a form
    without one), and the printed title (what identification compares) and the form's name
    when given."""
    source = _source(services.settings, src)
    original = _raw(source)
    try:
        edited = json.loads(template)
    except ValueError:
        edited = None
    if not isinstance(edited, dict) or not isinstance(edited.get("fields"), list):
        raise HTTPException(400, "送信された様式定義が読めません")
    # The fields (in reading order: a field drawn last on the screen is reviewed in its place
    # on the page), the title and footer regions, the title and the name come from the screen;
    # the page and the code pattern stay the file's own.
    fields = edited["fields"]
    document = {
        **original,
        "fields": reading_order(fields) if all(isinstance(f, dict) for f in fields) else fields,
        "identify": _regions(original, edited),
        "form_version": version.strip(),
    }
    if title is not None and title.strip():
        document["title"] = " ".join(title.split())
    if form_name is not None:
        document["name"] = " ".join(form_name.split()) or document["title"]
    target = target_dir()
    try:
        if target is None:
            raise VersionRefused("保存先の様式フォルダ（KAKUNIN_FORMS_DIRS）が設定されていません")
        # Proven too: its blank, read as a scan, is identified as itself and takes no other
        # form's blank (extractors.onboard.proof; the OCR engine is built once per process).
        engine = services.settings.engine_options()
        saved = save_new_version(document, _blank_of(source, original), target, engine)
    except VersionRefused as refused:
        with transaction(services.sessions) as session:
            audit(session, info.user.name, "form_version_refused", source=source.key, reason=str(refused))
        # A version already saved: the refusal says which is free and the field holds it.
        typed = version.strip()
        free = next_free_version(typed, saved_versions(str(document.get("form_id", ""))))
        if free == typed:
            return _designer_page(request, info, source, document, version, str(refused), 422)
        reason = f"{refused} 空いている版は「{free}」です（「新しい版」に入れました。よければそのまま保存してください）"
        return _designer_page(request, info, source, document, free, reason, 422, proposed_over=typed)
    with transaction(services.sessions) as session:
        audit(
            session,
            info.user.name,
            "form_version_saved",
            source=source.key,
            form_id=saved.template.form_id,
            form_version=saved.template.form_version,
            title=saved.template.title,
            file=str(saved.path),
            fields=len(saved.template.fields),
            # older versions moved to retired/: this one has no footer code to tell them apart
            retired=[str(r.target) for r in saved.retired],
        )
    # The older versions moved into retired/ are named to the list, which says so in Japanese.
    moved = [("retired", str(r.target.resolve().relative_to(target.resolve()))) for r in saved.retired]
    return RedirectResponse(
        f"/admin/forms?{urlencode([('saved', saved.path.name), *moved])}", status_code=303
    )
