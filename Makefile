# Circolo: `make run` serves the demo site, `make test` runs the whole suite.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: run install install-test test test-unit test-browser lint format bench clean messages

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's Chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

run: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo --if-empty
	@echo
	@echo "  Circolo is running on http://127.0.0.1:$(PORT)/"
	@echo "  Demo logins (password: demo): demo-customer, demo-helper, demo-advocate,"
	@echo "  demo-staff, demo-manager (admin at /admin/). Sign-up e-mails print below."
	@echo
	@# The task worker (e-mails, SLA timers, periodic jobs) runs beside daphne and stops with it.
	@SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(PY) manage.py run_worker --no-reload --queue-name '*' & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(VENV)/bin/daphne -b 127.0.0.1 -p $(PORT) config.asgi:application

# The unit/integration suite runs in parallel; browser tests (sync Playwright) run in
# their own invocation because they cannot share a process with pytest-asyncio's loop.
test: install-test
	$(MAKE) --no-print-directory test-unit test-browser

# pytest takes its settings (config.settings.test) from pyproject.toml; a
# DJANGO_SETTINGS_MODULE in the environment would override them, so it is pinned here.
test-unit test-browser: export DJANGO_SETTINGS_MODULE := config.settings.test

test-unit:
	$(VENV)/bin/pytest -q -n $(PYTEST_WORKERS) --ignore=tests/browser

test-browser:
	$(VENV)/bin/pytest -q -p no:asyncio -W ignore::pytest.PytestConfigWarning tests/browser || { rc=$$?; [ $$rc -eq 5 ] && echo "no browser tests" || exit $$rc; }

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: install-test
	$(PY) manage.py makemessages -l it --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles
	$(PY) manage.py makemessages -d djangojs -l it --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv

bench: install-test
	@command -v wrk >/dev/null || apt-get install -y wrk
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3*
