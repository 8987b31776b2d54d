"""Save an edited template as a new version of a form (the form designer screen's last step):
validated with the checks of ``kakunin forms check`` (:func:`extractors.template.load_template`
and the installed-twice check), then written with its blank into a forms folder."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractors import template as templates_module
from extractors.template import Template, TemplateError, load_template, load_templates


class VersionRefused(ValueError):
    """The edited template cannot be saved; the message is Japanese, for the admin."""


@dataclass(frozen=True)
class SavedVersion:
    """Where a new version was written, and the template as loaded back from there."""

    path: Path
    template: Template


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


def check_new_version(raw: dict[str, Any], blank_pdf: Path) -> Template:
    """Validate ``raw`` (a template document) with its blank as ``kakunin forms check`` does,
    in a scratch folder; refuse (:class:`VersionRefused`, Japanese) an invalid template or a
    form and version already installed."""
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
    _check_readings([f for f in raw.get("fields", []) if isinstance(f, dict)])
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
    if any((t.form_id, t.form_version) == (loaded.form_id, loaded.form_version) for t in load_templates()):
        raise VersionRefused(
            f"{loaded.form_id} の版 {loaded.form_version} はすでに登録されています。別の版を付けてください"
        )
    return loaded


def save_new_version(raw: dict[str, Any], blank_pdf: Path, into: Path) -> SavedVersion:
    """Check ``raw`` (:func:`check_new_version`) and write it and its blank into the forms
    folder ``into`` as ``<form_id>.<version>.json`` / ``.pdf``; the process's template cache
    is dropped so :func:`extractors.template.template_for` sees the new version at once."""
    check_new_version(raw, blank_pdf)
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
    return SavedVersion(json_path, load_template(json_path))
