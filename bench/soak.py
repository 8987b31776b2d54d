"""Memory soak: one process reads N pages with both recognition models, as a worker does,
and prints its resident and peak memory every 100 pages (a leak shows as a climbing line).

    python -m bench.soak [--pages 1000] [--distinct 40] [--seed 2024]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from extractors.identify import identify
from extractors.read import read_fields
from extractors.template import load_templates
from fixtures.generate import generate
from ocr.engine import EngineOptions, build_engine
from ocr.raster import RasterLimits, rasterize, sniff_type


def _memory_mb() -> dict[str, int]:
    with open("/proc/self/status", encoding="ascii") as status:
        return {
            line.split(":")[0]: int(line.split()[1]) // 1024
            for line in status
            if line.startswith(("VmRSS", "VmHWM"))
        }


def main() -> None:
    parser = argparse.ArgumentParser(description="memory over many pages in one worker-like process")
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--distinct", type=int, default=40, help="generated scans, read over and over")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--no-arena", action="store_true", help="ONNX Runtime without its memory arena")
    args = parser.parse_args()
    templates = list(load_templates())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        scans = generate(root / "scans", args.distinct, args.seed, today=date(2026, 11, 1))
        arena = not args.no_arena
        engine = build_engine(EngineOptions(model_cache_dir=root / "models", memory_arena=arena))
        crosscheck = build_engine(
            EngineOptions(
                rec_model="PP-OCRv5_mobile_rec", model_cache_dir=root / "models", memory_arena=arena
            )
        )
        print(
            f"Soak: {args.pages} pages from {args.distinct} generated scans, both models, arena {'off' if args.no_arena else 'on'}"
        )
        started = time.perf_counter()
        for done in range(1, args.pages + 1):
            data = scans[(done - 1) % len(scans)].read_bytes()
            page = rasterize(data, sniff_type(data[:2048]) or "", RasterLimits(dpi=200))[0]
            found = identify(page, templates, engine, 200)
            if found is not None:
                read_fields(found.template, found.aligned, 200, engine, date(2026, 11, 1), crosscheck)
            if done % 100 == 0:
                memory = _memory_mb()
                print(
                    f"pages {done:5d}  RSS {memory['VmRSS']:5d} MB  peak {memory['VmHWM']:5d} MB  "
                    f"{(time.perf_counter() - started) / done:.2f} s/page",
                    flush=True,
                )


if __name__ == "__main__":
    main()
