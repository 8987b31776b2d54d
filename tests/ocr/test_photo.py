"""A page photographed on a table is cut out along its outline, the camera's perspective
undone and its light evened out; a scan (paper to its edges) is left as it is."""

from __future__ import annotations

import cv2
import numpy as np

from ocr.preprocess import flatten_photo, page_outline


def _page() -> np.ndarray:
    page = np.full((1400, 1000), 250, np.uint8)
    cv2.rectangle(page, (100, 100), (900, 1300), 0, 4)  # the form's outer frame
    page[650:654, 100:900] = 0  # a rule across its middle
    return page


def _photographed(page: np.ndarray) -> np.ndarray:
    height, width = page.shape
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    seen = np.float32([[260, 180], [1140, 200], [1200, 1560], [180, 1540]])  # tilted: far edge short
    matrix = cv2.getPerspectiveTransform(corners, seen)
    photo = cv2.warpPerspective(page, matrix, (1400, 1750), borderValue=(80,))
    falloff = np.linspace(1.0, 0.65, photo.shape[1], dtype=np.float32)[None, :]  # light falls off
    return np.clip(photo.astype(np.float32) * falloff, 0, 255).astype(np.uint8)


def test_a_photographed_page_is_flattened_to_its_rectangle_with_even_light() -> None:
    photo = _photographed(_page())
    assert page_outline(photo) is not None
    flat = flatten_photo(photo)
    height, width = flat.shape
    assert abs(height / width - 1.4) < 0.06  # the page's own proportions again
    # the rule across the middle is level: dark at the same height on the left and the right
    rows = [
        int(np.argmin(flat[int(height * 0.4) : int(height * 0.6), x])) for x in (width // 4, 3 * width // 4)
    ]
    assert abs(rows[0] - rows[1]) <= 0.01 * height
    # the paper is as light at the far side as at the near side
    paper = [
        float(np.median(flat[int(height * 0.2) : int(height * 0.3), x : x + 20])) for x in (150, width - 170)
    ]
    assert min(paper) > 200 and abs(paper[0] - paper[1]) < 20


def test_a_scan_is_left_as_it_is() -> None:
    page = _page()
    assert page_outline(page) is None
    assert flatten_photo(page) is page
