"""ember vs torch on this machine's CPU, workload by workload: ``python bench/run.py``.

Prints a table of medians and ratios (ember / torch; below 1 means ember is faster) and,
with ``--write``, records it with the machine's description in BENCHMARKS.md.
Workloads (a)-(g) are those of the performance issue: eager overhead, MLP and CNN training
steps, inference latency and throughput, an MNIST epoch with its DataLoader, import cost,
and peak memory while training the CNN.

Each library runs in processes of its own, in alternating rounds (ember, torch, torch, ember,
...): in one process the two libraries' BLAS and OpenMP thread pools spin against each other
and slow both several-fold, which no user sees. The ember processes never import torch.
"""
from __future__ import annotations

import argparse
import compileall
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Result, machine, table  # noqa: E402


def _import(name: str):
    lib = __import__(name)
    if name == "torch":
        lib.set_num_threads(os.cpu_count() or 1)
    return lib


# ---------------------------------------------------------------------------- models, both libraries
def mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                         nn.Linear(64, 10))


def cnn(lib):
    nn, F = lib.nn, lib.nn.functional

    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn.Dropout(0.25)
            self.dropout2 = nn.Dropout(0.5)
            self.fc1 = nn.Linear(9216, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = lib.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = self.dropout2(x)
            return F.log_softmax(self.fc2(x), dim=1)
    return CNN()


def _same_weights(lib, model):
    """Both libraries' models get the same weights: uniform(+-1/sqrt(fan_in)) from one seeded stream."""
    rng = np.random.default_rng(0)
    with lib.no_grad():
        for p in model.parameters():
            fan_in = int(np.prod(p.shape[1:])) if len(p.shape) > 1 else p.shape[0]
            p.copy_(lib.tensor(rng.uniform(-1, 1, tuple(p.shape)).astype(np.float32) / np.sqrt(fan_in)))
    return model


def _batch(lib, n, shape=(1, 28, 28)):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n,) + shape).astype(np.float32)
    y = rng.integers(0, 10, n)
    return lib.tensor(x), lib.tensor(y)


def _train_step(lib, model, loss_fn, batch, momentum=0.9):
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=momentum)
    x, y = batch

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    return step


# ---------------------------------------------------------------------------- in-process workloads (a)-(d)
# (name, group letter, unit, calls per timing, timings per round, setup(lib) -> the call)
Workload = Tuple[str, str, int, int, Callable]


def _eager(lib, rg: bool, op: str, backward: bool) -> Callable:
    rng = np.random.default_rng(0)
    a, b = (lib.tensor(rng.standard_normal((64, 128)).astype(np.float32), requires_grad=rg) for _ in range(2))
    w = lib.tensor(rng.standard_normal((128, 128)).astype(np.float32), requires_grad=rg)
    forward = {"add": lambda: a + b, "relu": lambda: a.relu(), "matmul": lambda: a @ w}[op]
    return (lambda: forward().sum().backward()) if backward else forward


def _training(make, loss: str, n: int) -> Callable:
    def setup(lib):
        model = _same_weights(lib, make(lib))
        return _train_step(lib, model, getattr(lib.nn.functional, loss), _batch(lib, n))
    return setup


def _inference(make, n: int) -> Callable:
    def setup(lib):
        model = _same_weights(lib, make(lib)).eval()
        x, _ = _batch(lib, n)

        def run():
            with lib.no_grad():
                model(x)
        return run
    return setup


def workloads() -> List[Workload]:
    out: List[Workload] = []
    for rg in (False, True):
        tag = "requires_grad" if rg else "no grad"
        for op, label, inner in (("add", "add 64x128", 200), ("relu", "relu 64x128", 200),
                                 ("matmul", "matmul 64x128 @ 128x128", 100)):
            out.append((f"(a) {label}, {tag}", "a", "us", inner, 25,
                        lambda lib, rg=rg, op=op: _eager(lib, rg, op, False)))
    for op in ("add", "relu", "matmul"):
        out.append((f"(a) {op} fwd+bwd", "a", "us", 50, 25, lambda lib, op=op: _eager(lib, True, op, True)))
    for n in (64, 256):
        out.append((f"(b) MLP train step, batch {n}", "b", "ms", 5, 25, _training(mlp, "cross_entropy", n)))
    out.append(("(c) CNN train step, batch 64", "c", "ms", 1, 8, _training(cnn, "nll_loss", 64)))
    for name, make, big_repeats in (("MLP", mlp, 25), ("CNN", cnn, 5)):
        out.append((f"(d) {name} inference latency, batch 1", "d", "us", 20, 25, _inference(make, 1)))
        out.append((f"(d) {name} inference batch 1024", "d", "ms", 1, big_repeats, _inference(make, 1024)))
    return out


def time_workloads(lib_name: str, letters: str, scale: float) -> Dict[str, List[float]]:
    """In this process: seconds per call of each selected workload, ``repeats * scale`` timings each."""
    lib = _import(lib_name)
    times: Dict[str, List[float]] = {}
    for name, group, unit, inner, repeats, setup in workloads():
        if group not in letters:
            continue
        fn = setup(lib)
        warm_until, calls = time.perf_counter() + 1.0, 0
        while calls < 3 or time.perf_counter() < warm_until:  # a second of steps: caches, heap and BLAS settle
            fn()
            calls += 1
        samples = []
        for _ in range(max(3, round(repeats * scale))):
            start = time.perf_counter()
            for _ in range(inner):
                fn()
            samples.append((time.perf_counter() - start) / inner)
        times[name] = samples
    return times


def paired_rounds(letters: str, rounds: int, scale: float) -> List[Result]:
    """Per group of workloads, alternating rounds of one process per library.

    A group's two processes run back to back, so each round's pair sees the same machine; the
    ratio is the median of the rounds' ratios (of medians), which a noisy minute moves little.
    """
    results = []
    for group in letters:
        rounds_of: Dict[str, List[Dict[str, List[float]]]] = {"ember": [], "torch": []}
        for r in range(rounds):
            for lib in (("ember", "torch") if r % 2 == 0 else ("torch", "ember")):
                rounds_of[lib].append(_child_workloads(lib, group, scale))
        for name, _, unit, *_ in (w for w in workloads() if w[1] == group):
            pooled = {lib: [x for one in rounds_of[lib] for x in one[name]] for lib in rounds_of}
            ratios = [statistics.median(e[name]) / statistics.median(t[name])
                      for e, t in zip(rounds_of["ember"], rounds_of["torch"])]
            result = Result(name, statistics.median(pooled["ember"]), statistics.median(pooled["torch"]), unit,
                            statistics.median(ratios))
            print(result.row(), flush=True)
            results.append(result)
    return results


EPOCH_SCRIPT = r"""
import sys, time, gzip, numpy as np
lib_name = sys.argv[1]
sys.path.insert(0, sys.argv[2])
if lib_name == "ember":
    import ember as lib
    from ember.vision import datasets, transforms
    from ember.utils.data import DataLoader
    ds = datasets.MNIST(sys.argv[3], train=True, transform=transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))]))
else:
    import torch as lib
    from torch.utils.data import DataLoader, Dataset
    lib.set_num_threads(2)
    def idx(p):
        raw = gzip.open(p).read(); nd = raw[3]
        shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
        return np.frombuffer(raw, np.uint8, offset=4 + 4 * nd).reshape(shape)
    class MNIST(Dataset):  # torchvision's MNIST + ToTensor + Normalize, without PIL
        def __init__(self, root):
            self.x = lib.from_numpy(idx(root + "/MNIST/raw/train-images-idx3-ubyte.gz").copy())
            self.y = idx(root + "/MNIST/raw/train-labels-idx1-ubyte.gz").astype(np.int64).tolist()
        def __len__(self): return len(self.y)
        def __getitem__(self, i):
            img = self.x[i].unsqueeze(0).float().div(255)
            return (img - 0.1307) / 0.3081, self.y[i]
    ds = MNIST(sys.argv[3])
nn = lib.nn
lib.manual_seed(0)
model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
loader = DataLoader(ds, batch_size=64, shuffle=True)
start = time.perf_counter()
for x, y in loader:
    opt.zero_grad(); loss = nn.functional.cross_entropy(model(x), y); loss.backward(); opt.step()
print(time.perf_counter() - start)
"""

PROBE_SCRIPT = r"""
import sys, time
start = time.perf_counter()
sys.path.insert(0, sys.argv[2])
__import__(sys.argv[1])
elapsed = time.perf_counter() - start
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(elapsed, hwm * 1024)  # VmHWM: ru_maxrss would count the forking parent's pages
"""

CNN_MEMORY_SCRIPT = r"""
import sys, numpy as np
sys.path.insert(0, sys.argv[2]); sys.path.insert(0, sys.argv[3])
lib = __import__(sys.argv[1])
from run import cnn
model = cnn(lib)
opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
x = lib.tensor(np.random.default_rng(0).standard_normal((64, 1, 28, 28)).astype(np.float32))
y = lib.tensor(np.random.default_rng(1).integers(0, 10, 64))
for _ in range(int(sys.argv[4])):
    opt.zero_grad(); lib.nn.functional.nll_loss(model(x), y).backward(); opt.step()
print(next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) * 1024)
"""


def _child(script, *args) -> List[str]:
    return subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True,
                          check=True).stdout.split()


def _child_workloads(lib: str, letters: str, scale: float) -> Dict[str, List[float]]:
    out = subprocess.run([sys.executable, __file__, "--child", lib, "--only", letters, "--scale", str(scale)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.splitlines()[-1])


def _median_pair(name, script, args_for, runs, unit, pick=0):
    values = {"ember": [], "torch": []}
    for _ in range(runs):
        for lib in ("ember", "torch"):
            values[lib].append(float(_child(script, *args_for(lib))[pick]) / (2 ** 20 if unit == "MB" else 1))
    result = Result(name, statistics.median(values["ember"]), statistics.median(values["torch"]), unit)
    print(result.row(), flush=True)
    return result


def epoch(runs):
    data = ROOT / "data" / "mnist"
    return [_median_pair("(e) MNIST MLP epoch with DataLoader", EPOCH_SCRIPT,
                         lambda lib: (lib, ROOT, data), runs, "s")]


def imports(runs):
    # pip writes an installed package's bytecode; a checkout run with PYTHONDONTWRITEBYTECODE has none
    compileall.compile_dir(ROOT / "ember", quiet=1)
    args = lambda lib: (lib, ROOT)  # noqa: E731
    return [_median_pair("(f) import time", PROBE_SCRIPT, args, runs, "s", 0),
            _median_pair("(f) import resident memory", PROBE_SCRIPT, args, runs, "MB", 1)]


def cnn_memory(steps):
    bench = Path(__file__).resolve().parent
    return [_median_pair("(g) peak memory training the CNN", CNN_MEMORY_SCRIPT,
                         lambda lib: (lib, ROOT, bench, steps), 1, "MB")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and repeats (a rough table)")
    parser.add_argument("--write", action="store_true", help="record the table in BENCHMARKS.md")
    parser.add_argument("--only", default="abcdefg", help="workload letters to run (default: all)")
    parser.add_argument("--child", choices=("ember", "torch"), help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=float, default=1.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(time_workloads(args.child, args.only, args.scale)))
        return
    print(machine())
    print(table([]))
    results = []
    rounds, scale = (2, 0.4) if args.quick else (8, 0.6)
    letters = "".join(c for c in "abcd" if c in args.only)
    if letters:
        results += paired_rounds(letters, rounds, scale)
    groups = {"e": lambda: epoch(1 if args.quick else 3), "f": lambda: imports(3 if args.quick else 7),
              "g": lambda: cnn_memory(20 if args.quick else 100)}
    for letter, fn in groups.items():
        if letter in args.only:
            results += fn()
    if args.write:
        stamp = datetime.date.today().isoformat()
        text = (f"# Benchmarks: ember vs torch\n\nRecorded {stamp} by `python bench/run.py --write` on: "
                f"{machine()}.\n\nEach library runs in processes of its own. (a)-(d): per group of workloads, "
                f"{rounds} alternating rounds of one process per library; times are medians of every timing, "
                f"the ratio is the median of the rounds' ratios. (e)-(g): medians of one figure per process. "
                f"The ratio is ember / torch: below 1 means ember is faster.\n\n{table(results)}\n")
        (ROOT / "BENCHMARKS.md").write_text(text)
    print(json.dumps({r.name: round(r.ratio, 3) for r in results}))


if __name__ == "__main__":
    main()
