# Two commands for a fresh machine:
#   make run    start Limen on http://localhost:8000 (SQLite under ./var) and the demo
#               applications (Europass with CAS on :8001, OpenID Connect on :8002)
#   make test   run the whole test suite, on SQLite and on PostgreSQL
# More in docs/testing.md (make test-sqlite, test-postgres, test-e2e).
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
NPM ?= npm
# pytest-xdist workers for `make test` (0: no xdist); extra pytest arguments.
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=

.PHONY: run test test-sqlite test-postgres test-e2e install install-test messages webapp bench bench-env

# What `make run` needs: the demo applications ([demo]) and the reference mobile authenticator,
# limen-authenticator, with what it needs to read a QR image and keep a PIN in the keyring ([authenticator]).
RUN_EXTRAS = demo,authenticator

$(BIN)/limen: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[$(RUN_EXTRAS)]"
	touch $(BIN)/limen

install: $(BIN)/limen

# Other ports (on localhost, where security keys work): make run RUN_ARGS="--address 8010 --portal 8011 --oidc-app 8012"
RUN_ARGS ?=

run: install
	$(BIN)/limen demo $(RUN_ARGS)

# The package with its [test] extra, and axe-core from npm for the browser tests.
$(VENV)/.test-installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	touch $@

install-test: $(VENV)/.test-installed node_modules/.package-lock.json

test: install-test
	PYTHON=$(BIN)/python PYTEST_WORKERS=$(PYTEST_WORKERS) scripts/run-tests $(PYTEST_ARGS)

test-sqlite: install-test
	DATABASES=sqlite PYTHON=$(BIN)/python PYTEST_WORKERS=$(PYTEST_WORKERS) scripts/run-tests $(PYTEST_ARGS)

test-postgres: install-test
	DATABASES=postgresql PYTHON=$(BIN)/python PYTEST_WORKERS=$(PYTEST_WORKERS) scripts/run-tests $(PYTEST_ARGS)

test-e2e: install-test
	DATABASES=sqlite PYTHON=$(BIN)/python PYTEST_WORKERS=0 scripts/run-tests -m e2e $(PYTEST_ARGS)

# Benchmarks (bench/README.md): each in short form, then one table (about 8 minutes on 2 cores).
# Needs wrk and taskset (apt-get install wrk util-linux) and Node.js (oidc-provider, the peer).
# BENCH_PYTHON: run them on another interpreter, in its own environment (.venv-bench), as
# `make bench BENCH_PYTHON=/usr/bin/python3.11`: an optimized build (PGO and LTO, as distributions' and the
# official container images' are) runs Python code with about a tenth less CPU than pyenv's default build.
BENCH_PYTHON ?=
BENCH_VENV ?= .venv-bench
ifeq ($(BENCH_PYTHON),)
BENCH_BIN = $(BIN)
bench-env: install-test
else
BENCH_BIN = $(BENCH_VENV)/bin
# Made again when BENCH_PYTHON names another interpreter or pyproject.toml changed (the stamp holds both).
bench-env: node_modules/.package-lock.json
	@made="$(BENCH_PYTHON) $$(cksum < pyproject.toml)"; \
	test "$$(cat $(BENCH_VENV)/.made-from 2>/dev/null)" = "$$made" || { \
	  $(BENCH_PYTHON) -m venv --clear $(BENCH_VENV) \
	  && $(BENCH_BIN)/pip install --quiet --upgrade pip \
	  && $(BENCH_BIN)/pip install --quiet -e ".[test]" \
	  && echo "$$made" > $(BENCH_VENV)/.made-from; }
endif

bench: bench-env
	$(NPM) --prefix bench ci --no-audit --no-fund --silent
	$(BENCH_BIN)/python bench/all.py $(BENCH_ARGS)

# Translations (docs/translating.md): extract the strings of src/limen into
# src/limen/locale/<lang>/LC_MESSAGES/django.po (and the scripts' into djangojs.po), then compile them.
# Needs GNU gettext. All 24 EU languages but English by default; some: make messages LANGS="fr de".
LANGS ?= bg cs da de el es et fi fr ga hr hu it lt lv mt nl pl pt ro sk sl sv

messages: install
	cd src/limen && $(abspath $(BIN))/limen makemessages $(addprefix -l ,$(LANGS)) -e html,txt,py \
		--no-obsolete --add-location file
	cd src/limen && $(abspath $(BIN))/limen makemessages -d djangojs $(addprefix -l ,$(LANGS)) -e js \
		--ignore 'webapp/static/webapp/vendor/*' --no-obsolete --add-location file
	cd src/limen && $(abspath $(BIN))/limen compilemessages $(addprefix -l ,$(LANGS))

# The web app's files that come from elsewhere: jsQR from npm (vendored) and the PNG icons. The results
# are committed (docs/mobile-app.md); tests/webapp/test_build.py checks they match.
webapp: install-test
	$(BIN)/python scripts/webapp-build
