"""Content-addressed file store: originals and page images, written once and never overwritten
(only re-encrypted under a new key, or deleted by retention)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from intake.crypto import KeySource, StoreKeyError, is_sealed, seal, sealed_key_id, unseal

_NAME = re.compile(r"[0-9a-f]{64}")
#: The tag of a derived object (:meth:`FileStore.put_derived`): a few lowercase letters and digits.
_TAG = re.compile(r"[0-9a-z]{1,40}")


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FileStore:
    """Files named by their SHA-256 under ``root/ab/cd/<sha>``.

    A write goes to a temporary name, is fsynced, then renamed into place and the folder
    fsynced: after ``put`` returns, the file survives a crash or power loss. The originals hold
    個人番号: folders are made 0700 and files 0600, whatever the process's umask.

    With a key source, each file is encrypted with AES-256-GCM (:mod:`intake.crypto`) and still
    named by the SHA-256 of its plaintext, so the same bytes are stored once and a document is
    found by its hash as before. A plaintext file stored before encryption was turned on is
    read as it is, and encrypted by ``kakunin key rotate`` (or ``kakunin key encrypt``).

    A stored file may have *derived objects* beside it (``<sha>.<tag>``: a page image with its
    個人番号 boxes blacked out, made once and served many times): encrypted like the file,
    bound to their own name, deleted with the file, made again when lost or under another key.
    They are a cache, so :meth:`names`, backups and checksums leave them out.
    """

    def __init__(self, root: Path, keys: KeySource | None = None) -> None:
        self.root = root
        self.keys = keys

    @property
    def encrypted(self) -> bool:
        """New files are written encrypted."""
        return self.keys is not None

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, data: bytes) -> str:
        digest = sha256_of(data)
        target = self.path(digest)
        if target.is_file():
            return digest  # same name = same bytes: never rewrite
        private_dirs(self.root, target.parent)
        self._write(target, self._sealed(digest, data))
        return digest

    def _sealed(self, name: str, data: bytes) -> bytes:
        return seal(self.keys.keyring(), name, data) if self.keys is not None else data

    def _write(self, target: Path, blob: bytes) -> None:
        # One name per thread too: the web serves requests from a thread pool, and two may make
        # the same masked image at once (sharing a temporary file would rename a half-written one).
        tmp = target.parent / f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp"
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
            handle.write(blob)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)

    def get(self, sha256: str) -> bytes:
        """The plaintext of a stored file; :class:`intake.crypto.StoreKeyError` when its key is
        missing or wrong, or the file was changed."""
        blob = self.path(sha256).read_bytes()
        if not is_sealed(blob):
            return blob
        return unseal(self.keys.keyring() if self.keys is not None else None, sha256, blob)

    def key_id(self, sha256: str) -> bytes | None:
        """The id of the key a file is encrypted with (None: plaintext)."""
        with self.path(sha256).open("rb") as handle:
            return sealed_key_id(handle.read(64))

    def reseal(self, sha256: str) -> bool:
        """Encrypt a file again under the current key (a plaintext one for the first time),
        atomically; False when it already is. Needs a key source."""
        if self.keys is None:
            raise ValueError("the store has no key")
        current = self.keys.keyring().current_id
        if self.key_id(sha256) == current:
            return False
        data = self.get(sha256)
        self._write(self.path(sha256), seal(self.keys.keyring(), sha256, data))
        # Derived objects are not carried over: made again under the new key when next asked.
        self._drop_derived(sha256, keep=current)
        return True

    def delete(self, sha256: str) -> bool:
        """Remove a file and its derived objects (retention); False when the file was not there."""
        path = self.path(sha256)
        derived = self._drop_derived(sha256, keep=None)
        try:
            path.unlink()
        except FileNotFoundError:
            if derived:
                _fsync_dir(path.parent)
            return False
        _fsync_dir(path.parent)
        return True

    def derived_path(self, sha256: str, tag: str) -> Path:
        """Where the derived object ``tag`` of a stored file lies (``<sha>.<tag>`` beside it)."""
        if not _NAME.fullmatch(sha256) or not _TAG.fullmatch(tag):
            raise ValueError("not a store name and tag")
        return self.path(sha256).with_name(f"{sha256}.{tag}")

    def put_derived(self, sha256: str, tag: str, data: bytes) -> None:
        """Keep ``data`` as the derived object ``tag`` of a stored file (replaced atomically,
        encrypted under the current key and bound to its own name)."""
        target = self.derived_path(sha256, tag)
        private_dirs(self.root, target.parent)
        self._write(target, self._sealed(target.name, data))

    def get_derived(self, sha256: str, tag: str) -> bytes | None:
        """A derived object's plaintext; None when it is not there or cannot be trusted as it
        lies (under a key no longer held, changed on disk, or plaintext in an encrypted store):
        the caller makes it again."""
        path = self.derived_path(sha256, tag)
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            return None
        if self.keys is not None and not is_sealed(blob):
            return None
        try:
            return unseal(self.keys.keyring() if self.keys is not None else None, path.name, blob)
        except StoreKeyError:
            return None

    def _drop_derived(self, sha256: str, keep: bytes | None) -> int:
        """Delete a file's derived objects (only those not under key ``keep``, when given)."""
        dropped = 0
        for path in self.path(sha256).parent.glob(f"{sha256}.*"):
            if keep is not None:
                with path.open("rb") as handle:
                    if sealed_key_id(handle.read(64)) == keep:
                        continue
            path.unlink(missing_ok=True)
            dropped += 1
        return dropped

    def names(self) -> Iterator[str]:
        """Every stored file's name (SHA-256), in no particular order."""
        for path in self.root.glob("??/??/*"):
            if _NAME.fullmatch(path.name) and path.is_file():
                yield path.name

    @contextmanager
    def maintenance(self, wait: bool = True) -> Iterator[None]:
        """Held by backup, purge and key rotation, one at a time: a purge or a rotation never
        changes the files a backup is copying. Writers of new files need not hold it. Without
        ``wait``, raises :class:`BlockingIOError` at once when another holds it."""
        private_dirs(self.root, self.root)
        with (self.root / ".maintenance.lock").open("a") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def private_dirs(root: Path, directory: Path) -> None:
    """Make ``directory`` (under ``root``, root included) with mode 0700 for each folder created."""
    for folder in [*reversed(directory.relative_to(root).parents), directory.relative_to(root)]:
        path = root / folder
        if not path.is_dir():
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
            path.chmod(0o700)  # mkdir's mode is masked by the umask


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
