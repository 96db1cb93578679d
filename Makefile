# Plenum: `make dev` runs the app on embedded defaults; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
STAMP := $(VENV)/.installed

# Without DATABASE_URL, the project-local cluster (bin/localdb, port 54322) is used.
ifeq ($(origin DATABASE_URL),undefined)
  LOCAL_DB := 1
  export DATABASE_URL := $(shell bin/localdb url)
  export WORKER_DATABASE_URL := $(shell bin/localdb worker-url)
  export DATABASE_ADMIN_URL := $(shell bin/localdb admin-url)
endif
export FLASK_APP := app
export PLENUM_ENV ?= development

.PHONY: help dev test db-up db-url db-stop lint format venv e2e-deps supabase-cli bench schema lock image-test

help:
	@echo "make dev      set up everything and run the app on http://127.0.0.1:5000"
	@echo "make test     set up everything and run the whole test suite"
	@echo "make db-up    start the local database and apply migrations and policies"
	@echo "make db-url   print the app's database URL (its login role), for tools"
	@echo "make db-stop  stop the local database"
	@echo "make lint     ruff and mypy"
	@echo "make schema   regenerate supabase/schema.sql (the migrated schema, checked by a test)"
	@echo "make supabase-cli  install the Supabase CLI that package.json pins (needs npm)"
	@echo "make bench    benchmarks, printed as ratios against a floor measured in the same run"
	@echo "make lock     regenerate requirements.lock and requirements-dev.lock from pyproject.toml"
	@echo "make image-test  the deployment's image and fly.toml's command lines, run for real"

# Exactly the locked versions (hashes checked), then the project itself, adding nothing.
$(STAMP): pyproject.toml requirements.lock requirements-dev.lock
	@command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements-dev.lock
	$(VENV)/bin/pip install --quiet --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

# uv resolves the locks (for Python 3.11 on Linux x86_64, as the image and CI run); it lives in a
# venv of its own under .local, not in the app's. The dev lock first, then the runtime lock held
# to the same versions. Pins already in a lock are kept: `make lock LOCK_ARGS=--upgrade` moves
# every package to its newest allowed version.
UV_VERSION := 0.13.9
UV := .local/uv-$(UV_VERSION)/bin/uv
LOCK_FLAGS := --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
  --custom-compile-command "make lock" --quiet $(LOCK_ARGS)

$(UV):
	python3 -m venv .local/uv-$(UV_VERSION)
	.local/uv-$(UV_VERSION)/bin/pip install --quiet uv==$(UV_VERSION)

lock: $(UV)
	$(UV) pip compile pyproject.toml --extra dev $(LOCK_FLAGS) -o requirements-dev.lock
	$(UV) pip compile pyproject.toml -c requirements-dev.lock $(LOCK_FLAGS) -o requirements.lock

# The image built and fly.toml's command lines run in it, where a container engine can fetch the
# base image; otherwise (say why) the same command lines run from this checkout.
image-test: export PLENUM_ENV := test
image-test: db-up
	@VENV=$(VENV) bin/image-test

db-up: $(STAMP)
ifdef LOCAL_DB
	@bin/localdb start
endif
	@$(FLASK) db up

db-url:
	@echo $(DATABASE_URL)

db-stop:
ifdef LOCAL_DB
	@bin/localdb stop
else
	@echo "DATABASE_URL is set: the database is not ours to stop" >&2
endif

# The worker runs beside the app (messages, geocoding, reminders) and stops with it.
dev: db-up
	@$(FLASK) seed demo
	@echo "Texts and email go to the outbox (owners: Outbox in the menu); the worker sends them."
	@$(PY) -m jobs & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(FLASK) run --host 127.0.0.1 --port 5000

# Browser tests need Debian's Chromium; .ci/run installs it, and so does this when missing.
e2e-deps:
	@command -v chromium >/dev/null || bin/install-chromium

# The Supabase CLI at the version package.json pins, for `supabase db push` and its test
# (tests/deploy); without npm the test skips, except in CI where it fails.
supabase-cli: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent; \
	  else echo "npm not found: the Supabase CLI is not installed" >&2; fi

test: export PLENUM_ENV := test
test: db-up e2e-deps supabase-cli
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

# supabase/schema.sql from a database migrated from scratch (tests/test_schema_file.py checks it).
schema: db-up
	@$(FLASK) db schema

# Every scenario, one table: bench/results/latest.md and latest.json (see bench/README.md).
bench: db-up
	$(PY) -m bench

lint: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
