#!/usr/bin/env bash
# Quick start, step one: install what is needed, build, and run the main job on the embedded default:
# the bedside dashboard (`crsguard serve --demo`) on a temporary SQLite store seeded with the bundled
# example patients and three virtual patients in an active course. Open the address it prints and log
# in with the demo account it prints; Ctrl-C stops it (and removes the temporary store).
#   CRSGUARD_PORT=9000 scripts/run.sh    another port (default 8080)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCRSGUARD_WERROR="${CRSGUARD_WERROR:-OFF}" >/dev/null
cmake --build build --target crsguard -j "$(nproc)"
exec ./build/src/cli/crsguard serve --demo --port "${CRSGUARD_PORT:-8080}"
