"""Every program in examples/ runs to completion (briefly), and the README example matches torch."""
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("script", sorted(p.name for p in (EXAMPLES / "seeds").glob("seed_*.py")))
def test_seed_programs_run(script):
    env = dict(os.environ, EMBER_EXAMPLE_BATCHES="3")
    result = subprocess.run([sys.executable, script], cwd=EXAMPLES / "seeds", env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip()


def _final_loss(source: str) -> float:
    namespace = runpy.run_path(str(source), run_name="example")
    return namespace["fit"](steps=2000)


def test_polynomial_example_ends_at_torchs_loss(tmp_path):
    src = (EXAMPLES / "polynomial_autograd.py").read_text()
    on_torch = tmp_path / "polynomial_torch.py"
    on_torch.write_text(src.replace("import ember as torch", "import torch"))
    ember_loss = _final_loss(EXAMPLES / "polynomial_autograd.py")
    torch_loss = _final_loss(on_torch)
    assert ember_loss == pytest.approx(torch_loss, rel=1e-3)
    assert ember_loss < 20
