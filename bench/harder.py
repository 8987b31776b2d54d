"""Scans harder than the generator makes, scored like ``bench.accuracy``.

    python -m bench.harder --kind lowres [--forms 24] [--seed 1111] [--hands dev|held-out]

Generates filled scans, then degrades every image file (PDFs are left as they are):
``skew`` turns the page a further 3–5°, ``lowres`` rescales it to 150 dpi and ``highres`` to
400 dpi (outside the 200/300 dpi the service is specified for), ``jpeg`` saves it as a JPEG
of quality 35. The golden files follow, and ``bench.accuracy --scans`` prints the table.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from PIL import Image

from fixtures.generate import generate

KINDS = ("skew", "lowres", "highres", "jpeg")


def degrade(image: Image.Image, kind: str, dpi: int, rng: random.Random) -> tuple[Image.Image, int]:
    """The image made harder in one way, and its resolution afterwards."""
    image = image.convert("L") if image.mode == "1" else image
    if kind == "skew":
        white = 255 if image.mode == "L" else (255, 255, 255)
        angle = rng.choice([-1, 1]) * rng.uniform(3.0, 5.0)
        return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=white), dpi
    if kind in ("lowres", "highres"):
        target = 150 if kind == "lowres" else 400
        size = (round(image.width * target / dpi), round(image.height * target / dpi))
        return image.resize(size, Image.Resampling.LANCZOS), target
    return image, dpi


def main() -> None:
    parser = argparse.ArgumentParser(description="accuracy on scans harder than the generator makes")
    parser.add_argument("--kind", choices=KINDS, required=True)
    parser.add_argument("--forms", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1111)
    parser.add_argument("--hands", choices=["dev", "held-out"], default="dev")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "generated", Path(tmp) / args.kind
        out.mkdir()
        scans = generate(
            source, args.forms, args.seed, date(2026, 11, 1), broken_share=0.25, hands=args.hands
        )
        for path in scans:
            golden = json.loads(path.with_name(path.name + ".golden.json").read_text(encoding="utf-8"))
            if path.suffix == ".pdf":
                target = out / path.name
                target.write_bytes(path.read_bytes())
            else:
                with Image.open(path) as opened:
                    dpi = int(opened.info.get("dpi", (200, 200))[0])
                    image, dpi = degrade(opened.copy(), args.kind, dpi, rng)  # read before closing
                if args.kind == "jpeg":
                    target = out / (path.stem + ".jpg")
                    image.convert("L" if image.mode == "L" else "RGB").save(
                        target, quality=35, dpi=(dpi, dpi)
                    )
                else:
                    target = out / path.name
                    extra = {"compression": "tiff_lzw"} if path.suffix == ".tif" else {}
                    image.save(target, dpi=(dpi, dpi), **extra)
            golden["source"] = target.name
            (out / (target.name + ".golden.json")).write_text(
                json.dumps(golden, ensure_ascii=False), encoding="utf-8"
            )
        print(
            f"{args.kind}: {args.forms} generated scans (seed {args.seed}, {args.hands} hands), images degraded"
        )
        command = [sys.executable, "-m", "bench.accuracy", "--scans", str(out)]
        subprocess.run(command + (["--show-errors"] if args.show_errors else []), check=True)


if __name__ == "__main__":
    main()
