"""Errors raised by the OCR layer."""


class OcrEngineError(RuntimeError):
    """Any failure inside an OCR engine. Message says what to do."""


class ModelMissingError(OcrEngineError):
    """A model file is not installed. The message names the package to install."""


class RasterError(ValueError):
    """An input could not be turned into page images.

    ``code`` is a stable identifier (``unreadable``, ``encrypted``, ``too_many_pages``,
    ``too_large``, ``unsupported_type``, ``empty``) shared with the intake layer.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
