#!/usr/bin/env bash
# Creates (or updates) the demo database with every sehat add-on and its demo data,
# then runs Odoo in the foreground. Called by `make serve`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DB="${DB:-sehat_demo}"; WORKERS="${WORKERS:-0}"; PORT="${PORT:-8069}"
ADDONS="$(bash scripts/addons.sh)"
LOG=".odoo/log/$DB-install.log"

if psql -d postgres -tAc "select 1 from pg_database where datname = '$DB'" | grep -q 1; then
    echo "[serve] updating database $DB ($ADDONS)"
    scripts/odoo -d "$DB" -u "$ADDONS" -i "$ADDONS" --stop-after-init --logfile="$LOG" \
        || { tail -30 "$LOG"; echo "[serve] FAILED to update $DB: see $LOG" >&2; exit 1; }
else
    echo "[serve] creating database $DB with demo data ($ADDONS); about 2 minutes"
    scripts/odoo -d "$DB" -i "$ADDONS" --stop-after-init --logfile="$LOG" \
        || { tail -30 "$LOG"; echo "[serve] FAILED to create $DB: see $LOG" >&2; exit 1; }
fi
if grep -E ' (ERROR|CRITICAL) ' "$LOG" >/dev/null; then
    grep -E -A20 ' (ERROR|CRITICAL) ' "$LOG" | head -40
    echo "[serve] FAILED: errors while loading the add-ons (see $LOG)" >&2; exit 1
fi

cat <<MSG

  Sehat CRM is starting on  http://localhost:$PORT   (database $DB, workers $WORKERS)

  Demo logins (password = login):
    admin       administrator (password: admin)
    callcentre  Priya Nair       Sehat User (call centre)
    fieldrep    Arjun Kulkarni   Sehat User (field rep)
    manager     Rahul Mehta      Sehat Manager
    doctor      Dr. Anjali Rao   Doctor
    referrals   Vikram Singh     Referral Manager
    finance     Meera Iyer       Finance Approver

  Stop with Ctrl-C.
MSG
if [ "$WORKERS" -gt 0 ]; then
    # Prefork: Odoo's HTTP workers and its longpolling (gevent) process listen on internal
    # ports; nginx serves http://localhost:$PORT and routes /longpolling to the right one.
    HTTP_INTERNAL=$((PORT + 10000)); LP_INTERNAL=$((PORT + 10003))
    scripts/odoo -d "$DB" --db-filter="^$DB\$" --workers="$WORKERS" --proxy-mode \
        --http-port="$HTTP_INTERNAL" --longpolling-port="$LP_INTERNAL" &
    odoo_pid=$!
    scripts/proxy.sh "$PORT" "$HTTP_INTERNAL" "$LP_INTERNAL" &
    proxy_pid=$!
    trap 'kill $proxy_pid $odoo_pid 2>/dev/null; wait' INT TERM EXIT
    wait -n $odoo_pid $proxy_pid
    exit $?
fi
exec scripts/odoo -d "$DB" --db-filter="^$DB\$" --http-port="$PORT" --workers=0
