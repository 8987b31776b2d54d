"""The OCR engine contract, its options and the registry that builds engines by ``kind``."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from ocr.types import EngineInfo, Image, Recognition, TextLine


@dataclass(frozen=True)
class EngineOptions:
    """How to build an engine. ``kind`` selects the implementation in :data:`REGISTRY`."""

    kind: str = "paddle"
    #: Recognition model name (PaddleX naming), e.g. ``PP-OCRv6_small_rec``.
    rec_model: str = "PP-OCRv6_small_rec"
    #: Detection model name, used only by ``read_page``.
    det_model: str = "PP-OCRv6_small_det"
    threads: int = 2
    #: ONNX Runtime's CPU memory arena: faster allocation, but it keeps the peak of the widest
    #: batch ever seen; without it memory goes back after each batch.
    memory_arena: bool = True
    #: Where assembled model folders are kept (links into installed packages, never downloads).
    model_cache_dir: Path = field(default_factory=lambda: Path("var/models"))
    #: Long side cap for full-page detection; larger pages are downscaled first.
    page_max_side: int = 2000
    #: Narrowest recogniser input (pixels at height 48) of text and kana: the models were
    #: trained on inputs padded to 320, and kana read on narrower ones were measured worse.
    min_rec_width: int = 320
    #: The same for crops read in the digits alphabet (boxed numbers, dates): most are two to
    #: four digits (≈140 px), and padded to 320 they cost as much as a line of text.
    digits_min_rec_width: int = 160


@runtime_checkable
class OcrEngine(Protocol):
    """An OCR engine. Models are loaded once when the engine is built."""

    @property
    def info(self) -> EngineInfo: ...

    def recognize(
        self, crops: Sequence[Image], alphabets: Sequence[str | None] | None = None
    ) -> list[Recognition]:
        """Read one line of text per crop, in order. A blank crop gives ``("", 0.0)``.

        ``alphabets`` names, per crop, the :data:`ocr.types.ALPHABETS` entry its text is
        drawn from (None: any character)."""
        ...

    def read_page(self, page: Image) -> list[TextLine]:
        """Detect and read every text line of a page."""
        ...


#: kind -> "module:factory"; factories take EngineOptions and return an OcrEngine.
REGISTRY: dict[str, str] = {
    "paddle": "ocr.paddle:build_paddle_engine",
}


def build_engine(options: EngineOptions) -> OcrEngine:
    """Build the engine named by ``options.kind``; its library is imported only here."""
    try:
        target = REGISTRY[options.kind]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise ValueError(f"unknown OCR engine kind {options.kind!r}; known: {known}") from None
    module_name, _, factory_name = target.partition(":")
    factory = getattr(importlib.import_module(module_name), factory_name)
    engine: OcrEngine = factory(options)
    return engine
