#!/usr/bin/env bash
# Installs everything Sehat CRM needs on a fresh Debian machine, idempotently:
#   - Python 3.7 venv (.venv) with the pinned Odoo 11 runtime and test tools
#   - PostgreSQL running, with a login role for the current OS user
#   - lessc (npm package "less", local node_modules)
#   - Chromium + chromedriver (Debian) and a Python 3 venv (.venv-browser) with Selenium
#   - .odoo/odoo.conf rendered from config/odoo.conf.in
# A step is skipped when its inputs did not change (stamp files in .odoo/stamps).
# Every failure says what failed and how to fix it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
STAMPS="$ROOT/.odoo/stamps"
mkdir -p "$STAMPS" "$ROOT/.odoo/data" "$ROOT/.odoo/log"

say() { printf '\033[1m[install]\033[0m %s\n' "$*"; }
die() {
    printf '\033[31m[install] FAILED: %s\033[0m\n' "$1" >&2
    [ -n "${2:-}" ] && printf '[install] How to fix: %s\n' "$2" >&2
    exit 1
}
# stamp NAME FILES... -> true when the files changed since the last successful run
changed() {
    local name="$1"; shift
    local sum
    sum="$(cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1)"
    [ "$(cat "$STAMPS/$name" 2>/dev/null)" != "$sum" ]
}
stamp() {
    local name="$1"; shift
    cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1 > "$STAMPS/$name"
}
as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# --- Debian packages --------------------------------------------------------
APT_PKGS=(libldap2-dev libsasl2-dev libpq-dev chromium chromium-driver nginx)
missing=()
for p in "${APT_PKGS[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq >/dev/null \
        || die "apt-get update" "check that the Debian mirrors are reachable and that you are root or have sudo"
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null \
        || die "apt-get install ${missing[*]}" "run: sudo apt-get install ${missing[*]}"
fi

# --- Python 3.7 --------------------------------------------------------------
find_py37() {
    local c
    for c in "${PYTHON37:-}" "$(command -v python3.7 2>/dev/null || true)"; do
        [ -n "$c" ] && "$c" -c 'import sys; assert sys.version_info[:2] == (3, 7)' 2>/dev/null && { echo "$c"; return; }
    done
    if command -v pyenv >/dev/null 2>&1; then
        local v
        v="$(pyenv versions --bare 2>/dev/null | grep -E '^3\.7\.[0-9]+$' | sort -V | tail -1 || true)"
        [ -n "$v" ] && { echo "$(pyenv root)/versions/$v/bin/python3.7"; return; }
    fi
    return 1
}
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 7)' 2>/dev/null; then
    PY37="$(find_py37)" || die "Python 3.7 not found (Odoo 11 does not run on 3.10+)" \
        "install it with pyenv (pyenv install 3.7) or set PYTHON37=/path/to/python3.7"
    say "creating .venv with $PY37"
    rm -rf .venv
    "$PY37" -m venv .venv || die "python3.7 -m venv .venv" "install the venv module for Python 3.7"
    rm -f "$STAMPS/venv"
fi
if changed venv requirements.txt requirements-test.txt; then
    say "installing the pinned Odoo 11 runtime into .venv (a few minutes the first time)"
    PIP=(.venv/bin/pip install -q --disable-pip-version-check)
    "${PIP[@]}" 'setuptools<58' wheel 2>&1 | grep -v 'WARNING: Location' || true
    .venv/bin/python -c 'import setuptools, sys; sys.exit(int(setuptools.__version__.split(".")[0]) >= 58)' \
        || die "setuptools<58 in .venv" "check network access to PyPI"
    "${PIP[@]}" --no-build-isolation vatnumber==1.2 2>&1 | grep -v 'WARNING: Location' || true
    "${PIP[@]}" -r requirements.txt -r requirements-test.txt > .odoo/log/pip.log 2>&1 \
        || { grep -v 'WARNING: Location' .odoo/log/pip.log | tail -20 >&2
             die "pip install -r requirements.txt" "see .odoo/log/pip.log; python-ldap needs libldap2-dev and libsasl2-dev"; }
    .venv/bin/python -c 'import odoo, phonenumbers, xlsxwriter, pytest_odoo' \
        || die "the Odoo runtime does not import" "see .odoo/log/pip.log"
    stamp venv requirements.txt requirements-test.txt
fi

# --- PostgreSQL ---------------------------------------------------------------
if ! pg_isready -q 2>/dev/null; then
    say "starting PostgreSQL"
    if command -v pg_lsclusters >/dev/null 2>&1; then
        read -r ver cluster _ < <(pg_lsclusters -h | head -1) \
            || die "no PostgreSQL cluster found" "apt-get install postgresql, then re-run"
        as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$cluster" start \
            || die "pg_ctlcluster $ver $cluster start" "see /var/log/postgresql/postgresql-$ver-$cluster.log"
    else
        die "PostgreSQL is not running and pg_ctlcluster is missing" "apt-get install postgresql"
    fi
    for _ in $(seq 30); do pg_isready -q && break; sleep 1; done
    pg_isready -q || die "PostgreSQL did not come up" "see /var/log/postgresql/"
fi
DBUSER="$(id -un)"
if ! psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    say "creating PostgreSQL login role '$DBUSER'"
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- psql -q -c "CREATE ROLE \"$DBUSER\" LOGIN SUPERUSER" \
            || die "creating role $DBUSER" "as postgres: createuser -s $DBUSER"
    else
        sudo -u postgres psql -q -c "CREATE ROLE \"$DBUSER\" LOGIN CREATEDB" \
            || die "creating role $DBUSER" "as postgres: createuser -d $DBUSER"
    fi
fi
psql -d postgres -tAc "select rolcreatedb or rolsuper from pg_roles where rolname = current_user" | grep -q t \
    || die "role $DBUSER cannot create databases" "as postgres: ALTER ROLE \"$DBUSER\" CREATEDB"

# --- lessc --------------------------------------------------------------------
if [ ! -x node_modules/.bin/lessc ] || changed npm package.json package-lock.json; then
    command -v npm >/dev/null 2>&1 || die "npm not found (needed for lessc)" "apt-get install nodejs npm"
    say "installing lessc (npm package less)"
    if [ -f package-lock.json ]; then npm ci --silent --no-audit --no-fund >/dev/null 2>&1; else false; fi \
        || npm install --silent --no-audit --no-fund >/dev/null 2>&1 \
        || die "npm install (less)" "check access to the npm registry"
    stamp npm package.json package-lock.json
fi
node_modules/.bin/lessc --version >/dev/null || die "lessc does not run" "rm -rf node_modules and re-run make install"

# --- browser-test driver --------------------------------------------------------
for b in chromium chromedriver; do
    command -v "$b" >/dev/null 2>&1 || die "$b not found" "apt-get install chromium chromium-driver"
done
if [ ! -x .venv-browser/bin/python ] || changed browser requirements-browser.txt; then
    PY3="${PYTHON3:-$(command -v python3.11 || command -v python3)}"
    "$PY3" -c 'import sys; assert sys.version_info >= (3, 9)' 2>/dev/null \
        || die "a Python >= 3.9 for the Selenium driver" "set PYTHON3=/path/to/python3.11"
    say "creating .venv-browser (Selenium) with $PY3"
    rm -rf .venv-browser
    "$PY3" -m venv .venv-browser || die "venv for the browser driver" "install python3-venv"
    .venv-browser/bin/pip install -q --disable-pip-version-check -r requirements-browser.txt \
        > .odoo/log/pip-browser.log 2>&1 || die "pip install -r requirements-browser.txt" "see .odoo/log/pip-browser.log"
    stamp browser requirements-browser.txt
fi

# --- Odoo configuration ---------------------------------------------------------
ODOO_ADDONS="$(.venv/bin/python -c 'import os, odoo.addons; print(os.path.dirname(odoo.addons.__file__))')"
sed -e "s#@ROOT@#$ROOT#g" -e "s#@ODOO_ADDONS@#$ODOO_ADDONS#g" -e "s#@DBUSER@#$DBUSER#g" \
    config/odoo.conf.in > .odoo/odoo.conf.new
mv .odoo/odoo.conf.new .odoo/odoo.conf
say "ready (.venv, PostgreSQL, lessc, chromium; config in .odoo/odoo.conf)"
