# Circolo: `make run` serves the demo site, `make test` runs the whole suite.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: run precompile install install-test lock lock-check schema test test-unit test-browser test-clock lint format bench clean messages

# Dependencies come from uv.lock, exactly (`uv sync --frozen`). uv itself is bootstrapped
# from PyPI into .uv/ when it is not on the PATH (deploy/bootstrap_uv.py, pip where PyPI has
# no wheel for the platform); no Python is ever downloaded.
UV_VERSION ?= 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .uv/bin/uv)
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
export UV_NO_PROGRESS := 1
UV_SYNC = $(UV) sync --frozen --quiet --python python3

.uv/bin/uv:
	@python3 deploy/bootstrap_uv.py $(UV_VERSION) .uv 2>.uv-install.log; rc=$$?; \
	if [ $$rc -eq 2 ]; then python3 -m pip install -q --disable-pip-version-check --no-deps --no-compile \
	  --target .uv "uv==$(UV_VERSION)" >/dev/null 2>>.uv-install.log; rc=$$?; fi; \
	[ $$rc -eq 0 ] || { cat .uv-install.log; exit 1; }; rm -f .uv-install.log

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	@echo "== Installing the locked dependencies into $(VENV)"
	@$(UV_SYNC) --inexact
	@touch $@

$(VENV)/.installed-test: pyproject.toml uv.lock | $(UV)
	@echo "== Installing the locked dependencies (with the test tools) into $(VENV)"
	@$(UV_SYNC) --extra test
	@touch $@ $(VENV)/.installed

# The browser suite's tools (Playwright, and Debian's Chromium when it is missing) and the
# linters are added when first needed, not before the first unit test: Playwright alone is
# a 51 MiB download. The sync above is exact, so when it runs again these follow it.
$(VENV)/.installed-browser: $(VENV)/.installed-test
	@echo "== Installing the browser test tools into $(VENV)"
	@$(UV_SYNC) --inexact --extra test --extra browser
	@command -v chromium >/dev/null || { \
	  echo "== Installing Debian's Chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@touch $@

$(VENV)/.installed-lint: $(VENV)/.installed-test
	@echo "== Installing the linters into $(VENV)"
	@$(UV_SYNC) --inexact --extra test --extra lint
	@touch $@

install: $(VENV)/.installed

# Byte-compile the project's own modules in the background, on the core the installer leaves
# idle, so that no process compiles them on the way to the first page or the first test: uv
# does not precompile, and each pytest worker would otherwise compile all 450 modules again.
# Test modules are left to pytest, which compiles them its own way (with its asserts
# rewritten: tests/warm_rewrite.py fills that cache while pytest starts). Output goes
# nowhere: a module that does not compile fails where it is imported.
precompile:
	@python3 -m compileall -q -j0 -x '/test_[^/]*\.py$$' $(dir $(wildcard */__init__.py)) manage.py \
	  >/dev/null 2>&1 &

install-test: $(VENV)/.installed-test

# Fails when uv.lock no longer matches pyproject.toml (CI runs it first).
lock-check: | $(UV)
	@$(UV) lock --check --quiet --python python3 2>/dev/null || { \
	  echo "uv.lock is out of date with pyproject.toml: run 'uv lock' (or 'make lock') and commit uv.lock."; exit 1; }

lock: | $(UV)
	$(UV) lock --python python3

# After adding a migration: rewrite demo/sqlite_schema.sql, the SQL `make run` creates a new
# SQLite database from (a test fails until it matches the migrations).
schema: install
	$(PY) -m demo.sqlite_schema

run: precompile install
	@# daphne starts at once and loads the site (config/serve_when_ready.py) on the core the
	@# seeding leaves idle; it serves once the database is ready, told so through a named pipe.
	@# The task worker (e-mails, SLA timers, periodic jobs) runs beside daphne and stops with it.
	@# DEBUG off by default, so a missing page shows the site's 404 (DEBUG=1 make run for tracebacks);
	@# Ctrl-C is the normal way to stop, so it exits 0 and make prints no "Error 130". Each
	@# process is signalled once (a second signal makes the worker abandon its task): on
	@# Ctrl-C the shell TERMs daphne and the worker (started in the background, they do not
	@# stop on SIGINT); a TERM to the process group reaches them itself. Up to 5 s to stop.
	@export SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)}; serving=$${DEBUG:-0}; \
	ready=$$(mktemp -u); mkfifo $$ready; \
	DEBUG=$$serving $(PY) -m config.serve_when_ready $$ready -b 127.0.0.1 -p $(PORT) config.asgi:application & server=$$!; \
	exec 3<>$$ready; \
	trap 'for i in 1 2 3 4 5 6 7 8 9 10; do [ -n "$$stop" ] && kill -0 $$server $$worker 2>/dev/null || break; sleep 0.5; done; \
	      kill $$server $$worker 2>/dev/null; wait; rm -f $$ready' EXIT; \
	trap 'stop=1; kill $$server $$worker 2>/dev/null; exit 0' INT; \
	trap 'stop=1; exit 0' TERM; \
	echo "== Migrating the database, loading the demo content on first start"; \
	$(PY) manage.py seed_demo --migrate --if-empty --skip-checks 3>&- || exit 1; \
	echo; \
	echo "  Circolo is running on http://127.0.0.1:$(PORT)/"; \
	echo "  Demo logins (password: demo): demo-customer, demo-helper, demo-advocate,"; \
	echo "  demo-staff, demo-manager (admin at /admin/)."; \
	echo "  E-mails (sign-up links, notifications) are written to tmp/mail/, one file each."; \
	echo; \
	DEBUG=$$serving $(PY) manage.py run_worker --no-reload --queue-name '*' 3>&- & worker=$$!; \
	echo ready >&3; \
	wait $$server

# The unit/integration suite runs in parallel; browser tests (sync Playwright) run in
# their own invocation because they cannot share a process with pytest-asyncio's loop.
test: precompile install-test
	@$(PY) -m tests.warm_rewrite >/dev/null 2>&1 &
	$(MAKE) --no-print-directory test-unit test-browser

# pytest takes its settings (config.settings.test) from pyproject.toml; a
# DJANGO_SETTINGS_MODULE in the environment would override them, so it is pinned here.
test-unit test-browser test-clock: export DJANGO_SETTINGS_MODULE := config.settings.test

# The migrated SQLite test database is built beside pytest's start-up, so no worker waits
# for it (tests/sqlite_template.py); under PostgreSQL the builder leaves it to pytest.
PYTEST_UNIT = $(VENV)/bin/pytest -q -n $(PYTEST_WORKERS) --ignore=tests/browser
test-unit:
	@export CIRCOLO_TEST_TEMPLATE=$$(mktemp -d)/circolo-test-db.sqlite3; \
	$(PY) -m tests.sqlite_template $$CIRCOLO_TEST_TEMPLATE >/dev/null 2>&1 & \
	echo "$(PYTEST_UNIT)"; $(PYTEST_UNIT); rc=$$?; \
	wait; rm -rf $$(dirname $$CIRCOLO_TEST_TEMPLATE); exit $$rc

# The tests that read the calendar (marked `clock`, tests/conftest.py), once at each of
# these instants: the last second of August in Rome (September begins, on a Tuesday,
# while the tests run), the first minute of that month in UTC, 29 February, New Year's
# Eve in UTC (New Year's Day in Rome), and both Europe/Rome daylight-saving changes
# (03:30 CEST just after the clocks go forward; 02:30 CEST inside the hour that repeats).
CLOCK_INSTANTS ?= 2026-08-31T21:59:59Z,2026-09-01T00:00:30Z,2028-02-29T12:00:00Z,2026-12-31T23:59:00Z,2027-03-28T01:30:00Z,2027-10-31T00:30:00Z
test-clock: install-test
	CIRCOLO_TEST_NOW=$(CLOCK_INSTANTS) $(VENV)/bin/pytest -q -n $(PYTEST_WORKERS) -m clock --ignore=tests/browser

test-browser: $(VENV)/.installed-browser
	$(VENV)/bin/pytest -q -p no:asyncio -W ignore::pytest.PytestConfigWarning tests/browser || { rc=$$?; [ $$rc -eq 5 ] && echo "no browser tests" || exit $$rc; }

lint: $(VENV)/.installed-lint
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@echo "$(VENV)/bin/lint-imports --no-cache"; out=$$($(VENV)/bin/lint-imports --no-cache 2>&1) \
	  && echo "Import layers: every contract kept." || { echo "$$out"; exit 1; }

format: $(VENV)/.installed-lint
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: install-test
	$(PY) manage.py makemessages -l it --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles
	$(PY) manage.py makemessages -d djangojs -l it --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv

# The benchmarks measure two layouts: one daphne process, and the production layout of
# the README (nginx with deploy/nginx.conf in front of one daphne per core plus the
# worker). nginx comes from Debian; without it the nginx layout is skipped, and says so.
bench: install-test
	@command -v wrk >/dev/null || apt-get install -y wrk
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { \
	  echo "== Installing Debian's nginx for the production layout"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null \
	  || echo "nginx could not be installed: the nginx layout will be skipped"; }
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .uv staticfiles db.sqlite3*
