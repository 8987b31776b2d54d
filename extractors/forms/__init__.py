"""Cross-field checks of each form (forms README §3), as code citing the row they enforce."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from extractors.forms import hifuyosha_ido, jusho_shimei_henko, kofu_shinsei, messhitsu
from extractors.forms.common import Values
from extractors.model import Finding

CHECKS: dict[str, Callable[[Values, date], list[Finding]]] = {
    "kofu_shinsei": kofu_shinsei.check,
    "hifuyosha_ido": hifuyosha_ido.check,
    "messhitsu": messhitsu.check,
    "jusho_shimei_henko": jusho_shimei_henko.check,
}


def check_form(form_id: str, values: Mapping[str, object], today: date) -> list[Finding]:
    """Every cross-field finding of one form; a form without checks has none."""
    check = CHECKS.get(form_id)
    return check(Values(values), today) if check else []
