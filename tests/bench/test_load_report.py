"""The load benchmark's clerks arrive over the first seconds and its summary holds the screens
and the API to the p95 target with login reported apart (issue 19 item 8): twenty argon2 hashes
at the same instant measured the benchmark, not the service."""

from __future__ import annotations

import pytest

from bench import load


def test_clerks_log_in_one_after_the_other_over_the_spread() -> None:
    delays = load.login_delays(20, 20.0)
    assert len(delays) == 20 and delays[0] == 0.0 and delays[-1] == pytest.approx(19.0)
    assert all(b - a == pytest.approx(1.0) for a, b in zip(delays, delays[1:], strict=False))
    assert load.login_delays(0, 20.0) == []
    args = load.parse(["--minutes", "5"])
    assert args.login_spread == 20.0


def _figures(login_p95: float, image_p95: float) -> dict[str, object]:
    group = {"n": 10, "p50": 0.01, "p95": 0.05}
    return {
        "minutes": 5,
        "reviewers": 20,
        "uploads_per_minute": 60,
        "workers": 2,
        "login_spread": 20.0,
        "groups": {
            "api": group,
            "image": {"n": 10, "p50": 0.02, "p95": image_p95},
            "login": {"n": 40, "p50": 0.4, "p95": login_p95},
            "queue": group,
        },
        "errors": {},
        "error_count": 0,
        "conflicts": 0,
        "queue_p95_first_minute": 0.05,
        "queue_p95_last_minute": 0.05,
        "open_tasks_first_minute": 3,
        "open_tasks_last_minute": 30,
        "worker_peak_rss_mb": [700.0, 650.0],
        "documents": {},
        "invariant_ok": True,
    }


def test_the_summary_leaves_login_out_of_the_screens_target_and_says_why(
    capsys: pytest.CaptureFixture[str],
) -> None:
    load.report(_figures(login_p95=1.666, image_p95=0.120))
    out = capsys.readouterr().out
    summary = next(line for line in out.splitlines() if line.startswith("summary:"))
    assert "worst p95 of screens and API 120 ms (image;" in summary
    login = next(line for line in out.splitlines() if line.startswith("login apart:"))
    assert "1666 ms" in login and "argon2id" in login and "20 s" in login
    assert any(line.split()[:1] == ["login"] for line in out.splitlines())  # still in the table
