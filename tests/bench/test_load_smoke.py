"""The load benchmark (bench/load.py, issue 19 item 8) still runs: 20 seconds with tiny numbers,
so it cannot rot while it is kept out of the default figures (the 5-minute run is by hand)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.ocr, pytest.mark.redis]


def test_the_load_benchmark_runs_for_twenty_seconds() -> None:
    """GIVEN `kakunin run` started by the benchmark WHEN two clerks browse and approve, files are
    uploaded and the API is polled for 20 s THEN it prints every route group's p50/p95, no
    error, a worker's peak memory and the invariant intact."""
    command = [
        sys.executable,
        "-m",
        "bench.load",
        *("--minutes", "0.33", "--reviewers", "2", "--uploads-per-minute", "12", "--pollers", "1"),
        *("--think", "1", "--workers", "1", "--warmup", "2"),
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    for group in ("login", "queue", "upload", "api"):
        assert any(line.split()[:1] == [group] for line in out.splitlines()), out
    assert "errors: 0 " in out, out
    assert "invariant ok" in out, out
    rss = next(line for line in out.splitlines() if line.startswith("worker peak RSS"))
    assert rss.split(": ")[1][0].isdigit(), out  # a worker was seen
    assert "summary: worst p95" in out, out
