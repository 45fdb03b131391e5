#!/usr/bin/env bash
# Start a throwaway PostgreSQL as root: temp data dir owned by the 'postgres' user, listening on
# 127.0.0.1:<free port> and a private unix socket dir. Writes env to $PGTMP/env and prints $PGTMP.
# Usage: PGTMP=$(bash .ci/pg-up.sh); . "$PGTMP/env"; ...; bash .ci/pg-down.sh "$PGTMP"
# Not used yet: the postgres adapter issue wires it into .ci/run / .ci/test.sh.
set -euo pipefail
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$PGBIN/initdb" ] || { echo "no PostgreSQL server binaries found (apt-get install postgresql)" >&2; exit 1; }
PGTMP=$(mktemp -d /tmp/pgtest.XXXXXX)
trap 'bash "$(dirname "$0")/pg-down.sh" "$PGTMP"' ERR    # failed start: stop + remove, leave nothing behind
chown postgres:postgres "$PGTMP"; chmod 700 "$PGTMP"
PGPORT=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
as_pg() { runuser -u postgres -- "$@"; }
as_pg "$PGBIN/initdb" -D "$PGTMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$PGTMP/initdb.log" 2>&1 \
  || { cat "$PGTMP/initdb.log" >&2; false; }
as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGTMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" start >/dev/null \
  || { cat "$PGTMP/server.log" >&2; false; }
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres credsign_test
cat > "$PGTMP/env" <<ENV
export PGTMP=$PGTMP PGBIN=$PGBIN PGHOST=127.0.0.1 PGPORT=$PGPORT PGUSER=postgres PGDATABASE=credsign_test
export DATABASE_URL=postgres://postgres@127.0.0.1:$PGPORT/credsign_test
ENV
echo "$PGTMP"
