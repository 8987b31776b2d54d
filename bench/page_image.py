"""What one page image request costs (issue 19 item 8), without the load around it.

    python -m bench.page_image [--repeat 60]

A sample SK-01 scan goes through the real worker into a fresh, encrypted data directory (a
Redis of its own), then :func:`intake.review.page_image` is timed, in this process, for a
reviewer (the 個人番号 boxes blacked out) and an admin (the image as stored): the reviewer
with nothing kept (the masked copy deleted before each call: what every request cost before the
masked image was kept), with the copy the worker kept, and with the browser's ETag (a 304), as
wall and CPU milliseconds (median and p95). Run it on an idle machine: the figures are a few ms.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "samples" / "sample_2025_0002_kofu_shinsei.tif"


def _timed(call: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """Median and p95 wall ms, median CPU ms of ``repeat`` calls (after one to warm up)."""
    call()
    wall, cpu = [], []
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    wall.sort()
    cpu.sort()
    return (
        wall[len(wall) // 2] * 1000,
        wall[min(len(wall) - 1, int(0.95 * len(wall)))] * 1000,
        cpu[len(cpu) // 2] * 1000,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="the cost of one page image request")
    parser.add_argument("--repeat", type=int, default=60)
    args = parser.parse_args(argv)

    from sqlalchemy import select

    from intake import jobs, review
    from intake.accept import accept
    from intake.auth import User
    from intake.crypto import new_key, write_key_file
    from intake.queue import start_redis_server
    from intake.sandbox import start_fork_server
    from intake.services import Services
    from intake.settings import Settings
    from intake.store.db import transaction, upgrade
    from intake.store.models import PageRow
    from intake.worker import queue_worker
    from ocr.engine import build_engine

    with tempfile.TemporaryDirectory(prefix="kakunin-page-image-") as tmp:
        root = Path(tmp)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("redis-server is needed")
        redis, url = start_redis_server(binary, port, tmp)
        try:
            key_file = root / "keys" / "store.key"
            key_file.parent.mkdir()
            write_key_file(key_file, (new_key(),))
            settings = Settings(
                data_dir=root / "var",
                database_url=f"sqlite:///{root / 'kakunin.sqlite3'}",
                redis_url=url,
                store_key_file=key_file,
            )
            services = Services(settings)
            upgrade(services.db)
            accept(services, SAMPLE.read_bytes(), SAMPLE.name, "upload")
            start_fork_server()  # before the models load, as a worker does
            jobs._context = jobs.WorkerContext(services, build_engine(settings.engine_options()))
            queue_worker(services).work(burst=True)
            jobs._context = None
            with transaction(services.sessions) as session:
                sha = session.scalars(select(PageRow.image_sha256)).one()
            reviewer, admin = User(1, "rev", "reviewer", False), User(2, "adm", "admin", False)
            kept = services.files.path(sha).parent

            def uncached() -> object:
                for path in kept.glob(f"{sha}.*"):
                    path.unlink()
                return review.page_image(services, sha, reviewer)

            first = review.page_image(services, sha, reviewer)
            if first is None or first.data is None:
                raise SystemExit("the sample's page image was not served")
            rows = [
                ("reviewer, nothing kept (masked per request)", uncached),
                ("reviewer, masked copy kept", lambda: review.page_image(services, sha, reviewer)),
                (
                    "reviewer, browser holds it (304)",
                    lambda: review.page_image(services, sha, reviewer, {first.etag}),
                ),
                ("admin (image as stored)", lambda: review.page_image(services, sha, admin)),
            ]
            print(f"page image {len(first.data):,} bytes (masked PNG), {args.repeat} calls each")
            print(f"{'case':<46} {'wall p50':>9} {'wall p95':>9} {'CPU p50':>8}  (ms)")
            for name, call in rows:
                p50, p95, cpu = _timed(call, args.repeat)
                print(f"{name:<46} {p50:>9.1f} {p95:>9.1f} {cpu:>8.1f}")
            services.db.dispose()
        finally:
            redis.terminate()
            redis.wait(timeout=10)


if __name__ == "__main__":
    main()
