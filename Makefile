# Sehat CRM — every target installs what it needs first (idempotent, quick when nothing changed).
SHELL := /bin/bash
.DEFAULT_GOAL := help
WORKERS ?= 0
PORT ?= 8069
DB ?= sehat_demo

.PHONY: help install serve test test-stock lint bench clean

help:
	@echo "make serve       install, create/update the '$(DB)' database with demo data, run Odoo on http://localhost:$(PORT)"
	@echo "                 (WORKERS=2 make serve for prefork mode)"
	@echo "make test        the whole test suite: lib unit tests + lint, Odoo tests, browser tests, stock Odoo suites"
	@echo "make test-stock  Odoo's own crm/calendar/survey/project tests with the sehat add-ons installed"
	@echo "make bench       benchmarks (not part of make test); numbers go to the README"
	@echo "make install     only install the toolchain (.venv, PostgreSQL role, lessc, chromium)"

install:
	@bash scripts/install.sh

serve: install
	@DB=$(DB) WORKERS=$(WORKERS) PORT=$(PORT) bash scripts/serve.sh

test: install
	@bash scripts/test.sh

test-stock: install
	@bash scripts/test_stock.sh

lint: install
	@PYTHONPATH=tests .venv/bin/python -m pytest -p pytest_addon_lib -p no:odoo -q tests/lint

bench: install
	@bash bench/run.sh

clean:
	rm -rf .odoo/data .odoo/log .pytest_cache
