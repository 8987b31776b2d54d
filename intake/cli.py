"""``kakunin``: run, serve, worker, watch, extract, db upgrade, reconcile, status, events due."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer

from intake.forms_cli import forms_app
from intake.ops_cli import register as register_ops
from intake.queue import redis_server_command
from intake.settings import Settings, load_settings, with_password
from intake.supervisor import Child, supervise
from intake.webhook_cli import register as register_webhooks

app = typer.Typer(help="Kakunin: 資格確認書 関係届出の受付・OCR・確認サービス", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance")
app.add_typer(db_app, name="db")
user_app = typer.Typer(help="Users of the review screens")
app.add_typer(user_app, name="user")
apikey_app = typer.Typer(help="API keys for other systems")
app.add_typer(apikey_app, name="apikey")


roster_app = typer.Typer(help="Member roster (CSV)")
app.add_typer(roster_app, name="roster")
employers_app = typer.Typer(help="事業所 master (CSV)")
app.add_typer(employers_app, name="employers")
shokken_app = typer.Typer(help="職権交付対象者リスト from the national system (CSV)")
app.add_typer(shokken_app, name="shokken")
events_app = typer.Typer(help="Events without a form")
app.add_typer(events_app, name="events")
app.add_typer(forms_app, name="forms")
register_ops(app)  # backup, restore, purge, key
register_webhooks(app)  # webhook add, list, remove, test


@roster_app.command("import")
def roster_import(file: Path) -> None:
    """Import or update members from CSV (format in the README)."""
    from intake.roster import import_csv

    report = import_csv(_migrated_services(), file.read_text(encoding="utf-8-sig"))
    typer.echo(f"{report.imported} rows imported")
    for error in report.errors:
        typer.echo(error, err=True)
    if report.errors and not report.imported:
        raise typer.Exit(1)


@employers_app.command("import")
def employers_import(file: Path) -> None:
    """Import or update the 事業所 master from CSV (事業所記号,名称,所在地,電話番号,事業主)."""
    from intake.employers import import_csv

    report = import_csv(_migrated_services(), file.read_text(encoding="utf-8-sig"))
    typer.echo(f"{len(report.employers)} rows imported")
    for error in report.errors:
        typer.echo(error, err=True)
    if report.errors and not report.employers:
        raise typer.Exit(1)


@shokken_app.command("import")
def shokken_import(file: Path) -> None:
    """Each row becomes a record and an ex-officio issuance decision (R2)."""
    from intake.events import import_shokken

    count, errors = import_shokken(_migrated_services(), file.read_text(encoding="utf-8-sig"))
    typer.echo(f"{count} rows recorded")
    for error in errors:
        typer.echo(error, err=True)
    if errors and not count:
        raise typer.Exit(1)


@events_app.command("due")
def events_due(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="list the events, decide nothing")] = False,
    on: Annotated[str | None, typer.Option(help="the day (ISO date), today by default")] = None,
) -> None:
    """Turn the roster into the decisions due today: 75th birthday, end of 任意継続, card expiry."""
    from datetime import date

    from intake.roster_events import due

    day = date.fromisoformat(on) if on else date.today()
    for item in due(_migrated_services(), day, dry_run=dry_run):
        typer.echo(json.dumps(item, ensure_ascii=False))


@app.command("outbox")
def outbox_deliver() -> None:
    """Deliver what waits in the outbox once: decisions (webhook, JSON Lines), signed webhook events."""
    from intake.outbox import deliver

    typer.echo(json.dumps(deliver(_migrated_services())))


def _expiry(days: int | None, until: str | None) -> Any:
    """The expiry of a new key: ``--expires-in-days`` or ``--expires`` (ISO date or time, UTC
    when no offset is given); None when neither is given."""
    from datetime import UTC, datetime, timedelta

    if days is not None and until is not None:
        raise typer.BadParameter("give --expires-in-days or --expires, not both")
    if days is not None:
        if days < 1:
            raise typer.BadParameter("--expires-in-days must be at least 1")
        return datetime.now(UTC) + timedelta(days=days)
    if until is None:
        return None
    try:
        moment = datetime.fromisoformat(until)
    except ValueError:
        raise typer.BadParameter(f"--expires: not an ISO date or time: {until!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@apikey_app.command("create")
def apikey_create(
    name: str,
    scope: Annotated[list[str], typer.Option(help="read | write | my_number | audit (repeatable)")] = ["read"],  # noqa: B006
    expires_in_days: Annotated[
        int | None, typer.Option(help="the key stops working after this many days")
    ] = None,
    expires: Annotated[
        str | None, typer.Option(help="the key stops working at this ISO date/time (UTC)")
    ] = None,
) -> None:
    """Create a bearer token for the API; it is printed once."""
    from intake.auth import create_api_key

    expires_at = _expiry(expires_in_days, expires)
    try:
        token = create_api_key(_migrated_services(), name, scope, expires_at=expires_at)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    typer.echo(token)


@apikey_app.command("revoke")
def apikey_revoke(name: str) -> None:
    """Refuse a key from now on (audited)."""
    from intake.auth import revoke_api_key

    try:
        revoke_api_key(_migrated_services(), name)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    typer.echo(f"API key {name} revoked")


@apikey_app.command("list")
def apikey_list() -> None:
    """Every key: name, scopes, state, created and expiry dates (never the secret)."""
    from datetime import UTC, datetime

    from intake.auth import list_api_keys

    now = datetime.now(UTC)
    for key in list_api_keys(_migrated_services()):
        expiry = key.expires_at.isoformat(timespec="seconds") if key.expires_at else "-"
        typer.echo(
            f"{key.name}\t{','.join(key.scopes)}\t{key.state(now)}\t"
            f"{key.created_at.isoformat(timespec='seconds')}\t{expiry}"
        )


def _on_user(action: Any, name: str, done: str) -> None:
    """Run an account change for the user ``name``; an unknown user is a usage error."""
    try:
        action(name)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    typer.echo(done)


@user_app.command("revoke")
def user_revoke(name: str) -> None:
    """End every session of a user at once (they may log in again: see `disable`)."""
    from intake.auth import revoke_sessions

    services = _migrated_services()
    _on_user(lambda n: revoke_sessions(services, n), name, f"sessions of {name} revoked")


@user_app.command("disable")
def user_disable(name: str) -> None:
    """Stop a user from logging in and end their sessions at once."""
    from intake.auth import set_disabled

    services = _migrated_services()
    _on_user(lambda n: set_disabled(services, n, True), name, f"user {name} disabled; sessions ended")


@user_app.command("enable")
def user_enable(name: str) -> None:
    """Let a disabled user log in again."""
    from intake.auth import set_disabled

    services = _migrated_services()
    _on_user(lambda n: set_disabled(services, n, False), name, f"user {name} enabled")


@user_app.command("reset-password")
def user_reset_password(name: str) -> None:
    """Give a user a one-time password (printed once), to be changed at the next login."""
    from intake.auth import reset_password

    services = _migrated_services()
    chosen: list[str] = []
    _on_user(lambda n: chosen.append(reset_password(services, n)), name, f"password of {name} reset")
    typer.echo(f"one-time password: {chosen[0]}")


@user_app.command("my-number")
def user_my_number(
    name: str,
    off: Annotated[bool, typer.Option("--off", help="take the right back")] = False,
) -> None:
    """Name a user the society's 事務取扱担当者: they see 個人番号 (digits on reveal, boxes in the page image); audited."""
    from intake.auth import set_my_number_clerk

    services = _migrated_services()
    done = f"user {name} {'is no longer' if off else 'is now'} a 事務取扱担当者 (sees 個人番号)"
    _on_user(lambda n: set_my_number_clerk(services, n, not off), name, done)


@user_app.command("add")
def user_add(
    name: str,
    role: Annotated[str, typer.Option(help="reviewer | approver | admin")] = "reviewer",
    password_stdin: Annotated[bool, typer.Option(help="read the password from standard input")] = False,
) -> None:
    """Add a user; prints a one-time password unless one is given on stdin (policy: 12+ characters,
    not common nor guessable)."""
    from intake.auth import check_password, create_user

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    try:
        if password is not None:
            check_password(password, name)
        chosen = create_user(_migrated_services(), name, role, password)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    typer.echo(f"user {name} ({role}) added" + ("" if password else f"; one-time password: {chosen}"))


SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples"


def _logging() -> None:
    """This process's log lines in ``KAKUNIN_LOG_FORMAT`` (text or JSON Lines, intake.logs); the
    processes `kakunin run` starts read the same setting from the environment they inherit."""
    from intake.logs import configure

    configure(load_settings().log_format)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations."""
    from intake.services import Services
    from intake.store.db import upgrade

    services = Services(load_settings())
    upgrade(services.db)
    typer.echo(f"database is up to date: {services.db.url.render_as_string(hide_password=True)}")


@app.command()
def worker(
    burst: Annotated[bool, typer.Option(help="exit when the queue is empty")] = False,
    max_jobs: Annotated[
        int | None, typer.Option(help="exit after this many jobs (a supervisor starts a fresh one)")
    ] = None,
) -> None:
    """Process queued documents (OCR models are loaded once)."""
    _logging()
    from intake.services import Services
    from intake.worker import run_worker

    run_worker(Services(load_settings()), burst=burst, max_jobs=max_jobs)


@app.command()
def watch() -> None:
    """Watch the hotfolder and accept every complete file dropped into it."""
    _logging()
    from intake.hotfolder import watch as watch_folder
    from intake.services import Services

    watch_folder(Services(load_settings()))


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the review screens and the API."""
    import uvicorn

    from intake.logs import uvicorn_config

    _logging()
    uvicorn.run(
        "review_ui.app:create_app",
        factory=True,
        host=host,
        port=port,
        log_level="info",
        log_config=uvicorn_config(),
    )


def _extract_one(
    path: Path, settings: Settings, engine: Any, crosscheck: Any, employers: Sequence[Any] = ()
) -> dict[str, Any]:
    """One file through the pipeline; with ``employers`` (a 事業所 master) each form's employer
    block is checked against it (:func:`intake.employers.check_form`)."""
    from dataclasses import replace

    from intake.employers import check_form
    from intake.errors import MESSAGES, ErrorCode
    from intake.pipeline import extract as run_pipeline
    from intake.sandbox import Budget
    from ocr.raster import RasterLimits, sniff_type

    def failed(code: ErrorCode, message: str | None = None) -> dict[str, Any]:
        return {
            "source": path.name,
            "error": {"code": code.value, "message": message or MESSAGES[code]},
            "documents": [],
        }

    try:
        size = path.stat().st_size
    except OSError as exc:
        return failed(ErrorCode.UNREADABLE, f"ファイルを開けません: {exc}")
    if size == 0:
        return failed(ErrorCode.EMPTY)
    if size > settings.limits.max_bytes:
        return failed(ErrorCode.TOO_LARGE)
    data = path.read_bytes()
    kind = sniff_type(data[:2048])
    if kind is None:
        return failed(ErrorCode.UNSUPPORTED_TYPE)
    limits = RasterLimits(
        max_pages=settings.limits.max_pages, max_pixels=settings.limits.max_pixels, dpi=settings.ocr.dpi
    )
    budget = Budget.of(settings.limits)
    result = run_pipeline(data, kind, path.name, engine, limits, crosscheck=crosscheck, budget=budget)
    if employers:
        result = replace(result, forms=tuple(check_form(form, employers) for form in result.forms))
    return result.to_json()


@app.command()
def extract(
    files: Annotated[list[Path], typer.Argument(help="scans or PDFs")],
    out: Annotated[
        Path | None, typer.Option(help="write DIR/<name>.json instead of JSON Lines on stdout")
    ] = None,
    employers: Annotated[
        Path | None,
        typer.Option(help="a 事業所 master CSV to check the employer blocks against (as in the service)"),
    ] = None,
) -> None:
    """Run the pipeline synchronously, without Redis or a database, and print the extraction JSON."""
    from intake.employers import load_file
    from ocr.engine import build_engine

    settings = load_settings()
    master = load_file(employers) if employers else None
    for error in master.errors if master else ():
        typer.echo(f"{employers}: {error}", err=True)
    engine = build_engine(settings.engine_options())
    crosscheck_options = settings.crosscheck_options()
    crosscheck = build_engine(crosscheck_options) if crosscheck_options else None
    for path in files:
        result = _extract_one(path, settings, engine, crosscheck, master.employers if master else ())
        if out:
            out.mkdir(parents=True, exist_ok=True)
            (out / f"{path.name}.json").write_text(
                json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )
        else:
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
            sys.stdout.flush()


def _has_documents_table(settings: Settings, services: Any) -> bool:
    """Whether the migrations ran; SQLite is opened read-only (no -wal, -shm files made)."""
    import sqlite3

    from sqlalchemy import inspect

    if settings.database_url:
        return bool(inspect(services.db).has_table("documents"))
    path = (settings.data_dir / "kakunin.sqlite3").resolve()
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        found = connection.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='documents'")
        return found.fetchone() is not None


def _migrated_services() -> Any:
    """The services of a data directory that exists and was migrated; otherwise one line on
    stderr and exit 2, creating nothing (no empty SQLite file in the current folder)."""
    from intake.services import Services

    settings = load_settings()
    where = f"KAKUNIN_DATA_DIR={settings.data_dir.resolve()}"
    if not settings.database_url and not (settings.data_dir / "kakunin.sqlite3").is_file():
        typer.echo(
            f"no Kakunin database in {where}: set KAKUNIN_DATA_DIR, or run `kakunin db upgrade` (or `kakunin run`) there", err=True
        )
        raise typer.Exit(2)
    services = Services(settings)
    try:
        migrated = _has_documents_table(settings, services)
    except Exception as exc:  # noqa: BLE001 - any driver's error: said in one line
        typer.echo(f"the database of {where} does not answer: {type(exc).__name__}", err=True)
        raise typer.Exit(2) from None
    if not migrated:
        typer.echo(f"the database of {where} was never migrated: run `kakunin db upgrade`", err=True)
        raise typer.Exit(2)
    return services


@app.command()
def reconcile() -> None:
    """Queue documents stuck in received/processing that have no live job; report failed jobs."""
    from intake.reconcile import reconcile as run_reconcile

    report = run_reconcile(_migrated_services())
    typer.echo(json.dumps(report, ensure_ascii=False))


@app.command()
def retry(document_id: Annotated[int, typer.Argument(help="the failed document's id")]) -> None:
    """Queue a failed document again on purpose (its attempts start afresh; audited)."""
    from intake.reconcile import PurgedDocumentError, retry_document

    try:
        queued = retry_document(_migrated_services(), document_id)
    except PurgedDocumentError:
        typer.echo(
            f"document {document_id} was purged by retention (its scan is deleted): it cannot be read again",
            err=True,
        )
        raise typer.Exit(1) from None
    if not queued:
        typer.echo(f"document {document_id} is not failed (or does not exist): nothing queued", err=True)
        raise typer.Exit(1)
    typer.echo(f"document {document_id} queued again")


@app.command()
def status() -> None:
    """Documents per state, queue depth and failed jobs."""
    from intake.reconcile import status_report

    typer.echo(json.dumps(status_report(_migrated_services()), ensure_ascii=False, indent=1))


def _redis_answers(url: str) -> bool:
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1).ping())
    except RedisError:
        return False


def _redis_refuses_us(url: str) -> bool:
    """A Redis answers at the URL but wants a password the URL does not give."""
    from redis import Redis
    from redis.exceptions import AuthenticationError, RedisError, ResponseError

    try:
        Redis.from_url(url, socket_connect_timeout=1).ping()
    except (AuthenticationError, ResponseError):
        return True
    except RedisError:
        return False
    return False


def _redis_password(settings: Settings) -> str:
    """The password of the Redis `kakunin run` starts: made once, kept in the data directory
    (0600) so that workers started later on this machine can read it."""
    path = settings.redis_password_file
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    password = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(password + "\n")
    return password


def _start_redis(settings: Settings) -> tuple[subprocess.Popen[bytes] | None, str]:
    """Start a local redis-server (append-only, no eviction, a password of its own) when none
    answers at the URL; the process (None when one ran already) and the URL to reach it."""
    if _redis_answers(settings.resolved_redis_url):
        return None, settings.resolved_redis_url
    if _redis_refuses_us(settings.resolved_redis_url):
        raise typer.BadParameter(
            "Redis wants a password: put it in KAKUNIN_REDIS_URL (redis://:PASSWORD@host:port/0)"
        )
    binary = shutil.which("redis-server")
    if binary is None:
        raise typer.BadParameter("Redis is not running and redis-server is not installed: run `make setup`")
    port = urlsplit(settings.redis_url).port or 6379
    directory = (settings.data_dir / "redis").resolve()
    directory.mkdir(parents=True, exist_ok=True)
    password = _redis_password(settings)
    url = with_password(settings.redis_url, password)
    # The password goes in on stdin ("-": read a configuration from it), never on the command
    # line, where every user of the machine could read it with ps.
    process = subprocess.Popen(
        [binary, "-", *redis_server_command(binary, port, str(directory))[1:]],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    )
    if process.stdin is not None:  # always, with stdin=PIPE
        process.stdin.write(f"requirepass {password}\n".encode())
        process.stdin.close()
    for _ in range(50):
        if _redis_answers(url):
            return process, url
        time.sleep(0.1)
    raise typer.BadParameter(f"redis-server did not answer on port {port}")


def _first_admin(settings: Settings) -> None:
    """On the first start, create an admin with a one-time password (there is no default one)."""
    from intake.auth import count_users, create_user
    from intake.services import Services

    services = Services(settings)
    if count_users(services) == 0:
        password = create_user(services, "admin", "admin")
        typer.echo(f"管理者ユーザー admin を作成しました。一度だけ表示します。パスワード: {password}")


def _reconcile_every(settings: Settings, stop: threading.Event) -> None:
    """Re-queue stuck documents now and then, so a lost job never strands a document."""
    from intake.reconcile import reconcile as run_reconcile
    from intake.services import Services

    services = Services(settings)
    from datetime import date

    from intake.outbox import deliver
    from intake.retention import purge
    from intake.roster_events import due

    events_day: date | None = None
    purged_day: date | None = None
    wait = 0.0  # the first pass at start: what a dead worker left is queued again at once
    while not stop.wait(wait):
        wait = settings.reconcile_seconds
        try:
            report = run_reconcile(services)  # first: a failing delivery must not hold it up
            if events_day != date.today():  # the roster's events, once a day (idempotent anyway)
                due(services, date.today())
                events_day = date.today()
            deliver(services)
            if purged_day != date.today():  # retention, once a day; skipped while a backup runs
                with contextlib.suppress(BlockingIOError):
                    purge(services, wait=False)
                    purged_day = date.today()
        except Exception:  # noqa: BLE001 - a failed pass is logged and retried next round
            logging.getLogger(__name__).exception("reconcile pass failed")
            continue
        if report["requeued"]:
            logging.getLogger(__name__).warning("reconcile re-queued documents %s", report["requeued"])


def _feed_samples(settings: Settings) -> int:
    """On first start, copy the sample scans into the hotfolder so the review queue is not empty."""
    marker = settings.data_dir / ".samples-fed"
    if not settings.feed_samples:
        return 0
    if marker.exists() or not SAMPLES.is_dir():
        return 0
    hotfolder = settings.hotfolder_dir
    hotfolder.mkdir(parents=True, exist_ok=True)
    count = 0
    for sample in sorted(SAMPLES.iterdir()):
        if sample.is_file() and not sample.name.endswith(".json"):
            shutil.copy2(sample, hotfolder / sample.name)
            count += 1
    marker.write_text(f"{count}\n")
    return count


@app.command()
def run(
    port: Annotated[int, typer.Option(help="web port", envvar="KAKUNIN_PORT")] = 8000,
    host: str = "127.0.0.1",
    workers: Annotated[int, typer.Option(help="worker processes on this machine")] = 1,
) -> None:
    """Everything on one machine: Redis (if none runs), migrations, worker, hotfolder watcher, web."""
    _logging()
    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with socket.socket() as probe:
        if probe.connect_ex((host, port)) == 0:
            raise typer.BadParameter(f"port {port} is already in use; choose another with --port")
    # Every process started from here (workers, watcher, web) finds the password of the Redis
    # started here in the data directory (Settings.resolved_redis_url).
    redis_process, _ = _start_redis(settings)
    db_upgrade()
    _first_admin(settings)
    fed = _feed_samples(settings)
    if fed:
        typer.echo(f"{fed} 件のサンプルをホットフォルダに投入しました: {settings.hotfolder_dir}")
    executable = [sys.executable, "-m", "intake.cli"]
    # Share the cores between the workers' ONNX Runtime thread pools instead of oversubscribing.
    threads = max(1, (os.cpu_count() or 2) // max(workers, 1))
    worker_env = {**os.environ, "KAKUNIN_OCR__THREADS": os.environ.get("KAKUNIN_OCR__THREADS", str(threads))}
    # Workers are recycled after a number of jobs so that memory stays bounded whatever the
    # OCR runtime does; the supervisor thread below starts a fresh one each time.
    worker_command = [*executable, "worker", "--max-jobs", str(settings.worker_max_jobs)]
    children = [
        *(Child(f"worker {n + 1}", worker_command, worker_env) for n in range(max(workers, 1))),
        Child("watcher", [*executable, "watch"]),
        Child("web", [*executable, "serve", "--host", host, "--port", str(port)]),
    ]
    typer.echo(f"Kakunin: http://{host}:{port}/  (hotfolder: {settings.hotfolder_dir.resolve()})")
    stop = threading.Event()
    threading.Thread(target=_reconcile_every, args=(settings, stop), daemon=True, name="reconcile").start()

    def stop_redis() -> None:
        if redis_process is not None:
            redis_process.terminate()
            redis_process.wait(timeout=10)

    # Until SIGTERM or SIGINT: a child that dies is started again (intake.supervisor).
    supervise(children, stop, stop_redis)


def main() -> None:
    os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
    app()


if __name__ == "__main__":
    main()
