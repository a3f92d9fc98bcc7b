# Two commands for a fresh machine:
#   make run    start Limen on http://127.0.0.1:8000 (SQLite under ./var)
#   make test   run the whole test suite, on SQLite and on PostgreSQL
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: run test install install-test messages

$(BIN)/limen: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(BIN)/limen

install: $(BIN)/limen

run: install
	$(BIN)/limen run

# Translations (docs/translating.md): extract the strings of src/limen into
# src/limen/locale/<lang>/LC_MESSAGES/django.po, then compile django.mo.
# Needs GNU gettext. Another language: make messages LANGS="fr de".
LANGS ?= fr

messages: install
	cd src/limen && $(abspath $(BIN))/limen makemessages $(addprefix -l ,$(LANGS)) -e html,txt,py \
		--no-obsolete --add-location file
	cd src/limen && $(abspath $(BIN))/limen compilemessages $(addprefix -l ,$(LANGS))
