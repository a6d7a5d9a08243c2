#!/usr/bin/env bash
# The README's first command: install, build, and run the main job on the embedded sample.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-debian-deps.sh
scripts/build.sh
# The main job: the EMD-VAE's quick configuration on the embedded W jets (a few minutes on a laptop
# CPU), then one line per beta step of its KL spectrum from the run's own log.
rm -rf runs/quickstart
build/otae vae train --config configs/vae/quick.yaml --data samples/wjets_small.h5 --out runs/quickstart
/usr/bin/python3 - <<'PY'
import json
for line in open("runs/quickstart/beta_steps.jsonl"):
    step = json.loads(line)
    kl = sorted(step["kl_per_dim"], reverse=True)
    print(f'{step["phase"]:<10} beta = {step["beta_GeV"]:7.2f} GeV  KL per direction: ' + " ".join(f"{k:.2f}" for k in kl[:8]))
PY
