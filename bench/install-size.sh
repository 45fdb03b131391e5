#!/usr/bin/env bash
# What `npm install credsign` costs a user: the packed tarball and a fresh install of it, next to jose.
# Usage: bash bench/install-size.sh   (from the repo root, after `npx tsup`; uses npm's cache, --prefer-offline)
# Prints a markdown table: tarball size, files, unpacked size, installed node_modules size, packages.
set -euo pipefail
REPO=$PWD
W=$(mktemp -d /tmp/credsign-install-size.XXXXXX)
trap 'rm -rf "$W"' EXIT
TGZ=$(npm pack --silent --pack-destination "$W" | tail -1)
kb() { echo $(( ($1 + 512) / 1024 )); }
tarball_bytes=$(stat -c %s "$W/$TGZ")
files=$(tar -tzf "$W/$TGZ" | wc -l)
unpacked=$(tar -xzf "$W/$TGZ" -O | wc -c)
maps=$(tar -tzvf "$W/$TGZ" | awk '$6 ~ /\.map$/ { s += $3 } END { print s + 0 }')

install_row() { # install_row LABEL SPEC...
  local label=$1 dir; shift
  dir=$(mktemp -d "$W/consumer.XXXXXX")
  echo '{"name":"size-consumer","version":"1.0.0","private":true}' > "$dir/package.json"
  (cd "$dir" && npm install --prefer-offline --no-audit --no-fund --loglevel=error "$@" > /dev/null)
  local bytes packages
  bytes=$(du -sb "$dir/node_modules" | cut -f1)
  packages=$(cd "$dir" && npm ls --all --parseable 2> /dev/null | tail -n +2 | sort -u | wc -l)
  echo "| $label | $(kb "$bytes") KB | $packages |"
}

echo "credsign tarball: $(kb "$tarball_bytes") KB packed, $files files, $(kb "$unpacked") KB unpacked (source maps: $(kb "$maps") KB)"
echo
echo "| npm install … | node_modules | packages |"
echo "|---|---:|---:|"
install_row "credsign (the packed tarball)" "$W/$TGZ"
install_row "credsign + jsonld + rdf-canonize (Data Integrity rdfc)" "$W/$TGZ" jsonld@9.0.0 rdf-canonize@5.0.0
install_row "jose" jose
