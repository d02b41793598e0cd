# The one developer interface. Two commands set up a fresh Debian machine (as root):
#   make demo   installs the product and runs the demo on http://127.0.0.1:8050/
#   make test   installs what the tests need (Chromium, chromium-driver, CJK fonts,
#               PostgreSQL) and runs lint and the whole suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
APT_PACKAGES := chromium chromium-driver fonts-noto-cjk postgresql
PYTEST_ARGS ?=

.PHONY: demo test install install-test setup-test lint format bench clean

demo: install
	$(BIN)/cityops demo

test: install-test setup-test lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { apt-get update -q && apt-get install -y -q python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install -q --upgrade pip

install: $(VENV)/.installed
$(VENV)/.installed: $(BIN)/python pyproject.toml setup.py
	$(BIN)/pip install -q -e .
	touch $@

install-test: $(VENV)/.installed-test
$(VENV)/.installed-test: $(BIN)/python pyproject.toml setup.py
	$(BIN)/pip install -q -e '.[test]'
	touch $(VENV)/.installed $@

# System packages for the tests, from Debian's archive; skipped when already present.
setup-test:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install-test
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var build *.egg-info test-artifacts
