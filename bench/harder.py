"""Scans harder than the generator makes, scored like ``bench.accuracy``.

    python -m bench.harder --kind lowres [--forms 24] [--seed 1111] [--hands dev|held-out|typed]

Generates filled scans, then degrades every image file (PDFs are left as they are):
``skew`` turns the page a further 3–5°, ``lowres`` rescales it to 150 dpi and ``highres`` to
400 dpi (outside the 200/300 dpi the service is specified for), ``jpeg`` saves it as a JPEG
of quality 35, ``photo`` photographs it with a phone (the page on a table, up to about 10°
of perspective, light falling off across it, a JPEG of quality 80; PDFs are rendered first),
``fax`` sends it by fax in standard mode (1-bit, 204×98 dpi, CCITT G3 TIFF). The golden
files follow, and ``bench.accuracy --scans`` prints the table.
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

import cv2
import numpy as np
from PIL import Image

from fixtures.generate import HANDS, generate

KINDS = ("skew", "lowres", "highres", "jpeg", "photo", "fax")


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


def photograph(image: Image.Image, rng: random.Random) -> Image.Image:
    """The page as a phone sees it lying on a table: the camera tilted (one edge nearer, up
    to about 10° of perspective) and turned a little, light falling off across the page,
    a little blur and sensor noise."""
    page = np.asarray(image.convert("L"), dtype=np.uint8)
    height, width = page.shape
    margin = int(0.07 * width)
    size = (width + 2 * margin, height + 2 * margin)
    src = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    squeeze = rng.uniform(0.03, 0.08) * width  # the far edge looks shorter
    far_top = rng.random() < 0.5
    dst = []
    for index, (x, y) in enumerate(src.tolist()):
        inward = squeeze if (index < 2) == far_top else 0.0
        x += inward if index in (0, 3) else -inward
        dst.append(
            [x + margin + rng.uniform(-0.015, 0.015) * width, y + margin + rng.uniform(-0.015, 0.015) * width]
        )
    matrix = cv2.getPerspectiveTransform(src, np.float32(dst))
    table = np.full((size[1], size[0]), rng.randint(50, 120), np.uint8)
    warped = cv2.warpPerspective(page, matrix, size, flags=cv2.INTER_LINEAR, borderValue=(0,))
    mask = cv2.warpPerspective(
        np.full_like(page, 255), matrix, size, flags=cv2.INTER_LINEAR, borderValue=(0,)
    )
    photo = np.where(mask > 127, warped, table).astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ys, xs = np.mgrid[0 : size[1], 0 : size[0]].astype(np.float32)
    along = (xs * np.cos(angle) + ys * np.sin(angle)) / max(size)
    along = (along - along.min()) / max(float(along.max() - along.min()), 1e-6)
    photo *= 1.0 - rng.uniform(0.25, 0.45) * along  # light falls off across the page
    photo = cv2.GaussianBlur(photo, (0, 0), 0.8)
    photo += np.random.default_rng(rng.randrange(2**32)).normal(0, 4, photo.shape).astype(np.float32)
    return Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8))


def fax(image: Image.Image, dpi: int) -> Image.Image:
    """The page sent by fax in standard mode: 204 dpi across, 98 dpi down, 1 bit."""
    gray = image.convert("L")
    size = (round(gray.width * 204 / dpi), round(gray.height * 98 / dpi))
    return gray.resize(size, Image.Resampling.BOX).point(lambda v: 255 if v > 150 else 0).convert("1")


def _page_image(path: Path) -> tuple[Image.Image, int]:
    """A scan's first page as an image and its resolution (a PDF rendered at 200 dpi)."""
    if path.suffix == ".pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(path.read_bytes())
        try:
            return pdf[0].render(scale=200 / 72).to_pil().convert("L"), 200
        finally:
            pdf.close()
    with Image.open(path) as opened:
        return opened.copy(), int(opened.info.get("dpi", (200, 200))[0])


def main() -> None:
    parser = argparse.ArgumentParser(description="accuracy on scans harder than the generator makes")
    parser.add_argument("--kind", choices=KINDS, required=True)
    parser.add_argument("--forms", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1111)
    parser.add_argument("--hands", choices=sorted(HANDS), default="dev")
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
            if args.kind in ("photo", "fax"):
                image, dpi = _page_image(path)
                if args.kind == "photo":
                    target = out / (path.stem + ".jpg")
                    photograph(image, rng).save(target, quality=80)
                else:
                    target = out / (path.stem + ".tif")
                    fax(image, dpi).save(target, compression="group3", dpi=(204, 98))
            elif path.suffix == ".pdf":
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
