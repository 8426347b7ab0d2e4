# One entry point for set-up, serving and checks. Every target creates .venv first if needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
# The bundled model is loaded from site-packages; never reach for a model hub.
export HF_HUB_OFFLINE := 1

.PHONY: install run index test test-fast lint lock clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	rm -f $(VENV)/.installed-* && touch $@

run: install ## build the index if needed and serve the chat at http://127.0.0.1:8000
	$(BIN)/plw serve

index: install
	$(BIN)/plw index

test: install ## run the whole test suite
	$(BIN)/python -m pytest

test-fast: install ## the unit tests only (no server, wheel or browser): under a minute
	$(BIN)/python -m pytest -m "not slow and not browser"

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src

lock: ## refresh requirements.lock from a fresh resolve of pyproject.toml
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet torch==2.13.0 -e '.[dev]'
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^plw-assistant' > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) index/CURRENT index/gen-* index/.build-*
