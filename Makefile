# The README's commands. `make demo` runs the portal with demo data; `make test` runs
# ruff and the whole pytest suite (browser tests included) against PostgreSQL.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format install chromium migrate worker beat clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check practices enrollment exceptions mips portals p4p_portal tests

format: install
	$(BIN)/ruff format practices enrollment exceptions mips portals p4p_portal tests
	$(BIN)/ruff check --fix .

test: install chromium
	$(BIN)/ruff check .
	XDG_CONFIG_HOME=$$(mktemp -d) XDG_CACHE_HOME=$$(mktemp -d) DJANGO_ALLOW_ASYNC_UNSAFE=true \
	  $(BIN)/pytest -q

demo: install
	./scripts/demo.sh

migrate: install
	$(BIN)/python manage.py migrate

worker: install
	$(BIN)/celery -A p4p_portal worker -l info

beat: install
	$(BIN)/celery -A p4p_portal beat -l info

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
