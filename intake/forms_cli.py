"""``kakunin forms``: onboard a new form (or a new version) from its blank PDF, list and
check the installed templates, and put a version on trial into production (``promote``) or back
(``demote``). A form is data: a template JSON and its one-page blank."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.exc import SQLAlchemyError

from extractors.onboard import proof
from extractors.onboard.blank import draft_template, overlay_png
from extractors.onboard.installed import InstalledFile, problems, retire_older_versions, same_version, scan
from extractors.template import Template, TemplateError, installed_dirs, load_template, load_templates
from intake import trust
from intake.services import Services
from intake.settings import load_settings
from ocr.engine import build_engine
from ocr.types import Image, TextLine

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
        draft = draft_template(
            blank.read_bytes(), page - 1, form_id, form_code, version, code_pattern, _read_scanned_print
        )
    except IndexError:
        typer.echo(f"{blank}: {page} ページ目がありません（--page は 1 から数えます）", err=True)
        raise typer.Exit(1) from None
    except (OSError, ValueError) as exc:
        typer.echo(f"{blank}: 白紙の様式を読めません: {exc}", err=True)
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
    for line in field_listing(fields):
        typer.echo(line)


def field_listing(fields: list[dict[str, Any]]) -> list[str]:
    """One line per drafted field: name, type and label in columns as wide as the longest name
    (a block's `insured_certificate_required_3` would otherwise run into its type)."""
    name_width = max((len(field["name"]) for field in fields), default=0) + 2
    return [
        f"  {field['name']:<{name_width}}{field['type']:<11}{field.get('label', '')[:30]}" for field in fields
    ]


def _read_scanned_print(page: Image) -> list[TextLine]:
    """A scanned blank's printed lines read by the configured OCR engine (built only for a
    blank without a text layer: loading the models takes seconds)."""
    typer.echo("白紙の様式に文字の情報がないため、印刷された文字を OCR で読み取ります（数十秒かかります）…")
    return build_engine(load_settings().engine_options()).read_page(page)


@forms_app.command("list")
def list_forms() -> None:
    """Every installed template: id, version, code, fields, where it lies; exit 1 with one
    line per problem (a broken template, a version in two files) when they cannot load."""
    _stop_on_problems()
    typer.echo("folders: " + ", ".join(str(d) for d in installed_dirs()))
    states = _states()
    if states is None:
        typer.echo("（データベースに接続できないため、本番・試行中の状態は表示していません）")
    for template in load_templates():
        state = (states or {}).get((template.form_id, template.form_version), "")
        typer.echo(
            f"{template.form_id:<24}{template.form_version:<22}{len(template.fields):>3} fields  "
            f"{template.orientation:<9}{state + '  ' if state else ''}{template.display_name}"
        )


def _states() -> dict[tuple[str, str], str] | None:
    """本番 or 試行中 (with the reviewed pages of a version on trial) per installed form and
    version; None when there is no database to ask (a SQLite file not made yet is not made)."""
    settings = load_settings()
    url = settings.resolved_database_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return None
    services = Services(settings)
    try:
        found = trust.states(services)
    except SQLAlchemyError:
        return None
    finally:
        services.db.dispose()
    needed = settings.form_trial_pages
    return {
        (s.version.form_id, s.version.version): s.label
        + (f"（確認 {s.batch.pages_reviewed}/{needed}）" if s.trust is trust.Trust.TRIAL else "")
        for s in found
    }


def _change_state(form_id: str, version: str, promote: bool) -> None:
    """Promote or demote a form version as the ops user (``cli``, with an admin's rights):
    the screen's checks and audit (:mod:`intake.trust`); exit 1 with the reason."""
    services = Services(load_settings())
    change = trust.promote if promote else trust.demote
    try:
        done = change(services, form_id, version, "cli", trust.ADMIN)
    except trust.TrustRefused as refused:
        typer.echo(refused.message, err=True)
        raise typer.Exit(1) from None
    finally:
        services.db.dispose()
    typer.echo(f"{form_id} {version}: {done.label}に切り替えました")


@forms_app.command("promote")
def promote(form_id: str, version: str) -> None:
    """Put a form version on trial into production (本番) once enough of its pages were
    reviewed (KAKUNIN_FORM_TRIAL_PAGES); audited."""
    _change_state(form_id, version, promote=True)


@forms_app.command("demote")
def demote(form_id: str, version: str) -> None:
    """Put a form version back on trial (試行中): every field of its pages to a person; audited."""
    _change_state(form_id, version, promote=False)


def _stop_on_problems() -> None:
    """Exit 1 with one Japanese line per problem of the installed templates, if any."""
    found = problems(scan(installed_dirs()))
    if not found:
        try:
            load_templates()
        except TemplateError as exc:
            found = [f"様式テンプレートを読み込めません: {exc}"]
    for line in found:
        typer.echo(line, err=True)
    if found:
        raise typer.Exit(1)


def _loaded_or_exit(template: Path) -> Template:
    """The template file loaded, or exit 1 with the reason (Japanese)."""
    try:
        return load_template(template)
    except (TemplateError, OSError, ValueError, KeyError, TypeError) as exc:
        typer.echo(f"{template}: テンプレートに不備があります: {exc}", err=True)
        raise typer.Exit(1) from None


def _proven(loaded: Template, target: Path, files: list[InstalledFile], folders: list[Path]) -> list[str]:
    """:func:`extractors.onboard.proof.prove` of a template to be installed as ``target``:
    its blank, read as a scan, identified as itself among the templates then installed, and
    no other form's blank taken for it. Says so (with the seconds it took) when it is; the
    Japanese problems when not."""
    among = proof.installed_with(loaded, target, files, folders)
    proven = proof.prove(loaded, among, load_settings().engine_options())
    if proven.ok:
        typer.echo(
            f"識別の確認: 白紙を読み取った画像が {loaded.form_id} {loaded.form_version} と判定されました"
            f"（他の様式の白紙はこの様式と判定されません、{proven.seconds:.1f} 秒）"
        )
    return list(proven.problems)


@forms_app.command("check")
def check(template: Path) -> None:
    """Validate a template file (its blank beside it) and the installed templates beside it,
    and prove its blank is identified as itself, read as a scan, among the installed
    templates (:mod:`extractors.onboard.proof`); exit 1 with one line per problem."""
    loaded = _loaded_or_exit(template)
    folders = list(installed_dirs())
    installed = scan(folders)
    found = problems(installed)
    typer.echo(f"ok: {loaded.form_id} {loaded.form_version}, {len(loaded.fields)} fields")
    for other in same_version(loaded, template, installed):
        typer.echo(f"この版はすでに {other} として登録されています（もう一つは登録できません）")
    # A file outside the forms folders is proven as if installed into the society's folder
    # (the first of KAKUNIN_FORMS_DIRS, where the designer saves).
    resolved = [f.resolve() for f in folders]
    inside = template.parent.resolve() in resolved
    target = template if inside or len(folders) < 2 else folders[1] / template.name
    found += _proven(loaded, target, installed, folders)
    for line in found:
        typer.echo(line, err=True)
    if found:
        raise typer.Exit(1)


@forms_app.command("install")
def install(
    template: Path,
    into: Annotated[Path, typer.Option("--into", help="a folder named by KAKUNIN_FORMS_DIRS")],
) -> None:
    """Check a template and copy it and its blank into a forms folder. Refused when the
    folders already hold its form and version in another file, or when its blank is not
    identified as itself (:mod:`extractors.onboard.proof`); a new version without a
    footer code retires the form's other versions of that folder into ``retired/``."""
    loaded = _loaded_or_exit(template)
    target = into / template.name
    if target.exists() and target.resolve() == template.resolve():
        typer.echo(f"{target} はすでに {into} に登録されています（同じファイルです。登録の必要はありません）")
        return
    others = same_version(loaded, target, scan([*installed_dirs(), into]))
    if others:
        typer.echo(
            f"{loaded.form_id} の版 {loaded.form_version} はすでに {others[0]} として登録されています。"
            f"{template} は登録しませんでした（同じ版が二つあると様式を読み込めません）。"
            "別の版を付けるか、登録済みのファイルを外してから登録してください",
            err=True,
        )
        raise typer.Exit(1)
    installed = list(installed_dirs())
    folders = installed if into.resolve() in {f.resolve() for f in installed} else [*installed, into]
    refused = _proven(loaded, target, scan(folders), folders)
    if refused:
        for line in refused:
            typer.echo(line, err=True)
        typer.echo(f"{template} は登録しませんでした", err=True)
        raise typer.Exit(1)
    into.mkdir(parents=True, exist_ok=True)
    shutil.copy2(template, target)
    blank = into / loaded.blank_pdf.name
    if not (blank.exists() and blank.resolve() == loaded.blank_pdf.resolve()):
        shutil.copy2(loaded.blank_pdf, blank)
    for retired in retire_older_versions(load_template(target), target):
        typer.echo(retired.message)
    typer.echo(f"installed {loaded.form_id} {loaded.form_version} in {into}")
