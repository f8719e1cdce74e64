"""The classic PyTorch programs in examples/torch_scripts run unmodified under ``ember run``.

Each runs briefly as a subprocess (``python -m ember run script.py --tiny-flags``) and must exit 0
with a ``FINAL name=value ...`` line of finite numbers. The one program with no randomness
(the custom autograd.Function) must also end where real torch ends. Side-by-side quality at
moderate settings is bench/compare_scripts.py's job (too slow for the suite).
"""
import contextlib
import io
import math
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "examples" / "torch_scripts"
FINAL = re.compile(r"^FINAL((?: \w+=\S+)+)$", re.MULTILINE)

# Each program with flags that make it take a few seconds.
QUICK_RUNS = {
    "polynomial_nn": ["--steps", "50"],
    "polynomial_nn-manual": ["--steps", "50", "--optimizer", "manual"],
    "polynomial_custom_function": ["--steps", "50"],
    "lenet_mnist": ["--epochs", "1", "--batches", "2", "--batch-size", "16", "--test-batch-size", "32"],
    "mnist_main": ["--epochs", "1", "--dry-run", "--log-interval", "1", "--batches", "1",
                   "--batch-size", "8", "--test-batch-size", "16"],
    "vae": ["--epochs", "1", "--batches", "2", "--batch-size", "16"],
    "time_sequence_prediction": ["--optimizer", "adam", "--steps", "2", "--length", "20", "--future", "5"],
    "time_sequence_prediction-lbfgs": ["--steps", "1", "--length", "8", "--future", "2"],
    "char_lstm": ["--steps", "3", "--hidden", "32", "--batch-size", "4", "--seq-len", "16",
                  "--sample-length", "10", "--log-interval", "1"],
    "transformer_lm": ["--epochs", "1", "--batches", "2", "--emsize", "16", "--d-hid", "32", "--nhead", "2",
                       "--nlayers", "1", "--bptt", "16", "--log-interval", "1"],
    "gru_classifier": ["--epochs", "1", "--train-size", "128", "--test-size", "32"],
    "dataloader_workers": ["--epochs", "1", "--train-size", "120", "--test-size", "30", "--workers", "2"],
}


def ember_run(script: Path, args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ember", "run", str(script), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def final_metrics(stdout: str) -> dict:
    """The values of the last ``FINAL name=value ...`` line."""
    lines = FINAL.findall(stdout)
    assert lines, f"no FINAL line in:\n{stdout[-2000:]}"
    return {name: float(value) for name, value in (pair.split("=") for pair in lines[-1].split())}


def test_every_program_is_exercised():
    assert {name.split("-")[0] for name in QUICK_RUNS} == {p.stem for p in SCRIPTS.glob("*.py")}


@pytest.mark.parametrize("run", sorted(QUICK_RUNS))
def test_program_runs_under_ember(run, tmp_path):
    result = ember_run(SCRIPTS / f"{run.split('-')[0]}.py", QUICK_RUNS[run], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = final_metrics(result.stdout)
    assert all(math.isfinite(v) for v in metrics.values()), metrics
    if "accuracy" in metrics:
        assert 0 <= metrics["accuracy"] <= 1


def test_mnist_main_saves_a_loadable_state_dict(tmp_path):
    import ember
    result = ember_run(SCRIPTS / "mnist_main.py", QUICK_RUNS["mnist_main"] + ["--save-model"], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    state = ember.load(tmp_path / "mnist_cnn.pt")
    assert list(state) == [f"{layer}.{p}" for layer in ("conv1", "conv2", "fc1", "fc2")
                           for p in ("weight", "bias")]
    assert tuple(state["fc1.weight"].shape) == (128, 9216)


def _run_on_torch(script: Path, args) -> str:
    """Run ``script`` with real torch in this process; its stdout."""
    import torch  # noqa: F401  (the oracle: make sure `import torch` in the script is torch's)
    out = io.StringIO()
    argv = sys.argv
    sys.argv = [str(script), *args]
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(str(script), run_name="__main__")
    finally:
        sys.argv = argv
    return out.getvalue()


def test_custom_function_ends_where_torch_ends(tmp_path):
    args = ["--steps", "300"]
    script = SCRIPTS / "polynomial_custom_function.py"
    result = ember_run(script, args, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    ours = final_metrics(result.stdout)["loss"]
    theirs = final_metrics(_run_on_torch(script, args))["loss"]
    assert ours == pytest.approx(theirs, rel=1e-3)


def test_names_torch_lacks_fail_to_import_as_under_torch(tmp_path):
    """A name torch does not have raises ImportError, as torch does; torch's own modules that ember
    lacks still import and fail on use (see the next test)."""
    script = tmp_path / "imports.py"
    script.write_text(
        "import torch, torch.fft, torch.nn.modules.linear\n"
        "for stmt in ('from torch import nonexistent', 'import torch.nonexistent'):\n"
        "    try:\n"
        "        exec(stmt)\n"
        "        print(stmt, 'imported')\n"
        "    except ImportError:\n"
        "        print(stmt, 'ImportError')\n")
    ours = ember_run(script, [], tmp_path)
    assert ours.returncode == 0, ours.stderr[-3000:]
    assert ours.stdout == _run_on_torch(script, [])
    assert ours.stdout.count("ImportError") == 2


def test_unsupported_api_names_itself(tmp_path):
    script = tmp_path / "uses_fft.py"
    script.write_text(
        "import torch\n"
        "x = torch.randn(8)\n"
        "print('probe:', hasattr(torch.fft, 'rfft'))\n"
        "try:\n"
        "    torch.fft.rfft(x)\n"
        "except NotImplementedError as err:\n"
        "    print(f'caught NotImplementedError: {err}')\n"
        "torch.fft.rfft(x)\n")
    result = ember_run(script, [], tmp_path)
    assert result.returncode == 1
    assert "probe: False" in result.stdout
    assert "caught NotImplementedError: torch.fft.rfft is not supported by ember" in result.stdout
    assert result.stderr.rstrip().endswith("torch.fft.rfft is not supported by ember")
