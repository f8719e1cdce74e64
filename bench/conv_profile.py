"""Time ember's conv2d / max_pool2d forward+backward against torch's on the MNIST CNN's shapes.

Run: ``python bench/conv_profile.py [repeats]``. Prints the median milliseconds of each
library and the ratio ember/torch (below 1: ember is faster). Runs alternate between the two
libraries so that a busy machine slows both alike.
"""
from __future__ import annotations

import sys
import time

import numpy as np
import torch

import ember

BATCH = 64


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
        x.requires_grad_()
        fn = lambda: f.max_pool2d(x, pool)  # noqa: E731
    grad = lib.from_numpy(rng.standard_normal(fn().shape, dtype=np.float32))

    def step():
        fn().backward(grad)
    return step


def _median_ms(fns, repeats: int) -> list:
    times = [[] for _ in fns]
    for fn in fns:
        fn()
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            times[i].append(time.perf_counter() - start)
    return [1e3 * float(np.median(t)) for t in times]


def main(repeats: int = 20) -> None:
    torch.set_num_threads(2)
    cases = {
        "conv1 1->32 3x3 (28x28)": dict(x_shape=(BATCH, 1, 28, 28), w_shape=(32, 1, 3, 3)),
        "conv2 32->64 3x3 (26x26)": dict(x_shape=(BATCH, 32, 26, 26), w_shape=(64, 32, 3, 3)),
        "max_pool2d 2 (64x24x24)": dict(x_shape=(BATCH, 64, 24, 24), pool=2),
    }
    print(f"{'fwd+bwd, batch 64':28s} {'ember ms':>9s} {'torch ms':>9s} {'ratio':>6s}")
    for name, kw in cases.items():
        ours, theirs = _median_ms([_case(ember, **kw), _case(torch, **kw)], repeats)
        print(f"{name:28s} {ours:9.2f} {theirs:9.2f} {ours / theirs:6.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
