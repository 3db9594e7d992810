# The two commands a newcomer needs: `make demo` and `make test`. Both set up .venv first,
# with exactly the versions in requirements.txt (pinned, with hashes): the ones the suite passed with.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.kkod-installed
TOOLS  := .venv-tools
PIN    := $(TOOLS)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
          --no-emit-index-url --no-emit-find-links --extra test --build-deps-for editable \
          --output-file requirements.txt pyproject.toml

.PHONY: setup demo demo-web test bench lint pins upgrade clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.txt
	@$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; \
		echo "requirements.txt does not match pyproject.toml: run 'make pins'"; exit 1; }
	@touch $(STAMP)

demo: setup
	@$(BIN)/python scripts/demo.py

# The demo, then the central API and the ministry's web app on loopback until Ctrl+C.
demo-web: setup
	@$(BIN)/python scripts/demo_web.py

test: setup
	@scripts/test-tools.sh
	@$(BIN)/pytest

bench: setup
	@scripts/test-tools.sh
	@$(BIN)/python bench/run.py

lint: setup
	@$(BIN)/ruff check src tests bench scripts
	@$(BIN)/ruff format --check src tests bench scripts

# pip-tools lives in a venv of its own: .venv holds exactly the pinned set.
$(TOOLS)/bin/pip-compile:
	@$(PYTHON) -m venv $(TOOLS)
	@$(TOOLS)/bin/python -m pip install --quiet pip-tools

# requirements.txt again from pyproject.toml, keeping every pin that still fits (after adding
# or changing a dependency).
pins: $(TOOLS)/bin/pip-compile
	@$(PIN)
	@rm -f $(STAMP)
	@$(MAKE) --no-print-directory setup

# The newest releases pyproject.toml allows, installed and tested with the whole suite. Commit
# requirements.txt if it passes; `git checkout requirements.txt && make setup` goes back.
upgrade: $(TOOLS)/bin/pip-compile
	@$(PIN) --upgrade
	@rm -f $(STAMP)
	@$(MAKE) --no-print-directory test

clean:
	rm -rf $(VENV) $(TOOLS) demo-output kkod-data .pytest_cache
