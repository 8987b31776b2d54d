"""`kakunin run` as a supervisor (issue 19 item 3): SIGTERM stops web, watcher, workers and the
Redis it started, leaving no process behind; a child that dies is started again, with a
back-off when it keeps dying."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from intake.supervisor import MAX_BACKOFF, Child, backoff, check
from tests.conftest import free_port


def _group(pgid: int) -> list[tuple[int, str]]:
    """The processes of a process group, with their command lines."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            if fields[0] != "Z" and int(fields[2]) == pgid:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                found.append((int(entry.name), command))
        except (OSError, ValueError):
            continue
    return found


def _wait(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


def test_a_child_that_keeps_dying_is_restarted_with_a_growing_back_off() -> None:
    """GIVEN a child that exits at once WHEN the supervisor checks it every quarter second
    THEN it is started again 1, 2, 4, 8 seconds after its death is seen (never more than MAX_BACKOFF apart);
    one that ran steadily before it exited is started again at once."""
    assert [backoff(n) for n in range(5)] == [0.0, 1.0, 2.0, 4.0, 8.0]
    assert backoff(50) == MAX_BACKOFF
    child = Child("crasher", [sys.executable, "-c", "raise SystemExit(3)"])
    child.start(now=0.0)
    starts = [0.0]
    clock = 0.0
    while len(starts) < 5:
        assert child.process is not None
        child.process.wait()
        clock += 0.25
        before = child.restarts
        check([child], now=clock)
        if child.restarts > before:
            starts.append(clock)
    assert [b - a for a, b in zip(starts, starts[1:], strict=False)] == [
        1.25,
        2.25,
        4.25,
        8.25,
    ]  # seen dead at the next check, then the back-off
    steady = Child("worker", [sys.executable, "-c", "pass"])
    steady.start(now=0.0)
    assert steady.process is not None
    steady.process.wait()
    check([steady], now=600.0)  # recycled after its jobs: at once
    assert steady.restarts == 1
    assert steady.process is not None
    steady.process.wait()


@pytest.mark.slow
def test_sigterm_stops_every_child_and_redis_and_a_dead_child_is_restarted(tmp_path: Path) -> None:
    """GIVEN `kakunin run` with its web, watcher, worker and the Redis it started WHEN the
    watcher is killed THEN a new one is started; WHEN `kakunin run` gets SIGTERM THEN it exits
    and no process of its group is left."""
    port = free_port()
    env = {
        **os.environ,
        "KAKUNIN_DATA_DIR": str(tmp_path / "var"),
        "KAKUNIN_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
        "KAKUNIN_FEED_SAMPLES": "false",
        "KAKUNIN_OCR__THREADS": "1",
    }
    run = subprocess.Popen(
        [sys.executable, "-m", "intake.cli", "run", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:

        def web_answers() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:  # noqa: S310
                    return bool(answer.status == 200)
            except OSError:
                return False

        assert _wait(web_answers, 120), "web did not come up"
        members = _group(run.pid)
        commands = " | ".join(command for _, command in members)
        for part in ("redis-server", " worker ", " watch", " serve "):
            assert part in commands + " ", commands
        [watcher] = [pid for pid, command in members if command.rstrip().endswith(" watch")]
        os.kill(watcher, signal.SIGKILL)
        assert _wait(
            lambda: [p for p, c in _group(run.pid) if c.rstrip().endswith(" watch") and p != watcher], 20
        ), "the watcher was not started again"
        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=90) == 0
        assert _wait(lambda: _group(run.pid) == [], 30), _group(run.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)
        run.wait()


@pytest.mark.parametrize(
    "command",
    [
        ["status"],
        ["reconcile"],
        ["retry", "1"],
        # A clerk's first step on a fresh data directory (README "Add a form"): it was a traceback.
        ["user", "add", "clerk", "--role", "admin"],
        ["apikey", "list"],
        ["events", "due", "--dry-run"],
    ],
)
def test_a_command_pointed_at_no_data_directory_says_so_and_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """GIVEN a data directory that does not exist, or holds a database never migrated WHEN
    `kakunin status` (reconcile, retry, user add, apikey list, events due) is run THEN it says so in one line, exits 2, and
    creates nothing (it used to leave ./var/kakunin.sqlite3 and a 194-line traceback)."""
    from typer.testing import CliRunner

    from intake.cli import app

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    missing = runner.invoke(app, command, env={"KAKUNIN_DATA_DIR": "nowhere", "KAKUNIN_DATABASE_URL": ""})
    assert missing.exit_code == 2
    assert len(missing.output.strip().splitlines()) == 1 and "no Kakunin database" in missing.output
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "kakunin.sqlite3").touch()
    unmigrated = runner.invoke(app, command, env={"KAKUNIN_DATA_DIR": "var", "KAKUNIN_DATABASE_URL": ""})
    assert unmigrated.exit_code == 2 and "never migrated" in unmigrated.output
    assert len(unmigrated.output.strip().splitlines()) == 1
    assert [p.name for p in (tmp_path / "var").iterdir()] == ["kakunin.sqlite3"]
