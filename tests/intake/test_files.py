"""The file store is content-addressed and never overwrites."""

from __future__ import annotations

from pathlib import Path

from intake.store.files import FileStore, sha256_of


def test_put_returns_the_sha_and_the_bytes_come_back(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    digest = store.put(b"scan bytes")
    assert digest == sha256_of(b"scan bytes")
    assert store.get(digest) == b"scan bytes"
    assert store.path(digest).parent.parent.parent == tmp_path


def test_same_bytes_are_stored_once_and_never_rewritten(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    digest = store.put(b"x")
    mtime = store.path(digest).stat().st_mtime_ns
    assert store.put(b"x") == digest
    assert store.path(digest).stat().st_mtime_ns == mtime
    assert not list(tmp_path.rglob("*.tmp"))
