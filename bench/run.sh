#!/usr/bin/env bash
# Runs the benchmarks (make bench). Each bench/bench_*.py is run with the Odoo venv and
# receives the config file and database in SEHAT_CONF / BENCH_DB.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export BENCH_DB="${BENCH_DB:-sehat_bench}" SEHAT_CONF="$ROOT/.odoo/odoo.conf" SEHAT_ROOT="$ROOT"
mkdir -p bench/out
shopt -s nullglob
scripts=(bench/bench_*.py)
if [ -n "${BENCH_ONLY:-}" ]; then   # e.g. BENCH_ONLY=queue, or BENCH_ONLY="api queue"
    scripts=()
    for name in $BENCH_ONLY; do scripts+=("bench/bench_${name}.py"); done
fi
if [ "${#scripts[@]}" -eq 0 ]; then
    echo "[bench] no benchmark in bench/ yet"; exit 0
fi
if ! psql -d postgres -tAc "select 1 from pg_database where datname = '$BENCH_DB'" | grep -q 1; then
    echo "[bench] creating $BENCH_DB"
    scripts/odoo -d "$BENCH_DB" -i "$(bash scripts/addons.sh)" --without-demo=all --stop-after-init \
        --logfile="bench/out/install.log"
elif [ "${BENCH_UPDATE:-1}" != 0 ]; then
    # The add-ons keep changing: bring the existing database up to date with the code first
    # (new columns and tables, indexes of init()); BENCH_UPDATE=0 skips this.
    echo "[bench] updating $BENCH_DB"
    scripts/odoo -d "$BENCH_DB" -u "$(bash scripts/addons.sh)" --stop-after-init --logfile="bench/out/update.log"
    if grep -qE "^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) " bench/out/update.log; then
        echo "[bench] updating $BENCH_DB failed, see bench/out/update.log" >&2; exit 1
    fi
fi
for script in "${scripts[@]}"; do
    echo "[bench] $script"
    PYTHONPATH="$ROOT/bench" .venv/bin/python "$script" | tee "bench/out/$(basename "$script" .py).txt"
done
