# DealerSales — `make run` starts the portal, `make test` runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install lint bench clean

run: install  ## install, migrate, load demo data, start web + Celery worker + beat
	$(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo
	bin/run

# Tests run in parallel processes, one per core (TEST_WORKERS=0 runs them in one).
TEST_WORKERS ?= auto

test: install  ## the whole suite (PostgreSQL and Redis when DATABASE_URL / REDIS_URL say so)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

lint: install  ## what CI checks besides the tests
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy apps dealersales

install: $(VENV)/.installed node_modules/.installed
	$(BIN)/python bin/compilemessages

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# --ignore-scripts: no package may run code (or phone home) at install time.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

# On PostgreSQL (DATABASE_URL): pages and endpoints at the small and the large scale, with
# their ratios; builds the large group (seed_demo --scale large) when absent. BENCH_ARGS
# passes options, e.g. BENCH_ARGS="--small-db postgres://…/ds --large-db postgres://…/ds_large".
BENCH_ARGS ?=

bench: install  ## speed figures (printed and saved to var/bench.json, never asserted in tests)
	$(BIN)/python manage.py bench_followups
	$(BIN)/python manage.py bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules var
