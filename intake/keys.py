"""The file store's keys: make one, encrypt a plaintext store, rotate (``kakunin key …``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from intake.crypto import (
    StoreKeyError,
    key_id,
    new_key,
    parse_keys,
    refuse_beside_data,
    write_key_file,
)
from intake.services import Services
from intake.store.db import transaction
from intake.store.files import FileStore
from intake.store.repo import audit


@dataclass(frozen=True)
class ReencryptReport:
    """What a pass over the store did: files encrypted for the first time (plaintext before),
    files moved from an older key, files already under the current key."""

    encrypted: int
    reencrypted: int
    unchanged: int
    dropped_keys: int = 0

    def to_json(self) -> dict[str, int]:
        return {
            "encrypted": self.encrypted,
            "reencrypted": self.reencrypted,
            "unchanged": self.unchanged,
            "dropped_keys": self.dropped_keys,
        }


def create_key_file(path: Path, data_dir: Path) -> str:
    """A new key file (0600, never overwritten, refused inside the data directory); its key id."""
    refuse_beside_data(path, data_dir)
    key = new_key()
    try:
        write_key_file(path, (key,), exclusive=True)
    except FileExistsError:
        raise StoreKeyError(f"鍵ファイル {path} は既にあります（上書きしません）") from None
    return key_id(key).hex()


def reencrypt(store: FileStore) -> ReencryptReport:
    """Every file under the current key: plaintext files encrypted, older keys' files
    re-encrypted (each atomically; a crash half-way leaves every file readable)."""
    if store.keys is None:
        raise StoreKeyError("鍵が設定されていません (set KAKUNIN_STORE_KEY_FILE or KAKUNIN_STORE_KEY)")
    encrypted = reencrypted = unchanged = 0
    for name in store.names():
        before = store.key_id(name)
        if not store.reseal(name):
            unchanged += 1
        elif before is None:
            encrypted += 1
        else:
            reencrypted += 1
    return ReencryptReport(encrypted, reencrypted, unchanged)


def _still_used(store: FileStore, current: bytes) -> bool:
    return any(store.key_id(name) != current for name in store.names())


def rotate(services: Services, keep_old: bool = False) -> ReencryptReport:
    """Put a new key first in the key file (running processes re-read it on their next file),
    re-encrypt every file under it, then drop the old keys once no file needs them (unless
    ``keep_old``: backups made under an old key need it to be restored). Audited."""
    store = services.files
    source = store.keys
    if source is None or source.key_file is None:
        raise StoreKeyError(
            "鍵の入れ替えには鍵ファイルが必要です (KAKUNIN_STORE_KEY_FILE; with KAKUNIN_STORE_KEY, "
            "put the new key first and run `kakunin key encrypt`)"
        )
    key_file = source.key_file
    with store.maintenance():
        old = parse_keys(key_file.read_text(encoding="ascii"), str(key_file)).keys
        fresh = new_key()
        write_key_file(key_file, (fresh, *old))
        report = reencrypt(store)
        dropped = 0
        if not keep_old and not _still_used(store, key_id(fresh)):
            write_key_file(key_file, (fresh,))
            dropped = len(old)
    with transaction(services.sessions) as session:
        audit(
            session,
            "key-rotate",
            "store_key_rotated",
            None,
            key=key_id(fresh).hex(),
            reencrypted=report.reencrypted,
            encrypted=report.encrypted,
            dropped_keys=dropped,
        )
    return ReencryptReport(report.encrypted, report.reencrypted, report.unchanged, dropped)


def encrypt_store(services: Services) -> ReencryptReport:
    """Encrypt a store kept in plaintext so far (or moved to a key put first by hand), audited."""
    store = services.files
    with store.maintenance():
        report = reencrypt(store)
    with transaction(services.sessions) as session:
        audit(session, "key-encrypt", "store_encrypted", None, **report.to_json())
    return report
