"""The one settings object (environment prefix ``KAKUNIN_``), read once at each entry point."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ocr.engine import EngineOptions


class OcrSettings(BaseModel):
    """OCR engine options (``KAKUNIN_OCR__KIND`` …)."""

    kind: str = "paddle"
    rec_model: str = "PP-OCRv6_small_rec"
    det_model: str = "PP-OCRv6_small_det"
    threads: int = 2
    #: ONNX Runtime's memory arena (see :class:`ocr.engine.EngineOptions`).
    memory_arena: bool = True
    dpi: int = 200
    #: A second recognition model read on every crop; disagreement sends the field to review.
    #: Empty string switches the cross-check off.
    crosscheck_rec_model: str = "PP-OCRv5_mobile_rec"
    #: Narrowest recogniser input in pixels, of text and of digits (see
    #: :class:`ocr.engine.EngineOptions`).
    min_rec_width: int = 320
    digits_min_rec_width: int = 160


class Limits(BaseModel):
    """What a single incoming file may be (``KAKUNIN_LIMITS__MAX_BYTES`` …)."""

    max_bytes: int = 50 * 1024 * 1024
    max_pages: int = 50
    max_pixels: int = 60_000_000
    #: Opening a file (its text layer, then each page) is given this long per step, in a child
    #: process that may map this much memory (intake.sandbox); over it, the file is too_complex.
    open_step_seconds: float = 20.0
    open_memory_mb: int = 2048


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KAKUNIN_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Path("./var")
    database_url: str | None = None
    redis_url: str = "redis://127.0.0.1:6379/0"
    queue_name: str = "kakunin"
    hotfolder: Path | None = None
    #: A file is taken from the hotfolder once its size and mtime held still this long.
    hotfolder_stable_seconds: float = 2.0
    hotfolder_poll_seconds: float = 1.0
    job_timeout_seconds: int = 600
    #: `kakunin run` recycles a worker process after this many jobs (bounded memory).
    worker_max_jobs: int = 150  # measured: peak RSS 1.40 GB after 30 pages, 1.54 GB after 200
    #: A document whose reading was started this many times without finishing (the pipeline
    #: raised, or the worker died under it) is failed with ``internal``; ``kakunin retry ID``.
    max_attempts: int = 5
    #: A worker refreshes its heartbeat in Redis this often; missing for 3 beats, it is dead and
    #: reconcile queues the document it held again (at the front of the queue).
    worker_heartbeat_seconds: float = 5.0
    #: How often `kakunin run` re-queues documents stuck without a live job (and delivers the outbox).
    reconcile_seconds: float = 15.0
    #: ``GET /metrics`` (Prometheus text format) on the web port: off unless set; with a token,
    #: only for ``Authorization: Bearer <token>``.
    metrics_enabled: bool = False
    metrics_token: str | None = None
    #: Log lines of every process (`kakunin run`'s web, workers and watcher alike): ``text`` or
    #: ``json`` (JSON Lines on standard error, intake.logs).
    log_format: Literal["text", "json"] = "text"
    #: How much lower a worker's CPU priority is than the web's (``nice``, 0–19): OCR is batch
    #: work, the review screens are people waiting (bench.load: page images p95 under load).
    worker_nice: int = Field(default=10, ge=0, le=19)
    #: ``/readyz`` fails when the data directory has less free space than this.
    min_free_disk_mb: int = 1024
    #: `kakunin run` copies fixtures/samples into the hotfolder on its first start.
    feed_samples: bool = True
    #: Downstream delivery of decisions (outbox): a webhook URL and/or a JSON Lines folder.
    webhook_url: str | None = None
    webhook_timeout_seconds: float = 10.0
    export_dir: Path | None = None
    #: The ``Secure`` flag on the screens' cookies. Unset: on for every request but plain HTTP to
    #: localhost / 127.0.0.1 / ::1 (``kakunin run``), so a site served elsewhere must be HTTPS.
    cookie_secure: bool | None = None
    #: A review task's claim lets go after this long without its holder acting on it.
    claim_idle_seconds: float = 600.0
    #: Uploads one API key may make per minute (``POST /api/v1/documents``); over it, 429 with
    #: Retry-After. 0 switches the limit off.
    upload_rate_per_minute: int = 60
    #: Encryption at rest of the file store (AES-256-GCM, intake.crypto): a key file outside the
    #: data directory (one base64 key a line, the first encrypts), or the keys themselves
    #: (comma-separated). Neither: files are stored in plaintext (``make run`` makes a key file).
    store_key_file: Path | None = None
    store_key: SecretStr | None = None
    #: Days a document's scans, page images and unmasked 個人番号 are kept after its decision was
    #: delivered (or it was rejected or failed); then `kakunin purge` deletes them (README
    #: "Retention"). 0 switches purging off.
    retention_days: int = 90
    #: A form version installed from a forms folder is on trial (every field to a person) until
    #: an admin promotes it, which is allowed once this many of its pages were reviewed.
    form_trial_pages: int = Field(default=20, ge=0)
    ocr: OcrSettings = Field(default_factory=OcrSettings)
    limits: Limits = Field(default_factory=Limits)

    @field_validator("webhook_url")
    @classmethod
    def _http_only(cls, url: str | None) -> str | None:
        """Only http(s): urllib would also open ``file:`` and ``ftp:`` URLs (ruff S310)."""
        if url and urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"KAKUNIN_WEBHOOK_URL must be an http:// or https:// URL, not {url!r}")
        return url or None

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'kakunin.sqlite3').resolve()}"

    @property
    def redis_password_file(self) -> Path:
        """Where `kakunin run` keeps the password of the Redis it starts (0600)."""
        return self.data_dir / "redis" / "password"

    @property
    def resolved_redis_url(self) -> str:
        """``redis_url``, with the password of the Redis `kakunin run` started when the URL is
        a local one that gives none (so `kakunin worker`, `status` … on this machine reach it)."""
        parts = urlsplit(self.redis_url)
        if parts.password or parts.hostname not in _LOCAL_HOSTS or not self.redis_password_file.is_file():
            return self.redis_url
        return with_password(self.redis_url, self.redis_password_file.read_text(encoding="utf-8").strip())

    @property
    def hotfolder_dir(self) -> Path:
        return self.hotfolder or self.data_dir / "hotfolder"

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "store"

    def crosscheck_options(self) -> EngineOptions | None:
        if not self.ocr.crosscheck_rec_model:
            return None
        return EngineOptions(
            kind=self.ocr.kind,
            rec_model=self.ocr.crosscheck_rec_model,
            det_model=self.ocr.det_model,
            threads=self.ocr.threads,
            memory_arena=self.ocr.memory_arena,
            min_rec_width=self.ocr.min_rec_width,
            digits_min_rec_width=self.ocr.digits_min_rec_width,
            model_cache_dir=self.data_dir / "models",
        )

    def engine_options(self) -> EngineOptions:
        return EngineOptions(
            kind=self.ocr.kind,
            rec_model=self.ocr.rec_model,
            det_model=self.ocr.det_model,
            threads=self.ocr.threads,
            memory_arena=self.ocr.memory_arena,
            min_rec_width=self.ocr.min_rec_width,
            digits_min_rec_width=self.ocr.digits_min_rec_width,
            model_cache_dir=self.data_dir / "models",
        )


_LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def with_password(url: str, password: str) -> str:
    """``url`` with ``password`` in it (redis://:PASSWORD@host:port/db)."""
    parts = urlsplit(url)
    netloc = f":{quote(password, safe='')}@{parts.hostname or '127.0.0.1'}:{parts.port or 6379}"
    return urlunsplit(parts._replace(netloc=netloc))


def load_settings() -> Settings:
    return Settings()
