"""PaddleOCR 3.x on ONNX Runtime: the only module that imports ``paddleocr``.

Runs PP-OCR ONNX models shipped in PyPI wheels (see :mod:`ocr.models`) with
``engine="onnxruntime"``, so paddlepaddle is not needed and nothing is downloaded.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib.metadata import version
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from ocr.engine import EngineOptions
from ocr.errors import OcrEngineError
from ocr.models import model_dir
from ocr.preprocess import stretch_contrast
from ocr.types import ALPHABETS, Box, EngineInfo, Image, Recognition, TextLine

# PaddleX probes model hosts before any download; with local model folders nothing is
# fetched, and this keeps a misconfiguration from waiting on network timeouts.
os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")

#: A crop with fewer ink pixels than this (or than half its height) is blank: no model call.
_BLANK_INK_PIXELS = 12
#: Paper margin added around a crop, as a share of its height: writing that touches the crop's
#: edge is read worse (measured on small フリガナ rows and on words cut apart at a space).
_PAD = 0.3
#: Crops per model call. Every crop of a call is padded to the widest (sorted by width, a
#: page's ~20 digit crops still span 2 to 12 digits): at 16 a third of the input was padding;
#: at 4 it is 6–8 %, 20 % less time per page and half the memory, at the same accuracy
#: (bench.accuracy held-out 98.7 % both; 1 is slower again: per-call overhead).
_BATCH = 4
#: PaddleX's recognition input height (rec_image_shape [3, 48, 320]; the width is our option).
_REC_HEIGHT = 48


def _to_bgr(image: Image) -> Image:
    if image.ndim == 2:
        return np.ascontiguousarray(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR))
    return image


def is_blank(crop: Image) -> bool:
    """True when a crop carries (almost) no ink: recognising it would only invent text."""
    if crop.size == 0 or min(crop.shape[:2]) < 4:
        return True
    gray = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    # 160, not 128: light pencil and pale blue ink still count as writing.
    return int(np.count_nonzero(gray < 160)) < max(_BLANK_INK_PIXELS, int(gray.shape[0]) // 2)


def _padded(crop: Image) -> Image:
    margin = max(2, int(crop.shape[0] * _PAD))
    return np.ascontiguousarray(
        cv2.copyMakeBorder(crop, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    )


class _CtcDecode:
    """Best-path CTC decoding of the recogniser's output, in place of PaddleX's decoder: the
    same text and score, plus two things it does not give. With ``mask`` set, characters
    outside an alphabet are zeroed before the best path is taken (the score stays the model's
    own probability of what is kept, so a forced choice comes out unconfident). And the time
    step of every character is recorded per batch, for its position in the crop."""

    def __init__(self, character: list[str]) -> None:
        self.character = character
        #: The index of the space, whose probability is the gap's, not a written character's.
        self.space = character.index(" ") if " " in character else -1
        self.mask: npt.NDArray[np.float32] | None = None
        #: (time steps, [steps of each emitted character] per image) for each batch decoded.
        self.batches: list[tuple[int, list[npt.NDArray[np.intp]]]] = []
        #: The probability of the least certain character of each image, in decoding order.
        self.weakest: list[float] = []

    def __call__(self, pred: Any, **_: Any) -> tuple[list[str], list[float]]:
        probs = np.asarray(pred[0], dtype=np.float32)
        if self.mask is not None:
            probs = probs * self.mask
        best = probs.argmax(axis=-1)
        best_prob = np.take_along_axis(probs, best[..., None], axis=-1)[..., 0]
        texts, scores, steps = [], [], []
        for row, row_prob in zip(best, best_prob, strict=True):
            keep = row != 0  # index 0 is CTC's blank
            keep[1:] &= row[1:] != row[:-1]  # a character held over several steps is one
            kept = np.flatnonzero(keep)
            texts.append("".join(self.character[i] for i in row[kept]))
            scores.append(float(row_prob[kept].mean()) if kept.size else 0.0)
            # The least certain written character: a space is a gap (where a printed 都 was
            # taken off an address, 0.49), its width no doubt about what was written.
            written = kept[row[kept] != self.space]
            counted = written if written.size else kept
            self.weakest.append(float(row_prob[counted].min()) if counted.size else 0.0)
            steps.append(kept)
        self.batches.append((int(best.shape[1]), steps))
        return texts, scores


class PaddleEngine:
    """PaddleOCR TextRecognition (crops) and PaddleOCR pipeline (pages) on ONNX Runtime."""

    def __init__(self, options: EngineOptions) -> None:
        # Imported here so that processes that never OCR (the API) never load paddleocr.
        try:
            from paddleocr import TextRecognition
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise OcrEngineError("paddleocr is not installed: run `make setup`") from exc
        self._options = options
        self._ort: dict[str, Any] = {
            "intra_op_num_threads": options.threads,
            "inter_op_num_threads": 1,
            "enable_cpu_mem_arena": options.memory_arena,
        }
        rec_dir = model_dir(options.rec_model, options.model_cache_dir)
        try:
            self._rec = TextRecognition(
                model_name=options.rec_model,
                model_dir=str(rec_dir),
                device="cpu",
                engine="onnxruntime",
                engine_config=self._ort,
            )
        except Exception as exc:
            raise OcrEngineError(f"could not load {options.rec_model}: {exc}") from exc
        # Our own CTC decoder in place of PaddleX's: alphabets and character positions.
        predictor = self._rec.paddlex_predictor
        self._decode = _CtcDecode(list(predictor.post_op.character))
        predictor.post_op = self._decode
        # PaddleX pads every input to at least 320 wide, whatever the crop; we choose the
        # narrowest width per alphabet (set on the resize step before each prediction).
        self._resize = predictor.pre_tfs["ReisizeNorm"]
        self._masks: dict[str, npt.NDArray[np.float32]] = {}
        self._page: Any = None  # full-page pipeline, built on first read_page
        self._info = EngineInfo(
            engine="paddleocr+onnxruntime",
            version=version("paddleocr"),
            models=(options.rec_model, options.det_model),
        )

    @property
    def info(self) -> EngineInfo:
        return self._info

    def recognize(
        self, crops: Sequence[Image], alphabets: Sequence[str | None] | None = None
    ) -> list[Recognition]:
        results: list[Recognition] = [Recognition("", 0.0)] * len(crops)
        wanted = list(alphabets) if alphabets is not None else [None] * len(crops)
        if len(wanted) != len(crops):
            raise ValueError("one alphabet (or None) per crop")
        # Pale print and pencil are read like black ink (and not taken for blank paper).
        crops = [stretch_contrast(crop) if crop.ndim == 2 else crop for crop in crops]
        todo = [i for i, crop in enumerate(crops) if not is_blank(crop)]
        for alphabet in sorted({wanted[i] for i in todo}, key=lambda a: a or ""):
            group = [i for i in todo if wanted[i] == alphabet]
            for index, recognition in zip(
                group, self._predict([crops[i] for i in group], alphabet), strict=True
            ):
                results[index] = recognition
        return results

    def _predict(self, crops: list[Image], alphabet: str | None) -> list[Recognition]:
        inputs = [_to_bgr(_padded(crop)) for crop in crops]
        # Similar widths in one batch: every crop of a batch is padded to the widest one.
        # (Trimming the blank margins was measured too: faster, but the model then reads the
        # gap between 氏 and 名 as ー, so crops keep the box's white space.)
        order = sorted(range(len(inputs)), key=lambda i: inputs[i].shape[1] / max(inputs[i].shape[0], 1))
        min_width = (
            self._options.digits_min_rec_width if alphabet == "digits" else self._options.min_rec_width
        )
        self._resize.rec_image_shape = [3, _REC_HEIGHT, min_width]
        self._decode.mask = self._mask(alphabet)
        self._decode.batches = []
        self._decode.weakest = []
        try:
            outputs = list(self._rec.predict([inputs[i] for i in order], batch_size=_BATCH))
        except Exception as exc:
            raise OcrEngineError(f"recognition failed: {exc}") from exc
        finally:
            self._decode.mask = None
        positions = self._positions([inputs[i] for i in order], [crops[i] for i in order], min_width)
        results: list[Recognition] = [Recognition("", 0.0)] * len(crops)
        weakest = self._decode.weakest if len(self._decode.weakest) == len(order) else [1.0] * len(order)
        for index, output, xs, least in zip(order, outputs, positions, weakest, strict=True):
            raw = str(output["rec_text"])
            text = raw.strip()
            score = float(output["rec_score"]) if text else 0.0
            lead = len(raw) - len(raw.lstrip())
            placed = tuple(xs[lead : lead + len(text)]) if len(xs) == len(raw) else ()
            results[index] = Recognition(
                text, min(max(score, 0.0), 1.0), placed, min(max(least, 0.0), 1.0) if text else 0.0
            )
        return results

    def _positions(self, inputs: list[Image], crops: list[Image], min_width: int) -> list[list[float]]:
        """x (crop pixels) of each decoded character: the centre of its CTC time step, mapped
        back through PaddleX's resize (height 48, width padded to at least ``min_width`` and to the
        batch's widest) and our paper margin."""
        out: list[list[float]] = []
        if len(self._decode.batches) * _BATCH < len(inputs):
            return [[] for _ in inputs]  # batched differently than expected: no positions
        for number, (steps_total, steps) in enumerate(self._decode.batches):
            batch = inputs[number * _BATCH : (number + 1) * _BATCH]
            width = max(
                int(_REC_HEIGHT * max(min_width / _REC_HEIGHT, image.shape[1] / image.shape[0]))
                for image in batch
            )
            for image, crop, kept in zip(
                batch, crops[number * _BATCH : (number + 1) * _BATCH], steps, strict=True
            ):
                to_input = image.shape[0] / _REC_HEIGHT
                margin = (image.shape[0] - crop.shape[0]) / 2
                out.append([(float(t) + 0.5) * width / steps_total * to_input - margin for t in kept])
        return out

    def _mask(self, alphabet: str | None) -> npt.NDArray[np.float32] | None:
        if alphabet is None:
            return None
        if alphabet not in self._masks:
            allowed = ALPHABETS[alphabet]
            # Index 0 is CTC's blank, which must stay allowed.
            self._masks[alphabet] = np.array(
                [
                    1.0 if index == 0 or char in allowed else 0.0
                    for index, char in enumerate(self._decode.character)
                ],
                dtype=np.float32,
            )
        return self._masks[alphabet]

    def read_page(self, page: Image) -> list[TextLine]:
        pipeline = self._page_pipeline()
        scale = 1.0
        longest = max(page.shape[:2])
        if longest > self._options.page_max_side:
            scale = self._options.page_max_side / longest
            page = np.asarray(
                cv2.resize(page, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), dtype=np.uint8
            )
        try:
            result = pipeline.predict(_to_bgr(page))[0]
        except Exception as exc:
            raise OcrEngineError(f"page OCR failed: {exc}") from exc
        lines = []
        for text, score, box in zip(
            result["rec_texts"], result["rec_scores"], result["rec_boxes"], strict=True
        ):
            x0, y0, x1, y1 = (int(round(float(v) / scale)) for v in box)
            lines.append(TextLine(str(text), float(score), Box(x0, y0, x1, y1)))
        return lines

    def _page_pipeline(self) -> Any:
        if self._page is None:
            from paddleocr import PaddleOCR

            det_dir = model_dir(self._options.det_model, self._options.model_cache_dir)
            rec_dir = model_dir(self._options.rec_model, self._options.model_cache_dir)
            self._page = PaddleOCR(
                text_detection_model_name=self._options.det_model,
                text_detection_model_dir=str(det_dir),
                text_recognition_model_name=self._options.rec_model,
                text_recognition_model_dir=str(rec_dir),
                use_doc_orientation_classify=False,
                use_doc_unwarping=False,
                use_textline_orientation=False,
                device="cpu",
                engine="onnxruntime",
                engine_config=self._ort,
            )
        return self._page


def build_paddle_engine(options: EngineOptions) -> PaddleEngine:
    """Registry factory for ``kind = "paddle"``."""
    return PaddleEngine(options)
