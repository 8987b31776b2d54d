"""What a review task shows (:func:`intake.review.load_task`): the findings of the form read on
the task's own page, found in the extraction JSON by its pages and form (not by its place in
the list), each on the field it names; and what an approval returns (:class:`review.Approval`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from extractors.model import FieldReading, Finding, FormReading
from extractors.template import template_for
from intake import review
from intake.auth import User
from intake.domain import RecordStatus
from intake.services import Services
from intake.store import repo
from intake.store.db import transaction
from intake.store.models import ReviewTaskRow
from tests.helpers import document_in_processing

REVIEWER = User(1, "rev", "reviewer", False)


def _two_forms(services: Services, documents: list[dict[str, object]]) -> dict[int, int]:
    """A document of two pages (SK-01 on page 1, SK-03 on page 2) stored with ``documents`` as
    its extraction JSON's forms; its tasks' ids by form index."""
    forms = []
    for form_id, page in (("kofu_shinsei", 1), ("messhitsu", 2)):
        template = template_for(form_id)
        assert template is not None
        reading = FieldReading("insured_name", "健保 太郎", 0.5, True)
        forms.append(FormReading(form_id, template.form_version, (page,), (reading,)))
    pages = [
        repo.StoredPage(n, f"{n}" * 64, 100, 140, 0, f.form_id) for n, f in zip((1, 2), forms, strict=True)
    ]
    with transaction(services.sessions) as session:
        document_id = document_in_processing(session, pages=2)
        repo.save_extraction(session, document_id, {"documents": documents}, forms, pages, "test")
        rows = session.execute(
            select(ReviewTaskRow.form_index, ReviewTaskRow.id).where(ReviewTaskRow.document_id == document_id)
        ).all()
    return {index: task_id for index, task_id in rows}


def _doc(form_id: str, page: int, field: str | None, message: str) -> dict[str, object]:
    return {
        "form_id": form_id,
        "form_version": None,
        "pages": [page],
        "fields": {},
        "findings": [{"field": field, "code": "x", "message": message}],
    }


def test_a_task_shows_the_findings_of_its_own_page_whatever_the_order_of_the_json(services: Services) -> None:
    """GIVEN a document whose extraction JSON lists its page 2 form before its page 1 form WHEN
    each task is loaded THEN each shows its own page's findings, on the field they name."""
    tasks = _two_forms(
        services,
        [_doc("messhitsu", 2, None, "2枚目の指摘"), _doc("kofu_shinsei", 1, "insured_name", "1枚目の指摘")],
    )
    first = review.load_task(services, tasks[0])
    assert first.findings == (Finding("insured_name", "x", "1枚目の指摘"),)
    assert [f.findings for f in first.fields] == [(Finding("insured_name", "x", "1枚目の指摘"),)]
    second = review.load_task(services, tasks[1])
    assert second.findings == (Finding(None, "x", "2枚目の指摘"),)
    assert [f.findings for f in second.fields] == [()]


def test_a_form_missing_from_the_json_has_no_findings(services: Services) -> None:
    tasks = _two_forms(services, [_doc("messhitsu", 2, None, "2枚目の指摘")])
    assert review.load_task(services, tasks[0]).findings == ()


def test_an_approval_returns_the_findings_left_on_the_values_approved(services: Services) -> None:
    """GIVEN an SK-01 read with its 被保険者氏名 only WHEN it is approved as read THEN the
    approval names the record, validated, its decision and the form's findings on the values
    approved (the empty 交付対象者 among them), which the decision is made on."""
    tasks = _two_forms(services, [])
    review.claim(services, tasks[0], REVIEWER)
    approval = review.approve(services, tasks[0], REVIEWER, {}, date(2025, 6, 1))
    assert approval.status is RecordStatus.VALIDATED and approval.decision is not None
    assert Finding("target1_name", "required", "必須項目が空欄です（交付対象者）") in approval.findings
    assert approval.decision["decision"] == "needs_documents"
    shown = review.record_view(services, approval.record_id)
    assert shown is not None and shown.record.status is RecordStatus.VALIDATED
    assert shown.decision is not None and shown.decision.decision == "needs_documents"
