"""Resources over a run: memory stays flat while training, runs reproduce bit for bit, Ctrl-C is clean.

The training runs go through ``python -m ember train`` in a subprocess, as a user would start
them, each in its own temporary folder.
"""
from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import ember
import ember.nn.functional as F
from ember import nn

STATM = Path("/proc/self/statm")


def resident_kb() -> int:
    """This process's resident set size in KiB (Linux's /proc/self/statm, second field)."""
    pages = int(STATM.read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


# ---------------------------------------------------------------------------- memory
@pytest.mark.skipif(not STATM.exists(), reason="needs Linux's /proc/self/statm")
def test_training_memory_is_flat():
    """300 steps of a small conv net: after warm-up the resident set grows by less than 8 MiB.

    A leaked graph or activation per step would cost about 1 MiB a step here (250 MiB in all).
    """
    ember.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 5 * 5, 10))
    optimizer = ember.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    resident = {}
    for step in range(1, 301):
        x, y = ember.randn(32, 1, 28, 28), ember.randint(0, 10, (32,))
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step in (50, 300):
            gc.collect()
            resident[step] = resident_kb()
    growth = resident[300] - resident[50]
    assert growth < 8 * 1024, f"resident memory grew by {growth} KiB over 250 steps after warm-up"


# ---------------------------------------------------------------------------- the command line
def _train(folder: Path, *args: str, check: bool = True) -> subprocess.Popen:
    """``python -m ember train --model mlp *args`` started in ``folder`` (and, with ``check``, finished)."""
    folder.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "ember", "train", "--model", "mlp", *args]
    process = subprocess.Popen(command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    if check:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, f"{command} failed:\n{out}\n{err}"
    return process


def test_training_reproduces_bit_for_bit(tmp_path):
    """Same seed, same checkpoint bytes: run twice, and once with two loader workers."""
    args = ("--epochs", "1", "--limit", "30", "--seed", "3", "--checkpoint", "A")
    runs = {"first": (), "second": (), "two_workers": ("--workers", "2")}
    for name, extra in runs.items():
        _train(tmp_path / name, *args, *extra)
    data = {name: (tmp_path / name / "A").read_bytes() for name in runs}
    assert data["second"] == data["first"], "two runs with one seed wrote different checkpoints"
    assert data["two_workers"] == data["first"], "loading with workers changed the checkpoint"
    assert ember.load(tmp_path / "first" / "A")["epoch"] == 1


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_ctrl_c_keeps_the_last_checkpoint(tmp_path):
    """SIGINT in epoch 2: exit code 130, and epoch 1's checkpoint is whole and loads."""
    checkpoint = tmp_path / "run" / "mlp.pt"
    process = _train(tmp_path / "run", "--epochs", "2", "--limit", "200", "--checkpoint", str(checkpoint),
                     check=False)
    deadline = time.monotonic() + 300
    while not checkpoint.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert checkpoint.exists(), f"no checkpoint after epoch 1:\n{process.communicate()}"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, f"exit code {process.returncode}:\n{out}\n{err}"
    assert "interrupted" in err
    assert ember.load(checkpoint)["epoch"] == 1
