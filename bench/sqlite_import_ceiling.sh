#!/usr/bin/env bash
# The practical ceiling for the SQLite import benchmark (issue 5 item 9). crsguard imports the benchmark's
# cohort (1 000 patients × 28 days of hourly vitals, bench/store_bench.cpp) into a SQLite file once; its
# five tables are written out as CSV (the very rows crsguard wrote: per event one `events` row, one
# `event_versions` row and one `audit` row; per patient one `patients`, one `patient_versions` and one
# `audit` row; one `audit` row for the import) and loaded by the sqlite3 CLI's own `.import` into a fresh
# database with the store's schema (src/store/schema/sqlite/001-initial.sql: the same keys, UNIQUE
# constraints, indexes and triggers) and the store's settings (WAL, synchronous=FULL, foreign_keys=ON,
# cache_size=-65536), in one transaction. Then runs crsguard's import (store_bench, best of 3) and prints
# both rates and the ratio crsguard / sqlite3 (time per event). Target: at most 3.
#
#   bench/sqlite_import_ceiling.sh [BUILD_DIR [WORK_DIR]]
#     BUILD_DIR  a Release build holding bench/store_bench (default: build-bench)
#     WORK_DIR   where the CSV files and the databases go (default: a new folder under /tmp, removed
#                after); both imports use it, so that both pay for the same disk
# Needs: sqlite3 (Debian package sqlite3), jq, bc.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
bench="$build/bench/store_bench"
schema=src/store/schema/sqlite/001-initial.sql
[ -x "$bench" ] || { echo "no $bench: cmake --build $build --target store_bench" >&2; exit 2; }
if [ -n "${2:-}" ]; then
  work=$2
  mkdir -p "$work"
else
  work=$(mktemp -d /tmp/crsguard-ceiling-XXXXXX)
  trap 'rm -rf "$work"' EXIT
fi
tables="audit patients patient_versions events event_versions"  # in foreign-key order
source_db="$work/crsguard.db"
db="$work/ceiling.db"

events=$("$bench" --write-database "$source_db")
rows=0
for table in $tables; do
  sqlite3 -csv "$source_db" "SELECT * FROM $table" >"$work/$table.csv"
  count=$(sqlite3 "$source_db" "SELECT COUNT(*) FROM $table")
  echo "$table: $count rows, $(du -m "$work/$table.csv" | cut -f1) MB of CSV"
  rows=$((rows + count))
done
rm -f "$source_db" "$source_db-wal" "$source_db-shm"
echo "in all: $rows rows for $events events"

best_sqlite=""
for run in 1 2 3; do
  rm -f "$db" "$db-wal" "$db-shm"
  { echo 'PRAGMA journal_mode=WAL;'; cat "$schema"; } | sqlite3 "$db" >/dev/null
  sync
  start=$(date +%s.%N)
  {
    echo 'PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536;'
    echo 'BEGIN IMMEDIATE;'
    for table in $tables; do echo ".import --csv $work/$table.csv $table"; done
    echo 'COMMIT;'
  } | sqlite3 -bail "$db" >/dev/null
  end=$(date +%s.%N)
  loaded=0
  for table in $tables; do loaded=$((loaded + $(sqlite3 "$db" "SELECT COUNT(*) FROM $table"))); done
  [ "$loaded" = "$rows" ] || { echo "sqlite3 .import loaded $loaded rows of $rows" >&2; exit 1; }
  seconds=$(echo "$end - $start" | bc -l)
  printf 'sqlite3 .import run %d: %.2f s\n' "$run" "$seconds"
  if [ -z "$best_sqlite" ] || [ "$(echo "$seconds < $best_sqlite" | bc -l)" = 1 ]; then best_sqlite=$seconds; fi
done
rm -f "$db" "$db-wal" "$db-shm"

json="$work/store_bench.json"
TMPDIR="$work" "$bench" --benchmark_filter='BM_SqliteImport/1000/' --benchmark_format=json >"$json"
jq -r '.benchmarks[] | select(.run_type == "iteration") | .real_time' "$json" | cat -n |
  while read -r run seconds; do printf 'crsguard import run %d: %.2f s\n' "$run" "$seconds"; done
crsguard_seconds=$(jq '[.benchmarks[] | select(.run_type == "iteration") | .real_time] | min' "$json")
imported=$(jq '[.benchmarks[] | select(.run_type == "iteration") | .events] | first' "$json")
[ "$imported" = "$events" ] || echo "warning: store_bench imported $imported events, the CSV files hold $events" >&2

echo
printf 'sqlite3 .import (best of 3): %8.2f s  %10.0f events/s  %10.0f rows/s\n' "$best_sqlite" \
  "$(echo "$events / $best_sqlite" | bc -l)" "$(echo "$rows / $best_sqlite" | bc -l)"
printf 'crsguard import (best of 3): %8.2f s  %10.0f events/s\n' "$crsguard_seconds" \
  "$(echo "$events / $crsguard_seconds" | bc -l)"
printf 'ratio crsguard / sqlite3 (time per event): %.2f (target: at most 3)\n' \
  "$(echo "$crsguard_seconds / $best_sqlite" | bc -l)"
