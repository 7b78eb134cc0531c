# lawgov — the two commands a new user needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages: venv for Debian's python3, WeasyPrint's Pango stack, HarfBuzz subsetting (without it a PDF takes ~20 s),
# the CJK fonts of the speech, poppler for PDF checks, Chromium for browser tests.
APT_PACKAGES := python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
	fonts-arphic-ukai poppler-utils chromium

.PHONY: install system-deps fonts run test lint migrate seed worker backup restore clean screenshots

install: system-deps $(VENV)/.installed fonts

# The free Fandol fonts of the speech (仿宋, 黑体, 楷体, 小标宋) from Debian's texlive-lang-chinese,
# unpacked without installing TeX; skipped when they are present. See reports/rendering/fetch-fandol-fonts.sh.
FANDOL_DIR ?= var/fonts/fandol
fonts:
	@bash reports/rendering/fetch-fandol-fonts.sh $(FANDOL_DIR)

system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing system packages: $$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		else \
			echo "Missing system packages; run: sudo apt-get update && sudo apt-get install -y $$missing"; exit 1; \
		fi; \
	fi

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# Without REDIS_URL: SQLite and a Celery worker on Kombu's file-system transport (no server).
# With REDIS_URL (and DATABASE_URL): the same worker consumes from Redis.
# Both servers run as background jobs in process groups of their own (set -m), so that Ctrl-C
# or a SIGTERM to make reaches the trap at once and stops each whole group (runserver's
# autoreloader child, the worker's pool) instead of leaving them running.
run: migrate
	$(PY) manage.py seed_demo
	@# The reduced fonts are prepared in the background (a minute or two the first time); reports
	@# asked for meanwhile use the full Fandol files, laid out the same, only larger.
	@set -m; \
	export PORTAL_BASE_URL=$${PORTAL_BASE_URL:-http://$(HOST):$(PORT)}; \
	nice -n 10 $(PY) manage.py prepare_report_fonts > var/prepare-fonts.log 2>&1 & fonts=$$!; \
	if [ -z "$$REDIS_URL" ]; then export CELERY_BROKER_URL=filesystem://; fi; \
	$(PY) -m celery -A lawgov worker --beat --loglevel=INFO --concurrency=1 \
		--schedule var/celerybeat-schedule > var/worker.log 2>&1 & worker=$$!; \
	$(PY) manage.py runserver $(HOST):$(PORT) & web=$$!; \
	trap 'trap - EXIT INT TERM; kill -TERM -- -$$web -$$worker -$$fonts 2>/dev/null; wait; exit 0' EXIT INT TERM; \
	echo "Background worker started (log: var/worker.log)."; \
	echo "Portal: http://$(HOST):$(PORT)/  (Ctrl-C to stop; demo logins above)"; \
	wait $$web

# One pool of TEST_WORKERS pytest-xdist workers for the whole suite, the browser tests and
# schemathesis included: each worker has its own test database (pytest-django), Redis database
# (tests/parallel.py), live server on a port of its own and Chromium. Work-stealing keeps both
# workers busy to the end (a single browser or schemathesis tier after the unit tests used
# to leave one of them idle for minutes). With PYTEST_ARGS naming tests
# (make test PYTEST_ARGS=tests/metrics) they run once, in one process.
TEST_WORKERS ?= 2
test: install
	@if [ -n "$(strip $(PYTEST_ARGS))" ]; then exec $(PY) -m pytest $(PYTEST_ARGS); fi; \
	exec $(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal --durations=25

# Refresh the README's pictures from the browser tests.
screenshots: install
	LAWGOV_UPDATE_SCREENSHOTS=1 $(PY) -m pytest tests/e2e -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Database (pg_dump/pg_restore for PostgreSQL, a consistent copy for SQLite) and report files.
backup: install
	$(PY) manage.py backup $(if $(FILE),--output $(FILE),)

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/lawgov-....tar.gz"; exit 2; }
	$(PY) manage.py restore $(FILE)

clean:
	rm -rf var/db.sqlite3 var/celery-* var/media
