#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time (default 60 s).
# Seeds: fuzz/corpus/<target>/ and fuzz/regressions/<target>/. A crash leaves its input
# in fuzz/artifacts/; fix the bug and keep the input in fuzz/regressions/<target>/,
# named after what it found (it then runs in every test run, see tests/io/fuzz_regression_test.cpp).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
bash scripts/setup.sh
cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCRSGUARD_FUZZ=ON >/dev/null
cmake --build build-fuzz -j "$(nproc)"
mkdir -p fuzz/artifacts
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for target in timeline_json timeline_csv rules_json grading protocol_yaml sim_files api_request fhir_bundle; do
  work="build-fuzz/corpus-$target"
  dict=fuzz/timeline.dict
  if [ -f "fuzz/$target.dict" ]; then dict="fuzz/$target.dict"; fi
  mkdir -p "$work"
  echo "fuzz: $target for ${seconds}s"
  "build-fuzz/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -dict="$dict" -artifact_prefix=fuzz/artifacts/ -print_final_stats=1 \
    "$work" "fuzz/corpus/$target" "fuzz/regressions/$target" 2>&1 | grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|==[0-9]+==|SUMMARY|Test unit written)" || true
  if compgen -G "fuzz/artifacts/*" >/dev/null; then
    echo "fuzz: $target found a failing input:" >&2
    ls fuzz/artifacts >&2
    exit 1
  fi
done
echo "fuzz: no crash, leak or round-trip failure found"
