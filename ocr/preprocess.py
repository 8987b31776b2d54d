"""Page preparation: orientation candidates, registration marks and alignment to a template canvas."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from ocr.types import Image, px_per_pt

Point = tuple[float, float]


@dataclass(frozen=True)
class Canvas:
    """The template page in points: size and the centres of its two registration marks."""

    width_pt: float
    height_pt: float
    mark_top_left: Point
    mark_bottom_right: Point
    mark_size_pt: float
    #: False: the form has no registration marks; a page is only scaled onto the canvas and
    #: aligned on its printed structure afterwards.
    marks: bool = True


def rotate(image: Image, degrees: int) -> Image:
    """Rotate clockwise by a multiple of 90 degrees."""
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return image if degrees % 360 == 0 else np.ascontiguousarray(cv2.rotate(image, codes[degrees % 360]))


def orientation_candidates(image: Image) -> list[int]:
    """Rotations worth trying, most likely first: a portrait form scanned landscape was turned 90°."""
    height, width = image.shape[:2]
    return [0, 180, 90, 270] if height >= width else [90, 270, 0, 180]


def binarize(gray: Image) -> Image:
    """Ink = 255, paper = 0 (Otsu), robust to grey and colour scans."""
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return np.asarray(ink, dtype=np.uint8)


#: A pixel darker than this share of the way from Otsu's threshold to the paper may be ink,
#: and is, where it touches ink that Otsu finds: the thin strokes of a pale pen or of
#: light-grey typing (土 of 埼 in a grey mincho) fall apart into specks at the page's Otsu
#: threshold, which the black print sets. (Half the way took in the grey fringe that JPEG and
#: blur leave around every stroke, and the recogniser read it as ゛ and extra strokes.)
FAINT_BAND = 0.15


def grey_percentile(image: Image, q: float) -> float:
    """``np.percentile(image, q)`` (linear interpolation) of an 8-bit image, from its histogram:
    the same value, in a few milliseconds for a page where sorting it takes ~50 ms."""
    if image.dtype != np.uint8 or image.ndim != 2 or image.size == 0:
        return float(np.percentile(image, q))
    counts = np.cumsum(cv2.calcHist([np.ascontiguousarray(image)], [0], None, [256], [0, 256]).ravel())
    total = int(counts[-1])
    position = q / 100 * (total - 1)
    below = int(np.floor(position))
    low = int(np.searchsorted(counts, below, side="right"))
    high = int(np.searchsorted(counts, min(below + 1, total - 1), side="right"))
    return low + (position - below) * (high - low)


def binarize_faint(gray: Image) -> Image:
    """Ink = 255, paper = 0: Otsu's ink grown along the fainter pixels that touch it
    (hysteresis, within :data:`FAINT_BAND` of Otsu's threshold). Scanner noise that never
    reaches Otsu's threshold stays paper."""
    threshold, strong = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    paper = grey_percentile(gray, 90)
    faint = (gray <= threshold + FAINT_BAND * max(paper - threshold, 0.0)).astype(np.uint8)
    count, labels = cv2.connectedComponents(faint, connectivity=8)
    # Each faint component is ink (255) when Otsu's ink touches it: one look-up per pixel.
    touching = np.zeros(count, dtype=np.uint8)
    touching[labels[strong > 0]] = 255
    touching[0] = 0
    return np.asarray(touching[labels], dtype=np.uint8)


#: A pixel this much darker than the page's paper is ink (grey levels): Otsu alone splits
#: the noise of an empty page into "ink" and paper.
BLANK_CONTRAST = 60
#: Below this share of ink (away from the page's edges, specks removed) a page is blank:
#: a duplex back or a separator. One written word is about a tenth of a per mille of A4.
BLANK_INK_SHARE = 0.0001
#: The scanner's edge shadows and a punched hole's rim are left out (share of each side).
BLANK_EDGE = 0.04


def is_blank_page(gray: Image) -> bool:
    """Whether the page holds nothing: no print and no writing, only paper, specks and the
    shadows at its edges (a duplex back, a separator sheet, a page fed by mistake)."""
    height, width = gray.shape[:2]
    dy, dx = int(height * BLANK_EDGE), int(width * BLANK_EDGE)
    inner = gray[dy : height - dy, dx : width - dx]
    if inner.size == 0:
        return True
    paper = grey_percentile(inner, 90)
    ink = (inner.astype(np.int16) < paper - BLANK_CONTRAST).astype(np.uint8)
    # Specks of a scanner or a fax line are removed; a stroke of writing survives.
    strokes = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    return float(strokes.mean()) < BLANK_INK_SHARE


#: A crop whose darkest pixels are less than this below its paper holds no ink to stretch.
STRETCH_MIN_CONTRAST = 40


def stretch_contrast(crop: Image) -> Image:
    """The crop with its darkest ink made black and its paper white: light grey print (a
    PC-filled form printed pale), pencil and a faded scan read like black ink. A crop
    without ink (paper and noise only) is returned as it is."""
    if crop.size == 0:
        return crop
    paper = grey_percentile(crop, 90)
    dark = grey_percentile(crop, 0.5)
    if paper - dark < STRETCH_MIN_CONTRAST:
        return crop
    scaled = (crop.astype(np.float32) - dark) * (255.0 / (paper - dark))
    return np.ascontiguousarray(np.clip(scaled, 0, 255).astype(np.uint8))


def find_marks(gray: Image, canvas: Canvas) -> tuple[Point, Point] | None:
    """Centres of the top-left and bottom-right filled squares, or None when not both are found."""
    height, width = gray.shape[:2]
    # Expected mark side in pixels if the page fills the image: the scale is not known yet,
    # so accept a generous range around it.
    expected = canvas.mark_size_pt * width / canvas.width_pt
    ink = binarize(gray)
    count, _, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
    candidates: list[Point] = []
    for index in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[index])
        if not (0.5 * expected <= w <= 1.8 * expected and 0.5 * expected <= h <= 1.8 * expected):
            continue
        if not 0.75 <= w / h <= 1.33 or area < 0.8 * w * h:
            continue
        candidates.append((float(centroids[index][0]), float(centroids[index][1])))
    top_left = [p for p in candidates if p[0] < width * 0.2 and p[1] < height * 0.15]
    bottom_right = [p for p in candidates if p[0] > width * 0.8 and p[1] > height * 0.85]
    if not top_left or not bottom_right:
        return None
    return min(top_left, key=lambda p: p[0] + p[1]), max(bottom_right, key=lambda p: p[0] + p[1])


def align(gray: Image, canvas: Canvas, dpi: int) -> tuple[Image, bool]:
    """Warp a page onto the template canvas at ``dpi``; returns (image, marks_found).

    Two marks fix scale, rotation (deskew) and shift. Without marks the page is only
    scaled to the canvas, which is right for clean, unskewed renders.
    """
    scale = px_per_pt(dpi)
    size = (int(round(canvas.width_pt * scale)), int(round(canvas.height_pt * scale)))
    marks = find_marks(gray, canvas) if canvas.marks else None
    if marks is None:
        return np.ascontiguousarray(cv2.resize(gray, size, interpolation=cv2.INTER_AREA)), False
    source = np.array(marks, dtype=np.float32)
    target = np.array([canvas.mark_top_left, canvas.mark_bottom_right], dtype=np.float32) * scale
    matrix, _ = cv2.estimateAffinePartial2D(source, target)
    if matrix is None:
        return np.ascontiguousarray(cv2.resize(gray, size, interpolation=cv2.INTER_AREA)), False
    warped = cv2.warpAffine(gray, matrix, size, flags=cv2.INTER_LINEAR, borderValue=(255,))
    return np.ascontiguousarray(warped, dtype=np.uint8), True


def refine_to_reference(
    image: Image, reference: Image, scale: float = 0.25, perspective: bool = False, iterations: int = 200
) -> tuple[Image, bool]:
    """Align ``image`` onto ``reference`` (same size) by the printed structure: ECC on the
    ink of both, affine (or, with ``perspective``, a homography: a page photographed at an
    angle), at ``scale``, at most ``iterations`` steps. Used when the registration marks are
    cut off or covered, or when the page aligned on its marks disagrees with the printed
    rules. Returns (image, converged)."""
    if image.shape != reference.shape:
        image = np.ascontiguousarray(
            cv2.resize(image, (reference.shape[1], reference.shape[0]), interpolation=cv2.INTER_AREA)
        )

    def prepare(gray: Image) -> npt.NDArray[np.float32]:
        small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        ink = (255.0 - small.astype(np.float32)) / 255.0
        return np.asarray(cv2.GaussianBlur(ink, (0, 0), 2.0), dtype=np.float32)

    warp = np.eye(3, 3, dtype=np.float32) if perspective else np.eye(2, 3, dtype=np.float32)
    motion = cv2.MOTION_HOMOGRAPHY if perspective else cv2.MOTION_AFFINE
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, iterations, 1e-6)
    try:
        _, warp = cv2.findTransformECC(  # type: ignore[call-overload]  # the stub lacks gaussFiltSize
            prepare(reference), prepare(image), warp, motion, criteria, None, 5
        )
    except cv2.error:
        return image, False
    height, width = reference.shape[:2]
    flags = cv2.INTER_LINEAR + cv2.WARP_INVERSE_MAP
    if perspective:
        # The homography was found between images shrunk by ``scale``: S · H · S⁻¹ at full size.
        shrink = np.diag([scale, scale, 1.0]).astype(np.float32)
        full = np.linalg.inv(shrink) @ warp @ shrink
        aligned = cv2.warpPerspective(image, full, (width, height), flags=flags, borderValue=(255,))
    else:
        warp[:, 2] /= scale
        aligned = cv2.warpAffine(image, warp, (width, height), flags=flags, borderValue=(255,))
    return np.ascontiguousarray(aligned, dtype=np.uint8), True


#: A printed rule at least this long (inches) is part of the form's structure.
RULE_LENGTH_IN = 0.5
#: A rule pixel counts as found on the page when ink lies this close to it (inches; 3 px at 200 dpi).
RULE_TOLERANCE_IN = 0.015
#: Horizontal bands of the page scored apart, so that a page right at the top and wrong at
#: the bottom (a scan stretched in one direction) is not averaged into "mostly right".
RULE_BANDS = 4


@dataclass(frozen=True)
class Rules:
    """The long printed rules of a blank form (ink = 255), across and down apart: a page
    shifted sideways keeps its horizontal rules and loses only its vertical ones."""

    across: Image
    down: Image


def printed_rules(reference: Image, dpi: int, length_in: float = RULE_LENGTH_IN) -> Rules:
    """The structure an aligned page must show in the same places as its blank form: its
    printed lines at least ``length_in`` long."""
    ink = binarize(reference)
    length = max(3, int(dpi * length_in))
    across = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    down = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((length, 1), np.uint8))
    return Rules(np.asarray(across, dtype=np.uint8), np.asarray(down, dtype=np.uint8))


def rule_agreement(image: Image, rules: Rules, dpi: int, tolerance_in: float = RULE_TOLERANCE_IN) -> float:
    """How well a page aligned to a form shows that form's printed rules where they belong:
    the share of rule pixels with page ink within ``tolerance_in``, in the worst of
    ``RULE_BANDS`` horizontal bands, rules across and down apart (1.0: every rule found; a
    page off by a few pixels in one part scores well below 0.9 there). Bold, blurred or dark
    scans still score high: their rules are thicker, not elsewhere."""
    if image.shape[:2] != rules.across.shape[:2]:
        return 0.0
    reach = max(1, round(dpi * tolerance_in))
    near = cv2.dilate(binarize(image), np.ones((2 * reach + 1, 2 * reach + 1), np.uint8))
    height = near.shape[0]
    scores = []
    for band in range(RULE_BANDS):
        rows = slice(band * height // RULE_BANDS, (band + 1) * height // RULE_BANDS)
        for mask in (rules.across[rows], rules.down[rows]):
            wanted = int(np.count_nonzero(mask))
            # A band with hardly any rules of one direction says nothing about it.
            if wanted >= dpi:
                scores.append(np.count_nonzero(cv2.bitwise_and(mask, near[rows])) / wanted)
    return float(min(scores, default=0.0))


#: The outer frame (share of each side) that tells a photo from a scan: a scan's edges are
#: paper or the scanner's white lid, a photo's are the table the page lies on.
PHOTO_FRAME = 0.02
#: A frame darker than this (grey level, median) is not paper.
PHOTO_FRAME_DARK = 140
#: The page outline must enclose at least this share of the photo.
PHOTO_PAGE_MIN_AREA = 0.35


def page_outline(gray: Image) -> npt.NDArray[np.float32] | None:
    """The four corners (top-left, top-right, bottom-right, bottom-left) of a page
    photographed on a darker surface, or None for a scan (its edges are paper) or where no
    four-sided outline is found."""
    height, width = gray.shape[:2]
    fy, fx = max(1, int(height * PHOTO_FRAME)), max(1, int(width * PHOTO_FRAME))
    frame = np.concatenate(
        [gray[:fy].ravel(), gray[-fy:].ravel(), gray[:, :fx].ravel(), gray[:, -fx:].ravel()]
    )
    if float(np.median(frame)) >= PHOTO_FRAME_DARK:
        return None
    scale = 800 / max(height, width)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    _, paper = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # The print inside the page is not its outline: fill it in.
    paper = cv2.morphologyEx(paper, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(paper, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outline = max(contours, key=cv2.contourArea)
    if cv2.contourArea(outline) < PHOTO_PAGE_MIN_AREA * small.shape[0] * small.shape[1]:
        return None
    corners = cv2.approxPolyDP(outline, 0.02 * cv2.arcLength(outline, True), True)
    if len(corners) != 4:
        return None
    points = corners.reshape(4, 2).astype(np.float32) / scale
    # Ordered by the sum and difference of their coordinates: top-left has the smallest sum.
    total, diff = points.sum(axis=1), np.diff(points, axis=1).ravel()
    return np.array(
        [points[total.argmin()], points[diff.argmin()], points[total.argmax()], points[diff.argmax()]],
        dtype=np.float32,
    )


def flatten_photo(gray: Image) -> Image:
    """A page photographed on a table, as if scanned: cut out along its outline and warped to
    a rectangle (the perspective of a camera held at an angle undone), its light evened out
    (the page divided by its own blurred background, so the far corner is not grey). A scan
    comes back as it is."""
    corners = page_outline(gray)
    if corners is None:
        return gray
    top_left, top_right, bottom_right, bottom_left = corners
    width = float(max(np.linalg.norm(top_right - top_left), np.linalg.norm(bottom_right - bottom_left)))
    height = float(max(np.linalg.norm(bottom_left - top_left), np.linalg.norm(bottom_right - top_right)))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners, target)
    flat = cv2.warpPerspective(
        gray, matrix, (int(round(width)), int(round(height))), flags=cv2.INTER_LINEAR, borderValue=(255,)
    )
    return even_light(np.asarray(flat, dtype=np.uint8))


def even_light(gray: Image) -> Image:
    """The page divided by its paper's brightness around each point (ink removed by a wide
    closing): light falling off across a photographed page becomes white paper again."""
    height, width = gray.shape[:2]
    scale = 400 / max(height, width)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    paper = cv2.GaussianBlur(paper, (0, 0), 6)
    background = cv2.resize(paper, (width, height), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    flat = gray.astype(np.float32) / np.maximum(background, 1.0) * 250.0
    return np.ascontiguousarray(np.clip(flat, 0, 255).astype(np.uint8))
