#!/usr/bin/env bash
# Runs nginx in the foreground in front of a prefork Odoo.
# Usage: scripts/proxy.sh LISTEN_PORT ODOO_HTTP_PORT ODOO_LONGPOLLING_PORT
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LISTEN="$1"; HTTP="$2"; LP="$3"
RUN="$ROOT/.odoo/nginx-$LISTEN"
mkdir -p "$RUN"
USER_LINE=""
[ "$(id -u)" = 0 ] && USER_LINE="user root;"
sed -e "s#@RUN@#$RUN#g" -e "s#@LISTEN@#127.0.0.1:$LISTEN#g" -e "s#@HTTP_PORT@#$HTTP#g" \
    -e "s#@LONGPOLLING_PORT@#$LP#g" -e "s#@USER@#$USER_LINE#g" \
    "$ROOT/config/nginx.conf.in" > "$RUN/nginx.conf"
exec nginx -c "$RUN/nginx.conf" -g 'daemon off;'
