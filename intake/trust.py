"""The trust gate of onboarded forms (issue 14): a form version is 本番 (production) or 試行中
(trial). The shipped templates (``extractors/templates``) are always production; a template
loaded from a ``KAKUNIN_FORMS_DIRS`` folder is on trial until an admin promotes it, and the
trial is for that template *content*: its state is stored with a fingerprint of the template
JSON and its blank, so an edited file (same id and version, other content) is on trial again.

A form read with a template on trial is read as any other, but every field goes to a person
(:func:`gate`, finding ``form_on_trial``): nothing of it is auto-accepted, so none of its
records reaches the issuance rules before a person confirmed every value. The worker applies
the gate (:func:`gated`) where the state is known; the extractors never see it. An admin
promotes a version once ``Settings.form_trial_pages`` of its forms were reviewed
(:func:`promote`, audited), and may put it back on trial (:func:`demote`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from sqlalchemy.orm import Session

from extractors.model import FieldReading, Finding, FormReading
from extractors.template import TEMPLATE_DIR, installed_dirs
from intake.errors import ErrorCode
from intake.services import Services
from intake.store import form_trust, repo
from intake.store.db import transaction
from intake.store.form_trust import TrialBatch, TrialPage, VersionKey


class Trust(StrEnum):
    """A form version's state; stored as its value in ``form_trust.state``."""

    PRODUCTION = "production"
    TRIAL = "trial"


#: What people call each state.
LABELS = {Trust.PRODUCTION: "本番", Trust.TRIAL: "試行中"}
#: The finding on every form read with a template on trial (a stable code, as the others).
FORM_ON_TRIAL = "form_on_trial"
TRIAL_MESSAGE = "新しい様式（試行中）です。全項目を確認してください。"
#: Who may change a version's state.
ADMIN = "admin"


@dataclass(frozen=True)
class InstalledVersion:
    """One installed template file: its form, version, name, where it lies, whether it is a
    shipped template (always production) and its content's fingerprint."""

    form_id: str
    version: str
    name: str
    path: Path
    shipped: bool
    fingerprint: str

    @property
    def key(self) -> VersionKey:
        """This content's key in the store."""
        return VersionKey(self.form_id, self.version, self.fingerprint)


@dataclass(frozen=True)
class VersionState:
    """An installed version with its state, who set it last and its first batch's figures
    (all zero for a version no form was read with on trial)."""

    version: InstalledVersion
    trust: Trust
    changed_by: str | None
    batch: TrialBatch

    @property
    def label(self) -> str:
        """本番 or 試行中."""
        return LABELS[self.trust]


class TrustRefused(Exception):
    """A change of state the server refuses: a stable ``code`` and a Japanese message."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def fingerprint(template_json: bytes, blank: bytes) -> str:
    """The sha256 of a template's content: its JSON and its blank, each length-prefixed."""
    digest = hashlib.sha256()
    for part in (template_json, blank):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@lru_cache(maxsize=256)
def _meta(path: Path, mtime_ns: int, size: int) -> tuple[str, str, str, Path] | None:
    """(form id, version, name, blank) of a template file as it is at ``mtime_ns``/``size``
    (the cache key); None for a file that is no template."""
    try:
        raw = json.loads(path.read_bytes())
        name = str(raw.get("name") or raw.get("title") or "")
        blank = path.parent / Path(str(raw["blank_pdf"])).name
        return str(raw["form_id"]), str(raw["form_version"]), name, blank
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


@lru_cache(maxsize=256)
def _digest(path: Path, stamp: tuple[int, int], blank: Path, blank_stamp: tuple[int, int]) -> str:
    """The fingerprint of a template file and its blank as they are at their stamps (the
    cache key: either file changed, it is read again)."""
    return fingerprint(path.read_bytes(), blank.read_bytes())


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def installed_versions() -> tuple[InstalledVersion, ...]:
    """Every template file of the installed folders (those the templates load from), with its
    content's fingerprint; a file that is no template is left out. Read again whenever a
    template or its blank changes on disk."""
    found: list[InstalledVersion] = []
    for folder in installed_dirs():
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            try:
                stamp = _stamp(path)
                meta = _meta(path, *stamp)
                if meta is None:
                    continue
                form_id, version, name, blank = meta
                digest = _digest(path, stamp, blank, _stamp(blank))
            except OSError:
                continue
            found.append(InstalledVersion(form_id, version, name, path, _shipped(folder), digest))
    return tuple(found)


def _shipped(folder: Path) -> bool:
    return folder.resolve() == TEMPLATE_DIR.resolve()


def installed_version(form_id: str, version: str) -> InstalledVersion | None:
    """The installed file of a form's version (None: not installed)."""
    return next((v for v in installed_versions() if (v.form_id, v.version) == (form_id, version)), None)


def trust_of(session: Session, version: InstalledVersion) -> Trust:
    """A version's state: a shipped template is production; a folder template is on trial
    until its content was promoted (and stays promoted only while that content is installed)."""
    if version.shipped:
        return Trust.PRODUCTION
    stored = form_trust.entry(session, version.key)
    return Trust(stored.state) if stored is not None else Trust.TRIAL


def gate(form: FormReading, trust: Trust) -> FormReading:
    """A form read with a template on trial: every field to a person, with the finding that
    says why (a form of a version in production, or none of ours, is returned as it is)."""
    if trust is Trust.PRODUCTION or form.form_id is None:
        return form
    fields: tuple[FieldReading, ...] = tuple(replace(f, needs_review=True) for f in form.fields)
    finding = Finding(None, FORM_ON_TRIAL, TRIAL_MESSAGE)
    return replace(form, fields=fields, findings=(finding, *form.findings))


def gated(
    services: Services, forms: Sequence[FormReading]
) -> tuple[tuple[FormReading, ...], list[TrialPage]]:
    """The forms of a document with the gate applied, and those read on trial (by their
    index among ``forms``) to note with the readings. A form whose version is no longer
    installed as read (the file changed under the worker) is on trial too, unnoted."""
    out: list[FormReading] = []
    pages: list[TrialPage] = []
    with transaction(services.sessions) as session:
        for index, form in enumerate(forms):
            if form.form_id is None:
                out.append(form)
                continue
            installed = installed_version(form.form_id, form.form_version or "")
            trust = trust_of(session, installed) if installed is not None else Trust.TRIAL
            if trust is Trust.TRIAL and installed is not None:
                pages.append(TrialPage(index, installed.key))
            out.append(gate(form, trust))
    return tuple(out), pages


def states(services: Services) -> list[VersionState]:
    """Every installed version with its state and its first batch (the admin screen, ``kakunin
    forms list``)."""
    with transaction(services.sessions) as session:
        return [_state(session, version) for version in installed_versions()]


def _state(session: Session, version: InstalledVersion) -> VersionState:
    stored = None if version.shipped else form_trust.entry(session, version.key)
    return VersionState(
        version,
        trust_of(session, version),
        stored.changed_by if stored else None,
        form_trust.trial_batch(session, version.key),
    )


def promote(services: Services, form_id: str, version: str, actor: str, role: str) -> VersionState:
    """Put a version on trial into production: only an admin, only once
    ``Settings.form_trial_pages`` of its forms were reviewed; audited (``form_promoted``, or
    ``form_promotion_refused`` with the reason). Raises :class:`TrustRefused`."""
    needed = services.settings.form_trial_pages
    try:
        with transaction(services.sessions) as session:
            current = _changeable(session, form_id, version, role, Trust.TRIAL)
            batch = current.batch
            if batch.pages_reviewed < needed:
                raise TrustRefused(
                    ErrorCode.STATE,
                    f"確認済みのページが {batch.pages_reviewed} 枚です。"
                    f"本番に切り替えるには {needed} 枚以上の確認が必要です",
                )
            form_trust.set_state(session, current.version.key, Trust.PRODUCTION.value, actor)
            repo.audit(
                session,
                actor,
                "form_promoted",
                form_id=form_id,
                form_version=version,
                fingerprint=current.version.fingerprint,
                pages_reviewed=batch.pages_reviewed,
                fields_reviewed=batch.fields_reviewed,
                fields_corrected=batch.fields_corrected,
            )
    except TrustRefused as refused:
        _refused(services, actor, "form_promotion_refused", form_id, version, refused)
        raise
    return replace(current, trust=Trust.PRODUCTION, changed_by=actor)


def demote(services: Services, form_id: str, version: str, actor: str, role: str) -> VersionState:
    """Put a version in production back on trial (every field to a person again); only an
    admin, audited (``form_demoted``, or ``form_demotion_refused``). Raises :class:`TrustRefused`."""
    try:
        with transaction(services.sessions) as session:
            current = _changeable(session, form_id, version, role, Trust.PRODUCTION)
            form_trust.set_state(session, current.version.key, Trust.TRIAL.value, actor)
            repo.audit(
                session,
                actor,
                "form_demoted",
                form_id=form_id,
                form_version=version,
                fingerprint=current.version.fingerprint,
            )
    except TrustRefused as refused:
        _refused(services, actor, "form_demotion_refused", form_id, version, refused)
        raise
    return replace(current, trust=Trust.TRIAL, changed_by=actor)


def _refused(
    services: Services, actor: str, action: str, form_id: str, version: str, refused: TrustRefused
) -> None:
    """A refused change of state, audited with its reason (in a transaction of its own)."""
    with transaction(services.sessions) as session:
        repo.audit(session, actor, action, form_id=form_id, form_version=version, reason=refused.message)


def _changeable(session: Session, form_id: str, version: str, role: str, expected: Trust) -> VersionState:
    """The installed version whose state ``role`` may change from ``expected``; else refused."""
    if role != ADMIN:
        raise TrustRefused(ErrorCode.FORBIDDEN, "様式の本番・試行の切り替えは管理者のみできます")
    installed = installed_version(form_id, version)
    if installed is None:
        raise TrustRefused(ErrorCode.NOT_FOUND, f"{form_id} の版 {version} は登録されていません")
    if installed.shipped:
        raise TrustRefused(ErrorCode.STATE, "同梱の様式は常に本番です")
    current = _state(session, installed)
    if current.trust is not expected:
        raise TrustRefused(ErrorCode.STATE, f"{form_id} の版 {version} はすでに{current.label}です")
    return current
