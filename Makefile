# The project's entry points; see README.md and ../shared/intake-contract.md.
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
STAMP := $(VENV)/.installed
SPACY_PIPELINE := models/spacy_pipeline
MODEL := models/intake.tar.gz
RASA_DATA := $(shell find data -name '*.yml' 2>/dev/null)
NLU_CODE := $(wildcard bot/nlu/*.py bot/safety/*.py bot/safety/*.yml)

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONHASHSEED := 0
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export INTAKE_DATABASE_URL ?= sqlite:///$(CURDIR)/var/intake.db
export RASA_PORT ?= 5005
export ACTIONS_PORT ?= 5055
export WEB_PORT ?= 8000
export STAFF_PORT ?= 8001

.PHONY: setup train run run-prod test eval bench

setup: $(STAMP)

# Set-up also bundles the web widget, so its sources make it run again.
$(STAMP): pyproject.toml scripts/setup.sh $(wildcard widget/package*.json widget/build.mjs widget/src/*)
	@bash scripts/setup.sh

train: $(MODEL)

$(SPACY_PIPELINE)/meta.json: $(STAMP) bot/spacy_pipeline.py bot/resources/entity_patterns.jsonl
	$(PY) -m bot.spacy_pipeline $(SPACY_PIPELINE)

$(MODEL): $(STAMP) $(SPACY_PIPELINE)/meta.json config.yml domain.yml $(RASA_DATA) $(NLU_CODE)
	$(RASA) train --fixed-model-name intake --out models --quiet
	@touch $@

run: train
	$(PY) -m bot.runner

# The production profile: PostgreSQL, Redis locks, RASA_INSTANCES Rasa servers behind nginx.
# Settings come from the environment, after the file INTAKE_ENV_FILE (default .env, ignored by git)
# if it exists; deploy/production.env.example lists them.
INTAKE_ENV_FILE ?= .env
run-prod: train
	@set -a; if [ -f "$(INTAKE_ENV_FILE)" ]; then . "$(abspath $(INTAKE_ENV_FILE))"; fi; set +a; \
	RASA_INSTANCES="$${RASA_INSTANCES:-2}" $(PY) -m bot.runner --production

test: train
	$(PY) -m pytest -q
	$(RASA) data validate --fail-on-warnings --quiet
	$(RASA) test core --stories tests --fail-on-prediction-errors --model $(MODEL) --out results/stories

eval: train
	$(PY) -m bot.evaluation --out reports

# `make bench` runs every benchmark; e.g. BENCH_ARGS="load --conversations 20" runs one.
bench: train
	$(PY) -m bot.benchmarks $(BENCH_ARGS)
