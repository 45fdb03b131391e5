#!/usr/bin/env bash
# The whole suite: `npm test` (CI runs it from .ci/run). On a developer machine too.
#   [throwaway PostgreSQL unless DATABASE_URL is set] → build (tsup) → every @example and README ts block compiles against dist/ → browser bundle size budgets
#   → vitest [node, node-backend = node with the node:crypto backend, pg = PostgreSQL at DATABASE_URL, browser = src in Chromium, browser-dist = dist/ in Chromium]
#   → deno test (dist/, incl. the node entry) → bun test (dist/, incl. the node entry)
#   → examples/ (Express, node:http, Hono on Bun, Deno) started on dist/ and called (scripts/test-examples.mjs)
#   → npm pack + consumer require/import + publint + attw
#   → closing line "N passed, N failed, N skipped" (.ci/count-junit.mjs), non-zero exit on any failure.
# Reports and logs go to .ci-out/. Every step runs even if an earlier one failed, so one run shows everything.
# Needs Chromium: /usr/bin/chromium (Debian: apt-get install chromium) or CHROMIUM_PATH=/path/to/chrome.
set -uo pipefail
exec 2>&1   # one ordered stream: the closing count line must come last whatever captures the output
cd "$(dirname "$0")/.."
OUT=.ci-out
CHECKS=$OUT/checks.txt
mkdir -p "$OUT"
# Only this script's own outputs: .ci/run leaves its static-check results beside them.
rm -f "$OUT"/vitest.xml "$OUT"/deno.xml "$OUT"/bun.xml "$OUT"/examples.xml "$CHECKS" "$OUT"/*.tgz
T0=$SECONDS
step() { echo "::: [test +$((SECONDS - T0))s] $*"; }
record() { echo "$1 $2" >> "$CHECKS"; }
# A hung runner (e.g. a browser page whose event loop never yields) must not eat CI's 90 minutes:
# each runner gets a wall-clock budget; a killed runner writes no report, which counts as a failure.
budget() { # budget SECONDS NAME CMD...
  local secs=$1 name=$2 rc; shift 2
  timeout --kill-after=20 "$secs" "$@"; rc=$?
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "error: $name did not finish within ${secs}s and was stopped"; record fail "$name (timed out)"
  fi
  return "$rc"
}
export DENO_NO_UPDATE_CHECK=1 DENO_NO_PROMPT=1

CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  echo "error: no Chromium at $CHROMIUM. The browser tests run in a real headless Chromium and are never skipped."
  echo "       Install it (Debian/Ubuntu: apt-get install chromium) or point CHROMIUM_PATH at a Chromium/Chrome binary."
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

# PostgreSQL for the pg tests (test/pg): DATABASE_URL when set; otherwise a throwaway server of our
# own (.ci/pg-up.sh, needs root and the server binaries), stopped at the end. With neither, the pg
# tests skip on a developer machine and fail under CI=true.
OWN_PGTMP=""
stop_own_pg() { if [ -n "$OWN_PGTMP" ]; then bash .ci/pg-down.sh "$OWN_PGTMP"; OWN_PGTMP=""; fi; }
trap stop_own_pg EXIT
trap 'stop_own_pg; exit 130' INT TERM
if [ -z "${DATABASE_URL:-}" ] && [ "$(id -u)" = 0 ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  step "postgres up (throwaway, .ci/pg-up.sh)"
  if OWN_PGTMP=$(bash .ci/pg-up.sh); then . "$OWN_PGTMP/env"; else OWN_PGTMP=""; echo "warning: could not start a throwaway PostgreSQL"; fi
fi
[ -n "${DATABASE_URL:-}" ] || echo "note: no DATABASE_URL: the PostgreSQL tests skip (under CI=true they fail)"

step "build (tsup)"
if npx tsup --silent > "$OUT/build.log" 2>&1; then record pass build; else record fail build; cat "$OUT/build.log"; fi

step "every TSDoc @example of the six entry points compiles against dist/ (scripts/compile-examples.mjs)"
if node scripts/compile-examples.mjs --out "$OUT/compiled-examples"; then record pass "examples compile"; else record fail "examples compile"; fi

step "README's ts code blocks compile against dist/ (scripts/compile-readme.mjs)"
if node scripts/compile-readme.mjs --out "$OUT/compiled-readme"; then record pass "readme compiles"; else record fail "readme compiles"; fi

step "browser bundle sizes within their budgets (scripts/bundle-size.mjs, esbuild over dist/)"
if node scripts/bundle-size.mjs --check > "$OUT/bundle-size.txt" 2>&1; then record pass size-budget; else record fail size-budget; fi
cat "$OUT/bundle-size.txt"

step "vitest (projects: node, node-backend, pg, browser, browser-dist)"
budget "${CREDSIGN_VITEST_TIMEOUT:-1200}" vitest npx vitest run --reporter=default --reporter=junit --outputFile.junit="$OUT/vitest.xml"

step "deno test rt/deno (dist/)"
budget 600 "deno test" npx deno test --node-modules-dir=manual --cached-only --no-check -A --junit-path="$OUT/deno.xml" rt/deno/

step "bun test rt/bun (dist/)"
budget 600 "bun test" npx bun test --reporter=junit --reporter-outfile="$OUT/bun.xml" ./rt/bun/

step "examples/ on dist/: Express, node:http, Hono on Bun, Deno (scripts/test-examples.mjs)"
budget 300 "examples" node scripts/test-examples.mjs --junit "$OUT/examples.xml"

step "npm pack + consumer require/import + publint + attw"
budget 600 "package checks" bash .ci/consumer-smoke.sh "$OUT"   # records its own pass/fail lines

stop_own_pg   # before exec: an exec'd shell runs no EXIT trap
step "done"
extra=()
[ -n "${CREDSIGN_EXTRA_CHECKS:-}" ] && extra=(--checks "$CREDSIGN_EXTRA_CHECKS")
exec node .ci/count-junit.mjs "${extra[@]}" --checks "$CHECKS" "$OUT/vitest.xml" "$OUT/deno.xml" "$OUT/bun.xml" "$OUT/examples.xml"
