"""The page image served cheaply (issue 19 item 8): the masked image a reviewer gets is made
once and kept, encrypted, beside the page image (by the worker, or the first request); the
browser revalidates it by its ETag and gets a 304 without the bytes; the full and the masked
image never share an ETag, and a 個人番号 box that moved gives a new masked image, never a
stale one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from extractors.model import FieldReading, FormReading
from extractors.template import FieldType, load_templates
from intake import page_images, privacy
from intake.crypto import encode_key, new_key
from intake.services import Services
from intake.store import repo
from intake.store.db import transaction
from intake.store.models import FieldReadingRow, PageRow
from tests.helpers import document_in_processing
from tests.review_ui.conftest import login

FORM = "kofu_shinsei"
GREY = 90
MOVED = (40.0, 700.0, 200.0, 720.0)  # where a 個人番号 reading is later said to be found


@pytest.fixture
def encrypted(services: Services) -> Services:
    """The store encrypted (set before the app is built, which reads the same settings)."""
    services.settings.store_key = SecretStr(encode_key(new_key()))
    services.__dict__.pop("files", None)
    return services


@pytest.fixture
def black_outs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Each call of the expensive step (decode, paint, encode), counted."""
    calls: list[int] = []
    real: Callable[..., bytes] = privacy.black_out

    def counted(*args: Any) -> bytes:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(page_images, "black_out", counted)
    yield calls


def _decode(content: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(content, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image is not None
    return image


def _page(services: Services) -> tuple[str, int]:
    """A grey SK-01 page at 200 dpi (ink everywhere) read with a 個人番号: its image's sha and
    the document's id."""
    template = next(t for t in load_templates() if t.form_id == FORM)
    width, height = round(template.canvas.width_pt * 200 / 72), round(template.canvas.height_pt * 200 / 72)
    ok, png = cv2.imencode(".png", np.full((height, width), GREY, np.uint8))
    assert ok
    sha = services.files.put(png.tobytes())
    form = FormReading(
        FORM, template.form_version, (1,), (FieldReading("insured_my_number", None, 0.5, True),)
    )
    with transaction(services.sessions) as session:
        document_id = document_in_processing(session, pages=1)
        repo.save_extraction(
            session,
            document_id,
            {"documents": []},
            [form],
            [repo.StoredPage(1, sha, width, height, 0, FORM)],
            "t",
        )
    return sha, document_id


def _cells(width: int) -> list[tuple[int, int, int, int]]:
    """SK-01's 個人番号 cells in the image's pixels, 2 px inside."""
    template = next(t for t in load_templates() if t.form_id == FORM)
    scale = template.pixels_per_point(width)
    cells = []
    for spec in template.fields:
        if spec.type is FieldType.MY_NUMBER:
            for box in spec.all_boxes():
                x0, y0, x1, y1 = (round(v * scale) for v in box)
                cells.append((x0 + 2, y0 + 2, x1 - 2, y1 - 2))
    assert cells
    return cells


def _black(image: np.ndarray, region: tuple[int, int, int, int]) -> bool:
    x0, y0, x1, y1 = region
    return int(image[y0:y1, x0:x1].max()) == 0


def test_the_masked_page_image_is_made_once_and_kept_encrypted(
    encrypted: Services, app: TestClient, black_outs: list[int]
) -> None:
    """GIVEN a page with 個人番号 cells and an encrypted store WHEN a reviewer's browser fetches
    its image twice, and a second reviewer once THEN the boxes are black each time but the image
    was masked once; the kept copy lies encrypted beside the page image (no PNG on disk)."""
    services = encrypted
    sha, _ = _page(services)
    login(app, "rev")
    first = app.get(f"/images/{sha}.png")
    again = app.get(f"/images/{sha}.png")
    login(app, "rev2")
    other = app.get(f"/images/{sha}.png")
    assert first.status_code == again.status_code == other.status_code == 200
    assert first.content == again.content == other.content
    assert len(black_outs) == 1
    masked = _decode(first.content)
    assert all(_black(masked, cell) for cell in _cells(masked.shape[1]))
    assert first.headers["cache-control"] == "private, no-cache" and first.headers["vary"] == "Cookie"

    kept = list(services.files.path(sha).parent.glob(f"{sha}.*"))
    assert len(kept) == 1 and b"PNG" not in kept[0].read_bytes()
    assert list(services.files.names()) == [sha]  # a cache: no backup entry of its own


def test_a_browser_copy_is_confirmed_only_to_a_user_who_gets_the_same_image(
    app: TestClient, services: Services, black_outs: list[int]
) -> None:
    """GIVEN a reviewer's masked image and an admin's full one (two ETags) WHEN each browser asks
    again with its own ETag THEN 304 without bytes (nothing masked again); WHEN a browser holding
    the full image asks as a reviewer (after a logout, a change of role) THEN the masked image,
    never a 304; a purged image is 404 whatever the browser holds."""
    sha, _ = _page(services)
    login(app, "rev")
    masked = app.get(f"/images/{sha}.png")
    login(app, "adm")
    full = app.get(f"/images/{sha}.png")
    masked_tag, full_tag = masked.headers["etag"], full.headers["etag"]
    assert masked_tag != full_tag and masked.content != full.content
    assert (_decode(full.content) == GREY).all()

    again = app.get(f"/images/{sha}.png", headers={"If-None-Match": full_tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == full_tag
    assert app.get(f"/images/{sha}.png", headers={"If-None-Match": masked_tag}).content == full.content

    login(app, "rev")
    for held in (full_tag, f"W/{full_tag}", "*"):
        answer = app.get(f"/images/{sha}.png", headers={"If-None-Match": held})
        assert answer.status_code == 200 and answer.content == masked.content, held
    both = app.get(f"/images/{sha}.png", headers={"If-None-Match": f'"x", W/{masked_tag}'})
    assert both.status_code == 304 and both.content == b""
    assert len(black_outs) == 1

    services.files.delete(sha)
    assert app.get(f"/images/{sha}.png", headers={"If-None-Match": masked_tag}).status_code == 404


def test_a_my_number_found_elsewhere_gives_a_new_masked_image_not_the_kept_one(
    app: TestClient, services: Services, black_outs: list[int]
) -> None:
    """GIVEN a masked image kept WHEN the 個人番号 reading's box changes (a re-read found it off
    its printed place) THEN the next request masks again, under a new ETag, with that place
    black too."""
    sha, document_id = _page(services)
    login(app, "rev")
    before = app.get(f"/images/{sha}.png")
    with transaction(services.sessions) as session:
        reading = session.scalars(
            select(FieldReadingRow).where(
                FieldReadingRow.document_id == document_id, FieldReadingRow.field_name == "insured_my_number"
            )
        ).one()
        reading.box = list(MOVED)
    after = app.get(f"/images/{sha}.png")
    assert after.headers["etag"] != before.headers["etag"] and len(black_outs) == 2
    image = _decode(after.content)
    template = next(t for t in load_templates() if t.form_id == FORM)
    scale = template.pixels_per_point(image.shape[1])
    x0, y0, x1, y1 = (round(v * scale) for v in MOVED)
    assert _black(image, (x0, y0, x1, y1)) and not _black(_decode(before.content), (x0, y0, x1, y1))


def test_the_same_image_on_pages_of_two_documents_is_masked_for_both(
    app: TestClient, services: Services
) -> None:
    """A document sent twice shares its page image: the boxes of both are found (in a fixed
    number of queries) and blacked out."""
    sha, first = _page(services)
    template = next(t for t in load_templates() if t.form_id == FORM)
    with transaction(services.sessions) as session:
        second = document_in_processing(session, pages=1, sha="d" * 64)
        moved = FieldReading("insured_my_number", None, 0.5, True, box=MOVED)
        width, height = session.execute(select(PageRow.width, PageRow.height)).one()
        form = FormReading(FORM, template.form_version, (1,), (moved,))
        repo.save_extraction(
            session, second, {"documents": []}, [form], [repo.StoredPage(1, sha, width, height, 0, FORM)], "t"
        )
    login(app, "rev")
    image = _decode(app.get(f"/images/{sha}.png").content)
    scale = template.pixels_per_point(image.shape[1])
    x0, y0, x1, y1 = (round(v * scale) for v in MOVED)
    assert _black(image, (x0, y0, x1, y1))
    assert all(_black(image, cell) for cell in _cells(image.shape[1]))


@pytest.mark.ocr
def test_the_worker_masks_the_page_image_before_a_reviewer_asks(
    app: TestClient, task_id: int, services: Services, black_outs: list[int]
) -> None:
    """GIVEN a scan read by the real worker WHEN a reviewer opens its task and page image THEN
    the masked image was made by the worker: the request only reads it."""
    with transaction(services.sessions) as session:
        sha = session.scalars(select(PageRow.image_sha256)).one()
    assert len(list(services.files.path(sha).parent.glob(f"{sha}.m*"))) == 1
    login(app, "rev")
    assert app.get(f"/tasks/{task_id}").status_code == 200
    image = app.get(f"/images/{sha}.png")
    assert image.status_code == 200 and black_outs == []
    masked = _decode(image.content)
    assert all(_black(masked, cell) for cell in _cells(masked.shape[1]))
