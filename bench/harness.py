"""Side-by-side timing: run an ember and a torch version of a workload alternately, report medians.

Absolute times drift on a shared machine; the ratio of two medians taken in the same
interleaved run holds, so that is what the table reports (below 1: ember is faster).
"""
from __future__ import annotations

import os
import platform
import statistics
import time
from dataclasses import dataclass
from typing import Callable, List, Optional

import numpy as np


@dataclass
class Result:
    name: str
    ember: float  # median seconds (or the unit in ``unit``)
    torch: float
    unit: str = "ms"
    paired: Optional[float] = None  # median of per-round ratios, when rounds were paired

    @property
    def ratio(self) -> float:
        return self.paired if self.paired is not None else self.ember / self.torch

    def row(self) -> str:
        scale = 1e3 if self.unit == "ms" else 1e6 if self.unit == "us" else 1.0
        return (f"| {self.name} | {self.ember * scale:.3f} | {self.torch * scale:.3f} | {self.unit} | "
                f"{self.ratio:.2f} |")


def compare(name: str, ember_fn: Callable[[], None], torch_fn: Callable[[], None], repeats: int = 30,
            inner: int = 1, warmup: int = 3, unit: str = "ms") -> Result:
    """Median time per call of each function, measured in alternating rounds."""
    for _ in range(warmup):
        ember_fn()
        torch_fn()
    times = {"ember": [], "torch": []}
    for _ in range(repeats):
        for label, fn in (("ember", ember_fn), ("torch", torch_fn)):
            start = time.perf_counter()
            for _ in range(inner):
                fn()
            times[label].append((time.perf_counter() - start) / inner)
    result = Result(name, statistics.median(times["ember"]), statistics.median(times["torch"]), unit)
    print(result.row(), flush=True)
    return result


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import torch
    return (f"{cpu}, {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}, "
            f"NumPy {np.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads)")


def table(results: List[Result]) -> str:
    lines = ["| workload | ember | torch | unit | ember/torch |", "| --- | --- | --- | --- | --- |"]
    return "\n".join(lines + [r.row() for r in results])
