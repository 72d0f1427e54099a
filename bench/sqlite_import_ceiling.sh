#!/usr/bin/env bash
# The practical ceiling for the SQLite import benchmark (issue 5 item 9): the same events as
# bench/store_bench.cpp imports (1 000 patients × 28 days of hourly vitals, one row per event) written
# as CSV and loaded by the sqlite3 CLI's own `.import` into a table of the same shape as the store's
# per-event rows (event uid UNIQUE, an index on the time), WAL, synchronous=FULL, one transaction.
# Then runs crsguard's import (store_bench) and prints both rates and the ratio crsguard / sqlite3
# (time per event). Target: within 3×.
#
#   bench/sqlite_import_ceiling.sh [BUILD_DIR [WORK_DIR]]
#     BUILD_DIR  a Release build holding bench/store_bench (default: build-bench)
#     WORK_DIR   where the CSV and the databases go (default: a new folder under /tmp, removed after);
#                both imports use it, so that both pay for the same disk
# Needs: sqlite3 (Debian package sqlite3), jq.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
bench="$build/bench/store_bench"
[ -x "$bench" ] || { echo "no $bench: cmake --build $build --target store_bench" >&2; exit 2; }
if [ -n "${2:-}" ]; then
  work=$2
  mkdir -p "$work"
else
  work=$(mktemp -d /tmp/crsguard-ceiling-XXXXXX)
  trap 'rm -rf "$work"' EXIT
fi
csv="$work/events.csv"
db="$work/ceiling.db"

rows=$("$bench" --write-csv "$csv")
echo "CSV: $rows rows, $(du -m "$csv" | cut -f1) MB ($csv)"

best_sqlite=""
for run in 1 2 3; do
  rm -f "$db" "$db-wal" "$db-shm"
  sqlite3 "$db" >/dev/null <<'SQL'
PRAGMA journal_mode=WAL;
CREATE TABLE event_rows (
  patient_id  TEXT    NOT NULL,
  event_uid   TEXT    NOT NULL UNIQUE,
  version     INTEGER NOT NULL,
  body_json   TEXT,
  seconds_since_infusion INTEGER,
  recorded_at TEXT    NOT NULL,
  recorded_by TEXT    NOT NULL,
  reason      TEXT    NOT NULL
);
CREATE INDEX event_rows_by_time ON event_rows (seconds_since_infusion);
SQL
  sync
  start=$(date +%s.%N)
  sqlite3 "$db" >/dev/null <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=FULL;
BEGIN IMMEDIATE;
.import --csv $csv event_rows
COMMIT;
SQL
  end=$(date +%s.%N)
  loaded=$(sqlite3 "$db" 'SELECT COUNT(*) FROM event_rows')
  [ "$loaded" = "$rows" ] || { echo "sqlite3 .import loaded $loaded rows of $rows" >&2; exit 1; }
  seconds=$(echo "$end - $start" | bc -l)
  printf 'sqlite3 .import run %d: %.2f s\n' "$run" "$seconds"
  if [ -z "$best_sqlite" ] || [ "$(echo "$seconds < $best_sqlite" | bc -l)" = 1 ]; then best_sqlite=$seconds; fi
done
rm -f "$db" "$db-wal" "$db-shm"

json="$work/store_bench.json"
TMPDIR="$work" "$bench" --benchmark_filter='BM_SqliteImport/1000/' --benchmark_format=json >"$json"
crsguard_seconds=$(jq '[.benchmarks[] | select(.run_type == "iteration") | .real_time] | min' "$json")
events=$(jq '[.benchmarks[] | select(.run_type == "iteration") | .events] | first' "$json")
[ "$events" = "$rows" ] || echo "warning: store_bench imported $events events, the CSV has $rows rows" >&2

echo
printf 'sqlite3 .import (best of 3): %8.2f s  %10.0f rows/s\n' "$best_sqlite" "$(echo "$rows / $best_sqlite" | bc -l)"
printf 'crsguard import (best of 3): %8.2f s  %10.0f events/s\n' "$crsguard_seconds" "$(echo "$events / $crsguard_seconds" | bc -l)"
printf 'ratio crsguard / sqlite3 (time per event): %.2f (target: at most 3)\n' \
  "$(echo "($crsguard_seconds / $events) / ($best_sqlite / $rows)" | bc -l)"
