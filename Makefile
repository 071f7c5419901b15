# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
DEMO_PASSWORD ?= adoptboard-demo
# Tests run on every core (pytest-xdist); pass PYTEST_ARGS= to run them in one process.
PYTEST_ARGS ?= -n auto

.PHONY: run test install install-dev browser lint screenshots

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# What the app needs to run; tests and tools on top (requirements-dev.txt includes requirements.txt).
$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Browser tests drive Debian's Chromium; the Word check converts with LibreOffice; PDF checks
# read pages with poppler. Installed once if missing.
browser:
	@command -v chromium >/dev/null && command -v soffice >/dev/null && command -v pdftotext >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO apt-get install -y -qq chromium poppler-utils libreoffice-writer-nogui >/dev/null; }

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --password "$(DEMO_PASSWORD)"
	@echo "Log in at http://$(HOST)/ as secretary, chair or member, password $(DEMO_PASSWORD)"
	$(PY) manage.py runserver $(HOST)

test: install-dev browser
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# The README's screenshots come from the browser tests; written only when asked for.
screenshots: install-dev browser
	SCREENSHOTS=1 $(PY) -m pytest $(PYTEST_ARGS) -m e2e
	$(PY) scripts/render_agenda_png.py
