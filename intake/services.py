"""What an entry point builds once from the settings: database, file store, Redis queue."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from redis import Redis
from rq import Queue
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from intake.crypto import key_source
from intake.queue import SERIALIZER, KakuninJob
from intake.settings import Settings
from intake.store.db import make_engine, session_factory
from intake.store.files import FileStore


@dataclass
class Services:
    settings: Settings

    @cached_property
    def db(self) -> Engine:
        return make_engine(self.settings.resolved_database_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return session_factory(self.db)

    @cached_property
    def files(self) -> FileStore:
        settings = self.settings
        key_text = settings.store_key.get_secret_value() if settings.store_key else None
        return FileStore(settings.store_dir, key_source(settings.store_key_file, key_text, settings.data_dir))

    @cached_property
    def redis(self) -> Redis:
        return Redis.from_url(self.settings.resolved_redis_url, socket_connect_timeout=5, socket_timeout=30)

    @cached_property
    def queue(self) -> Queue:
        return Queue(
            self.settings.queue_name,
            connection=self.redis,
            default_timeout=self.settings.job_timeout_seconds,
            serializer=SERIALIZER,
            job_class=KakuninJob,
        )
