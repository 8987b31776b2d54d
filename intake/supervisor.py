"""`kakunin run`'s supervisor (issue 19 item 3): web, watcher and workers are child processes;
one that dies is started again with a back-off, and SIGTERM or SIGINT stops them all.

The web server runs in a child of its own: uvicorn re-raises the signal it caught once it has
shut down, so run in the supervisor's process it ended the supervisor before the other
children were stopped, leaving them (and Redis) behind as orphans.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType

log = logging.getLogger(__name__)

#: A child that ran at least this long before it exited is restarted at once (a worker recycled
#: after its jobs, say); one that dies sooner waits 1, 2, 4 … up to :data:`MAX_BACKOFF` seconds.
STEADY_SECONDS = 30.0
MAX_BACKOFF = 60.0
#: How long a child is given to finish after SIGTERM (a worker finishes its running job; one
#: that takes longer is killed and its document left for reconcile).
STOP_SECONDS = 30.0


@dataclass
class Child:
    """One supervised process: what starts it and how it has been doing."""

    name: str
    command: list[str]
    env: dict[str, str] | None = None
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    quick_deaths: int = 0
    restart_at: float | None = None
    restarts: int = field(default=0)

    def start(self, now: float | None = None) -> None:
        self.process = subprocess.Popen(self.command, env=self.env)  # noqa: S603 - our own commands
        self.started = time.monotonic() if now is None else now
        self.restart_at = None
        log.info("started %s (pid %s)", self.name, self.process.pid)


def backoff(quick_deaths: int) -> float:
    """Seconds before a child that died quickly ``quick_deaths`` times in a row is started again."""
    return 0.0 if quick_deaths == 0 else min(MAX_BACKOFF, 2.0 ** (quick_deaths - 1))


def check(children: list[Child], now: float | None = None) -> None:
    """Start again every child that exited, once its back-off has passed."""
    now = time.monotonic() if now is None else now
    for child in children:
        process = child.process
        if process is None or process.poll() is None:
            continue
        if child.restart_at is None:
            lived = now - child.started
            child.quick_deaths = 0 if lived >= STEADY_SECONDS else child.quick_deaths + 1
            child.restart_at = now + backoff(child.quick_deaths)
            log.warning(
                "%s (pid %s) exited with %s after %.0f s; starting it again in %.0f s",
                child.name,
                process.pid,
                process.returncode,
                lived,
                child.restart_at - now,
            )
        if now >= child.restart_at:
            child.restarts += 1
            child.start(now)


def stop_all(children: list[Child], seconds: float = STOP_SECONDS) -> None:
    """SIGTERM to every child, then wait for them all; the ones still running are killed."""
    running = [c.process for c in children if c.process is not None and c.process.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + seconds
    for process in running:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning("pid %s did not stop in %.0f s: killed", process.pid, seconds)
            process.kill()
            process.wait()


def supervise(children: list[Child], stop: threading.Event, on_stop: Callable[[], None]) -> None:
    """Start the children and keep them running until SIGTERM or SIGINT (or ``stop``), then stop
    them all and call ``on_stop`` (which stops what was started before them: Redis)."""

    def stopping(signum: int, frame: FrameType | None) -> None:
        log.info("%s received: stopping", signal.Signals(signum).name)
        stop.set()

    previous = {s: signal.signal(s, stopping) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        for child in children:
            child.start()
        while not stop.wait(1.0):
            check(children)
    finally:
        stop.set()
        stop_all(children)
        on_stop()
        for number, handler in previous.items():
            signal.signal(number, handler)
