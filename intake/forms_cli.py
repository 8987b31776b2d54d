"""``kakunin forms``: onboard a new form (or a new version) from its blank PDF, list and
check the installed templates. A form is data: a template JSON and its one-page blank."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Annotated

import typer

from extractors.onboard.blank import draft_template, overlay_png
from extractors.template import TemplateError, installed_dirs, load_template, load_templates

forms_app = typer.Typer(
    help="Form templates: add a form from its blank PDF, list, check", no_args_is_help=True
)


@forms_app.command("add")
def add(
    blank: Path,
    form_id: Annotated[str, typer.Option("--id", help="the form's id, e.g. kyokai_kofu_shinsei")],
    version: Annotated[str, typer.Option("--version", help="the printed version, e.g. 2024.12")],
    page: Annotated[
        int, typer.Option("--page", help="the page of the blank that is the form (1 = first)")
    ] = 1,
    code: Annotated[
        str | None, typer.Option("--code", help="the form's code (default: the id in capitals)")
    ] = None,
    code_pattern: Annotated[
        str | None,
        typer.Option("--code-pattern", help="a regular expression the printed footer code matches"),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="where the draft, its blank and the overlay go")] = Path(
        "forms-draft"
    ),
) -> None:
    """Draft a template from a blank form: boxes, cells and tick boxes, a label and a type
    for each; writes <id>.<version>.json, the one-page blank and an overlay PNG to check."""
    started = time.perf_counter()
    form_code = code or form_id.upper()
    try:
        draft = draft_template(blank.read_bytes(), page - 1, form_id, form_code, version, code_pattern)
    except (OSError, IndexError, ValueError) as exc:
        typer.echo(f"{blank}: {exc}", err=True)
        raise typer.Exit(1) from None
    out.mkdir(parents=True, exist_ok=True)
    stem = Path(str(draft.template["blank_pdf"])).stem
    (out / str(draft.template["blank_pdf"])).write_bytes(draft.blank_pdf)
    target = out / f"{stem}.json"
    target.write_text(json.dumps(draft.template, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    overlay = out / f"{stem}.overlay.png"
    overlay.write_bytes(overlay_png(draft.template, draft.blank_pdf))
    fields = draft.template["fields"]
    typer.echo(
        f"{target}: {len(fields)} fields found ({draft.source} lines) in {time.perf_counter() - started:.1f} s"
    )
    typer.echo(
        f"check {overlay}, then correct the draft on the designer screen (フォーム定義, /admin/forms; "
        "it lists the drafts of <KAKUNIN_DATA_DIR>/forms-draft) and save it as a new version there, "
        f"or correct the JSON and run: kakunin forms check {target}"
    )
    for field in fields:
        typer.echo(f"  {field['name']:<28}{field['type']:<11}{field.get('label', '')[:30]}")


@forms_app.command("list")
def list_forms() -> None:
    """Every installed template: id, version, code, fields, where it lies."""
    try:
        templates = load_templates()
    except TemplateError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    typer.echo("folders: " + ", ".join(str(d) for d in installed_dirs()))
    for template in templates:
        typer.echo(
            f"{template.form_id:<24}{template.form_version:<22}{len(template.fields):>3} fields  "
            f"{template.orientation:<9}{template.display_name}"
        )


@forms_app.command("check")
def check(template: Path) -> None:
    """Validate a template file (its blank beside it); exit 1 with the reason when invalid."""
    try:
        loaded = load_template(template)
    except (TemplateError, OSError, json.JSONDecodeError) as exc:
        typer.echo(f"invalid: {exc}", err=True)
        raise typer.Exit(1) from None
    installed = {(t.form_id, t.form_version) for t in load_templates()}
    clash = (loaded.form_id, loaded.form_version) in installed
    typer.echo(
        f"ok: {loaded.form_id} {loaded.form_version}, {len(loaded.fields)} fields"
        + (" (this version is already installed)" if clash else "")
    )


@forms_app.command("install")
def install(
    template: Path,
    into: Annotated[Path, typer.Option("--into", help="a folder named by KAKUNIN_FORMS_DIRS")],
) -> None:
    """Check a template and copy it and its blank into a forms folder."""
    try:
        loaded = load_template(template)
    except (TemplateError, OSError, json.JSONDecodeError) as exc:
        typer.echo(f"invalid: {exc}", err=True)
        raise typer.Exit(1) from None
    into.mkdir(parents=True, exist_ok=True)
    shutil.copy2(template, into / template.name)
    shutil.copy2(loaded.blank_pdf, into / loaded.blank_pdf.name)
    typer.echo(f"installed {loaded.form_id} {loaded.form_version} in {into}")
