"""Resident-memory slope of training the seeds' CNN: KiB gained per step after warm-up.

Trains ``ember.vision.models.CNN`` (Adadelta, NLL loss) on random 28x28 batches of 64 and
reads the resident set (Linux's /proc/self/statm) after every step. Transient buffers make
it swing by megabytes within a few steps, so the slope is fitted to each window's floor (its
minimum) after warm-up: a leak raises the floor, a temporary peak does not. A leaked graph
would show as megabytes per step; allocator noise as a fraction of a KiB.

    python bench/memory_slope.py [--steps 2000] [--batch 64] [--warmup 200] [--window 100]
"""
from __future__ import annotations

import argparse
import os
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402  (after the thread settings)

import ember  # noqa: E402
import ember.nn.functional as F  # noqa: E402
from ember.vision.models import CNN  # noqa: E402


def resident_kb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--window", type=int, default=100)
    args = parser.parse_args()

    ember.manual_seed(0)
    model = CNN()
    optimizer = ember.optim.Adadelta(model.parameters(), lr=1.0)
    resident = np.empty(args.steps)
    started = time.perf_counter()
    for step in range(args.steps):
        x, y = ember.randn(args.batch, 1, 28, 28), ember.randint(0, 10, (args.batch,))
        loss = F.nll_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        resident[step] = resident_kb()
    seconds = time.perf_counter() - started

    whole = (args.steps - args.warmup) // args.window * args.window
    windows = resident[args.warmup:args.warmup + whole].reshape(-1, args.window) / 1024  # MiB, a row a window
    floors, peaks = windows.min(axis=1), windows.max(axis=1)
    centers = args.warmup + args.window * (np.arange(len(floors)) + 0.5)
    slope = np.polyfit(centers, floors, 1)[0] * 1024
    print(f"{args.steps} steps of CNN, batch {args.batch}: {seconds / args.steps * 1e3:.1f} ms/step")
    print(f"resident after step 1: {resident[0] / 1024:.1f} MiB; after warm-up ({args.warmup} steps), "
          f"per {args.window}-step window:")
    print("  floor MiB: " + " ".join(f"{f:.1f}" for f in floors))
    print("  peak MiB:  " + " ".join(f"{p:.1f}" for p in peaks))
    print(f"slope of the floors: {slope:.3f} KiB/step "
          f"({floors[-1] - floors[0]:+.2f} MiB from the first window to the last)")


if __name__ == "__main__":
    main()
