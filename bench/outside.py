"""Accuracy on a set of scans filled by other people, scored by the set's own scorer.

    python -m bench.outside [SET] [--out DIR]

``SET`` (default ``../shared/outside-set``) holds ``scans/`` (each file with its
``NAME.truth.json``) and ``score.py``. Every scan is read as a user reads it, with
``kakunin extract`` (all files in one run, one JSON per file in ``--out``), then the set's
scorer prints its table: classification, exact match per type, auto-accept error rate,
review rate, clean forms flagged, negative cases. Kakunin is never tuned on such a set: its
figures are reported beside those of ``bench.accuracy`` to show the gap between our scans and
the world's.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_SET = Path(__file__).resolve().parents[1].parent / "shared" / "outside-set"


def scans_of(folder: Path) -> list[Path]:
    """The scans of a set: every file of ``scans/`` but the truth files and the manifest."""
    return sorted(
        p
        for p in (folder / "scans").iterdir()
        if p.is_file() and not p.name.endswith(".truth.json") and p.name != "manifest.json"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="accuracy on scans filled by other people")
    parser.add_argument("set", nargs="?", type=Path, default=DEFAULT_SET, help="the set's folder")
    parser.add_argument(
        "--out", type=Path, help="keep the extraction JSON here (default: a temporary folder)"
    )
    args = parser.parse_args()
    scorer = args.set / "score.py"
    if not (args.set / "scans").is_dir() or not scorer.is_file():
        parser.error(f"{args.set}: expected scans/ and score.py in it")
    out = args.out or Path(tempfile.mkdtemp(prefix="kakunin-outside-"))
    out.mkdir(parents=True, exist_ok=True)
    files = scans_of(args.set)
    started = time.perf_counter()
    # The CLI as a user runs it; a file it refuses (exit status 2) is part of the score.
    cli = [sys.executable, "-c", "from intake.cli import main; main()", "extract", *map(str, files)]
    subprocess.run([*cli, "--out", str(out)], check=False, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    subprocess.run([sys.executable, str(scorer), str(args.set / "scans"), str(out)], check=True)
    kept = f"; JSON in {out}" if args.out else ""
    print(f"{len(files)} files read in {seconds:.0f} s ({seconds / max(len(files), 1):.1f} s/file){kept}")
    if args.out is None:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
