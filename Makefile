# The two commands of the README: `make run` (the site, embedded defaults) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint format bench

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("Inkwell needs Python 3.11 or newer" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed-runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed-runtime

## run: install, migrate, seed demo content and serve http://127.0.0.1:$(PORT) with Daphne
run: $(VENV)/.installed-runtime
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo
	DEBUG=true $(BIN)/daphne -b 127.0.0.1 -p $(PORT) config.asgi:application

## test: install and run the whole suite (against DATABASE_URL / REDIS_URL when set)
test: $(VENV)/.installed-dev
	node --test tests/js/
	$(BIN)/pytest

## lint: what CI checks besides the tests
lint: $(VENV)/.installed-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy accounts api blog chunking config lib realtime sessions_app
	$(BIN)/python manage.py makemigrations --check --dry-run

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
