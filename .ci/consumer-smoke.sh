#!/usr/bin/env bash
# Package checks on what npm would publish:
#   npm pack → install the tarball (+ the optional JSON-LD peers) into a throwaway consumer → require()
#   and import() every subpath in "exports" + generate/unlock/sign/verify from CJS and ESM
#   (.ci/consumer/use.{cjs,mjs}) → the tarball alone in another consumer (.ci/consumer/bare.mjs)
#   → publint --strict and attw --profile node16 on the same tarball (both work offline).
# Usage: bash .ci/consumer-smoke.sh OUT_DIR   (run from the repo root, after the build)
# Appends one "pass NAME" / "fail NAME" line per check to OUT_DIR/checks.txt; logs go to OUT_DIR/NAME.log.
# Exits non-zero if any check failed.
set -uo pipefail
OUT=$(cd "${1:?usage: consumer-smoke.sh OUT_DIR}" && pwd)
REPO=$PWD
CHECKS=$OUT/checks.txt
status=0
record() { echo "$1 $2" >> "$CHECKS"; [ "$1" = pass ] || status=1; }
check() { # check NAME DIR CMD...
  local name=$1 dir=$2; shift 2
  if (cd "$dir" && "$@") > "$OUT/$name.log" 2>&1; then
    record pass "$name"
  else
    record fail "$name"; echo "--- $name failed:" >&2; tail -n 40 "$OUT/$name.log" >&2
  fi
}

rm -f "$OUT"/*.tgz
if ! TGZ_NAME=$(npm pack --silent --pack-destination "$OUT" 2> "$OUT/pack.log" | tail -1) || [ ! -f "$OUT/$TGZ_NAME" ]; then
  record fail pack; cat "$OUT/pack.log" >&2; exit 1
fi
TGZ=$OUT/$TGZ_NAME
# The tarball must hold the build of every subpath and no sources or tests.
if tar -tzf "$TGZ" > "$OUT/pack-files.txt" \
  && grep -qx 'package/dist/index.js' "$OUT/pack-files.txt" \
  && grep -qx 'package/dist/index.cjs' "$OUT/pack-files.txt" \
  && grep -qx 'package/LICENSE' "$OUT/pack-files.txt" \
  && ! grep -Eq '^package/(src|test|rt|\.ci|node_modules)/' "$OUT/pack-files.txt"; then
  record pass pack-contents
else
  record fail pack-contents; echo "--- unexpected tarball contents:" >&2; cat "$OUT/pack-files.txt" >&2
fi

# Every relative link of the README (as npm shows it) points at a file in the tarball.
missing=$(grep -o '](\([^)#]*\)' README.md | sed 's/^](//' | grep -Ev '^[a-z][a-z0-9+.-]*:' | sort -u \
  | while read -r link; do grep -qx "package/$link" "$OUT/pack-files.txt" || echo "$link"; done)
if [ -z "$missing" ]; then record pass readme-links; else record fail readme-links; echo "--- README links to files not in the tarball: $missing" >&2; fi

C=$(mktemp -d /tmp/credsign-consumer.XXXXXX)
trap 'rm -rf "$C"' EXIT
echo '{"name":"credsign-consumer","version":"1.0.0","private":true}' > "$C/package.json"
cp "$REPO/.ci/consumer/use.cjs" "$REPO/.ci/consumer/use.mjs" "$C/"
# use.{cjs,mjs} run the rdfc Data Integrity suites: install the optional peers as the README says.
PEERS=$(node -p "const p = require('./package.json').peerDependencies; ['jsonld', 'rdf-canonize', 'pkijs'].map((n) => n + '@' + p[n]).join(' ')")
# shellcheck disable=SC2086
check consumer-install "$C" npm install --prefer-offline --no-audit --no-fund --loglevel=error "$TGZ" $PEERS
check consumer-cjs "$C" node use.cjs
check consumer-esm "$C" node use.mjs
# `npm install credsign` alone: no optional peer, no zod; the common paths and credsign/http work,
# an rdfc suite names what to install (.ci/consumer/bare.mjs).
B=$(mktemp -d /tmp/credsign-consumer-bare.XXXXXX)
trap 'rm -rf "$C" "$B"' EXIT
echo '{"name":"credsign-consumer-bare","version":"1.0.0","private":true}' > "$B/package.json"
cp "$REPO/.ci/consumer/bare.mjs" "$B/"
check consumer-bare-install "$B" npm install --prefer-offline --no-audit --no-fund --loglevel=error "$TGZ"
check consumer-bare "$B" node bare.mjs
check publint "$REPO" npx --offline publint --strict "$TGZ"
# attw exits 0 on a package with no types at all: treat that as a failure too.
attw_strict() {
  local out rc
  out=$(npx --offline attw --profile node16 "$1" 2>&1); rc=$?
  echo "$out"
  [ "$rc" -eq 0 ] && ! grep -q 'does not contain types' <<< "$out"
}
check attw "$REPO" attw_strict "$TGZ"
exit $status
