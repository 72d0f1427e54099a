#!/usr/bin/env bash
# Quick start, step one: install what is needed, build, and run the main job on the
# embedded default: validate the bundled adult case, print its day-by-day summary and its
# ASTCT CRS/ICANS grades with the rationale behind each, and replay it against the zi2021-adult
# protocol (what the protocol recommended beside what was given).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCRSGUARD_WERROR="${CRSGUARD_WERROR:-OFF}" >/dev/null
cmake --build build --target crsguard -j "$(nproc)"
case_file=examples/adult-case-zi2021.timeline.json
./build/src/cli/crsguard validate "$case_file"
./build/src/cli/crsguard summary "$case_file"
echo
./build/src/cli/crsguard grade "$case_file"
echo
./build/src/cli/crsguard replay "$case_file" --protocol zi2021-adult
