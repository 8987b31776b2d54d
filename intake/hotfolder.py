"""Scanner hotfolder: take a file only when complete, move it only after its row is committed."""

from __future__ import annotations

import logging
import os
import stat
import time
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from watchfiles import watch as watch_events

from intake.domain import DocumentStatus
from intake.errors import RejectedInput, TransientFailure
from intake.services import Services

log = logging.getLogger(__name__)

PROCESSING, DONE, REJECTED = ".processing", "done", "rejected"
_OWN_DIRS = {PROCESSING, DONE, REJECTED}
_TEMP_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".download", "~")


def display_name(name: str) -> str:
    """A file name safe to store and show: invalid bytes replaced, NFC, no control characters."""
    try:
        raw = name.encode("utf-8", "surrogateescape")  # undecodable bytes from os.listdir
    except UnicodeEncodeError:
        raw = name.encode("utf-8", "replace")
    text = raw.decode("utf-8", "replace")
    text = unicodedata.normalize("NFC", text)
    return "".join(ch if ch.isprintable() else "_" for ch in text) or "unnamed"


def is_candidate_name(name: str) -> bool:
    """False for hidden files and the temporary names scanners write before renaming."""
    lowered = name.lower()
    return not name.startswith((".", "~$")) and not lowered.endswith(_TEMP_SUFFIXES)


@dataclass
class StabilityTracker:
    """Pure bookkeeping: a file is ready once its (size, mtime) held still for ``delay`` seconds."""

    delay: float
    _seen: dict[Path, tuple[int, int, float]] = field(default_factory=dict)

    def observe(self, files: Iterable[tuple[Path, int, int]], now: float) -> list[Path]:
        ready: list[Path] = []
        current: dict[Path, tuple[int, int, float]] = {}
        for path, size, mtime_ns in files:
            previous = self._seen.get(path)
            since = previous[2] if previous and previous[:2] == (size, mtime_ns) else now
            current[path] = (size, mtime_ns, since)
            # An empty file may be a scanner that has not started writing: give it longer.
            if now - since >= (self.delay if size > 0 else self.delay * 3):
                ready.append(path)
        self._seen = current
        return ready

    def forget(self, path: Path) -> None:
        self._seen.pop(path, None)


def scan(root: Path) -> list[tuple[Path, int, int]]:
    """Regular files under ``root`` (folders dropped whole included), skipping our own folders,
    symlinks, FIFOs and temporary names."""
    found: list[tuple[Path, int, int]] = []
    for directory, dirnames, filenames in os.walk(root, followlinks=False):
        if Path(directory) == root:
            dirnames[:] = [d for d in dirnames if d not in _OWN_DIRS]
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            path = Path(directory) / name
            if not is_candidate_name(name):
                continue
            try:
                info = path.lstat()
            except FileNotFoundError:
                continue
            if stat.S_ISREG(info.st_mode):  # never symlinks, FIFOs, devices
                found.append((path, info.st_size, info.st_mtime_ns))
    return found


def _unique(directory: Path, name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    if not target.exists():
        return target
    stem, suffix = os.path.splitext(name)
    return directory / f"{stem}.{uuid.uuid4().hex[:8]}{suffix}"


def claim(root: Path, path: Path) -> Path | None:
    """Atomically move a ready file into ``.processing``; None if another watcher took it."""
    target = root / PROCESSING / f"{uuid.uuid4().hex}__{path.name}"
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(path, target)
    except FileNotFoundError:
        return None
    return target


def _original_name(claimed: Path) -> str:
    return claimed.name.split("__", 1)[1] if "__" in claimed.name else claimed.name


def ingest(services: Services, root: Path, claimed: Path) -> str:
    """Accept a claimed file, then move it to done/ or rejected/ (with a reason file); while the
    database or the file store is unavailable, put it back to be taken again ("retry")."""
    from intake.accept import accept  # noqa: PLC0415 - keep the watcher light to import

    original = _original_name(claimed)
    name = display_name(original)
    data = claimed.read_bytes()
    reason: str | None = None
    try:
        result = accept(services, data, name, source="hotfolder")
        if result.document.status is DocumentStatus.FAILED:
            reason = f"{result.document.error_code}: {result.document.error_message}\ndocument_id: {result.document.id}\n"
    except RejectedInput as exc:
        reason = f"{exc.code.value}: {exc.message}\n"
    except TransientFailure as exc:
        log.warning("%s not accepted yet (%s); it stays in the hotfolder", original, exc)
        os.replace(claimed, _unique(root, original))
        return "retry"
    safe = name.replace("/", "_")
    if reason is None:
        os.replace(claimed, _unique(root / DONE, safe))
        return "done"
    target = _unique(root / REJECTED, safe)
    target.with_name(target.name + ".reason.txt").write_text(reason, encoding="utf-8")
    os.replace(claimed, target)
    return "rejected"


def recover(services: Services, root: Path) -> int:
    """Finish files a previous watcher claimed but did not move (crash between claim and move)."""
    leftovers = sorted((root / PROCESSING).glob("*")) if (root / PROCESSING).is_dir() else []
    for claimed in leftovers:
        if claimed.is_file() and not claimed.is_symlink():
            ingest(services, root, claimed)
    return len(leftovers)


def poll_once(
    services: Services, root: Path, tracker: StabilityTracker, now: float | None = None
) -> list[str]:
    outcomes = []
    for path in tracker.observe(scan(root), time.monotonic() if now is None else now):
        tracker.forget(path)
        claimed = claim(root, path)
        if claimed is not None:
            outcomes.append(ingest(services, root, claimed))
    return outcomes


def watch(services: Services, stop_after: float | None = None) -> None:
    """Watch the hotfolder until interrupted: file events wake it early, polling covers
    network shares where events never arrive."""
    root = services.settings.hotfolder_dir
    root.mkdir(parents=True, exist_ok=True)
    recover(services, root)
    tracker = StabilityTracker(services.settings.hotfolder_stable_seconds)
    deadline = None if stop_after is None else time.monotonic() + stop_after
    timeout_ms = int(services.settings.hotfolder_poll_seconds * 1000)
    log.info("watching %s", root)
    for _changes in watch_events(
        root, rust_timeout=timeout_ms, yield_on_timeout=True, recursive=True, debounce=200
    ):
        poll_once(services, root, tracker)
        if deadline is not None and time.monotonic() > deadline:
            return
