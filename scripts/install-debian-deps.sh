#!/usr/bin/env bash
# Installs otae's build and test dependencies from Debian 12 packages (idempotent: apt runs only
# when something is missing). Needs root or sudo.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache git pkg-config
  libtorch-dev libopenblas0-pthread            # LibTorch 1.13 + an optimised BLAS (reference BLAS is ~30x slower)
  libopenblas0-openmp                          # the BLAS otae's programs load: one OpenMP thread pool with LibTorch
  liblemon-dev libhdf5-dev libfastjet-dev libhepmc3-dev
  libboost-math-dev                            # incomplete gamma function and chi2 survival (ot)
  libzip-dev                                   # .npz (zip) archives (data)
  libgloo-dev                                  # c10d's Gloo backend: data-parallel training (train)
  libyaml-cpp-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-dev pybind11-dev                        # the Python module
  python3-venv python3-setuptools python3-wheel            # pip install . (pyproject.toml, setup.py)
  python3-numpy python3-h5py python3-matplotlib            # report figures
  python3-scipy python3-pot                                # independent references, tests only
  libcpp-httplib-dev                                       # the web server of otae explore
  chromium                                                 # the browser test of otae explore
)
# Node.js and npm drive that browser test; a Node.js from elsewhere (nodesource) brings its own npm
command -v npm >/dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "otae: installing ${missing[*]}" >&2
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# playwright-core for the browser test, at the version tests/browser/package-lock.json pins.
# Offline-safe: an installed copy of that version is kept, and without the registry the browser
# test skips itself (exit 77) rather than failing the set-up.
browser_tests="$(cd "$(dirname "$0")/../tests/browser" && pwd)"
wanted=$(node -p "require('$browser_tests/package-lock.json').packages['node_modules/playwright-core'].version")
installed=$(node -p "require('$browser_tests/node_modules/playwright-core/package.json').version" 2>/dev/null || true)
if [ "$wanted" != "$installed" ]; then
  (cd "$browser_tests" && npm ci --no-audit --no-fund --loglevel=error) ||
    echo "otae: npm ci in tests/browser failed (no registry?); the browser test will be skipped" >&2
fi
