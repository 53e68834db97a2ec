# Culture of Care. `make run` and `make test` are all a new machine needs (see README).
PYTHON_BIN ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install assets migrate seed serve test lint format bench worker beat clean

run: install assets migrate seed serve

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

assets: node_modules/.installed
	npm run --silent build

migrate: $(VENV)/.installed
	$(MANAGE) migrate --no-input
	$(MANAGE) loaddata culture-of-care-standards

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
	rm -rf $(VENV) node_modules static/vendor staticfiles db.sqlite3 var
