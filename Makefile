# The commands of the README: `make run` (the site, embedded defaults), `make test`, `make bench`.
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

## run: install, migrate, seed demo content and serve http://127.0.0.1:$(PORT) with Daphne,
## with the email worker beside it (emails are printed on the console)
run: $(VENV)/.installed-runtime
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo
	DEBUG=true $(BIN)/python manage.py send_queued_mail --loop & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT; \
	DEBUG=true MAIL_SITE_URL=http://127.0.0.1:$(PORT) \
		$(BIN)/python -m config.serve -b 127.0.0.1 -p $(PORT) config.asgi:application

## test: install and run the whole suite (against DATABASE_URL / REDIS_URL when set)
test: $(VENV)/.installed-dev
	node --test tests/js/
	$(BIN)/pytest

## lint: what CI checks besides the tests
lint: $(VENV)/.installed-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy accounts api blog chunking config follows images lib mail moderation realtime sessions_app
	$(BIN)/python manage.py makemigrations --check --dry-run

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: the benchmarks at a small size (bench/README.md has the full sizes and the results).
## post_list, vs_node (which installs the Node peer: npm ci) and search need DATABASE_URL
## (PostgreSQL), realtime and public_readers REDIS_URL, chunks, event_log and soak both; each
## is skipped without them (jsonl runs on SQLite without it). search seeds a database beside
## DATABASE_URL's (<name>_2k). The soak's smoke run is one minute and writes its results outside the tree.
BENCH_MARKDOWN ?= --mebibytes 0.25 --old-sizes 1000,2000
BENCH_POST_LIST ?= --posts 2000 --requests 200 --rounds 1 --clients 2
BENCH_VS_NODE ?= --smoke --database-url $${DATABASE_URL}
BENCH_JSONL ?= --smoke $${DATABASE_URL:+--database-url $${DATABASE_URL}}
BENCH_SEARCH ?= --sizes 2000 --rounds 1 --repeats 3
BENCH_REALTIME ?= --subscribers 100 --fan-out-rounds 2 --round-trips 50 --mebibytes 1
BENCH_SSE ?= --subscribers 100 --rounds 2 --cycles 1
BENCH_PUBLIC_READERS ?= --subscribers 100 --rounds 2
BENCH_CHUNKS ?= --mebibytes 1 --rounds 2
BENCH_EVENT_LOG ?= --creates 60 --events 200 --subscribers 50 --rounds 2 --profile-creates 30
BENCH_SOAK ?= --minutes 1 --sample-seconds 10 --warm-up-minutes 0.5 \
	--results $${TMPDIR:-/tmp}/inkwell-soak-smoke
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/markdown.py $(BENCH_MARKDOWN)
	@if [ -n "$$DATABASE_URL" ]; then $(BIN)/python bench/post_list.py $(BENCH_POST_LIST); \
	else echo "bench/post_list.py skipped: needs DATABASE_URL"; fi
	@if [ -n "$$DATABASE_URL" ]; then $(BIN)/python bench/vs_node.py $(BENCH_VS_NODE); \
	else echo "bench/vs_node.py skipped: needs DATABASE_URL"; fi
	$(BIN)/python bench/jsonl.py $(BENCH_JSONL)
	@if [ -n "$$DATABASE_URL" ]; then $(BIN)/python bench/search.py $(BENCH_SEARCH); \
	else echo "bench/search.py skipped: needs DATABASE_URL"; fi
	@if [ -n "$$REDIS_URL" ]; then $(BIN)/python bench/realtime.py $(BENCH_REALTIME); \
	else echo "bench/realtime.py skipped: needs REDIS_URL"; fi
	@if [ -n "$$REDIS_URL" ]; then $(BIN)/python bench/sse.py $(BENCH_SSE); \
	else echo "bench/sse.py skipped: needs REDIS_URL"; fi
	@if [ -n "$$REDIS_URL" ]; then $(BIN)/python bench/public_readers.py $(BENCH_PUBLIC_READERS); \
	else echo "bench/public_readers.py skipped: needs REDIS_URL"; fi
	@if [ -n "$$DATABASE_URL" ] && [ -n "$$REDIS_URL" ]; then $(BIN)/python bench/chunks.py $(BENCH_CHUNKS); \
	else echo "bench/chunks.py skipped: needs DATABASE_URL and REDIS_URL"; fi
	@if [ -n "$$DATABASE_URL" ] && [ -n "$$REDIS_URL" ]; then $(BIN)/python bench/event_log.py $(BENCH_EVENT_LOG); \
	else echo "bench/event_log.py skipped: needs DATABASE_URL and REDIS_URL"; fi
	@if [ -n "$$DATABASE_URL" ] && [ -n "$$REDIS_URL" ]; then $(BIN)/python bench/soak.py $(BENCH_SOAK); \
	else echo "bench/soak.py skipped: needs DATABASE_URL and REDIS_URL"; fi
