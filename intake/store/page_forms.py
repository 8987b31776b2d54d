"""What a stored page image shows, for blacking out its 個人番号: the forms read on each page
that uses the image, in a fixed number of queries whatever the number of pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from extractors.masking import is_my_number
from extractors.template import PtBox
from intake.store.models import DocumentRow, FieldReadingRow, PageRow


@dataclass(frozen=True)
class PageForm:
    """One page using an image: the form read on it, the version it was read as, and where its
    個人番号 readings were found (template points)."""

    form_id: str | None
    form_version: str | None
    reading_boxes: tuple[PtBox, ...]


def _version(extraction: object, form_index: int) -> str | None:
    docs = extraction.get("documents") if isinstance(extraction, dict) else None
    if isinstance(docs, list) and 0 <= form_index < len(docs) and isinstance(docs[form_index], dict):
        version = docs[form_index].get("form_version")
        return version if isinstance(version, str) else None
    return None


def image_in_use(session: Session, sha: str) -> bool:
    """A page of some document uses the image ``sha`` (the store also holds originals, which
    are never served as page images)."""
    return session.scalar(select(PageRow.id).where(PageRow.image_sha256 == sha).limit(1)) is not None


def forms_on_image(session: Session, sha: str) -> tuple[PageForm, ...] | None:
    """Every page whose image is ``sha`` (a document sent twice shares its page images), as
    :class:`PageForm`; None when no page uses it (the store also holds originals). The form of a
    page is its document's ``form_index``-th, counting the document's pages in order (as the
    review task reads it, :func:`intake.review.load_task`). Four queries at most."""
    pages = session.execute(
        select(PageRow.document_id, PageRow.page_no, PageRow.form_id).where(PageRow.image_sha256 == sha)
    ).all()
    if not pages:
        return None
    documents = {document_id for document_id, _, _ in pages}
    order: dict[int, list[int]] = {}
    for document_id, page_no in session.execute(
        select(PageRow.document_id, PageRow.page_no).where(PageRow.document_id.in_(documents))
    ):
        order.setdefault(document_id, []).append(page_no)
    extractions: dict[int, object] = {
        document_id: extraction
        for document_id, extraction in session.execute(
            select(DocumentRow.id, DocumentRow.extraction).where(DocumentRow.id.in_(documents))
        )
    }
    found: dict[tuple[int, int], list[PtBox]] = {}
    for document_id, form_index, name, box in session.execute(
        select(
            FieldReadingRow.document_id,
            FieldReadingRow.form_index,
            FieldReadingRow.field_name,
            FieldReadingRow.box,
        ).where(FieldReadingRow.document_id.in_(documents))
    ):
        if is_my_number(name) and isinstance(box, list) and len(box) == 4:
            found.setdefault((document_id, form_index), []).append(
                (float(box[0]), float(box[1]), float(box[2]), float(box[3]))
            )
    forms = []
    for document_id, page_no, form_id in pages:
        form_index = sum(1 for other in order.get(document_id, []) if other < page_no)
        forms.append(
            PageForm(
                form_id,
                _version(extractions.get(document_id), form_index),
                tuple(found.get((document_id, form_index), [])),
            )
        )
    return tuple(forms)
