"""Time ember's conv2d / max_pool2d forward+backward against torch's on the MNIST CNN's shapes.

Run: ``python bench/conv_profile.py [--repeats N] [--cpu]``. Prints the best time of each
library and the ratio ember/torch (below 1: ember is faster). Runs alternate between the two
libraries so that a busy machine slows both alike. ``--cpu`` measures process CPU time with
one thread in both libraries (start Python with ``OPENBLAS_NUM_THREADS=1``): on a machine
shared with other jobs that is steadier than wall time, which is what ``--cpu`` leaves out.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch

import ember

BATCH = 64
CASES = {
    "conv1 1->32 3x3 (28x28)": dict(x_shape=(BATCH, 1, 28, 28), w_shape=(32, 1, 3, 3)),
    "conv2 32->64 3x3 (26x26)": dict(x_shape=(BATCH, 32, 26, 26), w_shape=(64, 32, 3, 3)),
    "max_pool2d 2 (64x24x24)": dict(x_shape=(BATCH, 64, 24, 24), pool=2),
}


def _case(lib, x_shape, w_shape=None, pool=None):
    """A closure running one forward+backward of conv2d (with bias) or max_pool2d in ``lib``."""
    rng = np.random.default_rng(0)
    f = lib.nn.functional
    x = lib.from_numpy(rng.standard_normal(x_shape, dtype=np.float32))
    if w_shape is not None:
        w = lib.from_numpy(rng.standard_normal(w_shape, dtype=np.float32) * 0.1).requires_grad_()
        b = lib.from_numpy(np.zeros(w_shape[0], np.float32)).requires_grad_()
        x.requires_grad_(x_shape[1] != 1)  # the first layer's input is data
        fn = lambda: f.conv2d(x, w, b)  # noqa: E731
    else:
        x = f.relu(x).detach().requires_grad_()  # pooled activations hold many ties at 0
        fn = lambda: f.max_pool2d(x, pool)  # noqa: E731
    grad = lib.from_numpy(rng.standard_normal(tuple(fn().shape), dtype=np.float32))

    def step():
        fn().backward(grad)
    return step


def _best_ms(fns, repeats: int, clock) -> list:
    times = [[] for _ in fns]
    for fn in fns:
        fn()
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            start = clock()
            fn()
            times[i].append(clock() - start)
    return [1e3 * min(t) for t in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--cpu", action="store_true", help="single-thread process CPU time")
    args = parser.parse_args()
    torch.set_num_threads(1 if args.cpu else 2)
    clock = time.process_time if args.cpu else time.perf_counter
    unit = "CPU ms, 1 thread" if args.cpu else "wall ms"
    print(f"{'fwd+bwd, batch 64':28s} {'ember':>9s} {'torch':>9s} {'ratio':>6s}   ({unit})")
    for name, kw in CASES.items():
        ours, theirs = _best_ms([_case(ember, **kw), _case(torch, **kw)], args.repeats, clock)
        print(f"{name:28s} {ours:9.2f} {theirs:9.2f} {ours / theirs:6.2f}")


if __name__ == "__main__":
    main()
