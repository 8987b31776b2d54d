"""The processes a benchmark started: the peak memory of `kakunin run`'s workers."""

from __future__ import annotations

from pathlib import Path


def worker_peak_rss(parent: int) -> dict[int, float]:
    """VmHWM (peak RSS, MB) of every `kakunin worker` child of ``parent``, by pid."""
    peaks: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # the process ended while being read
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("PPid", "0").strip() or 0) == parent and "intake.cli worker" in cmdline:
            peaks[int(entry.name)] = int(fields.get("VmHWM", "0 kB").split()[0]) / 1024
    return peaks
