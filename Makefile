# The README's commands. `make demo` runs the portal with demo data; `make test` runs
# ruff and the whole pytest suite (browser tests included) against PostgreSQL.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test acceptance lint format install engine chromium migrate worker beat clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The reference eCQM engine (fqm-execution), pinned by mips/ecqm/fqm/package-lock.json. Node.js and
# npm come from Debian when missing; `npm ci` reinstalls only when the lock file changed.
ENGINE := mips/ecqm/fqm
ENGINE_STAMP := $(ENGINE)/node_modules/.package-lock.json

$(ENGINE_STAMP): $(ENGINE)/package-lock.json
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || { \
	  echo "Installing Debian's nodejs and npm for the reference eCQM engine"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
	cd $(ENGINE) && npm ci --no-audit --no-fund --loglevel=error
	touch $(ENGINE_STAMP)

engine: $(ENGINE_STAMP)

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

test: install engine chromium
	$(BIN)/ruff check .
	XDG_CONFIG_HOME=$$(mktemp -d) XDG_CACHE_HOME=$$(mktemp -d) DJANGO_ALLOW_ASYNC_UNSAFE=true \
	  $(BIN)/pytest -q

# Every test case of every eCQM deck (the shared research pack), both engines; CI runs a
# sample of the reference-engine decks (tests/data) instead.
acceptance: install engine
	ECQM_FULL_DECKS=1 $(BIN)/pytest -q -s -p no:randomly tests/mips/reference/test_acceptance.py \
	  tests/mips/test_ecqm_decks.py

demo: install engine
	./scripts/demo.sh

migrate: install
	$(BIN)/python manage.py migrate

worker: install engine
	$(BIN)/celery -A p4p_portal worker -l info

beat: install
	$(BIN)/celery -A p4p_portal beat -l info

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 $(ENGINE)/node_modules
