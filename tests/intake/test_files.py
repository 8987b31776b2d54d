"""The file store is content-addressed and never overwrites."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from intake.crypto import Keyring, KeySource, new_key
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


def _keys(*keys: bytes) -> KeySource:
    return KeySource(keyring=Keyring(keys, "test"))


def test_a_derived_object_lies_beside_its_file_encrypted_and_bound_to_its_own_name(tmp_path: Path) -> None:
    """GIVEN an encrypted store WHEN a derived object (a masked page image) is kept beside a
    page image THEN it reads back, lies encrypted as ``<sha>.<tag>``, is left out of the names
    (backups, checksums), and the page image's own ciphertext put in its place is refused
    (each file is bound to its name), as is a plaintext one: it is made again instead."""
    store = FileStore(tmp_path, _keys(new_key()))
    page = store.put(b"\x89PNG full page")
    store.put_derived(page, "m1", b"\x89PNG masked page")
    assert store.get_derived(page, "m1") == b"\x89PNG masked page"
    on_disk = store.derived_path(page, "m1")
    assert on_disk == store.path(page).with_name(f"{page}.m1")
    assert b"PNG" not in on_disk.read_bytes()
    assert list(store.names()) == [page]
    assert store.get_derived(page, "m2") is None

    on_disk.write_bytes(store.path(page).read_bytes())  # the unmasked image under the masked name
    assert store.get_derived(page, "m1") is None
    on_disk.write_bytes(b"\x89PNG planted")
    assert store.get_derived(page, "m1") is None
    with pytest.raises(ValueError):
        store.derived_path(page, "../x")


def test_deleting_a_file_deletes_its_derived_objects(tmp_path: Path) -> None:
    """Retention deletes a page image with ``delete``: its masked copies go with it."""
    store = FileStore(tmp_path, _keys(new_key()))
    page, other = store.put(b"page"), store.put(b"other page")
    store.put_derived(page, "m1", b"masked")
    store.put_derived(page, "m2", b"masked again")
    store.put_derived(other, "m1", b"other masked")
    assert store.delete(page)
    assert not list(store.path(page).parent.glob(f"{page}*"))
    assert store.get_derived(other, "m1") == b"other masked"


def test_a_rotated_key_drops_the_derived_objects_under_the_old_one(tmp_path: Path) -> None:
    """GIVEN a derived object under the first key WHEN the file is re-encrypted under a new key
    THEN the derived object is gone (made again under the new key when next asked), not left
    readable with the old key."""
    old, fresh = new_key(), new_key()
    store = FileStore(tmp_path, _keys(old))
    page = store.put(b"page")
    store.put_derived(page, "m1", b"masked")
    rotated = FileStore(tmp_path, _keys(fresh, old))
    assert rotated.reseal(page)
    assert rotated.get_derived(page, "m1") is None and not rotated.derived_path(page, "m1").exists()
    rotated.put_derived(page, "m1", b"masked")
    assert not rotated.reseal(page) and rotated.get_derived(page, "m1") == b"masked"


def test_threads_keeping_the_same_derived_object_at_once_all_succeed(tmp_path: Path) -> None:
    """Two reviewers' requests (threads of one web process) may make the same masked image at
    once: each write completes on its own temporary file, none fails, the object is whole."""
    store = FileStore(tmp_path)
    page = store.put(b"page")
    data = bytes(range(256)) * 4096  # 1 MB: writes long enough to overlap
    errors: list[BaseException] = []

    def keep() -> None:
        try:
            for _ in range(10):
                store.put_derived(page, "m1", data)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=keep) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and store.get_derived(page, "m1") == data
    assert not list(tmp_path.rglob("*.tmp"))
