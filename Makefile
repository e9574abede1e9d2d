# The one task runner: the README's quick start and CI use these targets.
.PHONY: run test install install-dev ingest bench-ingest bench-answer eval-seed eval-seed-baseline lint

VENV := .venv/bin
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

## Install, ingest seeds/ and open the chat window (http://127.0.0.1:7860).
run: install
	$(VENV)/ragchat ingest seeds
	$(VENV)/ragchat ui

## Install everything the tests need, run the whole suite, then gate the seed question set on its baseline.
test: install-dev
	$(VENV)/ruff check rag ingest ui eval tests
	$(VENV)/python -m pytest
	$(VENV)/ragchat ingest seeds --quiet
	$(VENV)/ragchat eval eval/sets/seed.jsonl --baseline eval/sets/seed.baseline.json --out eval-report/seed --quiet

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

## SQuAD sample: ragchat vs the LangChain tutorial recipe (add ARGS="--local" for the LLM figures).
bench-answer: install
	$(VENV)/python -m eval.bench answer $(ARGS)

## Score the seed question set against its baseline (what CI runs): exit 100 on a regression.
eval-seed: ingest
	$(VENV)/ragchat eval eval/sets/seed.jsonl --baseline eval/sets/seed.baseline.json --out eval-report/seed

## Rewrite the seed baseline from a run of the current code; review its diff before committing it.
eval-seed-baseline: ingest
	$(VENV)/ragchat eval eval/sets/seed.jsonl --baseline eval/sets/seed.baseline.json --update-baseline \
		--out eval-report/seed
