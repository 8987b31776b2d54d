# The two commands of the README: `make run` and `make test`.
.PHONY: setup run test test-fast lint samples bench

setup:
	@scripts/setup.sh

# `make run PORT=8080`, or KAKUNIN_PORT in the environment (8000 by default).
PORT ?= $(or $(KAKUNIN_PORT),8000)
run: setup
	.venv/bin/kakunin run --port $(PORT)

test: setup
	scripts/test.sh

test-fast: setup
	scripts/test.sh -m "not slow"

lint: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy && .venv/bin/lint-imports

samples: setup
	.venv/bin/python -m fixtures.samples
