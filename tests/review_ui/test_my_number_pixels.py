"""個人番号 out of sight in the pixels (issue 15 item 4): for a user who may not see it, the
page image and every field crop cut from it come from the server with the 個人番号 boxes
blacked out; a user who may see it gets the ink."""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from extractors.template import FieldType, load_templates
from intake.services import Services
from intake.store.models import ReviewTaskRow
from tests.review_ui.conftest import audit_actions, login

Region = tuple[int, int, int, int]


def _decode(content: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(content, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image is not None
    return image


def _my_number_regions(width: int, form_id: str = "kofu_shinsei") -> list[Region]:
    """A form's 個人番号 boxes in the page image's pixels (its own scale), 2 px inside."""
    template = next(t for t in load_templates() if t.form_id == form_id)
    scale = template.pixels_per_point(width)
    regions = []
    for spec in template.fields:
        if spec.type is FieldType.MY_NUMBER:
            for box in spec.all_boxes():
                x0, y0, x1, y1 = (round(v * scale) for v in box)
                regions.append((x0 + 2, y0 + 2, x1 - 2, y1 - 2))
    assert regions
    return regions


def _snippet_region(style: str, page_width: int) -> tuple[str, Region]:
    """The image a field crop shows and the region of it in the page image's pixels, from its CSS."""
    url = re.search(r"url\(([^)]+)\)", style)
    numbers = re.search(
        r"width:(\d+)px;height:(\d+)px;.*background-size:(\d+)px \d+px;background-position:(-?\d+)px (-?\d+)px",
        style,
    )
    assert url and numbers, style
    width, height, size_x, pos_x, pos_y = (float(n) for n in numbers.groups())
    s = size_x / page_width
    x0, y0 = -pos_x / s, -pos_y / s
    return url.group(1), (round(x0), round(y0), round(x0 + width / s), round(y0 + height / s))


def _crop(image: np.ndarray, region: Region) -> np.ndarray:
    x0, y0, x1, y1 = region
    return image[y0:y1, x0:x1]


@pytest.mark.ocr
def test_my_number_boxes_are_black_in_the_page_image_and_crops_for_a_reviewer(
    app: TestClient, task_id: int, services: Services
) -> None:
    login(app, "rev")
    page = app.get(f"/tasks/{task_id}").text
    image_url = re.search(r'id="page-image" src="([^"]+)"', page)
    style = re.search(r'data-field="insured_my_number".*?class="snippet" style="([^"]+)"', page, re.S)
    assert image_url and style, page
    masked = _decode(app.get(image_url.group(1)).content)
    snippet_url, crop_region = _snippet_region(style.group(1), masked.shape[1])
    masked_snippet = _decode(app.get(snippet_url).content)

    login(app, "appr")
    full = _decode(app.get(image_url.group(1)).content)
    assert full.shape == masked.shape

    regions = _my_number_regions(full.shape[1])
    for region in regions:
        assert int(_crop(masked, region).max()) == 0, f"個人番号 box {region} not blacked out"
    # The approver sees the 12 digits written in the boxes: ink on paper there.
    written = [_crop(full, r) for r in regions]
    assert any(int(c.min()) < 100 and int(c.max()) > 180 for c in written)

    # The crop shown beside the field is cut from the same (masked) image: black where the
    # boxes are, whatever the crop's own scale.
    inside = [
        (
            max(r[0], crop_region[0]),
            max(r[1], crop_region[1]),
            min(r[2], crop_region[2]),
            min(r[3], crop_region[3]),
        )
        for r in regions
    ]
    inside = [r for r in inside if r[2] > r[0] and r[3] > r[1]]
    assert inside, (crop_region, regions)
    for region in inside:
        assert int(_crop(masked_snippet, region).max()) == 0
        assert int(_crop(full, region).min()) < 100  # the approver's crop shows the digits

    # Everything else on the page is the same picture.
    outside = np.ones(full.shape, bool)
    for x0, y0, x1, y1 in regions:
        outside[max(y0 - 20, 0) : y1 + 20, max(x0 - 20, 0) : x1 + 20] = False
    assert np.array_equal(masked[outside], full[outside])


def _grey_page(template_id: str, dpi: int) -> tuple[bytes, int, int]:
    """A colour page image of one form, grey all over (ink everywhere), at ``dpi``."""
    template = next(t for t in load_templates() if t.form_id == template_id)
    width = round(template.canvas.width_pt * dpi / 72)
    height = round(template.canvas.height_pt * dpi / 72)
    ok, png = cv2.imencode(".png", np.full((height, width, 3), 90, np.uint8))
    assert ok
    return png.tobytes(), width, height


def test_every_my_number_box_of_every_form_is_black_whatever_the_resolution(
    app: TestClient, services: Services
) -> None:
    """A document of two forms (SK-01 at 200 dpi, SK-02 with its three 個人番号 at 300 dpi):
    each page image comes blacked out where its own template's 個人番号 cells are, and where
    a 個人番号 reading says it was found; elsewhere, and for an admin, the page is as stored."""
    from extractors.model import FieldReading, FormReading
    from intake.store import repo
    from intake.store.db import transaction
    from tests.helpers import document_in_processing

    moved = (40.0, 700.0, 200.0, 720.0)  # a 個人番号 reading found off its printed place
    images, pages, forms = [], [], []
    for page_no, (form_id, dpi) in enumerate((("kofu_shinsei", 200), ("hifuyosha_ido", 300)), start=1):
        png, width, height = _grey_page(form_id, dpi)
        sha = services.files.put(png)
        images.append((sha, form_id))
        pages.append(repo.StoredPage(page_no, sha, width, height, 0, form_id))
        template = next(t for t in load_templates() if t.form_id == form_id)
        readings = (FieldReading("insured_my_number", None, 0.5, True, box=moved),) if page_no == 2 else ()
        forms.append(FormReading(form_id, template.form_version, (page_no,), readings))
    with transaction(services.sessions) as session:
        document_id = document_in_processing(session, pages=2)
        repo.save_extraction(session, document_id, {"documents": []}, forms, pages, "test")

    for sha, form_id in images:
        login(app, "rev")
        masked = _decode(app.get(f"/images/{sha}.png").content)
        login(app, "adm")
        full = _decode(app.get(f"/images/{sha}.png").content)
        template = next(t for t in load_templates() if t.form_id == form_id)
        regions = _my_number_regions(full.shape[1], form_id)
        if form_id == "hifuyosha_ido":
            scale = template.pixels_per_point(full.shape[1])
            regions.append(tuple(round(v * scale) for v in moved))  # type: ignore[arg-type]
        outside = np.ones(full.shape, bool)
        for region in regions:
            assert int(_crop(masked, region).max()) == 0, (form_id, region)
            assert int(_crop(full, region).min()) == 90
            x0, y0, x1, y1 = region
            outside[max(y0 - 20, 0) : y1 + 20, max(x0 - 20, 0) : x1 + 20] = False
        assert np.array_equal(masked[outside], full[outside])
        assert (full == 90).all()

    login(app, "rev")
    assert app.get(f"/images/{'e' * 64}.png").status_code == 404


def _doubtful_my_number(services: Services) -> None:
    """The sample's 個人番号 read as doubtful (the setup: what the reader would flag)."""
    from sqlalchemy import select

    from intake.store.db import transaction
    from intake.store.models import FieldReadingRow

    with transaction(services.sessions) as session:
        row = session.scalars(
            select(FieldReadingRow).where(FieldReadingRow.field_name == "insured_my_number")
        ).one()
        row.needs_review = True


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found
    return found.group(1)


@pytest.mark.ocr
def test_a_doubtful_my_number_a_reviewer_cannot_see_goes_to_an_approver(
    app: TestClient, task_id: int, services: Services
) -> None:
    """GIVEN a doubtful 個人番号 WHEN a reviewer (its boxes black for them) approves the form
    as read THEN nobody has checked it: the record waits on the approvers' 承認待ち list with
    the 個人番号 row, and an approver (who sees the boxes) approves it."""
    from intake.store.db import transaction
    from intake.store.models import RecordRow, ReviewTaskRow

    _doubtful_my_number(services)
    login(app, "rev")
    page = app.get(f"/tasks/{task_id}").text
    assert "承認者（事務取扱担当者）が画像で確認します" in page
    done = app.post(f"/tasks/{task_id}/approve", data={"csrf": _csrf(page)}, follow_redirects=False)
    assert done.headers["location"] == "/?notice=pending_approval"
    with transaction(services.sessions) as session:
        task = session.get(ReviewTaskRow, task_id)
        assert task is not None and task.status == "pending_approval"

    login(app, "appr")
    listed = app.get("/approvals").text
    row = re.search(rf'<tr id="approval-{task_id}".*?</tr>', listed, re.S)
    assert row and "個人番号" in row.group(0) and "********" in row.group(0)
    page = app.get(f"/tasks/{task_id}").text
    assert "承認者（事務取扱担当者）が画像で確認します" not in page
    done = app.post(f"/tasks/{task_id}/approve", data={"csrf": _csrf(page)}, follow_redirects=False)
    assert done.headers["location"].startswith("/records/")
    with transaction(services.sessions) as session:
        record = session.query(RecordRow).one()
        assert record.status == "validated" and record.validated_by == "appr"
        assert record.values["_reviewed_by"] == "rev" and "_unseen" not in record.values
    assert "task_reviewed" in audit_actions(services) and "task_approved" in audit_actions(services)


@pytest.mark.ocr
def test_an_approver_checks_a_doubtful_my_number_at_once(
    app: TestClient, task_id: int, services: Services
) -> None:
    """Who may see a 個人番号 checks it on the page: a doubtful one needs nobody else."""
    _doubtful_my_number(services)
    login(app, "appr")
    page = app.get(f"/tasks/{task_id}").text
    done = app.post(f"/tasks/{task_id}/approve", data={"csrf": _csrf(page)}, follow_redirects=False)
    assert done.headers["location"].startswith("/records/")


@pytest.mark.ocr
def test_one_masking_rule_for_my_number_and_symbol_on_every_screen_and_in_the_api(
    app: TestClient, task_id: int, services: Services
) -> None:
    """記号・番号 are shown as read on the task page, the record page and in the API alike (the
    reviewer checks them against the page, downstream finds the insured by them); 個人番号 is
    masked to its last four on all three."""
    from sqlalchemy import select

    from intake.auth import create_api_key
    from intake.store.db import transaction
    from intake.store.models import FieldReadingRow

    with transaction(services.sessions) as session:
        read = {
            r.field_name: r.value
            for r in session.scalars(select(FieldReadingRow))
            if r.field_name in ("insured_symbol", "insured_number", "insured_my_number")
        }
    symbol, number, my_number = read["insured_symbol"], read["insured_number"], read["insured_my_number"]
    assert symbol and number and my_number and len(symbol) >= 4
    masked = f"********{my_number[-4:]}"

    login(app, "rev")
    page = app.get(f"/tasks/{task_id}").text
    assert f'id="in-insured_symbol" value="{symbol}"' in page
    assert f'id="in-insured_number" value="{number}"' in page
    assert masked in page and my_number not in page
    location = app.post(
        f"/tasks/{task_id}/approve", data={"csrf": _csrf(page)}, follow_redirects=False
    ).headers["location"]
    record_id = int(location.split("/")[2].split("?")[0])

    shown = app.get(f"/records/{record_id}").text
    assert symbol in shown and number in shown and masked in shown and my_number not in shown

    key = create_api_key(services, "downstream", ["read"])
    app.cookies.clear()
    bearer = {"Authorization": f"Bearer {key}"}
    api_record = app.get(f"/api/v1/records/{record_id}", headers=bearer).json()
    values = api_record["values"]
    assert (values["insured_symbol"], values["insured_number"]) == (symbol, number)
    assert values["insured_my_number"] == masked
    document = app.get(f"/api/v1/documents/{api_record['document_id']}", headers=bearer)
    readings = document.json()["extraction"]["documents"][0]["fields"]
    assert (readings["insured_symbol"]["value"], readings["insured_number"]["value"]) == (symbol, number)
    assert readings["insured_my_number"]["value"] == masked and my_number not in document.text


@pytest.mark.ocr
def test_only_a_my_number_field_is_revealed_and_every_reveal_is_audited(
    app: TestClient, task_id: int, services: Services
) -> None:
    """A reviewer's reveal is refused and audited; an approver's is audited; a field that is no
    個人番号 (shown in full anyway) is not "revealed" under that name."""
    csrf = login(app, "rev")
    app.get(f"/tasks/{task_id}")
    refused = app.post(f"/tasks/{task_id}/reveal", data={"field": "insured_my_number", "csrf": csrf})
    assert refused.status_code == 403 and audit_actions(services).count("my_number_reveal_refused") == 1
    csrf = login(app, "appr")
    for field in ("insured_name", "insured_symbol", "no_such_my_number"):
        assert app.post(f"/tasks/{task_id}/reveal", data={"field": field, "csrf": csrf}).status_code == 404
    assert "my_number_revealed" not in audit_actions(services)
    shown = app.post(f"/tasks/{task_id}/reveal", data={"field": "insured_my_number", "csrf": csrf})
    assert shown.status_code == 200 and len(shown.json()["value"]) == 12
    assert audit_actions(services).count("my_number_revealed") == 1


def _second_version(directory: Path, moved: tuple[float, float, float, float]) -> str:
    """SK-01 in a second version (installed in ``directory`` for this test only) whose
    insured 個人番号 cells are printed at ``moved``; its version name."""
    import json
    import shutil

    from extractors.template import TEMPLATE_DIR

    raw = json.loads((TEMPLATE_DIR / "kofu_shinsei.sk01_2025_4.json").read_text(encoding="utf-8"))
    version = "SK-01 (2026.4)"
    raw["form_version"] = version
    for field in raw["fields"]:
        if field["name"] == "insured_my_number":
            field["segments"] = [[*moved, 12]]
    (directory / "kofu_shinsei.sk01_2026_4.json").write_text(
        json.dumps(raw, ensure_ascii=False), encoding="utf-8"
    )
    shutil.copy(TEMPLATE_DIR / "kofu_shinsei.pdf", directory / "kofu_shinsei.pdf")
    return version


def test_my_number_boxes_are_those_of_the_form_version_the_page_was_read_as(
    app: TestClient, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a second version of SK-01 whose 個人番号 cells are printed elsewhere, and a page
    read as that version (its 個人番号 not written: no reading box to black out) WHEN a
    reviewer opens its task and its page image THEN the cells blacked out are the second
    version's, not the first's, and the task screen is laid out on that version."""
    from extractors.model import FieldReading, FormReading
    from extractors.template import template_for
    from intake import review
    from intake.store import repo
    from intake.store.db import transaction
    from tests.helpers import document_in_processing

    moved = (40.0, 760.0, 226.0, 778.0)
    version = _second_version(tmp_path, moved)
    monkeypatch.setenv("KAKUNIN_FORMS_DIRS", str(tmp_path))
    second = template_for("kofu_shinsei", version)
    first = template_for("kofu_shinsei", "SK-01 (2025.4)")
    assert second is not None and first is not None and second is not first

    png, width, height = _grey_page("kofu_shinsei", 200)
    sha = services.files.put(png)
    readings = (
        FieldReading("insured_my_number", None, 0.0, False),
        FieldReading("insured_name", "健保 太郎", 0.99, False),
    )
    form = FormReading("kofu_shinsei", version, (1,), readings)
    extraction = {
        "documents": [
            {"form_id": "kofu_shinsei", "form_version": version, "pages": [1], "fields": {}, "findings": []}
        ]
    }
    with transaction(services.sessions) as session:
        document_id = document_in_processing(session, pages=1)
        repo.save_extraction(
            session,
            document_id,
            extraction,
            [form],
            [repo.StoredPage(1, sha, width, height, 0, "kofu_shinsei")],
            "test",
        )
        task_id = int(
            session.scalars(select(ReviewTaskRow.id).where(ReviewTaskRow.document_id == document_id)).one()
        )

    login(app, "rev")
    assert app.get(f"/tasks/{task_id}").status_code == 200
    masked = _decode(app.get(f"/images/{sha}.png").content)
    login(app, "adm")
    full = _decode(app.get(f"/images/{sha}.png").content)
    assert (full == 90).all()

    scale = second.pixels_per_point(width)
    new_cells = tuple(round(v * scale) for v in moved)
    assert int(_crop(masked, new_cells).max()) == 0, "the second version's 個人番号 cells are not black"  # type: ignore[arg-type]
    old_cells = next(s for s in first.fields if s.name == "insured_my_number").all_boxes()
    for box in old_cells:
        x0, y0, x1, y1 = (round(v * scale) for v in box)
        assert int(_crop(masked, (x0 + 2, y0 + 2, x1 - 2, y1 - 2)).min()) == 90  # nothing there to hide
    view = review.load_task(services, task_id)
    assert review.task_template(view) is second
