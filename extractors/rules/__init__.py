"""Issuance rules R1–R18 of the forms README §4, as small pure functions, and ``decide``."""

from extractors.rules.decide import RULES, decide
from extractors.rules.model import Context, Decision, DecisionKind, Outcome, Person, Record

__all__ = ["RULES", "Context", "Decision", "DecisionKind", "Outcome", "Person", "Record", "decide"]
