#!/usr/bin/env bash
# Installs the build into a scratch prefix, then configures, builds and runs examples/consumer
# against it through find_package(otae), as another project would; checks that the installed
# program runs and finds its report package. Usage: consumer_builds_against_install.sh BUILD SOURCE
set -euo pipefail
build=$1 source=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

cmake --install "$build" --prefix "$scratch/installed" >/dev/null
test -f "$scratch/installed/lib/cmake/otae/otaeConfig.cmake"
test -f "$scratch/installed/include/otae/version.hpp"
test -f "$scratch/installed/share/otae/python/otae_report/__init__.py"
grep -q "^otae vae train$" "$scratch/installed/share/doc/otae/otae-help.txt"
"$scratch/installed/bin/otae" --version

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$source/examples/consumer" -B "$scratch/consumer" "${generator[@]}" \
      -DCMAKE_PREFIX_PATH="$scratch/installed" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$scratch/consumer" >/dev/null
"$scratch/consumer/emd_of_two_jets"
