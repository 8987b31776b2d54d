"""The four forms and the issuer: templates, field readers, validation, records and rules.

Uses :mod:`ocr` only through its interface; no database, no queue.
"""
