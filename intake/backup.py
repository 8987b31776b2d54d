"""Backup and restore while the service runs (issue 19 item 5).

``backup`` takes one consistent snapshot of the database (SQLite's online backup API, or
``pg_dump`` inside an exported snapshot for PostgreSQL), then copies exactly the stored files
that snapshot references — originals and page images are written before the row that names
them is committed, so every one of them is already in the store — with a manifest of their
checksums. Files are copied as they lie in the store: encrypted ones stay encrypted, and the
key is never put in a backup (keep it apart; README "Keys").

``restore`` checks every checksum of a backup, then rebuilds a fresh data directory (or an
empty PostgreSQL database) from it, migrates it to this version's schema, and puts documents
that were being read at the snapshot back to ``received`` so they are read again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from intake.crypto import StoreKeyError
from intake.services import Services
from intake.store import keeping
from intake.store.db import session_factory, transaction, upgrade
from intake.store.files import FileStore, private_dirs, sha256_of
from intake.store.repo import audit

MANIFEST = "manifest.json"
FORMAT = 1
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"


class BackupError(Exception):
    """A backup that cannot be made or restored, with the reason for the operator."""


@dataclass(frozen=True)
class BackupReport:
    directory: Path
    database: str
    documents: int
    files: int
    bytes: int
    missing: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "directory": str(self.directory),
            "database": self.database,
            "documents": self.documents,
            "files": self.files,
            "bytes": self.bytes,
            "missing": list(self.missing),
        }


def _file_sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI for pg_dump/pg_restore without the password, which goes in PGPASSWORD
    (never on a command line every user of the machine can read)."""
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not candidates:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    return str(candidates[-1])


def _names_from_sqlite(path: Path) -> tuple[list[str], int]:
    engine = create_engine(f"sqlite:///{path}")  # no WAL pragma: reading leaves the file as it is
    try:
        with transaction(session_factory(engine)) as session:
            return keeping.referenced_files(session), keeping.count_documents(session)
    finally:
        engine.dispose()


@contextmanager
def _database_snapshot(url: str, target: Path) -> Iterator[tuple[str, list[str], int]]:
    """Write the database's snapshot into ``target``; yields its file name and the stored files
    and number of documents it references, as of the snapshot."""
    if _is_sqlite(url):
        source_path = _sqlite_path(url)
        snapshot = target / SQLITE_FILE
        source = sqlite3.connect(source_path, timeout=30)
        try:
            destination = sqlite3.connect(snapshot)
            try:
                source.backup(destination)  # one step: a consistent read of the whole database
                destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                destination.close()
        finally:
            source.close()
        _fsync(snapshot)
        names, documents = _names_from_sqlite(snapshot)
        yield SQLITE_FILE, names, documents
        return
    engine = create_engine(url)
    dump = target / PG_FILE
    try:
        # pg_dump reads the very snapshot this transaction exported, so the files listed here
        # are exactly those its dump references.
        with (
            engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection,
            connection.begin(),
        ):
            snapshot_id = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            with Session(bind=connection) as session:
                names, documents = keeping.referenced_files(session), keeping.count_documents(session)
            uri, env = _libpq(url)
            _run_pg("pg_dump", ["--format=custom", f"--snapshot={snapshot_id}", f"--file={dump}", uri], env)
        _fsync(dump)
        yield PG_FILE, names, documents
    finally:
        engine.dispose()


def _run_pg(tool: str, arguments: list[str], env: dict[str, str]) -> None:
    """Run PostgreSQL's ``tool`` (pg_dump, pg_restore) with ``arguments`` and the password in
    ``env``, never on its command line; :class:`BackupError` with the end of its stderr when
    it fails."""
    done = subprocess.run(  # noqa: S603 - fixed program and arguments, no shell
        [_pg_tool(tool), *arguments], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip()[-500:]}")


def _copy(source: Path, target: Path) -> tuple[int, str]:
    """Copy a file (fsynced, 0600); its size and the SHA-256 of the bytes copied."""
    digest = hashlib.sha256()
    size = 0
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with source.open("rb") as reader, os.fdopen(descriptor, "wb") as writer:
        for chunk in iter(lambda: reader.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
            writer.write(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    return size, digest.hexdigest()


def _write_manifest(directory: Path, manifest: dict[str, Any]) -> None:
    tmp = directory / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    _fsync(tmp)
    os.replace(tmp, directory / MANIFEST)
    _fsync(directory)


def backup(services: Services, directory: Path) -> BackupReport:
    """Snapshot the database and copy the files it references into ``directory`` (new or
    empty), with ``manifest.json`` (written last: a backup without it is incomplete)."""
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: back up into a new folder")
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    directory.chmod(0o700)
    store = services.files
    url = services.settings.resolved_database_url
    files: list[dict[str, Any]] = []
    missing: list[str] = []
    total = 0
    with store.maintenance(), _database_snapshot(url, directory) as (database_file, names, documents):
        out = FileStore(directory / "store")
        for name in names:
            source = store.path(name)
            if not source.is_file():
                missing.append(name)
                continue
            target = out.path(name)
            private_dirs(out.root, target.parent)
            size, checksum = _copy(source, target)
            total += size
            key = store.key_id(name)
            files.append({"name": name, "size": size, "sha256": checksum, "key": key.hex() if key else None})
    kind = "sqlite" if _is_sqlite(url) else "postgresql"
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {
            "kind": kind,
            "file": database_file,
            "sha256": _file_sha(directory / database_file),
        },
        "documents": documents,
        "files": files,
        "missing": missing,
        "keys": sorted({f["key"] for f in files if f["key"]}),
    }
    _write_manifest(directory, manifest)
    with transaction(services.sessions) as session:
        audit(
            session,
            "backup",
            "backup_made",
            None,
            files=len(files),
            documents=documents,
            missing=len(missing),
        )
    return BackupReport(directory, kind, documents, len(files), total, tuple(missing))


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(f"{directory} has no {MANIFEST}: not a backup, or an unfinished one")
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def verify(directory: Path, store: FileStore | None = None) -> list[str]:
    """Every checksum of a backup (the database file, each stored file as it lies on disk);
    with ``store`` (a store whose keys open the files) also that each file decrypts to the
    bytes its name is the hash of. The problems found, none when it is whole."""
    manifest = read_manifest(directory)
    problems = []
    database = directory / manifest["database"]["file"]
    if not database.is_file() or _file_sha(database) != manifest["database"]["sha256"]:
        problems.append(f"database file {database.name}: checksum differs or missing")
    backup_store = FileStore(directory / "store", store.keys if store is not None else None)
    for entry in manifest["files"]:
        path = backup_store.path(entry["name"])
        if not path.is_file() or _file_sha(path) != entry["sha256"]:
            problems.append(f"file {entry['name']}: checksum differs or missing")
            continue
        if store is not None:
            try:
                if sha256_of(backup_store.get(entry["name"])) != entry["name"]:
                    problems.append(f"file {entry['name']}: content is not what its name says")
            except StoreKeyError as exc:
                problems.append(f"file {entry['name']}: {exc}")
    return problems


def _refuse_unless_fresh(services: Services, kind: str) -> None:
    settings = services.settings
    url = settings.resolved_database_url
    if kind != ("sqlite" if _is_sqlite(url) else "postgresql"):
        raise BackupError(f"this backup holds a {kind} database; KAKUNIN_DATABASE_URL names another kind")
    if services.files.root.is_dir() and any(services.files.names()):
        raise BackupError(f"{services.files.root} already holds files: restore into a fresh data directory")
    if _is_sqlite(url):
        if _sqlite_path(url).exists():
            raise BackupError(f"{_sqlite_path(url)} exists: restore into a fresh data directory")
        return
    if inspect(services.db).get_table_names():
        raise BackupError("the PostgreSQL database is not empty: restore into a new, empty database")


def restore(services: Services, directory: Path) -> BackupReport:
    """Rebuild the data directory (and database) the settings name from a backup: checked
    first, refused over existing data."""
    manifest = read_manifest(directory)
    problems = verify(directory)
    if problems:
        raise BackupError("the backup is damaged: " + "; ".join(problems[:5]))
    kind = manifest["database"]["kind"]
    _refuse_unless_fresh(services, kind)
    total = _restore_files(services.files, directory, manifest["files"])
    _restore_database(services, kind, directory / manifest["database"]["file"])
    services.db.dispose()
    upgrade(services.db)
    with transaction(services.sessions) as session:
        requeued = keeping.requeue_interrupted(session)
        documents = keeping.count_documents(session)
        audit(
            session,
            "restore",
            "backup_restored",
            None,
            backup_created_at=manifest["created_at"],
            files=len(manifest["files"]),
            requeued=requeued,
        )
    return BackupReport(directory, kind, documents, len(manifest["files"]), total, tuple(manifest["missing"]))


def _restore_files(store: FileStore, directory: Path, entries: list[dict[str, Any]]) -> int:
    """The backup's stored files copied into ``store`` as they lie (each checked against the
    manifest, then renamed into place); the bytes copied."""
    private_dirs(store.root, store.root)
    total = 0
    source_store = FileStore(directory / "store")
    for entry in entries:
        target = store.path(entry["name"])
        private_dirs(store.root, target.parent)
        tmp = target.parent / f".{entry['name']}.restore.tmp"
        size, checksum = _copy(source_store.path(entry["name"]), tmp)
        if checksum != entry["sha256"]:
            tmp.unlink()
            raise BackupError(f"file {entry['name']} changed while it was copied")
        os.replace(tmp, target)
        total += size
    return total


def _restore_database(services: Services, kind: str, dump: Path) -> None:
    """The backup's database put where the settings name it: the SQLite file copied into
    place, or the PostgreSQL dump given to ``pg_restore``."""
    url = services.settings.resolved_database_url
    if kind == "sqlite":
        path = _sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.restore.tmp")
        _copy(dump, tmp)
        os.replace(tmp, path)
        return
    uri, env = _libpq(url)
    _run_pg(
        "pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={uri}", str(dump)], env
    )
