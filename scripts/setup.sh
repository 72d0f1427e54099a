#!/usr/bin/env bash
# Installs every Debian 12 (bookworm) package that building, running and testing crsguard
# need. Idempotent: installs only what is missing. Run as root (or with sudo available).
set -euo pipefail

packages=(
  g++ cmake make pkg-config            # toolchain
  nlohmann-json3-dev libcli11-dev libfmt-dev   # libraries
  libsqlite3-dev sqlite3 libssl-dev    # the embedded store (SQLite) and its audit hashes (OpenSSL SHA-256)
  libpq-dev postgresql-15              # the shared store (PostgreSQL client library; the server for its tests)
  libyaml-cpp-dev                      # protocol files (protocols/*.yaml)
  libgtest-dev libgmock-dev libbenchmark-dev   # tests and benchmarks
  clang libclang-rt-14-dev             # libFuzzer targets (clang 14 is bookworm's default)
  python3                              # scripts/convert_reports.py (examples from ../shared/data)
  libboost-dev                         # Boost.Math distributions for the analysis layer (header-only)
  r-base-core r-cran-survival python3-scipy   # the reference tools behind tests/oracles (R survival, SciPy)
  chromium                             # renders the HTML report in a test (headless)
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then as_root=(sudo); else
    echo "setup: these packages are missing and installing them needs root: ${missing[*]}" >&2
    exit 1
  fi
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
