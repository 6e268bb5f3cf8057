#!/usr/bin/env bash
# Streaming benchmark: the memory an NDJSON or CSV list and a whole export hold while they are
# answered, against how much they send. Generates ROWS commitments (with their statements,
# citations and revisions) into a database of its own, serves it, and reads /v1/commitments as
# NDJSON and CSV and /v1/export with
# curl, printing bytes, seconds, and the server's peak resident memory (VmHWM) after each; then
# imports the export into an empty database with `alliance-kb import`, printing its time and peak
# memory, and checks that exporting that database again gives the same bytes.
#
# Usage: benches/streaming.sh [ROWS]   (default 200000)
# Settings: BENCH_DATABASE_URL (a server to create the database on; default
# postgres://postgres@127.0.0.1:5432/postgres), PROFILE (release or debug; default release).
set -euo pipefail
cd "$(dirname "$0")/.."

rows="${1:-200000}"
admin_url="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
profile="${PROFILE:-release}"
name="akb_bench_$$"
url="${admin_url%/*}/$name"
port=18181

if [ "$profile" = release ]; then cargo build --release --quiet; else cargo build --quiet; fi
bin="target/$profile/alliance-kb"

psql "$admin_url" -qc "CREATE DATABASE $name"
work=$(mktemp -d)
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" || true
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS ${name}_copy WITH (FORCE)" || true
  rm -rf "$work"
}
trap cleanup EXIT

DATABASE_URL="$url" RUST_LOG=warn "$bin" seed >/dev/null
echo "bench: generating $rows commitments (alliance-kb generate)"
DATABASE_URL="$url" RUST_LOG=warn "$bin" generate --commitments "$rows" >/dev/null

DATABASE_URL="$url" ALLIANCE_KB_LISTEN="127.0.0.1:$port" ALLIANCE_KB_WORKERS=2 RUST_LOG=warn "$bin" serve &
server=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done

peak() { awk '/VmHWM/ {print $2 " kB"}' "/proc/$server/status"; }
echo "bench: server peak memory after start: $(peak)"
measure() {
  local label="$1" accept="$2" path="$3"
  local start end bytes
  start=$(date +%s.%N)
  bytes=$(curl -sf -H "Accept: $accept" "http://127.0.0.1:$port$path" | wc -c)
  end=$(date +%s.%N)
  printf 'bench: %-28s %12s bytes in %6.2f s; server peak memory %s\n' \
    "$label" "$bytes" "$(echo "$end - $start" | bc)" "$(peak)"
}
measure "commitments as NDJSON" application/x-ndjson /v1/commitments
measure "commitments as CSV" text/csv /v1/commitments
measure "the whole export" application/x-ndjson /v1/export
measure "one JSON page (500)" application/json '/v1/commitments?limit=500'

curl -sf "http://127.0.0.1:$port/v1/export" -H "Accept: application/x-ndjson" >"$work/first.ndjson"
psql "$admin_url" -qc "CREATE DATABASE ${name}_copy"
copy="${admin_url%/*}/${name}_copy"
DATABASE_URL="$copy" RUST_LOG=warn "$bin" migrate
/usr/bin/time -f "bench: import of the export         %e s; peak memory %M kB" \
  env DATABASE_URL="$copy" RUST_LOG=warn "$bin" import "$work/first.ndjson" >/dev/null
DATABASE_URL="$copy" RUST_LOG=warn "$bin" export "$work/second.ndjson" 2>/dev/null
if cmp -s "$work/first.ndjson" "$work/second.ndjson"; then
  echo "bench: export, import, export: the same $(wc -c <"$work/first.ndjson") bytes"
else
  echo "bench: FAILED: the second export differs from the first"
  exit 1
fi
