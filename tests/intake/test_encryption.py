"""Encryption at rest (issue 19 item 6): the file store holds AES-256-GCM ciphertext, named by
the hash of the plaintext (deduplication unchanged); a wrong or missing key is a clear error;
`kakunin key rotate` re-encrypts every file and drops the old key; plaintext stores keep working."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from intake.accept import accept
from intake.crypto import Keyring, KeySource, StoreKeyError, new_key, parse_keys
from intake.keys import create_key_file, encrypt_store, rotate
from intake.services import Services
from intake.store.files import FileStore, sha256_of
from tests.helpers import service_env
from tests.intake.keeping_helpers import MY_NUMBER, read_document, scan


@pytest.fixture
def key_file(tmp_path: Path, services: Services) -> Path:
    """A key file outside the data directory, named in the settings."""
    path = tmp_path / "keys" / "store.key"
    create_key_file(path, services.settings.data_dir)
    services.settings.store_key_file = path
    services.__dict__.pop("files", None)  # built again with the key
    return path


def _on_disk(store: FileStore) -> list[bytes]:
    return [store.path(name).read_bytes() for name in store.names()]


def test_no_scan_page_image_or_my_number_lies_in_the_store(services: Services, key_file: Path) -> None:
    """GIVEN a key WHEN a scan holding a 個人番号 is accepted and its page image stored THEN no
    stored file contains the scan's bytes, a PNG signature or the 個人番号's digits, and each
    reads back as the bytes whose hash names it."""
    data = scan(11, f"個人番号 {MY_NUMBER}")
    _, names = read_document(services, 11)
    assert services.files.get(names[0]) == data
    raw = _on_disk(services.files)
    assert len(raw) == 2
    for blob in raw:
        assert data[:64] not in blob and b"\x89PNG" not in blob and MY_NUMBER.encode() not in blob
        assert not blob.startswith(b"\x89PNG")
    assert all(sha256_of(services.files.get(name)) == name for name in names)


def test_the_same_bytes_are_still_one_document_and_one_file(services: Services, key_file: Path) -> None:
    """GIVEN encryption on WHEN the same scan arrives twice THEN it is one document and one file
    (the name is the plaintext's hash, the ciphertext differs each time it is made)."""
    data = scan(12)
    first = accept(services, data, "a.png", "upload")
    second = accept(services, data, "copy of a.png", "hotfolder")
    assert second.document.id == first.document.id and not second.created
    assert list(services.files.names()) == [sha256_of(data)]


def test_a_wrong_or_missing_key_is_a_clear_error(tmp_path: Path) -> None:
    """GIVEN a file stored under one key WHEN it is read with another key, with none, or after
    one bit of it changed THEN StoreKeyError says which key the file needs / that it was changed."""
    keyring = Keyring((new_key(),), "test")
    store = FileStore(tmp_path / "store", KeySource(keyring=keyring))
    name = store.put(b"%PDF-1.4 " + MY_NUMBER.encode())
    with pytest.raises(StoreKeyError, match=f"needs key id {keyring.current_id.hex()}"):
        FileStore(store.root, KeySource(keyring=Keyring((new_key(),), "other"))).get(name)
    with pytest.raises(StoreKeyError, match="KAKUNIN_STORE_KEY_FILE"):
        FileStore(store.root).get(name)
    blob = bytearray(store.path(name).read_bytes())
    blob[-1] ^= 1
    store.path(name).write_bytes(bytes(blob))
    with pytest.raises(StoreKeyError, match="authentication failed"):
        store.get(name)


def test_a_key_file_beside_the_data_is_refused(services: Services) -> None:
    """GIVEN a key file inside the data directory WHEN the store is built THEN it is refused."""
    inside = services.settings.data_dir / "store.key"
    with pytest.raises(StoreKeyError, match="beside the data"):
        create_key_file(inside, services.settings.data_dir)
    outside = services.settings.data_dir.parent / "elsewhere.key"
    create_key_file(outside, services.settings.data_dir)
    inside.parent.mkdir(parents=True, exist_ok=True)
    outside.rename(inside)
    services.settings.store_key_file = inside
    with pytest.raises(StoreKeyError, match="beside the data"):
        _ = services.files


def test_a_plaintext_store_keeps_working_and_is_encrypted_on_command(
    services: Services, tmp_path: Path
) -> None:
    """GIVEN files stored before encryption was turned on WHEN a key is set THEN they still read,
    new files are encrypted, and `encrypt` turns the old ones into ciphertext too."""
    _, old_names = read_document(services, 13)
    assert all(not blob.startswith(b"KKNAES") for blob in _on_disk(services.files))
    path = tmp_path / "keys" / "store.key"
    create_key_file(path, services.settings.data_dir)
    services.settings.store_key_file = path
    services.__dict__.pop("files", None)
    assert services.files.get(old_names[0]) == scan(13, f"個人番号 {MY_NUMBER}")
    report = encrypt_store(services)
    assert report.encrypted == 2 and report.unchanged == 0
    assert all(blob.startswith(b"KKNAES") for blob in _on_disk(services.files))
    assert services.files.get(old_names[0]) == scan(13, f"個人番号 {MY_NUMBER}")


def test_rotate_reencrypts_everything_and_drops_the_old_key(services: Services, key_file: Path) -> None:
    """GIVEN files under the first key, and a process (another store) that read the key file
    before WHEN `rotate` runs THEN every file is under the new key, the key file holds only it,
    the other process reads the files (it re-reads the key file), and the old key opens none."""
    _, names = read_document(services, 14)
    old_key = parse_keys(key_file.read_text(encoding="ascii"), "old").keys[0]
    other_process = FileStore(services.files.root, KeySource(key_file=key_file))
    assert other_process.get(names[0])
    report = rotate(services)
    assert report.reencrypted == 2 and report.dropped_keys == 1
    keys = parse_keys(key_file.read_text(encoding="ascii"), "new").keys
    assert len(keys) == 1 and keys[0] != old_key
    assert {services.files.key_id(name) for name in names} == {Keyring(keys, "new").current_id}
    assert other_process.get(names[0]) == scan(14, f"個人番号 {MY_NUMBER}")
    with pytest.raises(StoreKeyError):
        FileStore(services.files.root, KeySource(keyring=Keyring((old_key,), "old"))).get(names[0])


def test_kakunin_key_commands(services: Services, tmp_path: Path) -> None:
    """`kakunin key new PATH` makes a 0600 key file; `kakunin key rotate` with it re-encrypts."""
    path = tmp_path / "keys" / "cli.key"
    env = service_env(services.settings)
    made = subprocess.run(
        [sys.executable, "-m", "intake.cli", "key", "new", str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(path) in made.stdout and path.stat().st_mode & 0o777 == 0o600
    services.settings.store_key_file = path
    services.__dict__.pop("files", None)
    read_document(services, 15)
    rotated = subprocess.run(
        [sys.executable, "-m", "intake.cli", "key", "rotate"],
        env={**env, "KAKUNIN_STORE_KEY_FILE": str(path)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(rotated.stdout)["reencrypted"] == 2
    refused = subprocess.run(
        [sys.executable, "-m", "intake.cli", "key", "new", str(services.settings.data_dir / "k")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 1 and "beside the data" in refused.stderr
