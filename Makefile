# AI FinOps warehouse: `make build` runs the warehouse, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The FOCUS validator needs Python >= 3.12; FOCUS_PYTHON overrides how it is found.
FOCUS_VENV ?= .venv-focus
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_PROJECT_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: build test test-spark test-refresh lint venv focus-venv spark-venv java browser clean docs refresh dashboard

venv: $(VENV)/.installed $(VENV)/.project

# AI_FINOPS_TARGET=spark builds on Apache Spark (docs/spark.md): dbt-spark and pyspark go
# into the same venv, and Spark needs Java 17.
spark-venv: $(VENV)/.spark-installed

$(VENV)/.spark-installed: requirements-spark.lock $(VENV)/.installed | java
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-spark.lock
	@touch $@

# Debian packages, installed with apt-get when missing (as root, or through sudo).
APT_INSTALL = if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo=sudo; fi; \
	$$sudo apt-get update && $$sudo env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends

java:
	@command -v java >/dev/null || { $(APT_INSTALL) openjdk-17-jre-headless; }

# The dashboard's browser test drives Debian's Chromium; without it (no apt-get, not root and
# no sudo) that test skips. After java: two apt-get runs must not overlap.
browser: | java
	@[ -x /usr/bin/chromium ] || { \
		if ! command -v apt-get >/dev/null; then echo "no /usr/bin/chromium and no apt-get: the dashboard browser test will skip"; exit 0; \
		elif [ "$$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then echo "no /usr/bin/chromium, not root and no sudo: the dashboard browser test will skip"; exit 0; fi; \
		$(APT_INSTALL) chromium fonts-liberation; }

# The project's Python package (ai_finops: the landing, which dbt's Python model runs) is
# importable from the venv through a .pth file naming this folder.
$(VENV)/.project: $(VENV)/.installed
	@$(BIN)/python -c 'import site, sys; open(site.getsitepackages()[0] + "/ai_finops.pth", "w").write(sys.argv[1] + "\n")' "$(CURDIR)"
	@touch $@

# Rebuilt only when the lock file is newer than the last install: a second run installs nothing.
$(VENV)/.installed: requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "python3 3.11 or newer is required")'
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

focus-venv: $(FOCUS_VENV)/.installed

$(FOCUS_VENV)/.installed: requirements-focus.lock
	@scripts/make_focus_venv.sh $(FOCUS_VENV)
	@touch $@

build: venv $(if $(filter spark,$(AI_FINOPS_TARGET)),spark-venv)
	$(BIN)/python scripts/run_build.py

# What the tests need is installed side by side (make -j), and sqlfluff lints while the
# downloads run; then the modules go to two workers longest first (tests/python/conftest.py),
# hence --no-loadscope-reorder. The Spark parity test is one of them (docs/spark.md).
test:
	@$(MAKE) --no-print-directory -j4 venv focus-venv spark-venv browser lint
	$(BIN)/python -m pytest tests/python -n 2 --dist loadfile --no-loadscope-reorder --durations=15

# All the Spark tests (docs/spark.md): the parity test that `make test` runs, dbt's unit tests
# on Spark, and source freshness read from the raw files on both engines.
test-spark: venv spark-venv
	AI_FINOPS_SPARK_TESTS=1 $(BIN)/python -m pytest tests/python/test_spark_parity.py -p no:cacheprovider

# The refresh property test with more drawn sequences of landing changes (about 1.5 minutes each).
test-refresh: venv
	AI_FINOPS_PROPERTY_EXAMPLES=$${AI_FINOPS_PROPERTY_EXAMPLES:-25} $(BIN)/python -m pytest \
		tests/python/test_refresh_property.py -p no:cacheprovider

# sqlfluff compiles the models against a warehouse of its own (never the one being built)
lint: venv
	@mkdir -p build/lint && rm -f build/lint/lint.duckdb*
	AI_FINOPS_DB_PATH=build/lint/lint.duckdb $(BIN)/sqlfluff lint models macros tests/dbt --processes 2

docs: venv
	$(BIN)/dbt docs generate

# The dashboard on 127.0.0.1 over the warehouse file, read-only (docs/dashboard.md).
dashboard: venv
	AI_FINOPS_DB_PATH=$${AI_FINOPS_DB_PATH:-warehouse/ai_finops.duckdb} $(BIN)/streamlit run \
		dashboard/app.py --server.port $${AI_FINOPS_DASHBOARD_PORT:-8501} \
		--server.address 127.0.0.1 --server.headless true --browser.gatherUsageStats false

# The scheduled job: lock, freshness, build into a new file, checkpoint, atomic publish.
refresh: venv
	scripts/refresh

clean:
	rm -rf target logs warehouse/*.duckdb warehouse/*.landing build
