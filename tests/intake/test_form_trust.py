"""The trust gate (issue 14): a form version installed from a forms folder is 試行中 (trial)
until an admin promotes it; a page read with it sends every field to a person with the
finding ``form_on_trial``; promotion needs ``Settings.form_trial_pages`` reviewed forms, an
admin, and is audited; an edited template file (same id and version, other content) is on
trial again; the shipped forms are always 本番 (production).

The page is 協会けんぽ's 交付申請書 (fixtures/forms-kyokai) as a born-digital PDF, read from
its text layer by a real worker (no OCR)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfWriter
from sqlalchemy import select

from extractors.digital import read_digital
from extractors.template import load_templates
from intake import confirm, jobs, review, trust
from intake.accept import accept
from intake.auth import User
from intake.services import Services
from intake.settings import Settings
from intake.store import repo
from intake.store.db import transaction
from intake.store.models import AuditEventRow, FieldReadingRow, ReviewTaskRow
from intake.worker import queue_worker
from ocr.types import EngineInfo
from tests.conftest import KYOKAI_KOFU

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

FORM = "kyokai_kofu_shinsei"
VERSION = "KY-01 (2024.12) v2"
ADMIN = User(1, "adm", "admin", False)
REVIEWER = User(2, "rev", "reviewer", False)
TODAY = date(2026, 11, 20)


class NoOcr:
    """An engine that must not be called: a text layer needs no OCR."""

    info = EngineInfo("none", "0", ())

    def recognize(self, crops: Sequence[Any], alphabets: Sequence[str | None] | None = None) -> list[Any]:
        raise AssertionError("OCR called on a born-digital PDF")

    def read_page(self, page: Any) -> list[Any]:
        raise AssertionError("OCR called on a born-digital PDF")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Two reviewed forms are enough to promote, in these tests."""
    return settings.model_copy(update={"form_trial_pages": 2})


@pytest.fixture
def worker(services: Services, kyokai_kofu_folder: Path) -> Iterator[None]:
    jobs._context = jobs.WorkerContext(services, NoOcr())
    yield
    jobs._context = None


def _page(folder: Path, copy: int) -> bytes:
    """The 交付申請書 as a born-digital PDF (its blank: a text layer, no writing), one copy of
    it (other bytes, so not a duplicate of the others)."""
    writer = PdfWriter(clone_from=folder / f"{KYOKAI_KOFU}.pdf")
    writer.add_metadata({"/Title": f"copy {copy}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _read(services: Services, folder: Path, copy: int) -> int:
    """A copy of the page accepted and read by a worker; the document's id."""
    document_id = accept(services, _page(folder, copy), f"kofu{copy}.pdf", "upload").document.id
    queue_worker(services).work(burst=True)
    return document_id


def _routed(services: Services, document_id: int) -> tuple[dict[str, bool], list[str], int]:
    """Per field whether it goes to a person, the form's finding codes and the task's doubtful count."""
    with transaction(services.sessions) as session:
        document = repo.get_document(session, document_id)
        rows = session.scalars(select(FieldReadingRow).where(FieldReadingRow.document_id == document_id))
        routed = {row.field_name: row.needs_review for row in rows}
        doubtful = session.scalars(
            select(ReviewTaskRow.doubtful_fields).where(ReviewTaskRow.document_id == document_id)
        ).one()
    assert document is not None and document.extraction is not None
    [form] = document.extraction["documents"]
    assert (form["form_id"], form["form_version"]) == (FORM, VERSION)
    return routed, [f["code"] for f in form["findings"]], doubtful


def _as_read_by_the_reader(folder: Path) -> dict[str, bool]:
    """Per field whether the reader itself sends it to a person (what production routes)."""
    [form] = read_digital(_page(folder, 0), load_templates(), TODAY) or []
    return {f.name: f.needs_review for f in form.fields}


def _approve(services: Services, document_id: int, corrected: dict[str, str] | None = None) -> None:
    with transaction(services.sessions) as session:
        task_id = session.scalars(
            select(ReviewTaskRow.id).where(ReviewTaskRow.document_id == document_id)
        ).one()
    review.claim(services, task_id, REVIEWER)
    review.approve(services, task_id, REVIEWER, corrected or {}, TODAY)


def _confirm_all(services: Services, document_id: int) -> set[str]:
    """The reviewer opens the document's task and confirms every field at once; those confirmed."""
    with transaction(services.sessions) as session:
        task_id = session.scalars(
            select(ReviewTaskRow.id).where(ReviewTaskRow.document_id == document_id)
        ).one()
    review.claim(services, task_id, REVIEWER)
    names = [f.name for f in review.load_task(services, task_id).fields]
    return set(confirm.confirm(services, task_id, REVIEWER, names, confirm.Scope.ALL, TODAY).confirmed)


def _version(services: Services) -> trust.VersionState:
    return next(s for s in trust.states(services) if s.version.form_id == FORM)


def _audited(services: Services, action: str) -> list[dict[str, Any]]:
    with transaction(services.sessions) as session:
        return [
            dict(detail)
            for detail in session.scalars(select(AuditEventRow.detail).where(AuditEventRow.action == action))
        ]


def test_a_page_of_a_trial_version_goes_all_to_review_with_the_finding(
    services: Services, kyokai_kofu_folder: Path, worker: None
) -> None:
    """GIVEN 協会けんぽ's 交付申請書 installed from a forms folder (never promoted) WHEN a page
    of it is read THEN every field goes to a person, the form carries ``form_on_trial`` (in
    Japanese) and the page counts in the version's first batch; the reader alone would have
    auto-accepted most of them."""
    alone = _as_read_by_the_reader(kyokai_kofu_folder)
    assert sum(alone.values()) < len(alone), "the reader sends every field to a person anyway"

    routed, codes, doubtful = _routed(services, _read(services, kyokai_kofu_folder, 1))

    assert set(routed) == set(alone) and all(routed.values())
    assert doubtful == len(routed)
    assert codes[0] == "form_on_trial"
    state = _version(services)
    assert state.trust is trust.Trust.TRIAL and state.label == "試行中"
    assert (state.batch.pages_read, state.batch.pages_reviewed) == (1, 0)


def test_after_promotion_a_page_routes_as_the_reader_does(
    services: Services, kyokai_kofu_folder: Path, worker: None
) -> None:
    """GIVEN two forms of the trial version reviewed (one value corrected) and an admin's
    promotion WHEN a page of it is read again THEN its fields go to a person exactly as the
    reader says (no ``form_on_trial``), and the first batch's figures were audited."""
    first = _read(services, kyokai_kofu_folder, 1)
    confirmed = _confirm_all(services, first)
    _approve(services, first, {"name": "健保 花子"})
    _approve(services, _read(services, kyokai_kofu_folder, 2))
    batch = _version(services).batch
    assert (batch.pages_read, batch.pages_reviewed, batch.fields_corrected) == (2, 2, 1)
    # What a person confirmed or corrected: the second page was approved without confirming.
    assert 0 < len(confirmed) < len(_as_read_by_the_reader(kyokai_kofu_folder))
    assert batch.fields_reviewed == len(confirmed | {"name"})
    assert batch.most_corrected == (("name", 1),)

    promoted = trust.promote(services, FORM, VERSION, ADMIN.name, ADMIN.role)

    assert promoted.trust is trust.Trust.PRODUCTION and _version(services).label == "本番"
    routed, codes, doubtful = _routed(services, _read(services, kyokai_kofu_folder, 3))
    assert routed == _as_read_by_the_reader(kyokai_kofu_folder)
    assert "form_on_trial" not in codes and doubtful == sum(routed.values())
    [audit] = _audited(services, "form_promoted")
    assert audit["form_id"] == FORM and audit["form_version"] == VERSION
    assert (audit["pages_reviewed"], audit["fields_corrected"]) == (2, 1)


def test_promotion_is_refused_before_enough_pages_are_reviewed_and_audited(
    services: Services, kyokai_kofu_folder: Path, worker: None
) -> None:
    """GIVEN one reviewed form of the trial version (two needed) WHEN an admin promotes it
    THEN it is refused in Japanese, audited as refused, and the version stays on trial."""
    _approve(services, _read(services, kyokai_kofu_folder, 1))
    _read(services, kyokai_kofu_folder, 2)  # read, not reviewed: does not count

    with pytest.raises(trust.TrustRefused) as refused:
        trust.promote(services, FORM, VERSION, ADMIN.name, ADMIN.role)

    assert refused.value.code.value == "state" and "2 枚以上" in refused.value.message
    assert _version(services).trust is trust.Trust.TRIAL
    [audit] = _audited(services, "form_promotion_refused")
    assert audit["form_id"] == FORM and "1 枚" in audit["reason"]
    assert _audited(services, "form_promoted") == []


def test_promotion_is_refused_for_a_non_admin(
    services: Services, kyokai_kofu_folder: Path, worker: None
) -> None:
    """GIVEN enough reviewed forms WHEN an approver (not an admin) promotes THEN refused
    (``forbidden``), audited, still on trial."""
    _approve(services, _read(services, kyokai_kofu_folder, 1))
    _approve(services, _read(services, kyokai_kofu_folder, 2))
    with pytest.raises(trust.TrustRefused) as refused:
        trust.promote(services, FORM, VERSION, "appr", "approver")
    assert refused.value.code.value == "forbidden"
    assert _version(services).trust is trust.Trust.TRIAL
    assert len(_audited(services, "form_promotion_refused")) == 1


def test_an_edited_template_file_is_back_on_trial(
    services: Services, kyokai_kofu_folder: Path, worker: None
) -> None:
    """GIVEN the version promoted WHEN its template file is edited (same id and version, a
    label changed) THEN it is on trial again, pages read with it go all to review, and its
    first batch starts from nothing; put back as it was, it is in production again."""
    _approve(services, _read(services, kyokai_kofu_folder, 1))
    _approve(services, _read(services, kyokai_kofu_folder, 2))
    trust.promote(services, FORM, VERSION, ADMIN.name, ADMIN.role)
    path = kyokai_kofu_folder / f"{KYOKAI_KOFU}.json"
    original = path.read_text(encoding="utf-8")
    raw = json.loads(original)
    raw["fields"][0]["label"] = str(raw["fields"][0].get("label", "")) + "（改）"
    path.write_text(json.dumps(raw, ensure_ascii=False, indent=1), encoding="utf-8")

    state = _version(services)
    assert state.trust is trust.Trust.TRIAL and state.batch.pages_read == 0
    routed, codes, _ = _routed(services, _read(services, kyokai_kofu_folder, 3))
    assert all(routed.values()) and codes[0] == "form_on_trial"

    path.write_text(original, encoding="utf-8")
    assert _version(services).trust is trust.Trust.PRODUCTION


def test_back_on_trial_by_an_admin_and_shipped_forms_always_production(
    services: Services, kyokai_kofu_folder: Path, worker: None
) -> None:
    """GIVEN a promoted version WHEN an admin puts it back on trial THEN its pages go all to
    review again (audited ``form_demoted``); the shipped forms are 本番 and cannot be changed."""
    _approve(services, _read(services, kyokai_kofu_folder, 1))
    _approve(services, _read(services, kyokai_kofu_folder, 2))
    trust.promote(services, FORM, VERSION, ADMIN.name, ADMIN.role)

    trust.demote(services, FORM, VERSION, ADMIN.name, ADMIN.role)

    assert _version(services).trust is trust.Trust.TRIAL
    routed, codes, _ = _routed(services, _read(services, kyokai_kofu_folder, 3))
    assert all(routed.values()) and codes[0] == "form_on_trial"
    assert len(_audited(services, "form_demoted")) == 1
    shipped = [s for s in trust.states(services) if s.version.shipped]
    assert len(shipped) >= 4 and all(s.trust is trust.Trust.PRODUCTION for s in shipped)
    with pytest.raises(trust.TrustRefused):
        trust.demote(services, shipped[0].version.form_id, shipped[0].version.version, ADMIN.name, ADMIN.role)


def test_kakunin_forms_list_promote_and_demote(
    services: Services, kyokai_kofu_folder: Path, worker: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN the trial version (two reviewed pages needed) WHEN ops run ``kakunin forms
    promote`` before any review THEN exit 1 with the reason; ``list`` shows each version's
    state; after two reviews ``promote`` makes it 本番 (audited as ``cli``), ``demote`` puts it
    back."""
    from typer.testing import CliRunner

    from intake.forms_cli import forms_app

    monkeypatch.setenv("KAKUNIN_DATA_DIR", str(services.settings.data_dir))
    monkeypatch.setenv("KAKUNIN_DATABASE_URL", str(services.settings.database_url))
    monkeypatch.setenv("KAKUNIN_FORM_TRIAL_PAGES", "2")

    def run(*args: str) -> Any:
        return CliRunner().invoke(forms_app, list(args))

    refused = run("promote", FORM, VERSION)
    assert refused.exit_code == 1 and "2 枚以上" in refused.output
    listed = run("list").output
    assert "試行中（確認 0/2）" in next(line for line in listed.splitlines() if line.startswith(FORM))
    assert "本番" in next(line for line in listed.splitlines() if line.startswith("kofu_shinsei"))
    _approve(services, _read(services, kyokai_kofu_folder, 1))
    _approve(services, _read(services, kyokai_kofu_folder, 2))

    promoted = run("promote", FORM, VERSION)

    assert promoted.exit_code == 0 and "本番に切り替えました" in promoted.output
    assert "本番" in next(line for line in run("list").output.splitlines() if line.startswith(FORM))
    with transaction(services.sessions) as session:
        actors = session.scalars(
            select(AuditEventRow.actor).where(AuditEventRow.action == "form_promoted")
        ).all()
    assert actors == ["cli"]
    assert run("demote", FORM, VERSION).exit_code == 0
    assert _version(services).trust is trust.Trust.TRIAL
