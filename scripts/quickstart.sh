#!/usr/bin/env bash
# The README's first command: install, build, and run the main job on the embedded sample.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-debian-deps.sh
scripts/build.sh
mkdir -p runs/quickstart
# Exact EMDs among 400 embedded W jets (symmetric matrix), then Sinkhorn EMDs of paired jets.
build/otae emd samples/wjets_small.h5 samples/wjets_small.h5 --max-jets 400 --out runs/quickstart/emd_exact.h5
build/otae emd samples/wjets_small.h5 samples/qcdjets_small.h5 --paired --method sinkhorn --out runs/quickstart/emd_sinkhorn.h5
build/otae data inspect runs/quickstart/emd_exact.h5
