# Loket: `make run` starts it, `make test` tests it. Everything they need is made here, once;
# re-running does nothing when nothing changed.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
RASA_VENV := .venv-rasa
PYTHON311 ?= python3.11
PYTHON310 ?= $(shell scripts/find-python310)
RASA_MODEL := models/loket.tar.gz
EMBEDDING_MODEL := models/embedding/.tuned
EMBEDDING_EXPORT := models/embedding/onnx/model.onnx
GLOSSARY := /usr/share/dictd/freedict-nld-eng.dict.dz
RASA_DATA := config.yml domain.yml credentials.yml $(wildcard data/*.yml data/nlu/*.yml)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export HF_HUB_OFFLINE := 1

.PHONY: help run test check setup environments models browser services reliability bench bench-live clean

help:
	@echo "make run    start Loket with the web chat at http://127.0.0.1:8000/"
	@echo "make test   the check gate and the whole test suite"
	@echo "make check  format, lint and type checks only"
	@echo "make reliability  faults and load against PostgreSQL and Redis (QUICK=1: no service restarts)"
	@echo "make bench  end-to-end latency and throughput, Loket against bare Rasa"
	@echo "make bench-live  how soon a change is live in another loket process (PostgreSQL, Redis)"

$(VENV)/.installed: requirements/app.txt requirements/dev.txt pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON311) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements/app.txt -r requirements/dev.txt
	$(VENV)/bin/pip install --quiet --no-deps -e .
	@touch $@

$(RASA_VENV)/.installed: requirements/rasa.txt
	@test -n "$(PYTHON310)" || { echo "Python 3.10 not found (pyenv 3.10.x or python3.10 on PATH)"; exit 1; }
	@test -x $(RASA_VENV)/bin/python || $(PYTHON310) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install --quiet --upgrade "pip<25"
	$(RASA_VENV)/bin/pip install --quiet -r requirements/rasa.txt
	@touch $@

# Retrained only when the Rasa data or config changed.
$(RASA_MODEL): $(RASA_VENV)/.installed $(RASA_DATA)
	$(RASA_VENV)/bin/rasa train --quiet --fixed-model-name loket --out models
	@touch $@

# The two environments are installed at once: pip waits for the disk and the registry as much as
# for a core (2:47 -> 1:48 here). The models are made one after the other: with the Rasa training
# (and a few tests) beside it, the tuning's first pass took 19 minutes instead of 4.5.
setup:
	@$(MAKE) --no-print-directory --jobs=2 environments
	@$(MAKE) --no-print-directory models

environments: $(VENV)/.installed $(RASA_VENV)/.installed
	@:

models: $(RASA_MODEL) $(GLOSSARY) $(EMBEDDING_EXPORT)
	@:

# The bundled English embedding model, tuned to residents' Dutch (knowledge_base/tuning.py):
# retuned only when the pairs or the training change, not when another requirement does (the
# environment is needed first, but a tuned model stays valid; after a new base model, `rm -r
# models/embedding`). On two cores: 13 minutes with AVX-512, about 30 without.
$(EMBEDDING_MODEL): $(GLOSSARY) data/retrieval/pairs.tsv knowledge_base/tuning.py | $(VENV)/.installed
	rm -rf $(@D)
	$(VENV)/bin/python scripts/tune_embeddings.py --out $(@D)
	@touch $@

# The tuned model for ONNX Runtime, which embeds a question in a third of torch's time.
$(EMBEDDING_EXPORT): $(EMBEDDING_MODEL) knowledge_base/onnx_encoder.py
	$(VENV)/bin/python scripts/export_embeddings.py $(dir $(EMBEDDING_MODEL))

# FreeDict's Dutch-English dictionary (GPL-2+, from Debian; read, not shipped): the English
# embedding model also reads Dutch texts word by word in English (knowledge_base/glossary.py).
$(GLOSSARY):
	apt-get install -y -qq dict-freedict-nld-eng >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq dict-freedict-nld-eng >/dev/null; }

# Debian's Chromium for the browser tests (Playwright cannot download a browser here).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# The production-mode tests use PostgreSQL (127.0.0.1:5432, trust auth, database `test`) and Redis
# (127.0.0.1:6379): started here when they are installed but down.
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql)" main start \
		|| { echo "PostgreSQL is needed on 127.0.0.1:5432 (database test, trust auth)"; exit 1; }
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 \
		--save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log \
		|| { echo "Redis is needed on 127.0.0.1:6379"; exit 1; }

run: setup
	$(VENV)/bin/loket run

check: $(VENV)/.installed
	scripts/check

test: setup browser services check
	$(VENV)/bin/pytest

# Needs the machine's PostgreSQL (127.0.0.1:5432, database test) and Redis (127.0.0.1:6379).
reliability: setup services
	$(VENV)/bin/python -m tests.reliability.run $(if $(QUICK),--quick)

bench: setup
	$(VENV)/bin/python -m tests.bench.end_to_end

# Needs the machine's PostgreSQL and Redis, like reliability.
bench-live: setup services
	$(VENV)/bin/python -m tests.bench.live_changes $(if $(ROUNDS),--rounds $(ROUNDS))

clean:
	rm -rf $(VENV) $(RASA_VENV) models var
