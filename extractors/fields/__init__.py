"""Field readers: crops for OCR, and ink measurements for ticks and circles."""
