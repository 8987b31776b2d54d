"""A bounded load test of `kakunin run` on the loopback (issue 19 item 8).

    python -m bench.load --minutes 5 [--reviewers 20] [--uploads-per-minute 60] [--pollers 2] [--workers 2]

For ``--minutes``: ``--reviewers`` clerks log in, one after the other over the first
``--login-spread`` seconds (a morning, not twenty argon2 hashes at the same instant), and go
through the screens as a browser does
(the queue, a task, its page image, a pause to read it, approve; a refused approval is rejected
instead; the next task the approval leads to), files are uploaded over HTTP at
``--uploads-per-minute`` (the sample scans, each made new bytes by a trailing comment), and
``--pollers`` API clients poll the documents, status, review tasks and decisions. Prints
p50/p95 response times per route group, the error count, each worker's peak RSS (VmHWM), the
queue page's p95 in the first and the last minute with the open tasks then, and the invariant.
The summary holds the screens and the API to the p95 target; login is reported apart: each one
hashes the password with argon2id on purpose (:data:`LOGIN_REASON`).

Plain threads and httpx rather than Locust: the figures wanted (per route group, the queue page
per minute against the queue's length, workers' peak memory read from /proc, the invariant
afterwards) are a few lines around a list of timings, httpx is already a test dependency, and
Locust would add gevent (which monkey-patches the standard library) and a web UI to a
benchmark whose whole job is twenty loops.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.procs import worker_peak_rss

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples"
TARGET_P95 = 0.300  # seconds, every screen and API group at any queue length
TARGET_RSS_MB = 1536.0  # per worker
QUEUE_EVERY = 3  # forms a clerk reviews one after the other before looking at the queue again
LOGIN = "login"  # the route group kept out of the screens' and API's p95 target
LOGIN_REASON = (
    "argon2id password hashing (64 MiB, 3 passes) costs each login on purpose, against password guessing"
)

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_TASK = re.compile(r'href="/tasks/(\d+)" class="task-link" data-free="1"')
_IMAGE = re.compile(r'src="(/images/[0-9a-f]{64}\.png)"')


@dataclass
class Timings:
    """Every response: (moment since start, route group, seconds, status or 0 for no answer)."""

    start: float = field(default_factory=time.monotonic)
    rows: list[tuple[float, str, float, int]] = field(default_factory=list)
    open_tasks: list[tuple[float, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, group: str, seconds: float, status: int) -> None:
        with self.lock:
            self.rows.append((time.monotonic() - self.start, group, seconds, status))


def _timed(
    client: httpx.Client, timings: Timings, group: str, method: str, url: str, **kwargs: Any
) -> httpx.Response | None:
    began = time.monotonic()
    try:
        response = client.request(method, url, **kwargs)
    except httpx.HTTPError:
        timings.add(group, time.monotonic() - began, 0)
        return None
    timings.add(group, time.monotonic() - began, response.status_code)
    return response


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _unique_files(count: int) -> Iterator[tuple[str, bytes]]:
    """The sample scans round and round, each copy new bytes (a trailing comment after the
    file's end, which PDF, TIFF, PNG and JPEG readers skip): a new document every time."""
    samples = [
        p for p in sorted(SAMPLES.iterdir()) if p.name.startswith("sample_") and not p.name.endswith(".json")
    ]
    bodies = [(p.name, p.read_bytes()) for p in samples]
    for n in range(count):
        name, data = bodies[n % len(bodies)]
        yield f"load-{n:05d}-{name}", data + f"\n%kakunin-load {n} {time.time_ns()}\n".encode()


def _login(client: httpx.Client, timings: Timings, name: str, password: str) -> bool:
    """Log in through the form as a browser does (the session's cookie stays in the client)."""
    page = _timed(client, timings, LOGIN, "GET", "/login")
    found = _CSRF.search(page.text) if page is not None else None
    if found is None:
        return False
    data = {"username": name, "password": password, "csrf": found.group(1)}
    answer = _timed(client, timings, LOGIN, "POST", "/login", data=data)
    return answer is not None and answer.status_code == 303 and answer.headers.get("location") == "/"


def login_delays(reviewers: int, spread: float) -> list[float]:
    """When each clerk logs in, in seconds from the start: evenly over ``spread`` (the first at
    once), as clerks arrive in the morning."""
    return [n * spread / reviewers for n in range(reviewers)] if reviewers > 0 else []


def reviewer(
    base: str,
    name: str,
    password: str,
    timings: Timings,
    stop: threading.Event,
    think: tuple[float, float],
    delay: float = 0.0,
) -> None:
    """One clerk: logs in after ``delay`` seconds, then the queue, a task (claimed by opening
    it), its page image, a pause to read it, approve (or reject when the approval is refused),
    then the next task it is led to."""
    rng = random.Random(name)
    if stop.wait(delay):
        return
    with httpx.Client(base_url=base, timeout=30.0, follow_redirects=False) as client:
        if not _login(client, timings, name, password):
            timings.add(LOGIN, 0.0, 0)
            return
        while not stop.is_set():
            queue = _timed(client, timings, "queue", "GET", "/")
            if queue is None or queue.status_code != 200:
                stop.wait(2.0)
                continue
            ids = list(dict.fromkeys(_TASK.findall(queue.text)))
            if not ids:
                stop.wait(rng.uniform(2.0, 4.0))
                continue
            url: str | None = f"/tasks/{rng.choice(ids[:20])}"
            # A clerk glances at the queue every few forms: its time is measured all run long.
            for _ in range(QUEUE_EVERY):
                if not url or stop.is_set():
                    break
                url = _review(client, timings, url, rng, stop, think)


def _review(
    client: httpx.Client,
    timings: Timings,
    url: str,
    rng: random.Random,
    stop: threading.Event,
    think: tuple[float, float],
) -> str | None:
    """Open a task, read it, approve it; the task the answer leads to next, if any."""
    page = _timed(client, timings, "task", "GET", url)
    if page is None or page.status_code != 200:
        return None  # held by another clerk meanwhile (409) or already done: back to the queue
    csrf = _CSRF.search(page.text)
    for image in dict.fromkeys(_IMAGE.findall(page.text)):
        _timed(client, timings, "image", "GET", image)
    if stop.wait(rng.uniform(*think)) or csrf is None:
        return None
    task = url.split("?")[0]
    answer = _timed(client, timings, "approve", "POST", f"{task}/approve", data={"csrf": csrf.group(1)})
    if answer is None:
        return None
    target = answer.headers.get("location", "")
    if target.startswith(task):  # refused (a required field empty, an invalid value): reject it
        answer = _timed(
            client,
            timings,
            "reject",
            "POST",
            f"{task}/reject",
            data={"csrf": csrf.group(1), "reason": "illegible"},
        )
        target = answer.headers.get("location", "") if answer is not None else ""
    if target.startswith("/records/"):  # the next task nobody holds
        following = _timed(client, timings, "next", "GET", target)
        target = following.headers.get("location", "") if following is not None else ""
    return target if target.startswith("/tasks/") else None


def uploader(base: str, token: str, per_minute: float, timings: Timings, stop: threading.Event) -> None:
    """Uploads at a steady rate over the API (multipart ``file``)."""
    headers = {"Authorization": f"Bearer {token}"}
    interval = 60.0 / per_minute
    with httpx.Client(base_url=base, timeout=60.0, headers=headers) as client:
        due = time.monotonic()
        for name, data in _unique_files(10**6):
            if stop.wait(max(0.0, due - time.monotonic())):
                return
            due += interval
            _timed(client, timings, "upload", "POST", "/api/v1/documents", files={"file": (name, data)})


def poller(base: str, token: str, timings: Timings, stop: threading.Event, every: float) -> None:
    """An API client polling the documents, the service's status, review tasks and decisions."""
    headers = {"Authorization": f"Bearer {token}"}
    routes = [
        "/api/v1/documents?status=in_review",
        "/api/v1/status",
        "/api/v1/review-tasks",
        "/api/v1/decisions",
    ]
    with httpx.Client(base_url=base, timeout=30.0, headers=headers) as client:
        for route in itertools.cycle(routes):
            if stop.wait(every):
                return
            answer = _timed(client, timings, "api", "GET", route)
            if route.endswith("/status") and answer is not None and answer.status_code == 200:
                body = answer.json()
                with timings.lock:
                    timings.open_tasks.append(
                        (time.monotonic() - timings.start, int(body["documents"].get("in_review", 0)))
                    )


def worker_peaks(parent: int, peaks: dict[int, float]) -> None:
    """Fold the workers' current peak RSS (MB) into ``peaks``, kept per pid."""
    for pid, hwm in worker_peak_rss(parent).items():
        peaks[pid] = max(peaks.get(pid, 0.0), hwm)


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _prepare(data: Path, reviewers: int) -> tuple[list[tuple[str, str]], str, str]:
    """Migrate a fresh data directory and add the clerks and two API keys, as `kakunin user add`
    and `kakunin apikey create` would (in this process: twenty commands would take a minute)."""
    from intake.auth import create_api_key, create_user
    from intake.services import Services
    from intake.settings import load_settings
    from intake.store.db import upgrade

    services = Services(load_settings())
    upgrade(services.db)
    clerks = []
    for n in range(reviewers):
        name, password = f"clerk{n + 1:02d}", f"load-test-clerk-{n + 1:02d}-Pw!"
        create_user(services, name, "reviewer", password)
        clerks.append((name, password))
    create_user(services, "admin", "admin", "load-test-admin-Pw!")
    writer = create_api_key(services, "load-upload", ["write", "read"])
    reader = create_api_key(services, "load-poll", ["read"])
    services.db.dispose()
    return clerks, writer, reader


def run(args: argparse.Namespace) -> dict[str, Any]:
    """One load run; the figures as a dict (also printed by :func:`report`)."""
    with tempfile.TemporaryDirectory(prefix="kakunin-load-") as tmp:
        data = Path(tmp) / "var"
        data.mkdir()
        port, redis_port = _free_port(), _free_port()
        env = {
            **os.environ,
            "KAKUNIN_DATA_DIR": str(data),
            "KAKUNIN_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "KAKUNIN_FEED_SAMPLES": "false",
            "KAKUNIN_UPLOAD_RATE_PER_MINUTE": "0",  # the load is one client's; the limit is not under test
        }
        for key in (
            "KAKUNIN_DATABASE_URL",
            "KAKUNIN_HOTFOLDER",
            "KAKUNIN_STORE_KEY_FILE",
            "KAKUNIN_STORE_KEY",
        ):
            env.pop(key, None)
        old = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)
        try:
            clerks, writer, reader = _prepare(data, args.reviewers)
        finally:
            os.environ.clear()
            os.environ.update(old)
        log = (Path(tmp) / "run.log").open("wb")
        server = subprocess.Popen(
            [sys.executable, "-m", "intake.cli", "run", "--port", str(port), "--workers", str(args.workers)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        peaks: dict[int, float] = {}
        try:
            _wait_ready(base, server)
            time.sleep(args.warmup)  # the workers load their models before the load starts
            timings = Timings()
            stop = threading.Event()
            think = (args.think * 0.5, args.think * 1.5)
            # Over a quarter of a short run at most, so every clerk still works in a smoke test.
            delays = login_delays(len(clerks), min(args.login_spread, args.minutes * 60 / 4))
            threads = [
                threading.Thread(
                    target=uploader, args=(base, writer, args.uploads_per_minute, timings, stop)
                ),
                *(
                    threading.Thread(target=poller, args=(base, reader, timings, stop, args.poll_seconds))
                    for _ in range(args.pollers)
                ),
                *(
                    threading.Thread(target=reviewer, args=(base, n, p, timings, stop, think, delay))
                    for (n, p), delay in zip(clerks, delays, strict=True)
                ),
            ]
            for thread in threads:
                thread.start()
            end = time.monotonic() + args.minutes * 60
            while time.monotonic() < end:
                worker_peaks(server.pid, peaks)
                time.sleep(1.0)
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
            worker_peaks(server.pid, peaks)
            with httpx.Client(
                base_url=base, timeout=60, headers={"Authorization": f"Bearer {reader}"}
            ) as client:
                status = client.get("/api/v1/status").json()
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
            log.close()
    return _figures(args, timings, peaks, status)


def _wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"kakunin run exited with {server.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.5)
    raise RuntimeError("kakunin run did not answer /healthz in 180 s")


#: What is not an error: a task another clerk opened first (409), the redirects of the screens.
_EXPECTED = {200, 202, 303, 409}


def _figures(
    args: argparse.Namespace, timings: Timings, peaks: dict[int, float], status: dict[str, Any]
) -> dict[str, Any]:
    groups: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    for _, group, seconds, code in timings.rows:
        groups.setdefault(group, []).append(seconds)
        if code not in _EXPECTED:
            errors[f"{group} {code or 'no answer'}"] = errors.get(f"{group} {code or 'no answer'}", 0) + 1
    last_minute = max(0.0, args.minutes * 60 - 60)

    def queue_between(a: float, b: float) -> list[float]:
        return [s for t, g, s, _ in timings.rows if g == "queue" and a <= t < b]

    def open_between(a: float, b: float) -> list[int]:
        return [n for t, n in timings.open_tasks if a <= t < b]

    first, last = queue_between(0, 60), queue_between(last_minute, 10**9)
    return {
        "minutes": args.minutes,
        "reviewers": args.reviewers,
        "login_spread": min(args.login_spread, args.minutes * 60 / 4),
        "uploads_per_minute": args.uploads_per_minute,
        "workers": args.workers,
        "groups": {
            g: {"n": len(v), "p50": _quantile(v, 0.5), "p95": _quantile(v, 0.95)}
            for g, v in sorted(groups.items())
        },
        "errors": errors,
        "error_count": sum(errors.values()),
        "conflicts": sum(1 for _, _, _, code in timings.rows if code == 409),
        "queue_p95_first_minute": _quantile(first, 0.95),
        "queue_p95_last_minute": _quantile(last, 0.95),
        "open_tasks_first_minute": max(open_between(0, 60), default=0),
        "open_tasks_last_minute": max(open_between(last_minute, 10**9), default=0),
        "worker_peak_rss_mb": sorted(peaks.values(), reverse=True),
        "documents": status.get("documents", {}),
        "invariant_ok": bool(status.get("invariant", {}).get("ok")),
    }


def report(figures: dict[str, Any]) -> None:
    print(
        f"Load: {figures['reviewers']} reviewers, {figures['uploads_per_minute']:g} uploads/min, API polling, "
        f"{figures['minutes']:g} min, {figures['workers']} worker(s), {os.cpu_count()} cores"
    )
    print(f"{'group':<8} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for group, g in figures["groups"].items():
        print(f"{group:<8} {g['n']:>8} {g['p50'] * 1000:>8.0f} {g['p95'] * 1000:>8.0f}")
    print(
        f"errors: {figures['error_count']} {figures['errors'] or ''}; tasks already taken (409): {figures['conflicts']}"
    )
    print(
        f"queue page p95: first minute {figures['queue_p95_first_minute'] * 1000:.0f} ms "
        f"({figures['open_tasks_first_minute']} in review), last minute {figures['queue_p95_last_minute'] * 1000:.0f} ms "
        f"({figures['open_tasks_last_minute']} in review)"
    )
    rss = ", ".join(f"{mb:.0f}" for mb in figures["worker_peak_rss_mb"]) or "none seen"
    print(f"worker peak RSS (MB, each worker process): {rss}")
    print(
        f"documents at the end: {figures['documents']}; invariant {'ok' if figures['invariant_ok'] else 'BROKEN'}"
    )
    screens = {g: v for g, v in figures["groups"].items() if g != LOGIN}
    worst = max((g["p95"] for g in screens.values()), default=float("nan"))
    slowest = max(screens, key=lambda g: screens[g]["p95"], default="none")
    peak = max(figures["worker_peak_rss_mb"], default=0.0)
    print(
        f"summary: worst p95 of screens and API {worst * 1000:.0f} ms ({slowest}; target {TARGET_P95 * 1000:.0f}), "
        f"peak worker RSS {peak:.0f} MB (target {TARGET_RSS_MB:.0f}), errors {figures['error_count']}"
    )
    login = figures["groups"].get(LOGIN)
    if login:
        print(
            f"login apart: p50/p95 {login['p50'] * 1000:.0f}/{login['p95'] * 1000:.0f} ms, clerks arriving over "
            f"{figures.get('login_spread', 0.0):.0f} s — {LOGIN_REASON}"
        )


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="bounded load test of `kakunin run` on the loopback")
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument("--uploads-per-minute", type=float, default=60.0)
    parser.add_argument("--pollers", type=int, default=2)
    parser.add_argument(
        "--poll-seconds", type=float, default=2.0, help="each poller's pause between requests"
    )
    parser.add_argument(
        "--think", type=float, default=20.0, help="a clerk's mean seconds on a task before approving"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--login-spread",
        type=float,
        default=20.0,
        help="seconds over which the clerks log in one after the other (a quarter of the run at most)",
    )
    parser.add_argument(
        "--warmup", type=float, default=10.0, help="seconds for the workers to load their models"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    report(run(parse(argv)))


if __name__ == "__main__":
    main()
