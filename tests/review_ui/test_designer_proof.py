"""The designer's save proves the template against its own blank the way scans are read
(issue 14, clerk 4's finding 2): 協会けんぽ's 被扶養者（異動）届 with its title region drawn over
both printed title lines is refused on the screen, in Japanese, saying the region is not one
printed line and what to do, audited, nothing written; with the region on the first line the
same draft is saved."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from extractors.onboard import proof
from intake.services import Services
from ocr.engine import OcrEngine
from review_ui.screens.designer import drafts_dir
from tests.extractors.test_onboard_proof import ONE_LINE, TWO_LINES, TWO_LINES_SAID, hifuyosha_template
from tests.review_ui.conftest import audit_actions, login

pytestmark = [
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.ocr,
    pytest.mark.proof,
]


def test_a_title_region_over_two_printed_lines_is_refused_on_save_saying_so(
    app: TestClient, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: OcrEngine
) -> None:
    """GIVEN a draft of 協会けんぽ's 被扶養者（異動）届 WHEN the admin saves it with the title region
    over both printed title lines THEN the save is refused (422) with the reason and what to do,
    audited, and nothing is installed; WHEN saved with the region on the first line THEN it is."""
    monkeypatch.setattr(proof, "_built", lambda options: engine)
    forms = tmp_path / "forms"
    forms.mkdir()
    monkeypatch.setenv("KAKUNIN_FORMS_DIRS", str(forms))
    draft = hifuyosha_template(drafts_dir(services.settings), "draft", ONE_LINE)
    fields = json.loads(draft.read_text("utf-8"))["fields"]
    csrf = login(app, "adm")

    def save(version: str, region: tuple[list[float], str]) -> Response:
        box, title = region
        return app.post(
            "/admin/forms/save",
            data={
                "csrf": csrf,
                "src": f"d:{draft.name}",
                "version": version,
                "template": json.dumps({"fields": fields, "identify": {"title": box, "footer": None}}),
                "title": title,
            },
            follow_redirects=False,
        )

    refused = save("KH-02 (2025.1)", TWO_LINES)
    assert refused.status_code == 422
    text = re.sub(r"\s+", " ", refused.text)
    assert "保存できませんでした" in text and TWO_LINES_SAID in text and "1行だけを囲む" in text
    assert list(forms.iterdir()) == []
    assert audit_actions(services).count("form_version_refused") == 1
    saved = save("KH-02 (2025.1) v2", ONE_LINE)
    assert saved.status_code == 303, saved.text
    assert sorted(p.suffix for p in forms.iterdir()) == [".json", ".pdf"]
