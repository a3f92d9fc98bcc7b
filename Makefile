# Two commands for a fresh machine:
#   make run    start Limen on http://127.0.0.1:8000 (SQLite under ./var) and the demo
#               application (Europass, signs in through Limen with CAS) on http://127.0.0.1:8001
#   make test   run the whole test suite, on SQLite and on PostgreSQL
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: run test install install-test messages

$(BIN)/limen: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[demo]"
	touch $(BIN)/limen

install: $(BIN)/limen

run: install
	$(BIN)/limen demo

messages: install
	cd src/limen && ../../$(BIN)/limen makemessages -l fr --no-obsolete && ../../$(BIN)/limen compilemessages -l fr
