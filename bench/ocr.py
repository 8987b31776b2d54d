"""OCR benchmark on field crops cut from generated, scanned forms (held out: own seed).

    python -m bench.ocr [--forms 40] [--seed 9001]

Per engine and field kind: character error rate, exact match, ms per crop; the share of
primary errors the cross-check model catches and the share of fields it flags; seconds per
page end to end; peak RSS. Crops are exactly those the pipeline reads (``plan_crops``).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

from extractors.crosscheck import disagreements
from extractors.identify import identify
from extractors.normalize import digits_value, nfkc
from extractors.plan import plan_crops
from extractors.read import page_paper
from extractors.template import load_templates
from fixtures.generate import _wareki, generate
from ocr.engine import EngineOptions, build_engine
from ocr.raster import RasterLimits, rasterize, sniff_type
from ocr.types import Image

DPI = 200


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _kind(field_type: str, name: str) -> str:
    if field_type == "katakana":
        return "kana"
    if field_type == "text":
        return "address" if name.endswith("address") else "kanji name"
    return {"phone": "phone", "digits": "digits", "my_number": "digits", "date": "date"}.get(
        field_type, field_type
    )


def _truth(field_type: str, part: str, value: object) -> str | None:
    if value is None:
        return None
    if field_type == "date":
        day = date.fromisoformat(str(value))
        era_year = _wareki(day)[1]
        return str({"year": era_year, "month": day.month, "day": day.day}[part])
    return str(value)


def _comparable(text: str, part: str, field_type: str) -> str:
    if part != "text" or field_type in ("digits", "my_number"):
        return (
            str(int(digits_value(text)))
            if field_type == "date" and digits_value(text)
            else digits_value(text)
        )
    return nfkc(text).replace(" ", "")


def collect(forms: int, seed: int) -> list[tuple[str, str, str, Image]]:
    """(kind, part, truth, crop) for every OCR-read field of ``forms`` generated scans."""
    templates = {t.form_id: t for t in load_templates()}
    items: list[tuple[str, str, str, Image]] = []
    engine = build_engine(EngineOptions(model_cache_dir=Path(tempfile.mkdtemp())))
    with tempfile.TemporaryDirectory() as tmp:
        import json

        for path in generate(Path(tmp), forms, seed, today=date(2026, 11, 1)):
            data = path.read_bytes()
            golden = json.loads(path.with_name(path.name + ".golden.json").read_text(encoding="utf-8"))[
                "documents"
            ][0]
            page = rasterize(data, sniff_type(data[:2048]) or "", RasterLimits(dpi=DPI))[0]
            found = identify(page, list(templates.values()), engine, DPI)
            if found is None:
                continue
            plan = plan_crops(found.template, page_paper(found.template, found.aligned, DPI))
            for (name, part), crop in zip(plan.keys, plan.crops, strict=True):
                if part in ("left", "right"):
                    continue
                spec = found.template.field(name)
                truth = _truth(spec.type, part, golden["fields"].get(name))
                if truth is not None:
                    items.append(
                        (
                            _kind(spec.type, name),
                            f"{spec.type}:{part}",
                            _comparable(truth, part, spec.type),
                            crop,
                        )
                    )
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description="OCR benchmark on generated field crops")
    parser.add_argument("--forms", type=int, default=40)
    parser.add_argument("--seed", type=int, default=9001)
    parser.add_argument("--threshold", type=float, default=0.90)
    args = parser.parse_args()

    items = collect(args.forms, args.seed)
    crops = [crop for _, _, _, crop in items]
    engines = {"PP-OCRv6_small": "PP-OCRv6_small_rec", "PP-OCRv5_mobile": "PP-OCRv5_mobile_rec"}
    outputs = {}
    speed = {}
    for label, model in engines.items():
        engine = build_engine(EngineOptions(rec_model=model, model_cache_dir=Path(tempfile.mkdtemp())))
        engine.recognize(crops[:8])  # warm-up
        started = time.perf_counter()
        outputs[label] = engine.recognize(crops)
        speed[label] = (time.perf_counter() - started) * 1000 / max(len(crops), 1)

    print(
        f"OCR benchmark: {len(items)} field crops from {args.forms} generated scans (seed {args.seed}), {DPI} dpi, 2 threads"
    )
    print(f"{'engine':<17}{'kind':<12}{'crops':>6}{'CER %':>8}{'exact %':>9}")
    for label, results in outputs.items():
        per_kind: dict[str, list[tuple[int, int, bool]]] = defaultdict(list)
        for (kind, part, truth, _), result in zip(items, results, strict=True):
            field_type, _, crop_part = part.partition(":")
            read = _comparable(result.text, crop_part, field_type)
            per_kind[kind].append((levenshtein(read, truth), len(truth), read == truth))
            per_kind["ALL"].append((levenshtein(read, truth), len(truth), read == truth))
        for kind in sorted(per_kind, key=lambda k: (k == "ALL", k)):
            rows = per_kind[kind]
            cer = 100 * sum(r[0] for r in rows) / max(sum(r[1] for r in rows), 1)
            exact = 100 * sum(r[2] for r in rows) / len(rows)
            print(f"{label:<17}{kind:<12}{len(rows):>6}{cer:>8.2f}{exact:>9.1f}")
        print(f"{label:<17}{'speed':<12}{'':>6}{speed[label]:>8.1f} ms/crop (batched)")

    primary, second = outputs["PP-OCRv6_small"], outputs["PP-OCRv5_mobile"]
    errors = caught = flagged = flagged_or_low = caught_or_low = 0
    for (_kind, part, truth, _), a, b in zip(items, primary, second, strict=True):
        field_type, _, crop_part = part.partition(":")
        read_a = _comparable(a.text, crop_part, field_type)
        disagree = bool(disagreements([("f", crop_part)], [a], [b]))  # the pipeline's own rule
        low = a.confidence < args.threshold
        flagged += disagree
        flagged_or_low += disagree or low
        if read_a != truth:
            errors += 1
            caught += disagree
            caught_or_low += disagree or low
    n = len(items)
    print(
        f"cross-check (v5 disagrees): catches {caught}/{errors} primary errors ({100 * caught / max(errors, 1):.0f} %), flags {100 * flagged / n:.1f} % of crops"
    )
    print(
        f"cross-check or confidence < {args.threshold}: catches {caught_or_low}/{errors} ({100 * caught_or_low / max(errors, 1):.0f} %), flags {100 * flagged_or_low / n:.1f} % of crops"
    )
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
