# The two commands in the README's quick start are `make build` and `make test`.
# `make test` is the whole suite: lint (ruff), types (mypy --strict) and the tests (pytest, slow ones included).
# Each installs what it needs (Debian packages, then Python packages) and is safe to run again.

PYTHON ?= python3
PIP ?= $(PYTHON) -m pip

.PHONY: build test install install-test system system-test benchmark

build: install
	tspdocs build all

test: install-test
	$(PYTHON) -m ruff check .
	$(PYTHON) -m mypy
	$(PYTHON) -m pytest -n 2 --dist loadgroup

# An editable install is not byte-compiled, and where PYTHONDONTWRITEBYTECODE is set (CI images, some
# containers) every command would compile tspdocs' modules again (0.2 s a run): compile them here, as pip
# does when it installs a wheel.
install: system
	$(PIP) install --quiet --disable-pip-version-check -e .
	$(PYTHON) -m compileall -q tspdocs

install-test: system-test
	$(PIP) install --quiet --disable-pip-version-check -e '.[test]'
	$(PYTHON) -m compileall -q tspdocs
	./scripts/install-npm-packages

system:
	./scripts/install-system-packages build

system-test:
	./scripts/install-system-packages test

benchmark: install-test
	$(PYTHON) benchmarks/run.py
