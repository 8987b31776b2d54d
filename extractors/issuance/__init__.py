"""Issuance rules R1–R18 of the forms README §4, as small pure functions, and ``decide``."""

from extractors.issuance.decide import RULES, decide
from extractors.issuance.model import Context, Decision, DecisionKind, Outcome, Person, Record

__all__ = ["RULES", "Context", "Decision", "DecisionKind", "Outcome", "Person", "Record", "decide"]
