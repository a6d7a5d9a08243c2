#!/usr/bin/env bash
# The README's first command: install, build, and run the main job on the embedded sample.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-debian-deps.sh
scripts/build.sh
# The main job: the EMD-VAE's quick configuration on the embedded W jets (a few minutes on a laptop
# CPU), its read-out on held-out jets (KL spectra, D1/D2, correlation dimension, traversals,
# latent <-> physics) and the report's figures, then one line per checkpoint of the KL spectrum.
rm -rf runs/quickstart
build/otae vae study --config configs/vae/quick.yaml --data samples/wjets_small.h5 --out runs/quickstart
/usr/bin/python3 - <<'PY'
import json
summary = json.load(open("runs/quickstart/analysis/summary.json"))
print(f'held-out KL per latent direction ({summary["rows"]} jets), largest first:')
for c in summary["checkpoints"]:
    kl = sorted(c["kl_per_dim"], reverse=True)
    print(f'{c["phase"]:<10} beta = {c["beta"]:7.2f} GeV: ' + " ".join(f"{k:.2f}" for k in kl[:8]))
print("figures: runs/quickstart/report/index.html")
PY
