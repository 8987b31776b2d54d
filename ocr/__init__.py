"""Images and text: rasterising, page preparation and OCR engines.

Knows nothing about forms, databases or queues.
"""
