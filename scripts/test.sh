#!/usr/bin/env bash
# The README's second command: install, build, and run every test (GoogleTest via CTest, plus the
# Python cross-checks against POT, SciPy and h5py).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-debian-deps.sh
scripts/build.sh
cd build
ctest --output-on-failure --timeout 900 -j "$(nproc)"
