"""The notification deadline of rule 17: one check for the forms' findings and for R17.

SK-02 and SK-04 are due within :data:`params.DEADLINE_DAYS` days of the event (forms README §4
rule 17); a late form is still processed, with a warning. R17 looks at every date of the form
that starts the deadline (§4a): every dependent's 異動年月日 and each change date.
"""

from __future__ import annotations

from datetime import date

from extractors.issuance import params

#: Per form, the fields holding an event's date that starts the deadline (§3.2, §3.4, §4a).
EVENT_DATES: dict[str, tuple[str, ...]] = {
    "hifuyosha_ido": ("dep1_change_date", "dep2_change_date", "dep3_change_date"),
    "jusho_shimei_henko": ("name_change_date", "address_change_date"),
}


def is_late(event: date | None, submitted: date | None) -> bool:
    """R17: the form came more than ``DEADLINE_DAYS`` days after the event (unknown dates: not late)."""
    return event is not None and submitted is not None and (submitted - event).days > params.DEADLINE_DAYS


def late_message(event: str) -> str:
    """The warning on a late form, for an event named in Japanese (異動, 変更)."""
    return f"{event}から{params.DEADLINE_DAYS}日を過ぎた届出です（処理は行います）"
