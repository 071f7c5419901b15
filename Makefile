# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
DEMO_PASSWORD ?= adoptboard-demo
# Tests run on every core (pytest-xdist); pass PYTEST_ARGS= to run them in one process.
PYTEST_ARGS ?= -n auto

.PHONY: run test install browser

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

# Browser tests drive Debian's Chromium; install it once if it is missing.
browser:
	@test -x /usr/bin/chromium || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --password "$(DEMO_PASSWORD)"
	@echo "Log in at http://$(HOST)/ as secretary, chair or member, password $(DEMO_PASSWORD)"
	$(PY) manage.py runserver $(HOST)

test: install browser
	$(PY) -m pytest $(PYTEST_ARGS)
