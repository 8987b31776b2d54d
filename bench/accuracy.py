"""Accuracy benchmark: generated, scanned forms that no test was tuned on (own seed).

    python -m bench.accuracy [--forms 48] [--seed 4242] [--broken-share 0.25] [--no-crosscheck]
                             [--hands dev|held-out|typed] [--seals 0.3] [--show-errors]
                             [--only FORM_ID ...] [--employer-master] [--employers CSV]
    python -m bench.accuracy --scans DIR     # your own scans, each with <file>.golden.json

Prints form identification, field exact match overall and per value type, tick/choice
accuracy, the auto-accept error rate (wrong among fields not sent to review), the review
rate, finding recall on deliberately broken forms, false findings on clean forms, the answer
to bad inputs, and seconds per page.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from extractors.route import WARNINGS
from extractors.template import load_templates
from fixtures.generate import HANDS, generate
from fixtures.samples import _negatives
from intake.cli import _extract_one
from intake.employers import load_file
from intake.settings import Settings
from ocr.engine import build_engine

MARK_TYPES = {"checkbox", "choice", "checkbox_group"}
#: The employer block (forms README §3) and what the 事業所 master says of it.
EMPLOYER_BLOCK = {"employer_address", "employer_phone", "employer_name", "employer_owner_name"}
MASTER_CODES = ("employer_proposed", "employer_mismatch")


def main() -> None:
    parser = argparse.ArgumentParser(description="accuracy benchmark on generated scans")
    parser.add_argument("--forms", type=int, default=48)
    parser.add_argument("--seed", type=int, default=4242)
    parser.add_argument("--broken-share", type=float, default=0.25)
    parser.add_argument("--no-crosscheck", action="store_true")
    parser.add_argument(
        "--hands", choices=sorted(HANDS), default="dev", help="handwriting fonts of the scans"
    )
    parser.add_argument(
        "--seals", type=float, default=0.3, help="share of forms with a red seal over an employer field"
    )
    parser.add_argument("--show-errors", action="store_true", help="print every wrong field")
    parser.add_argument(
        "--only",
        action="append",
        metavar="FORM_ID",
        help="generate only this form (repeatable; a form installed by KAKUNIN_FORMS_DIRS too)",
    )
    parser.add_argument(
        "--scans",
        type=Path,
        help="score this folder's scans instead of generated ones: every file with a "
        "<name>.golden.json beside it (the format of fixtures/samples/)",
    )
    parser.add_argument(
        "--employer-master",
        action="store_true",
        help="generate each employer block's address and phone as fixtures/employers_sample.csv has them",
    )
    parser.add_argument(
        "--employers",
        type=Path,
        help="check the employer blocks against this 事業所 master CSV (kakunin extract --employers)",
    )
    parser.add_argument(
        "--keep-scans",
        type=Path,
        metavar="DIR",
        help="write the generated scans (and their .golden.json) into DIR and keep them, to look "
        "at what was filled where (otherwise they go with the run's temporary folder)",
    )
    args = parser.parse_args()
    if args.scans and not args.scans.is_dir():
        parser.error(f"--scans {args.scans}: not a folder")

    types = {t.form_id: {f.name: f.type for f in t.fields} for t in load_templates()}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        settings = Settings(data_dir=root / "var")
        # The engines a worker builds (KAKUNIN_OCR__* settings apply), so the figures are the service's.
        engine = build_engine(settings.engine_options())
        crosscheck_options = None if args.no_crosscheck else settings.crosscheck_options()
        crosscheck = build_engine(crosscheck_options) if crosscheck_options else None
        scans = (
            golden_scans(args.scans)
            if args.scans
            else generate(
                args.keep_scans or root / "scans",
                args.forms,
                args.seed,
                today=date(2026, 11, 1),
                broken_share=args.broken_share,
                hands=args.hands,
                seals=args.seals,
                forms=args.only,
                employers=args.employer_master,
            )
        )
        master = load_file(args.employers).employers if args.employers else ()
        if not scans:
            raise SystemExit(f"no scans with a .golden.json beside them in {args.scans}")

        identified = per_type_total = 0
        per_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        accepted = accepted_wrong = reviewed = fields = right = 0
        broken = broken_found = clean = clean_flagged = 0
        seconds = 0.0
        documents = 0
        named = 0  # documents identified as any form
        block = [0, 0]  # employer block fields read right, of
        # per master finding: how many, and how many were wrong (a proposal not the golden value,
        # a mismatch where the reading was right)
        master_counts = {code: [0, 0] for code in MASTER_CODES}
        for path in scans:
            golden = json.loads(path.with_name(path.name + ".golden.json").read_text(encoding="utf-8"))
            started = time.perf_counter()
            result = _extract_one(path, settings, engine, crosscheck, master)
            seconds += time.perf_counter() - started
            for index, expected in enumerate(golden["documents"]):
                got_documents = result["documents"]
                document: dict[str, Any] = got_documents[index] if index < len(got_documents) else {}
                documents += 1
                named += document.get("form_id") is not None
                if document.get("form_id") != expected["form_id"]:
                    continue
                identified += 1
                if expected["form_id"] is None:
                    continue
                by_master = {
                    (f["field"], f["code"]) for f in document["findings"] if f["code"] in MASTER_CODES
                }
                for name, want in expected["fields"].items():
                    got = document["fields"][name]
                    ok = got["value"] == want
                    if name in EMPLOYER_BLOCK:
                        block[0] += ok
                        block[1] += 1
                    for code in MASTER_CODES:
                        if (name, code) in by_master:
                            master_counts[code][0] += 1
                            master_counts[code][1] += (got["value"] != want) == (code == "employer_proposed")
                    if not ok and args.show_errors:
                        print(
                            f"  {path.name}: {name} read {got['value']!r} want {want!r} conf {got['confidence']} review {got['needs_review']}"
                        )
                    kind = types[expected["form_id"]][name]
                    per_type[kind][0] += ok
                    per_type[kind][1] += 1
                    fields += 1
                    right += ok
                    if got["needs_review"]:
                        reviewed += 1
                    else:
                        accepted += 1
                        accepted_wrong += not ok
                codes = {f["code"] for f in document["findings"] if f["code"] not in WARNINGS}
                if golden.get("expected_finding"):
                    broken += 1
                    broken_found += golden["expected_finding"] in codes
                    if golden["expected_finding"] not in codes and args.show_errors:
                        print(
                            f"  {path.name}: broken rule {golden['expected_finding']} not found; findings {sorted(codes)}"
                        )
                else:
                    clean += 1
                    clean_flagged += bool(codes)
                    if codes and args.show_errors:
                        print(f"  {path.name}: clean form with findings {sorted(codes)}")
                per_type_total += 1

        bad = _bad_inputs(root, settings, engine)

    n = len(scans)
    described = (
        f"{n} scans from {args.scans}"
        if args.scans
        else f"{n} generated scans (seed {args.seed}, {args.hands} hands, {100 * args.seals:.0f} % sealed;"
        " 200/300 dpi, grey/colour/1-bit, skew, noise, ~20 % upside down)"
    )
    print(
        f"Accuracy benchmark: {described}, cross-check "
        f"{crosscheck_options.rec_model if crosscheck_options else 'off'}, "
        f"narrowest recogniser input {settings.ocr.min_rec_width} px (digits {settings.ocr.digits_min_rec_width})"
    )
    print(f"{'metric':<44}{'value':>12}")
    rows = [
        ("form identification", f"{100 * identified / max(documents, 1):.1f} % of {documents}"),
        ("field exact match (all fields)", f"{100 * right / max(fields, 1):.1f} %"),
        *[
            (f"  {kind}", f"{100 * ok / total:.1f} % of {total}")
            for kind, (ok, total) in sorted(per_type.items())
        ],
        (
            "ticks and choices",
            f"{100 * sum(per_type[k][0] for k in MARK_TYPES) / max(sum(per_type[k][1] for k in MARK_TYPES), 1):.1f} %",
        ),
        ("review rate (fields sent to a person)", f"{100 * reviewed / max(fields, 1):.1f} %"),
        (
            "auto-accept error rate",
            f"{100 * accepted_wrong / max(accepted, 1):.2f} % ({accepted_wrong}/{accepted})",
        ),
        (
            "finding recall on broken forms",
            f"{100 * broken_found / max(broken, 1):.0f} % ({broken_found}/{broken})",
        ),
        (
            "clean forms with a false finding",
            f"{100 * clean_flagged / max(clean, 1):.1f} % ({clean_flagged}/{clean})",
        ),
        (
            "bad inputs answered right",
            f"{sum(bad.values())}/{len(bad)} {[k for k, ok in bad.items() if not ok] or ''}",
        ),
        ("employer block exact match", f"{100 * block[0] / max(block[1], 1):.1f} % of {block[1]}"),
        *[
            (f"  {code} (wrong)", f"{count} ({wrong})")
            for code, (count, wrong) in master_counts.items()
            if master
        ],
        ("seconds per page (extract, 2 cores)", f"{seconds / n:.2f}"),
    ]
    for label, value in rows:
        print(f"{label:<44}{value:>12}")
    if documents and not named:
        print(
            f"WARNING: no page was identified as any form ({documents} documents): nothing was read, "
            "every field figure above is 0 for that reason, not for the readers"
        )
    print(
        f"summary: exact {100 * right / max(fields, 1):.1f} %, review {100 * reviewed / max(fields, 1):.1f} %, "
        f"auto-accept errors {100 * accepted_wrong / max(accepted, 1):.2f} %, {seconds / n:.2f} s/page"
    )


def golden_scans(folder: Path) -> list[Path]:
    """Every scan in ``folder`` with its expected reading beside it (``<name>.golden.json``)."""
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.with_name(p.name + ".golden.json").exists()
    )


def _bad_inputs(root: Path, settings: Settings, engine: Any) -> dict[str, bool]:
    """Negative inputs must get the right error code or form_id null, never a crash."""
    out = root / "bad"
    out.mkdir()
    _negatives(out)
    letter = (out / "negative_letter.png").read_bytes()
    (out / "empty.pdf").write_bytes(b"")
    (out / "truncated.png").write_bytes(letter[: len(letter) // 3])
    (out / "png_named.pdf").write_bytes(letter)
    expect = {
        "empty.pdf": ("error", "empty"),
        "truncated.png": ("error", "unreadable"),
        "negative_blank_page.png": ("error", "empty"),
        "negative_letter.png": ("form", None),
        "png_named.pdf": ("form", None),
    }
    results = {}
    for name, (kind, want) in expect.items():
        result = _extract_one(out / name, settings, engine, None)
        if kind == "error":
            results[name] = (result["error"] or {}).get("code") == want
        else:
            results[name] = result["error"] is None and [d["form_id"] for d in result["documents"]] == [want]
    return results


if __name__ == "__main__":
    main()
