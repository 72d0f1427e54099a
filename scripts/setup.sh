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
  libcpp-httplib-dev libargon2-dev     # the REST API (crsguard serve; src/server) and its password hashes
  wrk curl                             # bench/api_load.sh
  libgtest-dev libgmock-dev libbenchmark-dev   # tests and benchmarks
  clang libclang-rt-14-dev             # libFuzzer targets (clang 14 is bookworm's default)
  python3                              # scripts/convert_reports.py (examples from ../shared/data)
  libboost-dev                         # Boost.Math distributions for the analysis layer (header-only)
  r-base-core r-cran-survival python3-scipy   # the reference tools behind tests/oracles (R survival, SciPy)
  chromium                             # renders the HTML report in a test (headless)
  libsundials-dev r-cran-desolve r-cran-jsonlite   # the simulator's reference stiff solver (CVODE); R deSolve as its oracle and benchmark
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

# The JavaScript bundles that the HTML report inlines (web/package.json, pinned by web/package-lock.json;
# src/cli/report_page.cmake compiles them in). npm is not installed from apt: Debian 12's `npm` package
# is broken on bookworm, so Node.js and npm come from nodejs.org or NodeSource.
install_web_bundles() {
  local root web
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  web="$root/web"
  if [ -d "$web/node_modules" ] && [ ! "$web/package-lock.json" -nt "$web/node_modules" ]; then
    echo "setup: web/node_modules up to date"
    return 0
  fi
  if ! command -v npm >/dev/null; then
    echo "setup: npm is not installed; the HTML report needs web/node_modules (npm ci --prefix web)." >&2
    echo "setup: install Node.js 20+ with npm from https://nodejs.org or NodeSource (not Debian's npm package)," >&2
    echo "setup: then run scripts/setup.sh again." >&2
    return 1
  fi
  echo "setup: npm ci --prefix web"
  npm ci --prefix "$web" --no-audit --no-fund
  touch "$web/node_modules"
}

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages already installed"
  install_web_bundles
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
install_web_bundles
