# Culture of Care. `make run` and `make test` are all a new machine needs (see README).
PYTHON_BIN ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install lock assets migrate seed serve test test-fast lint format bench worker beat clean smoke load backup restore

run: install assets migrate seed serve

install: $(VENV)/.installed node_modules/.installed

# Exact versions with hashes (requirements/*.txt, made by `make lock` from pyproject's ranges).
$(VENV)/.installed: requirements/dev.txt
	test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	touch $@

# After changing a dependency's range in pyproject.toml: pin it again, then `make install`.
# `make lock UPGRADE=--upgrade` moves every pin to the newest version its range allows.
lock:
	test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 \
		--custom-compile-command "make lock" --quiet $(UPGRADE) -o requirements/production.txt
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --universal \
		--python-version 3.11 --custom-compile-command "make lock" --quiet $(UPGRADE) \
		-o requirements/dev.txt

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

assets: node_modules/.installed
	npm run --silent build

migrate: $(VENV)/.installed
	$(MANAGE) migrate --no-input
	$(MANAGE) loaddata culture-of-care-standards ward-measures

seed: $(VENV)/.installed
	$(MANAGE) seed_demo

serve:
	@echo "Culture of Care is at http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	$(MANAGE) runserver $(HOST):$(PORT)

worker: $(VENV)/.installed
	$(VENV)/bin/celery -A culture_of_care worker --loglevel=info --concurrency=2

beat: $(VENV)/.installed
	$(VENV)/bin/celery -A culture_of_care beat --loglevel=info

test: install assets
	$(PY) -m pytest $(PYTEST_ARGS)

# Everything but the browser, real-worker and slow (subprocess, fuzzing) tests, on two processes:
# the check to run while working. `make test` still runs everything.
test-fast: install assets
	$(PY) -m pytest -m "not browser and not redis and not slow" -n 2 --dist worksteal -q $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# A separate database: a SQLite file under bench-results/, or BENCH_DATABASE_URL (emptied first).
bench: $(VENV)/.installed
	mkdir -p bench-results
	DATABASE_URL="$${BENCH_DATABASE_URL:-sqlite:///$(CURDIR)/bench-results/bench.sqlite3}" $(MANAGE) bench --fresh $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm var

# Production build, proven: collectstatic, gunicorn, a Celery worker and beat on PostgreSQL and
# Redis, driven over HTTP (scripts/smoke.py). Needs DATABASE_URL's server and REDIS_URL.
smoke: $(VENV)/.installed assets
	$(PY) scripts/smoke.py

# The production stack of `make smoke` under 50 simulated people for 2 minutes (scripts/load.py,
# scripts/locustfile.py): requests a second, p50/p95/p99 per page against the sign-in page's.
load: $(VENV)/.installed assets
	$(PY) scripts/load.py

# The PostgreSQL database and the private files (README, "Backups and restore").
backup:
	scripts/backup.sh

restore:
	scripts/restore.sh "$(BACKUP)"
