# The two commands of the README: `make run` and `make test`.
.PHONY: setup run test test-fast lint samples bench

setup:
	@scripts/setup.sh

run: setup
	.venv/bin/kakunin run

test: setup
	scripts/test.sh

test-fast: setup
	scripts/test.sh -m "not slow"

lint: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy && .venv/bin/lint-imports

samples: setup
	.venv/bin/python -m fixtures.samples
