"""Page images as a user may see them, prepared once and served many times (issue 19 item 8).

A user who may not see a 個人番号 (:func:`intake.auth.sees_my_number`) gets the page image with
every 個人番号 box of every form read on it blacked out (:func:`intake.privacy.black_out`). Decoding,
painting and encoding a 200 dpi page took ~45 ms of CPU per request (p95 340 ms under load), so the
masked image is kept in the file store as a derived object of the page image
(:meth:`intake.store.files.FileStore.put_derived`: encrypted like it, deleted with it by
``kakunin purge``), made by the worker right after it read the document, or by the first request.

Its tag is a digest of exactly the boxes painted (and :data:`MASK_VERSION`): the boxes are worked
out from the database on every request, so a reading moved by a re-read, another form version, or a
second document using the same image gives another tag and a new masked image, never a stale one.
The same tag, quoted with the image's name, is the HTTP entity tag: the full and the masked images
never share one, so a browser's copy of one is never confirmed to a user who should get the other.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from extractors.template import PtBox, template_for
from intake.privacy import MY_NUMBER_MARGIN_PT, black_out, my_number_boxes
from intake.services import Services
from intake.store.db import transaction
from intake.store.files import FileStore
from intake.store.page_forms import PageForm, forms_on_image, image_in_use

log = logging.getLogger(__name__)

#: Bump when :func:`intake.privacy.black_out` paints differently: every masked image is made again.
MASK_VERSION = 1

#: A box to black out in template points, with the width in points of its template's page.
ScaledBox = tuple[PtBox, float]


@dataclass(frozen=True)
class PageImage:
    """A page image as one user gets it: its entity tag (quoted, for ``ETag``) and its PNG
    bytes; ``data`` is None when the caller said it already holds these bytes."""

    etag: str
    data: bytes | None


def boxes_to_black_out(forms: Iterable[PageForm]) -> list[ScaledBox]:
    """The 個人番号 boxes of the pages using an image: the cells of the template of each page's
    form and version (another version's cells may lie elsewhere on the paper, issue 15 item 4)
    and where its 個人番号 readings were found."""
    boxes: list[ScaledBox] = []
    for form in forms:
        template = template_for(form.form_id, form.form_version)
        if template is None:
            continue
        width = template.canvas.width_pt
        boxes += [(box, width) for box in [*my_number_boxes(template), *form.reading_boxes]]
    return boxes


def mask_tag(boxes: Iterable[ScaledBox]) -> str:
    """The name of the masked image for these boxes: ``m`` and a digest of the boxes (in any
    order, repeats ignored), the margin and :data:`MASK_VERSION`."""
    canonical = sorted({(tuple(float(v) for v in box), float(width)) for box, width in boxes})
    text = json.dumps([MASK_VERSION, MY_NUMBER_MARGIN_PT, canonical], separators=(",", ":"))
    return "m" + hashlib.sha256(text.encode("ascii")).hexdigest()[:32]


def masked_image(files: FileStore, sha: str, boxes: list[ScaledBox]) -> bytes:
    """The page image ``sha`` with ``boxes`` blacked out: the derived object of their tag when it
    is kept, else made now and kept (a store that cannot keep it still gets the image served)."""
    tag = mask_tag(boxes)
    data = files.get_derived(sha, tag)
    if data is None:
        data = black_out(files.get(sha), boxes)
        try:
            files.put_derived(sha, tag, data)
        except OSError as exc:
            log.warning("masked page image %s… not kept: %s", sha[:12], type(exc).__name__)
    return data


def page_image(
    services: Services, sha: str, may_see_my_number: bool, known: Collection[str] = ()
) -> PageImage | None:
    """The page image ``sha`` as a user gets it: unmasked for one who may see a 個人番号, else
    with every 個人番号 box blacked out (:func:`boxes_to_black_out`). ``known``: the entity tags
    the client holds (``If-None-Match``); when the one this user gets is among them, no bytes are
    read. None: no page uses this image, or its file was purged."""
    with transaction(services.sessions) as session:
        if may_see_my_number:
            forms: tuple[PageForm, ...] | None = () if image_in_use(session, sha) else None
        else:
            forms = forms_on_image(session, sha)
    if forms is None or not services.files.exists(sha):
        return None
    boxes = boxes_to_black_out(forms)
    etag = f'"{sha}.{mask_tag(boxes)}"' if boxes else f'"{sha}"'
    if etag in known:
        return PageImage(etag, None)
    data = masked_image(services.files, sha, boxes) if boxes else services.files.get(sha)
    return PageImage(etag, data)


def prepare_masked(services: Services, shas: Iterable[str]) -> int:
    """Make the masked image of each page image now (the worker, right after reading a
    document), so no reviewer's request waits for it; how many were made. The boxes are worked
    out as a request does, so the request finds the image under the same tag."""
    made = 0
    for sha in dict.fromkeys(shas):
        with transaction(services.sessions) as session:
            forms = forms_on_image(session, sha)
        boxes = boxes_to_black_out(forms or ())
        if boxes and services.files.exists(sha) and services.files.get_derived(sha, mask_tag(boxes)) is None:
            masked_image(services.files, sha, boxes)
            made += 1
    return made
