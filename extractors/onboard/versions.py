"""Save an edited template as a new version of a form (the form designer screen's last step):
validated with the checks of ``kakunin forms check`` (:func:`extractors.template.load_template`,
the installed-twice check and, given the engine's options, the proof that its blank is
identified as itself: :mod:`extractors.onboard.proof`), then written with its blank into a
forms folder."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractors import template as templates_module
from extractors.onboard import proof
from extractors.onboard.installed import Retired, retire_older_versions, scan
from extractors.template import ERA_NAMES, Template, TemplateError, installed_dirs, load_template
from ocr.engine import EngineOptions


class VersionRefused(ValueError):
    """The edited template cannot be saved; the message is Japanese, for the admin."""


@dataclass(frozen=True)
class SavedVersion:
    """Where a new version was written, the template as loaded back from there, and the
    older versions of its form moved out of the folder (a version without a footer code
    cannot be told from them: :func:`extractors.onboard.installed.retire_older_versions`)."""

    path: Path
    template: Template
    retired: tuple[Retired, ...] = ()


def version_slug(version: str) -> str:
    """A version as it goes into a file name (「2026.4」 -> ``2026_4``)."""
    return re.sub(r"[^0-9A-Za-z]+", "_", version).strip("_") or "v"


def _form_id_ok(form_id: str) -> bool:
    return re.fullmatch(r"[a-z][a-z0-9_]{0,63}", form_id) is not None


def _check_readings(fields: list[dict[str, Any]]) -> None:
    """``reading_of`` as :func:`extractors.template.parse_template` checks it, refused in
    Japanese: only a katakana field names one, and it names a text field of the form."""
    kinds = {str(f.get("name", "")): f.get("type") for f in fields}
    for field in fields:
        target = field.get("reading_of")
        if not target:
            continue
        name = field.get("name", "")
        if field.get("type") != "katakana":
            raise VersionRefused(
                f"読み仮名の対象を指定できるのはカタカナの欄だけです: {name}（{field.get('type')}）"
            )
        if kinds.get(str(target)) != "text":
            raise VersionRefused(
                f"{name} の読み仮名の対象 {target} は、この様式の文字（枠に記入）の欄ではありません"
            )


#: The eras as the screen names them.
ERA_JA = {"showa": "昭和", "heisei": "平成", "reiwa": "令和"}
#: How a choice is marked (``style``): ✓ in a □, or ○ round the printed word.
MARK_STYLES = ("tick", "circle")
#: The types whose writing may put a space between 氏 and 名 (``spaced``).
SPACED_TYPES = ("text", "katakana")


def _check_marks(field: dict[str, Any]) -> None:
    """A choice's option boxes and its ``style``, and ``spaced`` only on a text or katakana
    field, refused in Japanese."""
    name, kind = field.get("name", ""), field.get("type")
    if "style" in field and field["style"] not in MARK_STYLES:
        raise VersionRefused(f"{name} の印の付け方は ✓（tick）か ○（circle）です: {field['style']!r}")
    if kind in ("choice", "checkbox_group"):
        options = field.get("options")
        if not isinstance(options, dict) or not options:
            raise VersionRefused(
                f"選択の項目 {name} に選択肢の枠がありません。「選択肢を追加」で描いてください"
            )
        if any(not str(value).strip() for value in options):
            raise VersionRefused(f"選択の項目 {name} に値の空の選択肢があります")
        untyped = [str(value) for value in options if re.fullmatch(r"option_\d+", str(value))]
        if untyped:
            raise VersionRefused(
                f"選択の項目 {name} の選択肢 {', '.join(untyped)} に値が入力されていません"
                "（枠を選んで「選択肢の値」を入力してください）"
            )
    if field.get("spaced") and kind not in SPACED_TYPES:
        raise VersionRefused(f"氏と名の間に空白を指定できるのは文字・カタカナの欄だけです: {name}（{kind}）")


def _check_era(field: dict[str, Any]) -> None:
    """A date's era, written one way only: printed (``era``), marked among its printed names
    (``era_options``, each an era), or a digit (``era_digits`` and the ``era_box`` it is
    written in); refused in Japanese."""
    name = field.get("name", "")
    ways = [key for key in ("era", "era_options", "era_digits") if field.get(key) is not None]
    if not ways:
        raise VersionRefused(f"日付 {name} の元号の書き方（印刷済み・印・数字）を選んでください")
    if len(ways) > 1:
        raise VersionRefused(
            f"日付 {name} の元号の書き方が二つ以上あります（印刷済み・印・数字のどれか一つ）"
        )
    eras = "・".join(ERA_JA.values())
    if field.get("era") is not None and field["era"] not in ERA_NAMES:
        raise VersionRefused(f"日付 {name} の印刷済みの元号は {eras} のどれかです: {field['era']!r}")
    marked = field.get("era_options")
    if marked is not None:
        if not isinstance(marked, dict) or not marked:
            raise VersionRefused(
                f"日付 {name} に元号の枠がありません。「元号の枠を描く」で印刷された元号を囲んでください"
            )
        if any(era not in ERA_NAMES for era in marked):
            raise VersionRefused(
                f"日付 {name} の元号の枠は {eras} のどれかです: {', '.join(map(str, marked))}"
            )
    digits = field.get("era_digits")
    if digits is not None:
        if not isinstance(digits, dict) or not digits:
            raise VersionRefused(f"日付 {name} の元号の数字（1.昭和 など）がありません")
        for digit, era in digits.items():
            if not (len(str(digit)) == 1 and str(digit).isdigit()) or era not in ERA_NAMES:
                raise VersionRefused(
                    f"日付 {name} の元号の数字は 0〜9 の1字と {eras} の組です: {digit}={era}"
                )
        if len(set(digits.values())) != len(digits):
            raise VersionRefused(f"日付 {name} の元号の数字に同じ元号が二つあります")
        if "era_box" not in field:
            raise VersionRefused(
                f"日付 {name} に元号の数字を書く枠がありません。「元号の枠を描く」で描いてください"
            )


def check_new_version(
    raw: dict[str, Any], blank_pdf: Path, into: Path | None = None, engine: EngineOptions | None = None
) -> Template:
    """Validate ``raw`` (a template document) with its blank as ``kakunin forms check`` does,
    in a scratch folder; refuse (:class:`VersionRefused`, Japanese) an invalid template or a
    form and version already installed. Given the OCR ``engine``'s options, also refuse one
    whose blank, read as a scan, is not identified as itself among the installed templates
    once it is installed into ``into``, or that takes another form's blank
    (:func:`extractors.onboard.proof.prove`)."""
    form_id = str(raw.get("form_id", ""))
    version = str(raw.get("form_version", "")).strip()
    if not _form_id_ok(form_id):
        raise VersionRefused(f"様式IDが正しくありません（英小文字・数字・_）: {form_id!r}")
    if not version:
        raise VersionRefused("版（バージョン）を入力してください")
    names = [str(f.get("name", "")) for f in raw.get("fields", []) if isinstance(f, dict)]
    bad = [n for n in names if not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", n)]
    if bad:
        raise VersionRefused(f"項目名は英小文字・数字・_ で付けてください: {', '.join(bad) or '（空）'}")
    if not names:
        raise VersionRefused("項目が一つもありません")
    fields = [f for f in raw.get("fields", []) if isinstance(f, dict)]
    _check_readings(fields)
    for field in fields:
        _check_marks(field)
        if field.get("type") == "date":
            _check_era(field)
    with tempfile.TemporaryDirectory(prefix="kakunin-designer-") as scratch:
        folder = Path(scratch)
        stem = f"{form_id}.{version_slug(version)}"
        shutil.copy2(blank_pdf, folder / f"{stem}.pdf")
        document = {**raw, "blank_pdf": f"{stem}.pdf"}
        target = folder / f"{stem}.json"
        target.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        try:
            loaded = load_template(target)
        except TemplateError as exc:
            raise VersionRefused(f"テンプレートの検査で不備が見つかりました: {exc}") from None
        # File by file: a forms folder that no longer loads (a version in two files) still
        # names the file that holds this version.
        files = scan(installed_dirs())
        for installed in files:
            other = installed.template
            if other is not None and (other.form_id, other.form_version) == (
                loaded.form_id,
                loaded.form_version,
            ):
                raise VersionRefused(
                    f"{loaded.form_id} の版 {loaded.form_version} はすでに登録されています（{installed.path.name}）。"
                    "別の版を付けてください"
                )
        if engine is not None:
            # Proven while its blank is still in the scratch folder.
            among = proof.installed_with(loaded, (into or folder) / target.name, files, installed_dirs())
            proven = proof.prove(loaded, among, engine)
            if not proven.ok:
                raise VersionRefused(" ".join(proven.problems))
    return loaded


def save_new_version(
    raw: dict[str, Any], blank_pdf: Path, into: Path, engine: EngineOptions | None = None
) -> SavedVersion:
    """Check ``raw`` (:func:`check_new_version`; proven against its blank with ``engine``'s
    options, when given) and write it and its blank into the forms folder ``into`` as
    ``<form_id>.<version>.json`` / ``.pdf``; the process's template cache is dropped so
    :func:`extractors.template.template_for` sees the new version at once."""
    check_new_version(raw, blank_pdf, into, engine)
    stem = f"{raw['form_id']}.{version_slug(str(raw['form_version']).strip())}"
    json_path, pdf_path = into / f"{stem}.json", into / f"{stem}.pdf"
    if json_path.exists():
        raise VersionRefused(f"{json_path.name} がすでにあります。別の版を付けてください")
    into.mkdir(parents=True, exist_ok=True)
    if blank_pdf.resolve() != pdf_path.resolve():
        shutil.copy2(blank_pdf, pdf_path)
    document = {**raw, "form_version": str(raw["form_version"]).strip(), "blank_pdf": pdf_path.name}
    partial = json_path.with_suffix(".json.part")
    partial.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    partial.replace(json_path)
    templates_module._load_templates.cache_clear()
    saved = load_template(json_path)
    return SavedVersion(json_path, saved, tuple(retire_older_versions(saved, json_path)))
