"""A worker runs at a lower CPU priority than the web (KAKUNIN_WORKER_NICE): OCR is batch work,
a reviewer's page is a person waiting."""

from __future__ import annotations

import os
import subprocess
import sys

from intake.settings import Settings


def test_a_worker_lowers_its_own_priority_by_the_setting() -> None:
    code = "from intake.worker import lower_priority; print(lower_priority(7))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert int(out.stdout) == min(os.nice(0) + 7, 19)


def test_the_default_puts_workers_below_the_web() -> None:
    assert Settings().worker_nice == 10
