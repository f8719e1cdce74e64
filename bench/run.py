"""ember vs torch on this machine's CPU, workload by workload: ``python bench/run.py``.

Prints a table of medians and ratios (ember / torch; below 1 means ember is faster) and,
with ``--write``, records it with the machine's description in BENCHMARKS.md.
Workloads (a)-(g) are those of the performance issue: eager overhead, MLP and CNN training
steps, inference latency and throughput, an MNIST epoch with its DataLoader, import cost,
and peak memory while training the CNN.
"""
from __future__ import annotations

import argparse
import compileall
import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Result, compare, machine, table  # noqa: E402

import torch  # noqa: E402
import ember  # noqa: E402

torch.set_num_threads(os.cpu_count() or 1)


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


def _same_weights(e_model, t_model):
    e_model.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t_model.state_dict().items()})


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


# ---------------------------------------------------------------------------- workloads
def eager_overhead(repeats):
    out = []
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((64, 128)).astype(np.float32), rng.standard_normal((64, 128)).astype(np.float32)
    w = rng.standard_normal((128, 128)).astype(np.float32)
    for rg in (False, True):
        ea, eb, ew = (ember.tensor(v, requires_grad=rg) for v in (a, b, w))
        ta, tb, tw = (torch.tensor(v, requires_grad=rg) for v in (a, b, w))
        tag = "requires_grad" if rg else "no grad"
        out.append(compare(f"(a) add 64x128, {tag}", lambda: ea + eb, lambda: ta + tb, repeats, 200, unit="us"))
        out.append(compare(f"(a) relu 64x128, {tag}", lambda: ea.relu(), lambda: ta.relu(), repeats, 200, unit="us"))
        out.append(compare(f"(a) matmul 64x128 @ 128x128, {tag}", lambda: ea @ ew, lambda: ta @ tw, repeats, 100,
                           unit="us"))
        if rg:
            out.append(compare("(a) add fwd+bwd", lambda: (ea + eb).sum().backward(),
                               lambda: (ta + tb).sum().backward(), repeats, 50, unit="us"))
            out.append(compare("(a) relu fwd+bwd", lambda: ea.relu().sum().backward(),
                               lambda: ta.relu().sum().backward(), repeats, 50, unit="us"))
            out.append(compare("(a) matmul fwd+bwd", lambda: (ea @ ew).sum().backward(),
                               lambda: (ta @ tw).sum().backward(), repeats, 50, unit="us"))
    return out


def training_steps(repeats):
    out = []
    for n in (64, 256):
        t_model, e_model = mlp(torch), mlp(ember)
        _same_weights(e_model, t_model)
        out.append(compare(f"(b) MLP train step, batch {n}",
                           _train_step(ember, e_model, ember.nn.functional.cross_entropy, _batch(ember, n)),
                           _train_step(torch, t_model, torch.nn.functional.cross_entropy, _batch(torch, n)),
                           repeats, 5))
    t_model, e_model = cnn(torch), cnn(ember)
    _same_weights(e_model, t_model)
    out.append(compare("(c) CNN train step, batch 64",
                       _train_step(ember, e_model, ember.nn.functional.nll_loss, _batch(ember, 64)),
                       _train_step(torch, t_model, torch.nn.functional.nll_loss, _batch(torch, 64)),
                       max(repeats // 3, 5), 1))
    return out


def inference(repeats):
    out = []
    for name, make, small_repeats in (("MLP", mlp, repeats), ("CNN", cnn, max(repeats // 3, 5))):
        t_model, e_model = make(torch), make(ember)
        _same_weights(e_model, t_model)
        t_model.eval()
        e_model.eval()
        for n, label in ((1, "latency, batch 1"), (1024, "batch 1024")):
            ex, _ = _batch(ember, n)
            tx, _ = _batch(torch, n)

            def run_ember():
                with ember.no_grad():
                    e_model(ex)

            def run_torch():
                with torch.no_grad():
                    t_model(tx)
            out.append(compare(f"(d) {name} inference {label}", run_ember, run_torch,
                               small_repeats if n > 1 else repeats, 20 if n == 1 else 1,
                               unit="us" if n == 1 else "ms"))
    return out


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


def _child(script, *args) -> str:
    env = dict(os.environ)
    return subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True,
                          check=True, env=env).stdout.split()


def _median_pair(name, script, args_for, runs, unit, pick=0):
    import statistics
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
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a rough table in a minute)")
    parser.add_argument("--write", action="store_true", help="record the table in BENCHMARKS.md")
    parser.add_argument("--only", default="abcdefg", help="workload letters to run (default: all)")
    args = parser.parse_args()
    repeats = 7 if args.quick else 25
    print(machine())
    print(table([]))
    results = []
    groups = {"a": lambda: eager_overhead(repeats), "bc": lambda: training_steps(repeats),
              "d": lambda: inference(repeats), "e": lambda: epoch(1 if args.quick else 3),
              "f": lambda: imports(3 if args.quick else 7), "g": lambda: cnn_memory(20 if args.quick else 100)}
    for letters, fn in groups.items():
        if any(c in args.only for c in letters):
            results += fn()
    if args.write:
        stamp = datetime.date.today().isoformat()
        text = (f"# Benchmarks: ember vs torch\n\nRecorded {stamp} by `python bench/run.py --write` on: "
                f"{machine()}.\n\nMedians of interleaved runs in one process (subprocesses for (e)-(g)); "
                f"the ratio is ember / torch, below 1 means ember is faster.\n\n{table(results)}\n")
        (ROOT / "BENCHMARKS.md").write_text(text)
    print(json.dumps({r.name: round(r.ratio, 3) for r in results}))


if __name__ == "__main__":
    main()
