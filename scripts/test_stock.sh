#!/usr/bin/env bash
# Re-runs Odoo's own test suites of the modules Sehat CRM extends, on a database that
# also has every sehat add-on installed (`make test-stock`; also phase 3 of `make test`).
# Odoo's --test-enable runs the tests of every module being upgraded, so the modules that
# depend on them (ours included) are tested too. Fails on any ERROR/FAIL in the log.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DB="${STOCK_DB:-sehat_stock}"
MODULES="${STOCK_MODULES:-crm,calendar,survey,project,account}"
OUT="${STOCK_OUT:-.odoo/test}"; mkdir -p "$OUT"
LOG="$OUT/stock.log"
ADDONS="$(bash scripts/addons.sh)"

dropdb --if-exists "$DB" 2>/dev/null
rm -rf ".odoo/data/filestore/$DB"
if [ -n "${STOCK_TEMPLATE:-}" ]; then
    # `make test` has just installed the same add-ons with demo data: copy that database
    # (and its filestore) rather than installing again.
    echo "[stock] database $DB: copy of $STOCK_TEMPLATE"
    createdb -T "$STOCK_TEMPLATE" "$DB" || { echo "[stock] FAILED to copy $STOCK_TEMPLATE"; exit 1; }
    [ -d ".odoo/data/filestore/$STOCK_TEMPLATE" ] && cp -r ".odoo/data/filestore/$STOCK_TEMPLATE" ".odoo/data/filestore/$DB"
else
    echo "[stock] database $DB: installing $ADDONS with demo data"
    scripts/odoo -d "$DB" -i "$ADDONS" --stop-after-init --logfile="$OUT/stock-install.log" \
        || { tail -20 "$OUT/stock-install.log"; echo "[stock] FAILED to install $ADDONS"; exit 1; }
fi
echo "[stock] running Odoo's own tests of $MODULES (--test-enable)"
scripts/odoo -d "$DB" -u "$MODULES" --test-enable --stop-after-init --log-level=test \
    --http-port="${STOCK_PORT:-8269}" --longpolling-port="$(( ${STOCK_PORT:-8269} + 3 ))" --logfile="$LOG"
# Odoo's exit status is non-zero for the known stock failures too: the report judges it.
odoo_status=$?
.venv/bin/python scripts/stock_report.py "$LOG" --modules "$MODULES" --junit "$OUT/stock.xml" \
    --odoo-status "$odoo_status"
