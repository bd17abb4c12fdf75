# Two commands on a fresh machine: `make demo` and `make test` (each sets up first if needed).
PYTHON ?= python3
VENV := .venv
CHECKOV_VENV := .checkov-venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.hardstack-installed
CHECKOV_STAMP := $(CHECKOV_VENV)/.checkov-installed
EDITOR_STAMP := tests/editor/node_modules/.hardstack-installed
OUT := out

.PHONY: setup os-packages demo test lint picture clean

setup: os-packages $(STAMP) $(CHECKOV_STAMP) $(EDITOR_STAMP)

# From the OS: Graphviz lays out the evidence diagrams; Chromium opens the HTML reports in the
# tests. Installed with apt-get (as root, or through sudo) when missing.
os-packages:
	@need=""; command -v dot >/dev/null 2>&1 || need="graphviz"; \
	command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 || need="$$need chromium"; \
	if [ -n "$$need" ]; then \
		if ! command -v apt-get >/dev/null 2>&1; then \
			echo "install these OS packages first:$$need (Graphviz's dot and Chromium)" >&2; exit 2; fi; \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		echo "installing OS packages:$$need"; \
		$$sudo apt-get update -q >/dev/null && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q --no-install-recommends $$need >/dev/null; \
	fi

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

# checkov pins packaging<24, pulumi needs packaging>=26: checkov gets its own environment.
$(CHECKOV_STAMP): checkov-constraints.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/pip install --quiet -c checkov-constraints.txt checkov
	touch $@

# yaml-language-server (pinned in tests/editor/package-lock.json) for tests/test_editor_schema.py;
# needs Node.js 20 and npm.
$(EDITOR_STAMP): tests/editor/package.json tests/editor/package-lock.json
	npm ci --prefix tests/editor --no-audit --no-fund --silent
	touch $@

demo: setup
	$(BIN)/hardstack validate
	@mkdir -p $(OUT)
	@for f in stacks/Pulumi.*.yaml; do \
		s=$${f#stacks/Pulumi.}; s=$${s%.yaml}; \
		$(BIN)/hardstack plan -q $$f --out $(OUT)/$$s.graph.json || exit 1; \
	done
	$(BIN)/hardstack check --format sarif --output $(OUT)/check.sarif --report-dir $(OUT)/evidence

# The README's picture: the environment diagram of an example (tests/evidence keeps it current).
picture: setup
	$(BIN)/python -m hardstack.evidence.picture docs/aws-prod-eu.svg

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) $(OUT) tests/editor/node_modules .pytest_cache .ruff_cache .hypothesis
