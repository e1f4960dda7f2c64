# socialnet: `make run` serves the whole product; `make test` runs every suite.
# Both install what they need first, and are quick when nothing changed: `make run`
# the server with its embedded Postgres (.[embedded]), `make test` also the test and
# load tools (.[test]), each at the versions of the lock (uv.lock, exported to requirements/).
# Each install leaves a stamp in .venv, redone when the lock or pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

CLIENT_SOURCES := $(shell find client/src client/static -type f 2>/dev/null) \
	client/svelte.config.js client/vite.config.js client/package.json

.PHONY: install run test lint lock lock-check docs test-server test-client test-browser \
	test-containers browser system-packages clean

install: $(VENV)/.installed-test client/build/index.html tests/oidc/node_modules/.installed

# $(VENV)/.installed-embedded and $(VENV)/.installed-test: the pinned versions of that extra,
# every file checked against its hash (requirements/<extra>.txt, exported from uv.lock), then
# the project itself, editable, adding nothing (--no-deps).
$(VENV)/.installed-%: requirements/%.txt requirements/build.txt pyproject.toml | $(BIN)/pip
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/build.txt
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/$*.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# The lock: uv.lock (every extra, every platform, resolved by uv from pyproject.toml) and its
# exports for pip. `make lock` after changing a dependency in pyproject.toml (versions already
# locked stay as they are; `make lock UPGRADE=1` takes the newest allowed); `make lock-check`
# (part of lint) fails when pyproject.toml and the lock, or the lock and its exports, disagree.
UV := $(BIN)/uv
EXPORT := $(UV) export --frozen --no-emit-project --no-dev --quiet
BUILD_REQUIRES := $(BIN)/python -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")'

lock: $(VENV)/.installed-test
	$(UV) lock --quiet $(if $(UPGRADE),--upgrade)
	$(EXPORT) --output-file requirements/base.txt
	$(EXPORT) --extra embedded --output-file requirements/embedded.txt
	$(EXPORT) --extra test --output-file requirements/test.txt
	$(BUILD_REQUIRES) | $(UV) pip compile --quiet --generate-hashes --python-version 3.11 \
		$(if $(UPGRADE),--upgrade) - --output-file requirements/build.txt

# docs/api.md's reference parts (routes, shapes, frames), generated from the code's declarations
# (server/apidocs.py); tests/test_api_docs.py fails when they are stale.
docs: $(VENV)/.installed-test
	$(BIN)/python -m server.apidocs

lock-check: $(VENV)/.installed-test
	$(BIN)/pytest -q -p no:randomly tests/test_lock.py

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

# The OpenID provider the tests sign in through (tests/oidc/provider.mjs, npm oidc-provider).
tests/oidc/node_modules/.installed: tests/oidc/package.json tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error
	touch $@

client/build/index.html: client/node_modules/.installed $(CLIENT_SOURCES)
	cd client && npm run build --silent
	touch $@

run: $(VENV)/.installed-embedded client/build/index.html
	$(BIN)/socialnet serve --host $(HOST) --port $(PORT)

test: install browser
	$(MAKE) --no-print-directory lint test-server test-client test-browser test-containers

lint: $(VENV)/.installed-test lock-check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test-server: $(VENV)/.installed-test tests/oidc/node_modules/.installed system-packages
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
	rm -rf $(VENV) client/node_modules client/build client/.svelte-kit tests/oidc/node_modules
