# Saishi — `make run` serves the demo, `make test` runs the whole suite. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: run test venv translations lint migrate demo bench clean extract-messages

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

translations: venv
	$(BIN)/pybabel compile --use-fuzzy -d app/translations -D messages

migrate: venv
	$(FLASK) db upgrade

# The job consumer (flask jobs worker) runs beside the web server and stops when it stops (Ctrl-C).
run: venv translations migrate
	$(FLASK) demo --if-empty
	$(FLASK) jobs worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

test: venv translations
	$(BIN)/python -m pytest -n 2 --dist worksteal $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .

extract-messages: venv
	$(BIN)/pybabel extract -F app/translations/babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations -D messages --no-fuzzy-matching

bench: venv
	$(BIN)/python bench/roster_import.py

clean:
	rm -rf $(VENV) .pytest_cache
