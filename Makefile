# Waspada: `make run` starts the app with demo data, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app tracker
PORT ?= 5000

.PHONY: run test install install-test translations scheduler bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installs the project and compiles the translation catalogues.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations

translations: $(VENV)/.installed
	@for dir in tracker/translations tracker/*/translations; do \
	  if [ -d "$$dir" ]; then $(BIN)/pybabel -q compile -f -d "$$dir" || exit 1; fi; \
	done

run: install
	$(FLASK) db upgrade
	$(FLASK) seed demo --if-empty
	@WASPADA_SCHEDULER=$${WASPADA_SCHEDULER:-on} PORT=$(PORT) $(BIN)/python -m tracker.devserver

# The suite over pytest-xdist workers, each with a database of its own;
# whole files go to one worker, so module-scoped fixtures are built once.
# TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto
test: install-test
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

scheduler: install
	$(FLASK) scheduler

bench: install-test
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
