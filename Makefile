# socialnet: `make run` serves the whole product; `make test` runs every suite.
# Both install what they need first, and are quick when nothing changed: `make run`
# the server with its embedded Postgres (.[embedded]), `make test` also the test and
# load tools (.[test]). Each install leaves a stamp in .venv, redone when pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

CLIENT_SOURCES := $(shell find client/src client/static -type f 2>/dev/null) \
	client/svelte.config.js client/vite.config.js client/package.json

.PHONY: install run test lint test-server test-client test-browser test-containers browser \
	system-packages clean

install: $(VENV)/.installed-test client/build/index.html

# $(VENV)/.installed-embedded and $(VENV)/.installed-test: one editable install per extra.
$(VENV)/.installed-%: pyproject.toml | $(BIN)/pip
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$*]'
	touch $@

# Debian keeps venv's pip bootstrap apart (python3-venv): installed with apt-get, as root or
# with sudo, when the venv cannot be made without it.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
$(BIN)/pip:
	$(PYTHON) -m venv --clear $(VENV) || { \
		echo "installing python3-venv (Debian package) to make $(VENV)..." && \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
			python3-venv >/dev/null && \
		$(PYTHON) -m venv --clear $(VENV); }

client/node_modules/.installed: client/package.json client/package-lock.json
	cd client && npm ci --no-audit --no-fund --loglevel=error
	touch $@

client/build/index.html: client/node_modules/.installed $(CLIENT_SOURCES)
	cd client && npm run build --silent
	touch $@

run: $(VENV)/.installed-embedded client/build/index.html
	$(BIN)/socialnet serve --host $(HOST) --port $(PORT)

test: install browser
	$(MAKE) --no-print-directory lint test-server test-client test-browser test-containers

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test-server: $(VENV)/.installed-test system-packages
	$(BIN)/pytest tests --ignore=tests/e2e -q

# Debian's redis-server, nginx and iproute2, which the server suite runs for real.
system-packages:
	@bash tests/ensure-system-packages.sh

test-client: client/node_modules/.installed
	cd client && npm test --silent

# Playwright's sync API cannot share a process with pytest-trio: a pytest run of its own.
test-browser: install browser
	$(BIN)/pytest tests/e2e -q -p no:trio -W ignore::pytest.PytestConfigWarning

test-containers: $(VENV)/.installed-test
	bash containers/lint.sh && bash containers/verify.sh

# Debian's chromium drives the browser tests (never `playwright install`: no downloads here).
browser:
	@bash tests/e2e/ensure-chromium.sh

clean:
	rm -rf $(VENV) client/node_modules client/build client/.svelte-kit
