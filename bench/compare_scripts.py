"""The programs of examples/torch_scripts side by side: under ember (``ember run``) and under torch.

``python bench/compare_scripts.py [--only NAME ...]`` runs each program with moderate settings
under both libraries and prints a markdown table of their ``FINAL`` metrics and wall times, and
whether each lands in the same quality band (see ``Program``). Slow: minutes per program.

torchvision is not installed next to torch here, so for the torch runs this file stands in for it
with a minimal ``torchvision`` (``datasets.MNIST`` over the same IDX files, ``transforms.Compose``,
``ToTensor``, ``Normalize``) written on torch and NumPy; the programs themselves run unmodified.
"""
from __future__ import annotations

import argparse
import gzip
import os
import re
import runpy
import subprocess
import sys
import time
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "examples" / "torch_scripts"
FINAL = re.compile(r"^FINAL((?: \w+=\S+)+)$", re.MULTILINE)


@dataclass
class Program:
    """One run: the program, its flags, and the FINAL metric that decides its quality band with the
    tolerance: for accuracy the largest difference, for losses the largest ratio between the two."""

    name: str
    args: List[str]
    metric: str
    tolerance: float

    def same_band(self, ours: Dict[str, float], theirs: Dict[str, float]) -> bool:
        a, b = ours[self.metric], theirs[self.metric]
        if self.metric == "accuracy":
            return abs(a - b) <= self.tolerance
        return a > 0 and b > 0 and max(a, b) / min(a, b) <= self.tolerance


# Moderate settings, at most a few minutes each on ember. Runs differ through their random
# initialisations (ember's generator is not torch's); a broken layer or optimiser lands far outside
# the band. Losses that training drives towards zero (the sine MSE) get a wider ratio.
PROGRAMS: List[Program] = [
    Program("polynomial_nn", ["--steps", "2000"], "loss", 1.25),
    Program("polynomial_nn", ["--steps", "2000", "--optimizer", "manual"], "loss", 1.25),
    Program("polynomial_custom_function", ["--steps", "2000"], "loss", 1.01),
    Program("lenet_mnist", ["--epochs", "1", "--batches", "300"], "accuracy", 0.03),
    Program("mnist_main", ["--epochs", "1", "--batches", "60", "--log-interval", "20"], "accuracy", 0.03),
    Program("vae", ["--epochs", "1", "--batches", "200", "--log-interval", "50"], "loss", 1.1),
    Program("time_sequence_prediction", ["--steps", "2", "--length", "100", "--future", "50"], "loss", 4.0),
    Program("time_sequence_prediction",
            ["--optimizer", "adam", "--steps", "100", "--length", "60", "--future", "20"], "loss", 4.0),
    Program("char_lstm", ["--steps", "300", "--hidden", "128", "--log-interval", "100"], "loss", 1.1),
    Program("transformer_lm", ["--epochs", "4"], "loss", 1.1),
    Program("gru_classifier", ["--epochs", "3", "--train-size", "3000"], "accuracy", 0.03),
    Program("dataloader_workers", ["--epochs", "10"], "accuracy", 0.03),
]


def final_metrics(stdout: str) -> Optional[Dict[str, float]]:
    lines = FINAL.findall(stdout)
    if not lines:
        return None
    return {name: float(value) for name, value in (pair.split("=") for pair in lines[-1].split())}


def run(command: List[str], timeout: float) -> Tuple[Optional[Dict[str, float]], float, str]:
    """Run a program; its FINAL metrics (None if it failed), wall seconds, and the error's tail."""
    start = time.perf_counter()
    try:
        result = subprocess.run(command, cwd=SCRIPTS, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, time.perf_counter() - start, f"timed out after {timeout:.0f} s"
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        return None, seconds, lines[-1] if lines else f"exit status {result.returncode}"
    return final_metrics(result.stdout), seconds, ""


def fmt(metrics: Optional[Dict[str, float]], error: str) -> str:
    if metrics is None:
        return f"FAILED: {error}".replace("|", "\\|")
    return " ".join(f"{k}={v:.4g}" for k, v in metrics.items())


def compare(only: Optional[List[str]], timeout: float) -> str:
    rows = ["| program | flags | ember | torch | ember s | torch s | same band |",
            "| --- | --- | --- | --- | ---: | ---: | --- |"]
    for program in PROGRAMS:
        if only and program.name not in only:
            continue
        args = program.args
        script = str(SCRIPTS / f"{program.name}.py")
        ours, ours_s, ours_err = run([sys.executable, "-m", "ember", "run", script, *args], timeout)
        theirs, theirs_s, theirs_err = run([sys.executable, __file__, "--torch-run", script, *args], timeout)
        if ours is None or theirs is None:
            verdict = "n/a"
        else:
            verdict = "yes" if program.same_band(ours, theirs) else "**no**"
            verdict += f" ({program.metric})"
        rows.append(f"| {program.name} | `{' '.join(args)}` | {fmt(ours, ours_err)} | {fmt(theirs, theirs_err)} "
                    f"| {ours_s:.1f} | {theirs_s:.1f} | {verdict} |")
        print(rows[-1], file=sys.stderr, flush=True)
    return "\n".join(rows)


# ----------------------------------------------------------------- torchvision's stand-in, for torch
def _read_idx(path: str) -> np.ndarray:
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def _torchvision_stand_in() -> types.ModuleType:
    """A ``torchvision`` module with the MNIST dataset and the three transforms the programs use."""
    import torch

    class MNIST(torch.utils.data.Dataset):
        def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
            raw = os.path.join(root, "MNIST", "raw")
            prefix = "train" if train else "t10k"
            self.data = _read_idx(os.path.join(raw, f"{prefix}-images-idx3-ubyte.gz"))
            self.targets = _read_idx(os.path.join(raw, f"{prefix}-labels-idx1-ubyte.gz")).astype(np.int64)
            self.transform, self.target_transform = transform, target_transform

        def __len__(self):
            return len(self.targets)

        def __getitem__(self, index):
            img, target = self.data[index], int(self.targets[index])
            if self.transform is not None:
                img = self.transform(img)
            if self.target_transform is not None:
                target = self.target_transform(target)
            return img, target

    class Compose:
        def __init__(self, transforms):
            self.transforms = transforms

        def __call__(self, x):
            for t in self.transforms:
                x = t(x)
            return x

    class ToTensor:
        def __call__(self, img):
            return torch.from_numpy(np.array(img, np.float32) / 255).unsqueeze(0)

    class Normalize:
        def __init__(self, mean, std):
            self.mean = torch.tensor(mean).view(-1, 1, 1)
            self.std = torch.tensor(std).view(-1, 1, 1)

        def __call__(self, x):
            return (x - self.mean) / self.std

    vision = types.ModuleType("torchvision")
    vision.datasets = types.ModuleType("torchvision.datasets")
    vision.datasets.MNIST = MNIST
    vision.transforms = types.ModuleType("torchvision.transforms")
    vision.transforms.Compose, vision.transforms.ToTensor, vision.transforms.Normalize = Compose, ToTensor, Normalize
    return vision


def run_on_torch(script: str, args: List[str]) -> None:
    """Run ``script`` with real torch, standing in for torchvision if it is not installed."""
    try:
        import torchvision  # noqa: F401
    except ImportError:
        vision = _torchvision_stand_in()
        sys.modules.update({"torchvision": vision, "torchvision.datasets": vision.datasets,
                            "torchvision.transforms": vision.transforms})
    sys.argv = [script, *args]
    sys.path.insert(0, os.path.dirname(script))
    runpy.run_path(script, run_name="__main__")


def main() -> None:
    if sys.argv[1:2] == ["--torch-run"]:
        run_on_torch(sys.argv[2], sys.argv[3:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these programs")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed per run (default: 1800)")
    args = parser.parse_args()
    print(compare(args.only, args.timeout))


if __name__ == "__main__":
    main()
