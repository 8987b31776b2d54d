"""The Redis `kakunin run` starts wants a password (issue 16 item 8): made once, kept 0600 in
the data directory, given on stdin (never on the command line), and found by every process
of this machine through Settings.resolved_redis_url."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import AuthenticationError, ResponseError

from intake.cli import _start_redis
from intake.settings import Settings, with_password
from tests.conftest import free_port


def test_a_password_goes_into_a_redis_url() -> None:
    assert with_password("redis://127.0.0.1:6390/2", "a/b+c") == "redis://:a%2Fb%2Bc@127.0.0.1:6390/2"
    assert with_password("rediss://cache.example:6380/0", "x") == "rediss://:x@cache.example:6380/0"


def test_the_started_redis_refuses_a_client_without_its_password(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", redis_url=f"redis://127.0.0.1:{free_port()}/0")
    process, url = _start_redis(settings)
    assert process is not None
    try:
        with pytest.raises((AuthenticationError, ResponseError)):
            Redis.from_url(settings.redis_url).ping()
        assert Redis.from_url(url).ping()
        password = settings.redis_password_file.read_text(encoding="utf-8").strip()
        assert len(password) >= 32 and password not in " ".join(process.args)  # type: ignore[arg-type]
        assert stat.S_IMODE(os.stat(settings.redis_password_file).st_mode) == 0o600
        # another process of this machine, with the same settings, finds it
        assert Redis.from_url(
            Settings(data_dir=settings.data_dir, redis_url=settings.redis_url).resolved_redis_url
        ).ping()
        # a second `kakunin run` finds it running and reuses it
        again, same = _start_redis(settings)
        assert again is None and same == url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_remote_url_is_used_as_given(tmp_path: Path) -> None:
    (tmp_path / "redis").mkdir()
    (tmp_path / "redis" / "password").write_text("local-only\n")
    remote = Settings(data_dir=tmp_path, redis_url="rediss://queue.example:6380/0")
    assert remote.resolved_redis_url == "rediss://queue.example:6380/0"
