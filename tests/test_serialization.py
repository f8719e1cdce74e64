"""ember.save / ember.load: torch's file format both ways, a loader that runs no code, atomic writes."""
import io
import os
import pickle
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import torch

import ember

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def _arrays():
    rng = np.random.default_rng(0)
    return {d: (rng.standard_normal((3, 4)) * 10).astype(d) for d in DTYPES}


def _assert_equal(e, t):
    assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1]
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_ember_writes_what_torch_reads(tmp_path):
    arrays = _arrays()
    obj = {"tensors": {d: ember.tensor(a) for d, a in arrays.items()},
           "strided": ember.from_numpy(arrays["float32"][:, ::2]),
           "scalar": ember.tensor(3.5), "empty": ember.zeros(0, 3),
           "meta": [1, 2.5, "text", None, (True, False)]}
    path = tmp_path / "model.pt"
    ember.save(obj, path)
    back = torch.load(path, weights_only=True)
    for d, a in arrays.items():
        _assert_equal(obj["tensors"][d], back["tensors"][d])
    _assert_equal(obj["strided"], back["strided"])
    _assert_equal(obj["scalar"], back["scalar"])
    _assert_equal(obj["empty"], back["empty"])
    assert back["meta"] == [1, 2.5, "text", None, (True, False)]


def test_torch_writes_what_ember_reads(tmp_path):
    arrays = _arrays()
    base = torch.arange(24.0).reshape(4, 6)
    obj = {"tensors": {d: torch.from_numpy(a) for d, a in arrays.items()},
           "view": base[1:, ::2], "base": base, "param": torch.nn.Parameter(torch.ones(2)),
           "nested": [{"k": torch.tensor([1, 2])}], "n": 7}
    path = tmp_path / "ckpt.pth"
    torch.save(obj, path)
    back = ember.load(path)
    for d in arrays:
        _assert_equal(back["tensors"][d], obj["tensors"][d])
    _assert_equal(back["view"], obj["view"])
    _assert_equal(back["nested"][0]["k"], obj["nested"][0]["k"])
    assert back["n"] == 7 and back["param"].requires_grad
    back["base"][1, 0] = 100.0  # a view loaded from one storage still shares it, as in torch
    assert back["view"][0, 0].item() == 100.0


def test_module_and_optimizer_state_dicts_round_trip_with_torch(tmp_path):
    t_model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    e_model = ember.nn.Sequential(ember.nn.Linear(4, 3), ember.nn.ReLU(), ember.nn.Linear(3, 2))
    torch.save(t_model.state_dict(), tmp_path / "t.pt")
    e_model.load_state_dict(ember.load(tmp_path / "t.pt"))
    for (k, e), (k2, t) in zip(e_model.state_dict().items(), t_model.state_dict().items()):
        assert k == k2
        _assert_equal(e, t)
    opt = ember.optim.SGD(e_model.parameters(), lr=0.1, momentum=0.9)
    e_model(ember.ones(5, 4)).sum().backward()
    opt.step()
    ember.save({"model": e_model.state_dict(), "opt": opt.state_dict()}, tmp_path / "e.pt")
    loaded = torch.load(tmp_path / "e.pt")
    t_model.load_state_dict(loaded["model"])
    t_opt = torch.optim.SGD(t_model.parameters(), lr=0.1, momentum=0.9)
    t_opt.load_state_dict(loaded["opt"])
    for e, t in zip(e_model.parameters(), t_model.parameters()):
        _assert_equal(e.detach(), t.detach())


def test_in_memory_file_objects():
    buf = io.BytesIO()
    ember.save({"x": ember.arange(5)}, buf)
    buf.seek(0)
    assert ember.load(buf)["x"].tolist() == [0, 1, 2, 3, 4]
    buf.seek(0)
    assert torch.load(buf)["x"].tolist() == [0, 1, 2, 3, 4]


class _Exploit:
    def __reduce__(self):
        return (os.system, (f"touch {_Exploit.marker}",))


def _zip_with(pkl: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("archive/data.pkl", pkl)
        z.writestr("archive/version", "3\n")
    return out.getvalue()


@pytest.mark.parametrize("wrap_in_zip", [False, True])
def test_malicious_pickle_is_refused_without_running(tmp_path, wrap_in_zip):
    _Exploit.marker = tmp_path / "pwned"
    payload = pickle.dumps({"weights": _Exploit()}, protocol=2)
    path = tmp_path / "evil.pt"
    path.write_bytes(_zip_with(payload) if wrap_in_zip else payload)
    with pytest.raises(pickle.UnpicklingError):
        ember.load(path)
    assert not _Exploit.marker.exists()


def test_truncated_and_garbage_checkpoints_raise_clear_errors(tmp_path):
    path = tmp_path / "ok.pt"
    ember.save({"w": ember.ones(1000)}, path)
    data = path.read_bytes()
    (tmp_path / "cut.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(RuntimeError, match="zip archive|truncated"):
        ember.load(tmp_path / "cut.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(RuntimeError, match="zip archive"):
        ember.load(tmp_path / "junk.pt")


def test_save_is_atomic_when_the_process_is_killed(tmp_path):
    """Killed after the new archive is written but before it replaces the old: the old survives."""
    path = tmp_path / "ckpt.pt"
    ember.save({"step": 1, "w": ember.zeros(10)}, path)
    script = ("import os, signal, ember\n"
              "os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)\n"
              f"ember.save({{'step': 2, 'w': ember.ones(3_000_000)}}, {str(path)!r})\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert result.returncode == -9, result.stderr.decode()
    assert ember.load(path)["step"] == 1
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "ckpt.pt"]
    assert all(name.startswith(".tmp-") for name in leftovers)


class _UserNet(ember.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = ember.nn.Linear(3, 2)

    def forward(self, x):
        return self.fc(x)


def test_whole_module_checkpoints_need_an_allow_list_for_user_classes(tmp_path):
    net = _UserNet()
    ember.save(net, tmp_path / "net.pt")
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global: GLOBAL .*_UserNet"):
        ember.load(tmp_path / "net.pt")
    with ember.serialization.safe_globals([_UserNet]):
        back = ember.load(tmp_path / "net.pt")
    with pytest.raises(pickle.UnpicklingError):
        ember.load(tmp_path / "net.pt")
    assert ember.load(tmp_path / "net.pt", weights_only=False).fc.weight.tolist() == net.fc.weight.tolist()
    x = ember.randn(4, 3)
    assert back(x).tolist() == net(x).tolist()


def test_ember_module_classes_are_safe_by_default_and_torch_modules_load(tmp_path):
    seq = ember.nn.Sequential(ember.nn.Linear(3, 2), ember.nn.ReLU())
    ember.save(seq, tmp_path / "seq.pt")
    back = ember.load(tmp_path / "seq.pt")
    x = ember.randn(2, 3)
    assert back(x).tolist() == seq(x).tolist()
    t_seq = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh())
    torch.save(t_seq, tmp_path / "t_seq.pt")
    e_seq = ember.load(tmp_path / "t_seq.pt")
    xt = torch.randn(2, 3)
    np.testing.assert_allclose(e_seq(ember.tensor(xt.numpy())).detach().numpy(), t_seq(xt).detach().numpy(),
                               rtol=1e-6)


def test_dtypes_are_saved_as_torch_globals(tmp_path):
    ember.save({"dtype": ember.float64}, tmp_path / "d.pt")
    assert torch.load(tmp_path / "d.pt")["dtype"] is torch.float64
    assert ember.load(tmp_path / "d.pt")["dtype"] is ember.float64
