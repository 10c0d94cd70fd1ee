# Second Look: `make run` starts the site, `make test` runs every check. Both set up what
# they need first (virtual environment, dependencies, database, browser).

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# pyenv (and the .python-version file) give python3.12 on our machines; any 3.12+ works.
PYTHON ?= $(shell command -v python3.12 || command -v python3)

.PHONY: run test lint check-migrations unit browser-deps gettext-deps clean

$(VENV)/.python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 12), sys.version' 2>/dev/null \
	  || { echo "Second Look needs Python 3.12 or newer; $(PYTHON) is $$($(PYTHON) --version)."; \
	       echo "Install it (e.g. 'pyenv install 3.12') or run: make PYTHON=/path/to/python3.12 run"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@touch $@

$(VENV)/.runtime: $(VENV)/.python requirements.txt
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

run: $(VENV)/.runtime
	$(PY) scripts/services.py run -- $(PY) scripts/run.py

# Debian's Chromium for the browser tests (Playwright cannot download browsers here).
browser-deps:
	@if ! command -v chromium >/dev/null && [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	  elif [ "$$CI" = true ]; then echo "CI=true needs chromium: apt-get install -y chromium"; exit 1; \
	  else echo "chromium is missing: the browser tests will be skipped (apt-get install chromium)"; fi; \
	fi

# GNU gettext, for the check that the German catalogue is complete (tests/unit/test_translations.py).
gettext-deps:
	@if ! command -v msgfmt >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing GNU gettext for the translation checks..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
	  elif [ "$$CI" = true ]; then echo "CI=true needs gettext: apt-get install -y gettext"; exit 1; \
	  else echo "gettext is missing: the translation checks will fail (apt-get install gettext)"; fi; \
	fi

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check-migrations: $(VENV)/.dev
	$(PY) scripts/services.py test -- $(PY) manage.py makemigrations --check --dry-run

test: $(VENV)/.dev browser-deps gettext-deps lint check-migrations
	$(PY) scripts/services.py test -- $(VENV)/bin/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
