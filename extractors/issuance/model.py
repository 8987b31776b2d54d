"""What the issuance rules take and give: frozen records, context and decisions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from extractors.model import Finding


class DecisionKind(StrEnum):
    """The closed set of things the society does with a validated record."""

    ISSUE_VIA_EMPLOYER = "issue_via_employer"
    ISSUE_TO_HOME = "issue_to_home"
    REISSUE_PENDING_FEE = "reissue_pending_fee"
    REISSUE = "reissue"
    NO_ISSUE = "no_issue"
    UPDATE_RECORD = "update_record"
    WITHDRAW = "withdraw"  # the card is invalid and must come back (or is recorded as lost)
    REFUSE = "refuse"
    NEEDS_DOCUMENTS = "needs_documents"


#: When outcomes of several rules disagree, the record's decision is the first of these.
PRECEDENCE = [
    DecisionKind.REFUSE,
    DecisionKind.NEEDS_DOCUMENTS,
    DecisionKind.REISSUE_PENDING_FEE,
    DecisionKind.REISSUE,
    DecisionKind.ISSUE_TO_HOME,
    DecisionKind.ISSUE_VIA_EMPLOYER,
    DecisionKind.WITHDRAW,
    DecisionKind.UPDATE_RECORD,
    DecisionKind.NO_ISSUE,
]


@dataclass(frozen=True)
class Person:
    """A roster entry: what the society knows of a member or dependent."""

    symbol: str
    number: str
    name: str
    name_kana: str
    birth_date: date
    can_use_myna: bool
    voluntary: bool = False
    certificate_expiry: date | None = None
    dependent_of: str | None = None  # "symbol-number" of the insured, for dependents
    #: The last day of the 任意継続 period (roster column ``voluntary_until``): caps R13.
    voluntary_until: date | None = None


@dataclass(frozen=True)
class Record:
    """A validated form (``form_id``) or an event without a form (``event``), canonical values."""

    values: Mapping[str, Any]
    form_id: str | None = None
    #: "new_employee", "shokken_list", "myna_registered", "cert_expired" (R2, R11, R15);
    #: "retired", "died", "turned_75", "voluntary_ended" (R12) and "card_expiry" (R13), each
    #: with the person's ``name`` and the event's ``date``.
    event: str | None = None


@dataclass(frozen=True)
class Context:
    today: date
    #: Persons of the roster this record is about, by name (as written, spaces removed).
    persons: Mapping[str, Person] = field(default_factory=dict)
    #: The reissue fee has been seen on the society's account (office check).
    fee_confirmed: bool = False
    #: The form's own findings still there after review (§4a "Applicant errors left after
    #: review"): those that are the applicant's errors make the record ``needs_documents``.
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """One rule's conclusion: its number, what to do, why in words a clerk uses, the facts used."""

    rule: str
    decision: DecisionKind
    explanation: str
    facts: Mapping[str, Any] = field(default_factory=dict)
    person: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "decision": self.decision.value,
            "explanation": self.explanation,
            "facts": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.facts.items()},
            "person": self.person,
        }


#: The kinds by which a person gets (or will get, once the fee is seen) a card.
ISSUE_KINDS = frozenset(
    {
        DecisionKind.ISSUE_VIA_EMPLOYER,
        DecisionKind.ISSUE_TO_HOME,
        DecisionKind.REISSUE_PENDING_FEE,
        DecisionKind.REISSUE,
    }
)


@dataclass(frozen=True)
class PersonDecision:
    """What happens to one person named on the form or event (§4a "Per person")."""

    name: str
    kind: DecisionKind
    valid_until: date | None = None
    delivery: str | None = None  # "employer" or "home" for a card; "employer" or "union" for a return

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "decision": self.kind.value,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "delivery": self.delivery,
        }


@dataclass(frozen=True)
class Decision:
    kind: DecisionKind
    outcomes: tuple[Outcome, ...]
    persons: tuple[PersonDecision, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "decision": self.kind.value,
            "outcomes": [o.to_json() for o in self.outcomes],
            "persons": [p.to_json() for p in self.persons],
        }
