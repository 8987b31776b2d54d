"""The templates in the forms folders, file by file: what stops them loading, one Japanese line
per problem (a broken template, one form and version in two files), and the older versions of
a form retired when a new version cannot be told apart from them.

:func:`extractors.template.load_templates` stops at the first problem (the service cannot read
with a folder that has one); these say which files, for ``kakunin forms`` and the designer.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from extractors import template as templates_module
from extractors.template import Template, TemplateError, load_template

#: The subfolder of a forms folder older versions are moved into (not read: only the folder's
#: own ``*.json`` are templates).
RETIRED = "retired"


@dataclass(frozen=True)
class InstalledFile:
    """One template file of a forms folder: loaded, or why it cannot be (Japanese)."""

    path: Path
    template: Template | None
    problem: str | None = None


@dataclass(frozen=True)
class Retired:
    """An older version moved out of the forms folder, and why (Japanese)."""

    source: Path
    target: Path
    message: str


def scan(folders: Sequence[Path]) -> list[InstalledFile]:
    """Every template file of ``folders`` (each folder's ``*.json``), each loaded or with its
    problem; a folder that does not exist holds none."""
    found: list[InstalledFile] = []
    for folder in folders:
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            try:
                found.append(InstalledFile(path, load_template(path)))
            except (TemplateError, OSError, ValueError, KeyError, TypeError) as exc:
                found.append(InstalledFile(path, None, f"{path}: テンプレートに不備があります: {exc}"))
    return found


def problems(files: Sequence[InstalledFile]) -> list[str]:
    """One Japanese line per problem that stops the templates loading: a broken file, a form
    and version in two (or more) files."""
    lines = [f.problem for f in files if f.problem]
    by_version: dict[tuple[str, str], list[Path]] = {}
    for f in files:
        if f.template is not None:
            by_version.setdefault((f.template.form_id, f.template.form_version), []).append(f.path)
    for (form_id, version), paths in by_version.items():
        if len({p.resolve() for p in paths}) > 1:
            lines.append(
                f"{form_id} の版 {version} が二つのファイルにあります: {', '.join(map(str, paths))}"
                "（どちらかを様式フォルダから外してください）"
            )
    return lines


def same_version(template: Template, path: Path, files: Sequence[InstalledFile]) -> list[Path]:
    """The other files (not ``path``) that hold ``template``'s form and version."""
    return [
        f.path
        for f in files
        if f.template is not None
        and (f.template.form_id, f.template.form_version) == (template.form_id, template.form_version)
        and f.path.resolve() != path.resolve()
    ]


def retire_older_versions(template: Template, path: Path) -> list[Retired]:
    """When ``template`` (installed as ``path``) has no code pattern, its pages cannot be told
    from an older version's by the footer: move every other version of its form in its folder,
    with its blank, into the folder's ``retired/`` (not read). Nothing for a template with a
    code pattern: each page is read with the version its footer names."""
    if template.code_pattern is not None:
        return []
    folder = path.parent
    retired: list[Retired] = []
    for other in scan([folder]):
        if other.template is None or other.template.form_id != template.form_id:
            continue
        if other.path.resolve() == path.resolve():
            continue
        moved = _move_out(other.path, other.template.blank_pdf, template.blank_pdf, folder / RETIRED)
        retired.append(
            Retired(
                other.path,
                moved,
                f"{template.form_id} の新しい版 {template.form_version} は欄外の様式番号（code_pattern）で"
                f"前の版と見分けられないため、前の版 {other.template.form_version}（{other.path.name}）を "
                f"{moved.parent} に移しました（読み取りには使われません）",
            )
        )
    if retired:
        templates_module._load_templates.cache_clear()
    return retired


def _move_out(template: Path, blank: Path, keep: Path, retired: Path) -> Path:
    """Move a template file and its blank (unless the new version reads the same blank) into
    ``retired`` (a numbered subfolder of it where the names are taken); where it went."""
    target, number = retired, 1
    while (target / template.name).exists() or (target / blank.name).exists():
        number += 1
        target = retired / str(number)
    target.mkdir(parents=True, exist_ok=True)
    if blank.is_file() and blank.resolve() != keep.resolve() and blank.parent == template.parent:
        shutil.move(blank, target / blank.name)
    shutil.move(template, target / template.name)
    return target / template.name
