#!/usr/bin/env bash
# Stop a server started by .ci/pg-up.sh (by its own data dir, through pg_ctl) and remove its dir.
set -uo pipefail
PGTMP=${1:?usage: pg-down.sh PGTMP}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [ -f "$PGTMP/data/postmaster.pid" ]; then
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGTMP/data" -m fast -w stop >/dev/null || true
fi
rm -rf "$PGTMP"
