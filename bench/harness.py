"""What the benchmarks report: each workload's median in both libraries, their ratio, the machine.

Absolute times drift on a shared machine; ratios taken from rounds run back to back hold, so
that is what the table reports (below 1: ember is faster). ``run.py`` does the timing.
"""
from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from typing import List, Optional

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
