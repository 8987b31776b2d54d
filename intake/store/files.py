"""Content-addressed file store: originals and page images, written once and never overwritten."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FileStore:
    """Files named by their SHA-256 under ``root/ab/cd/<sha>``.

    A write goes to a temporary name, is fsynced, then renamed into place and the folder
    fsynced: after ``put`` returns, the file survives a crash or power loss. The originals hold
    個人番号: folders are made 0700 and files 0600, whatever the process's umask.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

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
        tmp = target.parent / f".{digest}.{os.getpid()}.tmp"
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
        return digest

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()


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
