#!/usr/bin/env bash
# One EMD-VAE run trained data-parallel by 8 processes on 2 nodes of a Slurm cluster: `sbatch
# docs/slurm-vae-train.sh` from the repository root (build/otae built there, on a file system that
# every node sees). srun starts the 8 ranks; each reads its rank, the world size and its local rank
# from Slurm's variables (SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID), and they meet at
# MASTER_ADDR:MASTER_PORT, where rank 0 runs c10d's TCPStore. Rank 0 alone writes the run folder.
#
# Each rank computes its own shard of every global batch (train.batch_size is the global batch,
# cut into max(2, ranks) shards), so the numbers do not depend on how many nodes the run gets,
# as long as the rank count is the same. Give each rank its cores with train.threads.
#SBATCH --job-name=otae-vae
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=4
#SBATCH --cpus-per-task=4
#SBATCH --time=24:00:00
#SBATCH --output=otae-vae-%j.log
set -euo pipefail

# rank 0 runs on the first node of the allocation (Slurm's block distribution)
export MASTER_ADDR=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)
# one port per job, so that two jobs sharing a node do not meet each other
export MASTER_PORT=$((20000 + SLURM_JOB_ID % 20000))
# on nodes with several networks, name the one the ranks share (as for PyTorch), e.g.:
# export GLOO_SOCKET_IFNAME=ib0

RUN=runs/wjets_slurm_$SLURM_JOB_ID
srun build/otae vae train --config configs/vae/wjets_cpu.yaml --data ../shared/data/wjets.h5 --out "$RUN" \
    train.threads="$SLURM_CPUS_PER_TASK"
# an interrupted job continues from its last checkpoint, on any number of ranks:
#   srun build/otae vae train --resume "$RUN"
