#!/usr/bin/env bash
# The test command (`make test`, called by .ci/run). Phases:
#   1. pure-Python lib/ unit tests + flake8 + pylint-odoo          (Python 3.7, no Odoo, no database)
#   2. Odoo tests of every sehat add-on through pytest-odoo         (fresh database sehat_test)
#   3. HTTP + browser tests (headless Chromium, Selenium) against Odoo --workers 2 behind
#      nginx, started and stopped by the test fixtures                (Python 3 venv)
#   4. Odoo's own crm/calendar/survey/project/account suites with the sehat add-ons
#      installed (scripts/test_stock.sh, also `make test-stock`)
# Ends with one line summing all phases; exits non-zero on any failure or skipped test.
# SKIP_STOCK=1 leaves out the stock Odoo suites (they also run alone with `make test-stock`).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT=.odoo/test; rm -rf "$OUT"; mkdir -p "$OUT"
ADDONS="$(bash scripts/addons.sh)"
TEST_DB="${TEST_DB:-sehat_test}"
export SEHAT_ROOT="$ROOT" SEHAT_TEST_DB="$TEST_DB"
status=0
start=$(date +%s)

phase() { printf '\n\033[1m=== %s ===\033[0m\n' "$*"; }

phase "1/4 lib unit tests and lint"
PYTHONPATH=tests timeout 600 .venv/bin/python -m pytest -p pytest_addon_lib -p no:odoo -p no:cacheprovider \
    --junitxml="$OUT/unit.xml" -q addons/*/lib/tests tests/tools tests/lint || status=1

phase "2/4 Odoo tests of the sehat add-ons (database $TEST_DB)"
dropdb --if-exists "$TEST_DB" 2>/dev/null
TEMPLATE_DB="${TEST_DB}_template"
dropdb --if-exists "$TEMPLATE_DB" 2>/dev/null
rm -rf ".odoo/data/filestore/$TEST_DB" ".odoo/data/filestore/$TEMPLATE_DB"
if scripts/odoo -d "$TEST_DB" -i "$ADDONS" --stop-after-init --logfile="$OUT/install.log" \
        && ! grep -qE ' (ERROR|CRITICAL) ' "$OUT/install.log"; then
    # a pristine copy for the stock suites of phase 4 (installing again would take minutes)
    createdb -T "$TEST_DB" "$TEMPLATE_DB" && cp -r ".odoo/data/filestore/$TEST_DB" ".odoo/data/filestore/$TEMPLATE_DB"
    dirs=$(ls -d addons/*/tests)
    timeout 1200 .venv/bin/python -m pytest -p no:cacheprovider -p no:warnings --odoo-config=.odoo/odoo.conf \
        --odoo-database="$TEST_DB" --junitxml="$OUT/odoo.xml" -q $dirs || status=1
else
    grep -E -A15 ' (ERROR|CRITICAL) ' "$OUT/install.log" | head -60
    echo "FAILED: installing $ADDONS into $TEST_DB (log: $OUT/install.log)"
    status=1
fi

phase "3/4 HTTP and browser tests (Odoo --workers 2 behind nginx, headless Chromium)"
timeout 1200 .venv-browser/bin/python -m pytest -p no:cacheprovider --junitxml="$OUT/e2e.xml" -q tests/e2e || status=1

reports=("$OUT"/unit.xml "$OUT"/odoo.xml "$OUT"/e2e.xml)
if [ "${SKIP_STOCK:-0}" != 1 ]; then
    phase "4/4 Odoo's own crm, calendar, survey, project and account tests with the sehat add-ons installed"
    STOCK_OUT="$OUT" STOCK_TEMPLATE="$TEMPLATE_DB" timeout 1800 bash scripts/test_stock.sh || status=1
    reports+=("$OUT"/stock.xml)
fi

phase "summary"
.venv-browser/bin/python scripts/junit_total.py "${reports[@]}" --seconds $(( $(date +%s) - start )) || status=1
exit $status
