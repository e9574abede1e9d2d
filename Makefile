# The one task runner: the README's quick start and CI use these targets.
.PHONY: run test install install-dev ingest bench-ingest lint

VENV := .venv/bin
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

## Install, ingest seeds/ and open the chat window (http://127.0.0.1:7860).
run: install
	$(VENV)/ragchat ingest seeds
	$(VENV)/ragchat ui

## Install everything the tests need and run the whole suite.
test: install-dev
	$(VENV)/python -m pytest

install:
	scripts/install

install-dev:
	scripts/install --dev

ingest: install
	$(VENV)/ragchat ingest seeds

bench-ingest: install
	$(VENV)/python -m eval.bench ingest

lint: install-dev
	$(VENV)/ruff check rag ingest ui eval tests
