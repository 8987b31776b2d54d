"""Opening a file with a budget: a crafted PDF or image must not hang or exhaust a worker.

Contract: :func:`open_document` parses and renders one file (its text layer, or its pages as
greyscale images) in a child process, never in the caller's. The child runs under an
address-space limit (``resource.RLIMIT_AS``), and the caller waits at most
``budget.step_seconds`` for each step (the text layer, then each page). A file over budget
is refused with :class:`ocr.errors.RasterError` code ``too_complex`` (permanent: the same
file would fail the same way again); the other refusals are those of :mod:`ocr.raster`.

Why a child: pdfium renders in C and pdfminer interprets every content-stream operator in
Python, and neither can be interrupted from inside. The child is forked from a small fork
server that imported the parsers once (``forkserver``), so it costs a fork, not an
interpreter start, and inherits none of the worker's threads or models. It then opens one
file after another (a fork per file cost 0.03–0.06 s, a tenth of a second under load, of a
2 s page) until a file goes over budget or fails in a way that may have left it unsound
(it is killed, and the next file gets a new one) or it has opened :data:`FILES_PER_CHILD`
files (a slow leak in a C library cannot grow for ever). The child is a budget, not a
security boundary: it runs as the worker's user and could read what the worker reads.
"""

from __future__ import annotations

import multiprocessing
import resource
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerProcess
from pathlib import Path
from typing import Any

import numpy as np
import pypdfium2  # noqa: F401 - imported once in the fork server: ocr.raster imports it late
from PIL import Image as PILImage

from extractors.digital import has_text_layer, read_digital
from extractors.model import FormReading
from extractors.template import installed_dirs, templates_in
from intake.errors import MESSAGES, ErrorCode
from intake.settings import Limits
from ocr.errors import RasterError
from ocr.raster import RasterLimits, iter_pages
from ocr.types import Image

#: What a person is told about a file over budget.
TOO_COMPLEX_MESSAGE = MESSAGES[ErrorCode.TOO_COMPLEX]


@dataclass(frozen=True)
class Budget:
    """How long each step of opening a file may take, and how much memory the child may map."""

    #: Seconds for the text layer and for each page (a normal page renders in ~0.1 s).
    step_seconds: float = 20.0
    #: Address space of the child in bytes (its interpreter and libraries take ~0.5 GB of it).
    memory_bytes: int = 2 * 1024**3

    @classmethod
    def of(cls, limits: Limits) -> Budget:
        """The budget the settings give (``KAKUNIN_LIMITS__OPEN_STEP_SECONDS``, ``…__OPEN_MEMORY_MB``)."""
        return cls(limits.open_step_seconds, limits.open_memory_mb * 1024**2)


@dataclass(frozen=True)
class Opened:
    """A file opened: its pages, and the forms read from its text layer (a PC-filled PDF;
    None: the pages are to be read)."""

    digital: tuple[FormReading, ...] | None
    pages: tuple[Image, ...]


DEFAULT_BUDGET = Budget()


def start_fork_server() -> None:
    """Start the fork server now (it imports the parsers, ~1–2 s, in its own process) rather
    than when the first file is opened: a worker calls this once its OCR models are loaded."""
    forkserver.ensure_running()


#: How many files one child opens before it is replaced by a new one.
FILES_PER_CHILD = 200


@dataclass
class _Child:
    """The child that opens this process's files, its end of the pipe and what it has done."""

    process: ForkServerProcess
    connection: Connection
    memory_bytes: int
    files: int = 0


_child: _Child | None = None
# One file at a time through the child (a web process may open files from several threads).
_child_lock = threading.Lock()


def open_document(
    data: bytes, kind: str, limits: RasterLimits, today: date, budget: Budget = DEFAULT_BUDGET
) -> Opened:
    """The forms of ``data``'s text layer or its page images, opened in a child under ``budget``.

    Raises :class:`RasterError` (``too_complex`` over budget, else the rasteriser's codes)."""
    global _child
    # The forms this process reads with, not those named when the fork server started (a
    # test, or a process whose KAKUNIN_FORMS_DIRS changed, would read text layers with others).
    forms = installed_dirs()
    with _child_lock:
        child = _child if _child is not None and _reusable(_child, budget) else _new_child(budget)
        _child = None  # taken: put back only when the file went through cleanly
        child.files += 1
        try:
            child.connection.send((data, kind, limits, today, forms))
        except OSError:  # the child died between two files: this file gets a new one
            _end(child)
            child = _new_child(budget)
            child.connection.send((data, kind, limits, today, forms))
        try:
            opened = _received(child.connection, budget)
        except RasterError as exc:
            if exc.code == ErrorCode.TOO_COMPLEX.value:
                _end(child)  # over budget or dead: killed, the next file gets a new child
            else:
                _child = child  # the file's own refusal (unreadable, too many pages …)
            raise
        except BaseException:
            _end(child)
            raise
        _child = child
        return opened


def _reusable(child: _Child, budget: Budget) -> bool:
    if child.process.is_alive() and child.memory_bytes == budget.memory_bytes and child.files < FILES_PER_CHILD:
        return True
    _end(child)
    return False


def _new_child(budget: Budget) -> _Child:
    context = multiprocessing.get_context("forkserver")
    mine, theirs = context.Pipe(duplex=True)
    process = context.Process(target=_serve_in_child, args=(theirs, budget.memory_bytes), daemon=True)
    process.start()
    theirs.close()
    return _Child(process, mine, budget.memory_bytes)


def _end(child: _Child) -> None:
    child.connection.close()
    if child.process.is_alive():
        child.process.kill()
    child.process.join()


def _received(connection: Connection, budget: Budget) -> Opened:
    """What the child sends for one file, each step within ``budget.step_seconds``."""
    pages: list[Image] = []
    digital: tuple[FormReading, ...] | None = None
    while True:
        if not connection.poll(budget.step_seconds):
            raise RasterError(ErrorCode.TOO_COMPLEX.value, TOO_COMPLEX_MESSAGE)
        try:
            what, payload = connection.recv()
        except (EOFError, OSError):  # the child died (out of memory in C code, or killed): EOF or reset
            raise RasterError(ErrorCode.TOO_COMPLEX.value, TOO_COMPLEX_MESSAGE) from None
        if what == "page":
            pages.append(_page_received(connection, payload, budget))
        elif what == "digital":  # its pages follow, rendered for the review screens
            digital = tuple(payload)
        elif what == "error":
            raise RasterError(*payload)
        else:  # "done"
            return Opened(digital, tuple(pages))


def _serve_in_child(connection: Connection, memory_bytes: int) -> None:
    """The child's loop: one file after another until the parent closes the pipe."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    while True:
        try:
            data, kind, limits, today, forms = connection.recv()
        except EOFError:  # the parent is gone, or let this child go
            return
        except MemoryError:  # the file itself does not fit in the budget: the parent sees us go
            return
        if not _open_in_child(connection, data, kind, limits, today, forms):
            return


def _open_in_child(
    connection: Connection, data: bytes, kind: str, limits: RasterLimits, today: date, forms: tuple[Path, ...]
) -> bool:
    """Open one file and send what it holds; False when the child should not go on."""
    try:
        for what, payload in _steps(data, kind, limits, today, forms):
            if what == "page":
                _send_page(connection, payload)
            else:
                connection.send((what, payload))
    except RasterError as exc:
        connection.send(("error", (exc.code, exc.message)))
    except MemoryError:
        connection.send(("error", (ErrorCode.TOO_COMPLEX.value, TOO_COMPLEX_MESSAGE)))
        return False
    return True


def _send_page(sender: Connection, page: Image) -> None:
    """A page as its shape and type, then its pixels as they lie in memory: pickling an
    array copies it twice more on each side, ~0.05 s for a page at 300 dpi."""
    pixels = np.ascontiguousarray(page)
    sender.send(("page", (pixels.shape, pixels.dtype.str)))
    sender.send_bytes(pixels.data.cast("B"))


def _page_received(receiver: Connection, header: tuple[tuple[int, ...], str], budget: Budget) -> Image:
    """The page :func:`_send_page` sent (a writable array of its own)."""
    shape, dtype = header
    if not receiver.poll(budget.step_seconds):
        raise RasterError(ErrorCode.TOO_COMPLEX.value, TOO_COMPLEX_MESSAGE)
    pixels = bytearray(int(np.prod(shape)) * np.dtype(dtype).itemsize)
    try:
        receiver.recv_bytes_into(pixels)
    except (EOFError, OSError):  # the child died while sending
        raise RasterError(ErrorCode.TOO_COMPLEX.value, TOO_COMPLEX_MESSAGE) from None
    return np.frombuffer(pixels, dtype=dtype).reshape(shape)


def _steps(
    data: bytes, kind: str, limits: RasterLimits, today: date, forms: tuple[Path, ...]
) -> Iterator[tuple[str, Any]]:
    """What the child sends, in order: the text layer's forms (if it has them, read with the
    templates of the parent's ``forms`` folders), each page, then "done". A PC-filled PDF's
    pages are rendered too: not to be read, but to be shown."""
    if kind == "pdf" and has_text_layer(data):
        # Filled on a PC: the words and their positions are in the file, no OCR needed.
        digital = read_digital(data, templates_in(forms), today)
        if digital is not None:
            yield "digital", list(digital)
    for page in iter_pages(data, kind, limits):
        yield "page", page
    yield "done", None


# Pillow's format plugins are loaded once in the fork server too (it loads them on first use).
PILImage.init()
# The parsers (and the program's main module, which a child would otherwise import again
# on its own) are imported once by the fork server, not by every child.
multiprocessing.get_context("forkserver").set_forkserver_preload(["__main__", "intake.sandbox"])
