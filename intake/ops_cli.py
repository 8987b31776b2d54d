"""``kakunin backup``, ``restore``, ``purge`` and ``key …``: keeping the data for years
(issue 19 items 5-7). Registered on the main app by :mod:`intake.cli`."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated

import typer

from intake.settings import load_settings

key_app = typer.Typer(help="Encryption keys of the file store", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(1)


def backup(
    directory: Annotated[Path, typer.Argument(help="a new (or empty) folder for the backup")],
) -> None:
    """Snapshot the database and the file store (checksums in manifest.json) while the service runs."""
    from intake.backup import BackupError
    from intake.backup import backup as make_backup
    from intake.services import Services

    try:
        report = make_backup(Services(load_settings()), directory)
    except BackupError as exc:
        raise _fail(f"backup failed: {exc}") from None
    typer.echo(json.dumps(report.to_json(), ensure_ascii=False))
    if report.missing:
        raise _fail(f"{len(report.missing)} file(s) the database names are missing from the store")


def restore(
    directory: Annotated[Path, typer.Argument(help="a folder made by `kakunin backup`")],
) -> None:
    """Rebuild a fresh data directory (KAKUNIN_DATA_DIR, KAKUNIN_DATABASE_URL) from a backup."""
    from intake.backup import BackupError
    from intake.backup import restore as run_restore
    from intake.services import Services

    try:
        report = run_restore(Services(load_settings()), directory)
    except BackupError as exc:
        raise _fail(f"restore refused: {exc}") from None
    typer.echo(json.dumps(report.to_json(), ensure_ascii=False))


def purge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="list what would be deleted, delete nothing")
    ] = False,
    on: Annotated[str | None, typer.Option(help="as on this day (ISO date); today by default")] = None,
) -> None:
    """Delete scans, page images and unmasked 個人番号 past KAKUNIN_RETENTION_DAYS (audited)."""
    from intake.retention import purge as run_purge
    from intake.services import Services

    now = datetime.combine(date.fromisoformat(on), time(0), UTC) if on else None
    report = run_purge(Services(load_settings()), now, dry_run=dry_run)
    typer.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=1))


@key_app.command("new")
def key_new(
    path: Annotated[Path, typer.Argument(help="where to write the key file (outside the data directory)")],
) -> None:
    """Make a key file (0600); then set KAKUNIN_STORE_KEY_FILE to it and keep a copy apart from backups."""
    from intake.crypto import StoreKeyError
    from intake.keys import create_key_file

    try:
        kid = create_key_file(path, load_settings().data_dir)
    except StoreKeyError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"鍵を作成しました: {path} (key id {kid})")


@key_app.command("rotate")
def key_rotate(
    keep_old: Annotated[
        bool, typer.Option("--keep-old", help="keep the old keys in the file (to restore older backups)")
    ] = False,
) -> None:
    """A new key first in the key file; every file re-encrypted under it; old keys dropped."""
    from intake.crypto import StoreKeyError
    from intake.keys import rotate
    from intake.services import Services

    try:
        report = rotate(Services(load_settings()), keep_old=keep_old)
    except StoreKeyError as exc:
        raise _fail(str(exc)) from None
    typer.echo(json.dumps(report.to_json()))


@key_app.command("encrypt")
def key_encrypt() -> None:
    """Encrypt every file still in plaintext (a store from before encryption was turned on),
    and any file under a key other than the first."""
    from intake.crypto import StoreKeyError
    from intake.keys import encrypt_store
    from intake.services import Services

    try:
        report = encrypt_store(Services(load_settings()))
    except StoreKeyError as exc:
        raise _fail(str(exc)) from None
    typer.echo(json.dumps(report.to_json()))


def register(app: typer.Typer) -> None:
    """Add these commands to the main ``kakunin`` app."""
    app.command("backup")(backup)
    app.command("restore")(restore)
    app.command("purge")(purge)
    app.add_typer(key_app, name="key")
