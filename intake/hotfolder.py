"""Scanner hotfolder: take a file only when complete, move it only after its row is committed."""

from __future__ import annotations

import logging
import os
import re
import stat
import time
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from watchfiles import watch as watch_events

from intake.domain import DocumentStatus
from intake.errors import MESSAGES, ErrorCode, RejectedInput, TransientFailure
from intake.services import Services

log = logging.getLogger(__name__)

PROCESSING, DONE, REJECTED = ".processing", "done", "rejected"
_OWN_DIRS = {PROCESSING, DONE, REJECTED}
_TEMP_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".download", "~")
#: Longest name (UTF-8 bytes) taken: claim() prefixes 34 bytes, rejected/ adds 9 and ".reason.txt",
#: and most file systems stop at 255.
MAX_NAME_BYTES = 200
#: After the file-event watcher fails, this long on polling alone before it is started again.
WATCHER_RESTART_SECONDS = 30.0


def display_name(name: str) -> str:
    """A file name safe to store and show: invalid bytes replaced, NFC, no control characters."""
    try:
        raw = name.encode("utf-8", "surrogateescape")  # undecodable bytes from os.listdir
    except UnicodeEncodeError:
        raw = name.encode("utf-8", "replace")
    text = raw.decode("utf-8", "replace")
    text = unicodedata.normalize("NFC", text)
    return "".join(ch if ch.isprintable() else "_" for ch in text) or "unnamed"


def unusable_name(name: str) -> str | None:
    """Why a file's name cannot be taken as it is (None when it can): bytes that are not UTF-8
    (``os.listdir`` gives them as surrogates), or longer than :data:`MAX_NAME_BYTES`."""
    if any("\udc80" <= ch <= "\udcff" for ch in name):
        return "not valid UTF-8"
    if len(os.fsencode(name)) > MAX_NAME_BYTES:
        return f"longer than {MAX_NAME_BYTES} bytes"
    return None


def escaped_name(name: str) -> str:
    """A file name as printable text, every byte kept: undecodable bytes as ``\\xNN``, control
    and other unprintable characters as ``\\uNNNN``."""
    text = os.fsencode(name).decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)


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


def reject_name(root: Path, path: Path, problem: str) -> str | None:
    """Move a file whose name cannot be used into rejected/ under a made-up safe name, the
    original (escaped) in its ``.reason.txt``; None if another watcher took it first."""
    suffix = os.path.splitext(display_name(path.name))[1]
    suffix = suffix.lower() if re.fullmatch(r"\.[A-Za-z0-9]{1,5}", suffix) else ""
    target = _unique(root / REJECTED, f"unusable-name-{uuid.uuid4().hex[:12]}{suffix}")
    reason = (
        f"{ErrorCode.UNUSABLE_NAME.value}: {MESSAGES[ErrorCode.UNUSABLE_NAME]}\n"
        f"problem: {problem}\n"
        f"original_name: {escaped_name(path.name)}\n"
    )
    reason_file = target.with_name(target.name + ".reason.txt")
    reason_file.write_text(reason, encoding="utf-8")
    try:
        os.rename(path, target)
    except FileNotFoundError:
        reason_file.unlink(missing_ok=True)
        return None
    log.warning("hotfolder file with an unusable name (%s) moved to %s", problem, target)
    return "rejected"


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
        problem = unusable_name(path.name)
        if problem is None:
            try:
                claimed = claim(root, path)
            except OSError as exc:  # a name this file system cannot take in .processing
                problem = f"cannot be claimed: {exc.strerror or exc}"
            else:
                if claimed is not None:
                    outcomes.append(ingest(services, root, claimed))
                continue
        outcome = reject_name(root, path, problem)
        if outcome is not None:
            from intake import intake_errors  # noqa: PLC0415 - keep the watcher light to import

            intake_errors.record(
                services,
                intake_errors.REFUSED,
                "hotfolder",
                escaped_name(path.name),
                ErrorCode.UNUSABLE_NAME.value,
                MESSAGES[ErrorCode.UNUSABLE_NAME],
            )
            outcomes.append(outcome)
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
    while deadline is None or time.monotonic() <= deadline:
        try:
            for _changes in watch_events(
                root, rust_timeout=timeout_ms, yield_on_timeout=True, recursive=True, debounce=200
            ):
                poll_once(services, root, tracker)
                if deadline is not None and time.monotonic() > deadline:
                    return
            return
        except RuntimeError as exc:
            # watchfiles gives up on a path it cannot decode ("Unable to decode path"): a folder
            # or file name that is not UTF-8. Polling needs no events: carry on with it alone
            # for a while (the file itself goes to rejected/), then start the events again.
            log.warning("file events stopped (%s); polling the hotfolder only", exc)
            until = time.monotonic() + WATCHER_RESTART_SECONDS
            if deadline is not None:
                until = min(until, deadline)
            while time.monotonic() < until:
                poll_once(services, root, tracker)
                time.sleep(services.settings.hotfolder_poll_seconds)
