#!/usr/bin/env bash
# Quick start, step two: install what is needed, build everything and run every test.
#   scripts/test.sh              the build/ tree (warnings as errors when CRSGUARD_WERROR=ON)
#   scripts/test.sh --sanitize   a separate build-asan/ tree under AddressSanitizer + UBSan
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

build=build
options=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCRSGUARD_WERROR="${CRSGUARD_WERROR:-OFF}")
if [ "${1:-}" = "--sanitize" ]; then
  build=build-asan
  options=(-DCMAKE_BUILD_TYPE=Debug -DCRSGUARD_SANITIZE=ON -DCRSGUARD_WERROR="${CRSGUARD_WERROR:-OFF}")
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
cmake -S . -B "$build" "${options[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)"
cd "$build"
ctest --output-on-failure -j "$(nproc)"
