"""Shared fixtures: real Redis and PostgreSQL servers started for the test session, a real DB
with the real migrations, and the real OCR engine built once."""

from __future__ import annotations

import copy
import functools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis import Redis

from intake.queue import start_redis_server
from intake.services import Services
from intake.settings import Settings
from intake.store.db import upgrade

REPO = Path(__file__).resolve().parents[1]
#: 協会けんぽ's 交付申請書 as the designer saved it, in the onboarded forms' folder.
KYOKAI = REPO / "fixtures" / "forms-kyokai"
KYOKAI_KOFU = "kyokai_kofu_shinsei.KY_01_2024_12_v2"
SAMPLES = REPO / "fixtures" / "samples"
IN_CI = os.environ.get("CI") == "true"


@functools.cache
def _real_draft(name: str, page: int) -> dict[str, Any]:
    from extractors.onboard.blank import draft_template  # noqa: PLC0415 - only tests of drafts need it

    pdf = (REPO / "fixtures" / "real-forms" / name).read_bytes()
    template: dict[str, Any] = draft_template(pdf, page, "kyokai_test", "KY-99", "2024.12").template
    return template


def real_draft(name: str, page: int = 0) -> dict[str, Any]:
    """The draft template of a real form's page (``fixtures/real-forms/<name>``; id
    ``kyokai_test``, code ``KY-99``, version 2024.12), drafted once per test session (some
    10 s each) and handed out as a copy each test may change."""
    return copy.deepcopy(_real_draft(name, page))


def real_draft_fields(name: str, page: int = 0) -> list[dict[str, Any]]:
    """The drafted fields of :func:`real_draft`."""
    fields: list[dict[str, Any]] = real_draft(name, page)["fields"]
    return fields


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _missing(what: str) -> None:
    """Locally a missing server skips its tests; in CI it fails, so nothing is silently untested."""
    if IN_CI:
        pytest.fail(f"{what} is required in CI")
    pytest.skip(f"{what} not available")


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        _missing("redis-server")
    port = free_port()
    directory = tempfile.mkdtemp(prefix="kakunin-redis-")
    process, url = start_redis_server(binary, port, directory)
    yield url
    process.terminate()
    process.wait(timeout=10)
    shutil.rmtree(directory, ignore_errors=True)


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else None


class PgCluster:
    """A throwaway PostgreSQL cluster (Debian's binaries), owned by the postgres user when run
    as root; it can be stopped and started again to test an unavailable database."""

    def __init__(self) -> None:
        initdb, self.pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not initdb or not self.pg_ctl:
            _missing("PostgreSQL (initdb, pg_ctl)")
        self.directory = Path(tempfile.mkdtemp(prefix="kakunin-pg-"))
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self.data = self.directory / "data"
        self.port = free_port()
        subprocess.run(
            [*self.prefix, str(initdb), "-D", str(self.data), "-U", "kakunin", "--auth=trust", "-E", "UTF8"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.start()
        subprocess.run(
            [
                *self.prefix,
                _pg_bin("createdb") or "createdb",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "kakunin",
                "kakunin",
            ],
            check=True,
        )
        self.url = f"postgresql+psycopg://kakunin@127.0.0.1:{self.port}/kakunin"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [
                *self.prefix,
                str(self.pg_ctl),
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(self.directory / "log"),
                "-w",
                "start",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(
            [*self.prefix, str(self.pg_ctl), "-D", str(self.data), "-m", mode, "stop"],
            check=False,
            stdout=subprocess.DEVNULL,
        )

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if os.environ.get("KAKUNIN_TEST_POSTGRES_URL"):
        yield os.environ["KAKUNIN_TEST_POSTGRES_URL"]
        return
    cluster = PgCluster()
    yield cluster.url
    cluster.remove()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.slow)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each storage test runs once on SQLite and once on PostgreSQL (a fresh schema each time).
    The PostgreSQL runs are in the slow suite (`make test-slow`, run in CI as well): some 160
    of them took 5 of the default run's 22 minutes."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kakunin.sqlite3'}"
        return
    base: str = request.getfixturevalue("postgres_url")
    from sqlalchemy import create_engine, text

    name = f"t_{os.getpid()}_{time.monotonic_ns()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str, redis_url: str) -> Settings:
    redis = Redis.from_url(redis_url)
    redis.flushdb()
    return Settings(
        data_dir=tmp_path / "var",
        database_url=database_url,
        redis_url=redis_url,
        hotfolder_stable_seconds=0.3,
        hotfolder_poll_seconds=0.1,
    )


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    built = Services(settings)
    upgrade(built.db)
    yield built
    built.db.dispose()


@pytest.fixture(autouse=True)
def _identification_proof(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A designer save and ``kakunin forms check/install`` prove the template by identifying
    its blank with the real OCR (:mod:`extractors.onboard.proof`, seconds): tests of other
    things skip that proof; a test marked ``proof`` runs it."""
    if request.node.get_closest_marker("proof") is None:
        from extractors.onboard import proof

        monkeypatch.setattr(proof, "prove", lambda *args, **kwargs: proof.Proof((), 0.0))


@pytest.fixture(scope="session")
def engine():  # type: ignore[no-untyped-def]
    """The real primary OCR engine, built once for the whole session."""
    from ocr.engine import EngineOptions, build_engine

    return build_engine(EngineOptions(model_cache_dir=Path(tempfile.mkdtemp(prefix="kakunin-models-"))))


def readable_samples() -> list[Path]:
    """The committed sample scans that reach the review queue: every one but the file of
    blank pages, which is refused as ``empty`` before any OCR."""
    return sorted(p for p in SAMPLES.iterdir() if not p.name.endswith(".json") and "blank" not in p.name)


@pytest.fixture
def kyokai_kofu_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A society's forms folder named by KAKUNIN_FORMS_DIRS, holding 協会けんぽ's 交付申請書 as
    the designer saved it."""
    folder = tmp_path / "forms"
    folder.mkdir()
    for suffix in (".json", ".pdf"):
        shutil.copy2(KYOKAI / f"{KYOKAI_KOFU}{suffix}", folder / f"{KYOKAI_KOFU}{suffix}")
    monkeypatch.setenv("KAKUNIN_FORMS_DIRS", str(folder))
    return folder
