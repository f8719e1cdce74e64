"""ember.safetensors: files interchangeable (byte for byte) with the real safetensors library,
validated loading, atomic saving, and ``from safetensors.torch import ...`` under ``ember run``."""
import json
import struct
import subprocess
import sys

import numpy as np
import pytest
import safetensors
import safetensors.torch as st
import torch

import ember
from ember.safetensors import SafetensorError
from ember.safetensors import torch as est

DTYPES = ["float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
SHAPES = [(3, 4), (), (0,), (2, 0, 3), (1, 5, 1)]


def _arrays() -> dict:
    """One array per dtype and shape, with values that exercise sign, fraction and range."""
    rng = np.random.default_rng(0)
    return {f"{d}/{'x'.join(map(str, s)) or 'scalar'}": np.asarray(rng.standard_normal(s) * 50).astype(d)
            for d in DTYPES for s in SHAPES}


def _assert_equal(e, t):
    assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1]
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_array_equal(e.detach().numpy(), t.detach().numpy())


def _assert_dicts_equal(e: dict, t: dict):
    assert sorted(e) == sorted(t)
    for name in t:
        _assert_equal(e[name], t[name])


def _file(header, data: bytes = b"") -> bytes:
    """A safetensors buffer with this header (a dict, or raw JSON bytes) before ``data``."""
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + data


# ---------------------------------------------------------------------------- interchange
def test_files_written_by_safetensors_load_in_ember(tmp_path):
    tensors = {name: torch.from_numpy(a) for name, a in _arrays().items()}
    st.save_file(tensors, tmp_path / "t.safetensors", metadata={"format": "pt"})
    _assert_dicts_equal(est.load_file(tmp_path / "t.safetensors"), tensors)
    _assert_dicts_equal(est.load(st.save(tensors)), tensors)


def test_files_written_by_ember_load_in_safetensors(tmp_path):
    tensors = {name: ember.from_numpy(a) for name, a in _arrays().items()}
    tensors["param"] = ember.nn.Parameter(ember.ones(2, 2))
    est.save_file(tensors, str(tmp_path / "e.safetensors"), metadata={"step": "3"})
    _assert_dicts_equal(tensors, st.load_file(tmp_path / "e.safetensors"))
    _assert_dicts_equal(tensors, st.load(est.save(tensors)))
    with safetensors.safe_open(tmp_path / "e.safetensors", "pt") as f:
        assert f.metadata() == {"step": "3"}


@pytest.mark.parametrize("metadata", [None, {}, {"ä\x01": "\x01\"\\/é\x7f\n"}])
def test_output_is_byte_identical_to_safetensors(tmp_path, metadata):
    """Same bytes for the same input. (safetensors writes metadata keys in hash order, which
    varies between processes, so only files with at most one key can be compared byte for byte.)"""
    arrays = _arrays()
    arrays["é\x1f/name"] = np.arange(3, dtype=np.int16)
    est.save_file({k: ember.from_numpy(a) for k, a in arrays.items()}, tmp_path / "e.safetensors", metadata)
    st.save_file({k: torch.from_numpy(a) for k, a in arrays.items()}, tmp_path / "t.safetensors", metadata)
    assert (tmp_path / "e.safetensors").read_bytes() == (tmp_path / "t.safetensors").read_bytes()
    assert est.save({}) == st.save({})


def test_metadata_is_written_in_sorted_key_order(tmp_path):
    metadata = {"z": "1", "a": "2", "ä": "3", "b": "4"}
    est.save_file({"w": ember.ones(1)}, tmp_path / "e.safetensors", metadata)
    with safetensors.safe_open(tmp_path / "e.safetensors", "pt") as f:
        assert f.metadata() == metadata
    header = (tmp_path / "e.safetensors").read_bytes()[8:]
    assert header.startswith(b'{"__metadata__":{"a":"2","b":"4","z":"1","\xc3\xa4":"3"},')


def test_non_contiguous_tensors_are_saved_as_their_contiguous_copy():
    def views(T):
        return {"T": T.arange(24.0).reshape(4, 6).T, "sliced": T.arange(24.0).reshape(4, 6)[:, ::2],
                "flipped": T.arange(6).flip(0), "expanded": T.ones(1, 3).expand(4, 3)}
    assert est.save(views(ember)) == st.save({k: v.contiguous() for k, v in views(torch).items()})


def test_loaded_tensors_are_writable_and_independent_of_the_input():
    data = est.save({"a": ember.zeros(3), "b": ember.zeros(3, dtype=ember.int64)})
    loaded = est.load(data)
    loaded["a"].add_(1)
    loaded["b"][0] = 5
    assert loaded["a"].tolist() == [1, 1, 1] and loaded["b"].tolist() == [5, 0, 0]
    assert est.load(data)["a"].tolist() == [0, 0, 0]


def test_any_offset_layout_and_bool_bytes_load_as_safetensors_loads_them():
    """Offsets need not be aligned (an I8 then an F32 at byte 1); nonzero BOOL bytes are True."""
    data = _file({"a": {"dtype": "I8", "shape": [1], "data_offsets": [0, 1]},
                  "b": {"dtype": "F32", "shape": [2], "data_offsets": [1, 9]},
                  "c": {"dtype": "BOOL", "shape": [3], "data_offsets": [9, 12]}},
                 bytes([7]) + struct.pack("<2f", 1.5, -2.5) + bytes([0, 1, 5]))
    _assert_dicts_equal(est.load(data), st.load(data))


def test_module_state_dict_round_trips(tmp_path):
    e_net = ember.nn.Sequential(ember.nn.Linear(4, 3), ember.nn.BatchNorm1d(3), ember.nn.Linear(3, 2))
    t_net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.Linear(3, 2))
    est.save_file(e_net.state_dict(), tmp_path / "e.safetensors")
    t_net.load_state_dict(st.load_file(tmp_path / "e.safetensors"))
    st.save_file(t_net.state_dict(), tmp_path / "t.safetensors")
    fresh = ember.nn.Sequential(ember.nn.Linear(4, 3), ember.nn.BatchNorm1d(3), ember.nn.Linear(3, 2))
    fresh.load_state_dict(est.load_file(tmp_path / "t.safetensors"))
    _assert_dicts_equal(fresh.state_dict(), e_net.state_dict())


def test_ember_run_scripts_import_safetensors_torch(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(
        "import torch\n"
        "from safetensors import SafetensorError\n"
        "from safetensors.torch import load, load_file, save_file\n"
        "net = torch.nn.Linear(3, 2)\n"
        "save_file(net.state_dict(), 'w.safetensors', metadata={'format': 'pt'})\n"
        "other = torch.nn.Linear(3, 2)\n"
        "other.load_state_dict(load_file('w.safetensors'))\n"
        "assert torch.equal(other.weight, net.weight) and torch.equal(other.bias, net.bias)\n"
        "try:\n    load(b'junk')\nexcept SafetensorError as err:\n    print('refused:', err)\n")
    result = subprocess.run([sys.executable, "-m", "ember", "run", str(script)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "refused: Error while deserializing: header too small" in result.stdout
    _assert_dicts_equal(est.load_file(tmp_path / "w.safetensors"), st.load_file(tmp_path / "w.safetensors"))


# ---------------------------------------------------------------------------- bad files
_GOOD = {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
CORRUPT = {  # name: (buffer, what ember's message says)
    "empty": (b"", "header too small"),
    "short": (b"\x01\x00", "header too small"),
    "header beyond the file": (struct.pack("<Q", 10**6) + b"{}", "invalid header length"),
    "huge header length": (struct.pack("<Q", 2**63) + b"{}", "header too large"),
    "malformed JSON": (_file(b'{"a": {'), "invalid JSON in header"),
    "JSON not an object": (_file(b"[1, 2]"), "invalid JSON in header"),
    "trailing garbage": (_file(b'{} x'), "invalid JSON in header"),
    "not UTF-8": (_file(b'{"\xff": 1}'), "invalid UTF-8 in header"),
    "unknown dtype": (_file({"a": {"dtype": "X9", "shape": [2], "data_offsets": [0, 8]}}, bytes(8)),
                      "unknown dtype 'X9' for tensor `a`"),
    "lowercase dtype": (_file({"a": {"dtype": "f32", "shape": [2], "data_offsets": [0, 8]}}, bytes(8)),
                        "unknown dtype 'f32'"),
    "missing field": (_file({"a": {"dtype": "F32", "shape": [2]}}, bytes(8)), "tensor `a` needs the fields"),
    "negative dim": (_file({"a": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}, bytes(8)),
                     "shape of tensor `a`"),
    "float dim": (_file({"a": {"dtype": "F32", "shape": [2.0], "data_offsets": [0, 8]}}, bytes(8)),
                  "shape of tensor `a`"),
    "one offset": (_file({"a": {"dtype": "F32", "shape": [2], "data_offsets": [8]}}, bytes(8)),
                   "data_offsets of tensor `a`"),
    "metadata not text": (_file({"__metadata__": {"k": 1}, **_GOOD}, bytes(8)), "__metadata__ must map"),
    "gap before data": (_file({"a": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, bytes(12)),
                        "invalid offset for tensor `a`"),
    "overlap": (_file({**_GOOD, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, bytes(12)),
                "invalid offset for tensor `b`"),
    "end before begin": (_file({"a": {"dtype": "F32", "shape": [0], "data_offsets": [8, 0]}}, bytes(8)),
                         "invalid offset for tensor `a`"),
    "span not shape * itemsize": (_file({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}},
                                        bytes(8)), "invalid shape, data type, or offset for tensor `a`"),
    "astronomic shape": (_file({"a": {"dtype": "F32", "shape": [2**62, 2**62], "data_offsets": [0, 8]}},
                               bytes(8)), "invalid shape, data type, or offset for tensor `a`"),
    "data beyond the file": (_file({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, bytes(8)),
                             "file not fully covered"),
    "bytes after the data": (_file(_GOOD, bytes(10)), "file not fully covered"),
}


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_corrupt_files_raise_clear_errors(case):
    data, message = CORRUPT[case]
    with pytest.raises(safetensors.SafetensorError):
        st.load(data)
    with pytest.raises(SafetensorError, match="^Error while deserializing: .*" + message.replace("*", r"\*")):
        est.load(data)


def test_every_truncation_of_a_file_is_refused(tmp_path):
    data = est.save({"w": ember.ones(2, 3), "i": ember.arange(4), "s": ember.tensor(True)}, {"k": "v"})
    for cut in range(len(data)):
        (tmp_path / "cut.safetensors").write_bytes(data[:cut])
        with pytest.raises(SafetensorError, match="^Error while deserializing: "):
            est.load_file(tmp_path / "cut.safetensors")


def test_headers_safetensors_accepts_are_accepted():
    """Unknown extra fields, a null __metadata__, leading whitespace and duplicate keys."""
    for data in (_file({"a": {**_GOOD["a"], "extra": 1}}, bytes(8)),
                 _file({"__metadata__": None, **_GOOD}, bytes(8)),
                 _file(b' ' + json.dumps(_GOOD).encode(), bytes(8)),
                 _file(b'{"a": {"dtype": "I8", "shape": [8], "data_offsets": [0, 8]}, '
                       + json.dumps(_GOOD)[1:].encode(), bytes(8))):
        _assert_dicts_equal(est.load(data), st.load(data))


def test_dtypes_ember_lacks_are_named():
    data = st.save({"w": torch.ones(2, dtype=torch.bfloat16)})
    with pytest.raises(SafetensorError, match="tensor `w` has dtype BF16, which ember does not support"):
        est.load(data)


# ---------------------------------------------------------------------------- bad input to save
def _both_raise(make_dict, metadata=None):
    """The exception type each library raises saving the same (ember / torch) tensors."""
    raised = []
    for lib, save in ((ember, est.save), (torch, st.save)):
        with pytest.raises(Exception) as info:
            save(make_dict(lib), metadata)
        raised.append(info.type)
    return raised


@pytest.mark.parametrize("make_dict, metadata", [
    (lambda T: [T.ones(2)], None),
    (lambda T: {"a": 1.0}, None),
    (lambda T: {1: T.ones(2)}, None),
    (lambda T: {"a": T.ones(2)}, {"k": 1}),
    (lambda T: {"a": T.ones(2)}, {1: "v"}),
    (lambda T: {"a": T.ones(2)}, [("k", "v")]),
], ids=["not a dict", "not a tensor", "key not str", "metadata value", "metadata key", "metadata not a dict"])
def test_bad_arguments_raise_what_safetensors_raises(make_dict, metadata):
    e_type, t_type = _both_raise(make_dict, metadata)
    assert e_type is t_type


def test_tensors_sharing_memory_are_refused_as_safetensors_refuses_them():
    for lib in (ember, torch):
        tied = lib.nn.Linear(3, 3)
        base = lib.arange(12.0)
        with pytest.raises(RuntimeError, match="Some tensors share memory"):
            (est if lib is ember else st).save({"a": tied.weight, "b": tied.weight})
        with pytest.raises(RuntimeError, match="Some tensors share memory"):
            (est if lib is ember else st).save({"base": base, "part": base[4:8]})
        # disjoint pieces of one buffer are fine, as are size-0 tensors
        (est if lib is ember else st).save({"lo": base[:6], "hi": base[6:], "e1": base[:0], "e2": base[:0]})
    base = ember.arange(12.0)  # (safetensors fails on a transposed view: "view size is not compatible")
    with pytest.raises(RuntimeError, match="Some tensors share memory"):
        est.save({"head": base[:6], "T": base.reshape(3, 4).T})


def test_metadata_key_cannot_name_a_tensor():
    with pytest.raises(ValueError, match="__metadata__"):
        est.save({"__metadata__": ember.ones(1)})


# ---------------------------------------------------------------------------- atomicity
def test_save_file_is_atomic_when_the_process_is_killed(tmp_path):
    """Killed after the new file is written but before it replaces the old: the old survives."""
    path = tmp_path / "w.safetensors"
    est.save_file({"w": ember.zeros(10)}, path)
    script = ("import os, signal, ember\n"
              "from ember.safetensors.torch import save_file\n"
              "os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)\n"
              f"save_file({{'w': ember.ones(3_000_000)}}, {str(path)!r})\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert result.returncode == -9, result.stderr.decode()
    assert est.load_file(path)["w"].tolist() == [0.0] * 10
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "w.safetensors"]
    assert all(name.startswith(".tmp-") for name in leftovers)


def test_a_failed_save_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "w.safetensors"
    with pytest.raises(RuntimeError, match="share memory"):
        t = ember.ones(3)
        est.save_file({"a": t, "b": t}, path)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(RuntimeError, match="Parent directory .* does not exist"):
        est.save_file({"a": ember.ones(1)}, tmp_path / "missing" / "w.safetensors")
