"""Throughput benchmark: generated scans dropped into the hotfolder of a running `kakunin run`.

    python -m bench.throughput [--pages 40] [--workers 1 2]

For each worker count: pages per minute end to end (first drop → last review task), p50/p95
latency per page (file dropped → review task), time per stage (rasterize, identify, read,
whole job), and peak RSS per worker (VmHWM). Prints a table and a one-line summary.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench.procs import worker_peak_rss
from fixtures.generate import generate


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_once(scans: list[Path], workers: int, root: Path, paced: float = 0.0) -> dict[str, Any]:
    """One `kakunin run` with ``workers`` workers; the scans dropped all at once (a burst)
    or, with ``paced`` pages per minute, one by one at that rate (latency when not backlogged)."""
    data = root / f"var-{workers}-{paced:g}"
    data.mkdir()
    (data / ".samples-fed").write_text("0\n")
    port, redis_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "KAKUNIN_DATA_DIR": str(data),
        "KAKUNIN_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "KAKUNIN_HOTFOLDER_STABLE_SECONDS": "1.0",
        "KAKUNIN_HOTFOLDER_POLL_SECONDS": "0.25",
        "KAKUNIN_FEED_SAMPLES": "false",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "intake.cli", "run", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        time.sleep(8)  # let the workers load their models before the burst
        hotfolder = data / "hotfolder"
        dropped: dict[str, float] = {}
        start = time.time()
        for scan in scans:  # a scanner burst: every file at once, written then renamed into place
            tmp = hotfolder / (scan.name + ".part")
            shutil.copyfile(scan, tmp)
            os.replace(tmp, hotfolder / scan.name)
            dropped[scan.name] = time.time()
            if paced:
                time.sleep(60.0 / paced)
        engine = create_engine(f"sqlite:///{data / 'kakunin.sqlite3'}")
        rows: list[Any] = []
        deadline = time.time() + 60 + 20 * len(scans)
        while time.time() < deadline:
            with engine.connect() as connection:
                rows = connection.execute(
                    text("SELECT original_name, status, updated_at, extraction FROM documents")
                ).all()
            if len(rows) == len(scans) and all(r[1] in ("in_review", "failed") for r in rows):
                break
            time.sleep(0.5)
        peaks = list(worker_peak_rss(server.pid).values())
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    import json

    done = [r for r in rows if r[1] in ("in_review", "failed")]
    latencies, stages = [], {"rasterize": [], "identify": [], "read": [], "job": []}  # type: dict[str, list[float]]
    finished = []
    for name, _status, updated, extraction in done:
        moment = datetime.fromisoformat(str(updated)).replace(tzinfo=UTC).timestamp()
        finished.append(moment)
        latencies.append(moment - dropped[name])
        timings = (json.loads(extraction) if isinstance(extraction, str) else extraction or {}).get(
            "timings", {}
        )
        for stage in stages:
            if stage in timings:
                stages[stage].append(float(timings[stage]))
    elapsed = (max(finished) - start) if finished else float("nan")
    quantiles = statistics.quantiles(latencies, n=20) if len(latencies) >= 2 else [float("nan")] * 19
    return {
        "workers": workers,
        "pages": len(done),
        "of": len(scans),
        "ppm": 60 * len(done) / elapsed if finished else 0.0,
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p95": quantiles[18],
        "stages": {k: (statistics.mean(v) if v else float("nan")) for k, v in stages.items()},
        "rss": max(peaks, default=0.0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="end-to-end throughput through the hotfolder")
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seed", type=int, default=777)
    parser.add_argument(
        "--paced",
        type=float,
        default=30.0,
        help="also feed one page at a time at this rate (pages/min); 0: skip",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        scans = generate(root / "scans", args.pages, args.seed, today=date(2026, 11, 1))
        results = [run_once(scans, workers, root) for workers in args.workers]
        paced = (
            run_once(scans[: max(10, len(scans) // 3)], max(args.workers), root, args.paced)
            if args.paced
            else None
        )
    print(
        f"Throughput: {args.pages} generated scans (PDF/TIFF/PNG/JPEG, 200/300 dpi) dropped at once into the hotfolder of `kakunin run`; "
        f"{os.cpu_count()} cores; cross-check {os.environ.get('KAKUNIN_OCR__CROSSCHECK_REC_MODEL', 'PP-OCRv5_mobile_rec') or 'off'}"
    )
    print(
        f"{'workers':>7} {'done':>9} {'pages/min':>10} {'p50 s':>7} {'p95 s':>7} {'rasterize':>10} {'identify':>9} {'read':>7} {'job':>7} {'peak RSS MB':>12}"
    )
    for r in results:
        s = r["stages"]
        print(
            f"{r['workers']:>7} {r['pages']:>4}/{r['of']:<4} {r['ppm']:>10.1f} {r['p50']:>7.1f} {r['p95']:>7.1f} {s['rasterize']:>10.2f} "
            f"{s['identify']:>9.2f} {s['read']:>7.2f} {s['job']:>7.2f} {r['rss']:>12.0f}"
        )
    if paced:
        print(
            f"paced at {args.paced:g} pages/min with {paced['workers']} worker(s), not backlogged: {paced['pages']} pages, "
            f"latency p50 {paced['p50']:.1f} s, p95 {paced['p95']:.1f} s (stable file → review task, incl. the hotfolder's stability wait)"
        )
    best = max(results, key=lambda r: r["ppm"])
    print(
        f"summary: {best['ppm']:.1f} pages/min with {best['workers']} worker(s), p95 latency {best['p95']:.1f} s (backlogged burst), "
        f"peak RSS {best['rss']:.0f} MB per worker"
    )


if __name__ == "__main__":
    main()
