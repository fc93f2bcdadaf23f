# Two set-up commands: `make serve` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
SDK_VENV := .venv-sdk
BIN := $(VENV)/bin
PYPROJECT_HASH := $(shell sha256sum pyproject.toml | cut -c1-16)
STAMP := $(VENV)/.installed-$(PYPROJECT_HASH)
SDK_STAMP := $(SDK_VENV)/.installed-chatroutes-0.2.6
# The 0.1 SDK, whose readme's examples the e2e tests run: a venv of its own too.
SDK01_VENV := .venv-sdk01
SDK01_STAMP := $(SDK01_VENV)/.installed-chatroutes-0.1.0
# LiteLLM's proxy, a baseline of send_latency.py: only for `make bench`, in a venv of its own.
LITELLM_VENV := .venv-litellm
LITELLM_STAMP := $(LITELLM_VENV)/.installed-litellm-1.106.2
# Test files run on one worker more than the cores (the suite waits on sockets and
# subprocesses about a third of the time), at most four, each with its own PostgreSQL,
# Redis and servers. Files go out in collection order, the long ones first
# (tests/conftest.py), not xdist's default of those with the most tests first: a file of
# a few slow tests sent last would end the run alone.
TEST_WORKERS ?= $(shell n=$$(( $$(nproc) + 1 )); [ $$n -gt 4 ] && n=4; echo $$n)

# Bytecode for every process of the test run, written under a prefix in the temp dir
# (never into the tree), even where PYTHONDONTWRITEBYTECODE is set: without it each
# worker compiles its imports and the test modules again (about 9 s of CPU a worker),
# and so does each Python child that inherits the environment. tests/e2e/conftest.py
# gives the servers it starts the same prefix.
PYCACHE_PREFIX ?= $(or $(PYTHONPYCACHEPREFIX),$(shell $(PYTHON) -c 'import os, tempfile; print(f"{tempfile.gettempdir()}/chatroutes-e2e-pycache-{os.getuid()}")'))

# The JavaScript packages (the TS SDK first: the bindings build on it), each with its own
# lockfile; `npm ci` runs again when a package-lock.json changes.
JS_PACKAGES := $(wildcard clients/typescript clients/react clients/vue)

.PHONY: serve test lint typecheck format install system-deps js bench clean

serve: $(STAMP)
	$(BIN)/chatroutes serve

test: $(STAMP) $(SDK_STAMP) $(SDK01_STAMP) system-deps js
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src
	env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX=$(PYCACHE_PREFIX) \
	  $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

install: $(STAMP)

# The virtualenv is keyed by the hash of pyproject.toml: a changed file reinstalls.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[server,dev,otel]'
	rm -f $(VENV)/.installed-*
	touch $@

# The official SDK lives in its own venv: our distribution has the same name.
$(SDK_STAMP): $(STAMP)
	test -x $(SDK_VENV)/bin/python || $(BIN)/uv venv --quiet --python $(BIN)/python $(SDK_VENV)
	$(BIN)/uv pip install --quiet --python $(SDK_VENV)/bin/python chatroutes==0.2.6
	touch $@

$(SDK01_STAMP): $(STAMP)
	test -x $(SDK01_VENV)/bin/python || $(BIN)/uv venv --quiet --python $(BIN)/python $(SDK01_VENV)
	$(BIN)/uv pip install --quiet --python $(SDK01_VENV)/bin/python chatroutes==0.1.0
	touch $@

$(LITELLM_STAMP): $(STAMP)
	test -x $(LITELLM_VENV)/bin/python || $(BIN)/uv venv --quiet --python $(BIN)/python $(LITELLM_VENV)
	$(BIN)/uv pip install --quiet --python $(LITELLM_VENV)/bin/python 'litellm[proxy]==1.106.2'
	touch $@

system-deps:
	scripts/system-deps.sh

# Installs (keyed by the lockfile's hash) and builds each JS package; skipped without npm.
js: system-deps
	@if ! command -v npm >/dev/null 2>&1; then echo "npm is missing: the JavaScript clients' tests will be skipped" >&2; exit 0; fi; \
	for dir in $(JS_PACKAGES); do \
	  stamp=$$dir/node_modules/.installed-$$(sha256sum $$dir/package-lock.json | cut -c1-16); \
	  if [ ! -e $$stamp ]; then \
	    (cd $$dir && npm ci --no-audit --no-fund --loglevel=error) || exit 1; \
	    touch $$stamp; \
	  fi; \
	  (cd $$dir && npm run build --if-present --silent) || exit 1; \
	done

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

# The package's types, by mypy's default rules.
typecheck: $(STAMP)
	$(BIN)/mypy src

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: $(STAMP) $(LITELLM_STAMP)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[server,dev,bench]'
	$(BIN)/python benchmarks/tree_paths.py
	$(BIN)/python benchmarks/send_latency.py --litellm $(LITELLM_VENV)/bin/litellm
	$(BIN)/python benchmarks/token_savings.py
	$(BIN)/python benchmarks/autobranch_quality.py

# Scale-out figures: 1, 2, 4 server processes on PostgreSQL, then a 10-minute soak.
.PHONY: load
load: $(STAMP)
	$(BIN)/python benchmarks/load_scale.py
	$(BIN)/python benchmarks/soak.py

clean:
	rm -rf $(VENV) $(SDK_VENV) $(SDK01_VENV) $(LITELLM_VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis
	rm -rf $(addsuffix /node_modules,$(JS_PACKAGES)) $(addsuffix /dist,$(JS_PACKAGES))
