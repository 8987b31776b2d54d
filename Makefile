# The two commands of the README: `make run` and `make test`.
.PHONY: setup run test test-slow test-all lint samples bench

setup:
	@scripts/setup.sh

# `make run PORT=8080`, or KAKUNIN_PORT in the environment (8000 by default).
PORT ?= $(or $(KAKUNIN_PORT),8000)
# The file store's key (issue 19 item 6): made on the first `make run`, outside the data directory.
STORE_KEY ?= $(HOME)/.config/kakunin/store.key

run: setup
	@if [ -z "$$KAKUNIN_STORE_KEY" ] && [ -z "$$KAKUNIN_STORE_KEY_FILE" ]; then \
	  [ -f "$(STORE_KEY)" ] || .venv/bin/kakunin key new "$(STORE_KEY)" || exit 1; \
	  echo "file store key: $(STORE_KEY) (keep a copy apart from the data and its backups)"; \
	  export KAKUNIN_STORE_KEY_FILE="$(STORE_KEY)"; \
	fi; \
	exec .venv/bin/kakunin run --port $(PORT)

# The default run leaves out the `slow` suites (fault injection: workers, Redis and the whole
# process group killed mid-run, ~8 min more); CI runs them too (`.ci/run`: test, then test-slow).
test: setup
	scripts/test.sh -m "not slow"

test-slow: setup
	PYTEST_ONLY=1 scripts/test.sh -m slow

test-all: setup
	scripts/test.sh

lint: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy && .venv/bin/lint-imports

samples: setup
	.venv/bin/python -m fixtures.samples
