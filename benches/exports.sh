#!/usr/bin/env bash
# Export memory benchmark: the memory the server holds while concurrent exports of large rows are
# read, and what it holds after they end. Loads SOURCES sources of 250 KB each (and their first
# revisions, which repeat the text) into a database of its own, serves it with a pool of 32 (so
# that eight exports run at once), and reads /v1/export with 1 and then 8 concurrent curls,
# printing the server's peak resident memory (VmHWM) after each round and its resident memory
# (VmRSS) 5 s after the last.
#
# Usage: benches/exports.sh [SOURCES]   (default 300)
# Settings: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), PROFILE
# (release or debug; default release).
set -euo pipefail
cd "$(dirname "$0")/.."

sources="${1:-300}"
admin_url="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
profile="${PROFILE:-release}"
target="${CARGO_TARGET_DIR:-target}"
name="akb_exports_$$"
url="${admin_url%/*}/$name"
port=18182

if [ "$profile" = release ]; then cargo build --release --quiet; else cargo build --quiet; fi
bin="$target/$profile/alliance-kb"

psql "$admin_url" -qc "CREATE DATABASE $name"
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" || true
}
trap cleanup EXIT

DATABASE_URL="$url" RUST_LOG=warn "$bin" seed >/dev/null
echo "bench: loading $sources sources of 250 KB, each with a revision"
psql "$url" -q <<SQL
BEGIN;
WITH made AS (
  INSERT INTO sources (kind, title, retrieved_at, text, reliability)
  SELECT 'report', 'Long report ' || g, now(), g || ' ' || repeat('The brigade would be ready by spring. ', 6700), 'unverified'
    FROM generate_series(1, $sources) g
  RETURNING id, title, text)
INSERT INTO revisions (entity, record_id, version, action, after)
SELECT 'sources', id, 1, 'create', jsonb_build_object('id', id, 'title', title, 'text', text) FROM made;
COMMIT;
SQL

DATABASE_URL="$url" ALLIANCE_KB_LISTEN="127.0.0.1:$port" ALLIANCE_KB_POOL_SIZE=32 ALLIANCE_KB_WORKERS=2 RUST_LOG=warn "$bin" serve &
server=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done

status() { awk -v k="$1" '$1 == k":" {printf "%.1f MB", $2 / 1024}' "/proc/$server/status"; }
echo "bench: server after start: peak $(status VmHWM)"
for concurrent in 1 8; do
  start=$(date +%s.%N)
  pids=()
  for i in $(seq 1 "$concurrent"); do
    curl -sf "http://127.0.0.1:$port/v1/export" -o "/dev/null" -w '%{size_download}\n' >"/tmp/akb-export-$$-$i" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  end=$(date +%s.%N)
  bytes=$(cat /tmp/akb-export-$$-1)
  rm -f /tmp/akb-export-$$-*
  printf 'bench: %d concurrent export(s) of %s bytes each in %.1f s: server peak %s\n' \
    "$concurrent" "$bytes" "$(echo "$end - $start" | bc)" "$(status VmHWM)"
done
sleep 5
echo "bench: 5 s after the last export: server resident $(status VmRSS)"
