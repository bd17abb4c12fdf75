# Two commands on a fresh machine: `make demo` and `make test` (each sets up first if needed).
PYTHON ?= python3
VENV := .venv
CHECKOV_VENV := .checkov-venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.hardstack-installed
CHECKOV_STAMP := $(CHECKOV_VENV)/.checkov-installed
OUT := out

.PHONY: setup demo test lint clean

setup: $(STAMP) $(CHECKOV_STAMP)

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

demo: setup
	$(BIN)/hardstack validate
	@mkdir -p $(OUT)
	@for f in stacks/Pulumi.*.yaml; do \
		s=$${f#stacks/Pulumi.}; s=$${s%.yaml}; \
		$(BIN)/hardstack plan -q $$f --out $(OUT)/$$s.graph.json || exit 1; \
	done
	$(BIN)/hardstack check --format sarif --output $(OUT)/check.sarif

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) $(OUT) .pytest_cache .ruff_cache .hypothesis
