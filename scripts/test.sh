#!/usr/bin/env bash
# The README's test command (`make test` runs it after setup; .ci/run calls `make test`).
# Style, types and the import rule first, then the whole pytest suite: the tests start their
# own Redis and PostgreSQL servers (see tests/conftest.py).
set -euo pipefail
cd "$(dirname "$0")/.."
export PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK=True
if [ -z "${PYTEST_ONLY:-}" ]; then  # `make test-slow` after `make test`: the checks ran already
echo "== ruff"; .venv/bin/ruff check .
echo "== import rule (ocr <- extractors <- intake <- review_ui)"; .venv/bin/lint-imports --no-cache
echo "== mypy --strict"; .venv/bin/mypy
fi
echo "== pytest"; exec .venv/bin/pytest "$@"
