"""The torch oracle: run one lambda on torch and on ember with the same inputs, and compare.

``check(fn, *arrays)`` builds torch and ember tensors from the same NumPy arrays, calls
``fn(lib, *tensors)`` with ``lib`` = torch or ember, and compares every output's values,
dtype and shape; then backpropagates the same random cotangent through both and compares
the gradients of every floating input.
"""
from __future__ import annotations

import numpy as np
import torch

import ember

RNG = np.random.default_rng(0)
FLOATS = (np.float32, np.float64)


def rand(*shape, dtype=np.float32, low=-2.0, high=2.0) -> np.ndarray:
    if np.dtype(dtype).kind == "f":
        return RNG.uniform(low, high, shape).astype(dtype)
    if np.dtype(dtype) == np.bool_:
        return RNG.random(shape) < 0.5
    return RNG.integers(int(low), int(high) + 1, shape).astype(dtype)


def positive(*shape, dtype=np.float32) -> np.ndarray:
    return rand(*shape, dtype=dtype, low=0.5, high=3.0)


def layout(arr: np.ndarray, kind: str) -> np.ndarray:
    """The same values in a non-contiguous layout: ``"T"`` (Fortran order) or ``"sliced"`` (step 2)."""
    if kind == "T":
        return np.asfortranarray(arr) if arr.ndim else arr  # asfortranarray makes a 0-d array 1-d
    if kind == "sliced":
        big = np.empty(arr.shape[:-1] + (arr.shape[-1] * 2,), arr.dtype) if arr.ndim else arr
        if not arr.ndim:
            return arr
        big[..., ::2] = arr
        return big[..., ::2]
    return arr


def _tensors(arrays, lib, requires_grad):
    """Wrap each array without copying, so both libraries see the same (possibly strided) layout."""
    out = []
    for a, rg in zip(arrays, requires_grad):
        if not isinstance(a, np.ndarray):
            out.append(a)
            continue
        t = torch.from_numpy(a) if lib is torch else ember.from_numpy(a)
        if rg and a.dtype.kind == "f":
            t.requires_grad_(True)
        out.append(t)
    return out


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [o for x in out for o in _flat(x)]
    return [out]


def _np(t):
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    if isinstance(t, ember.Tensor):
        return t.detach().numpy()
    return np.asarray(t)


def _tol(dtype, atol, rtol):
    if atol is not None:
        return atol, rtol if rtol is not None else atol
    return (1e-5, 1e-4) if dtype == np.float32 or dtype == np.float16 else (1e-10, 1e-8)


def assert_same(ours, theirs, atol=None, rtol=None, what="output"):
    """Compare one ember result with one torch result: type, dtype, shape, values."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, ember.Tensor), f"{what}: expected a Tensor, got {type(ours)}"
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], \
            f"{what}: dtype {ours.dtype} != torch's {theirs.dtype}"
        assert tuple(ours.shape) == tuple(theirs.shape), \
            f"{what}: shape {tuple(ours.shape)} != torch's {tuple(theirs.shape)}"
        a, b = _np(ours), _np(theirs)
        if a.dtype.kind == "f":
            at, rt = _tol(a.dtype, atol, rtol)
            np.testing.assert_allclose(a, b, atol=at, rtol=rt, equal_nan=True, err_msg=what)
        else:
            np.testing.assert_array_equal(a, b, err_msg=what)
    elif isinstance(theirs, float):
        assert isinstance(ours, float) or np.isscalar(ours), f"{what}: {type(ours)}"
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6, err_msg=what)
    else:
        assert ours == theirs, f"{what}: {ours!r} != torch's {theirs!r}"


def check(fn, *arrays, grad=True, atol=None, rtol=None, grad_atol=None, grad_rtol=None,
          requires_grad=None):
    """Run ``fn(lib, *tensors)`` on both libraries; compare outputs, then input gradients."""
    requires_grad = requires_grad or [grad] * len(arrays)
    t_in = _tensors(arrays, torch, requires_grad)
    e_in = _tensors(arrays, ember, requires_grad)
    t_out = _flat(fn(torch, *t_in))
    e_out = _flat(fn(ember, *e_in))
    assert len(t_out) == len(e_out), f"{len(e_out)} outputs, torch gives {len(t_out)}"
    for i, (o, t) in enumerate(zip(e_out, t_out)):
        assert_same(o, t, atol, rtol, what=f"output {i}")
    if not grad:
        return e_out
    t_diff = [(i, t) for i, t in enumerate(t_out) if isinstance(t, torch.Tensor) and t.requires_grad]
    if not t_diff:
        return e_out
    t_leaves = [t for t in t_in if isinstance(t, torch.Tensor) and t.requires_grad]
    e_leaves = [t for t in e_in if isinstance(t, ember.Tensor) and t.requires_grad]
    cotangents = [RNG.standard_normal(t.shape).astype(_np(t).dtype) for _, t in t_diff]
    t_grads = torch.autograd.grad([t for _, t in t_diff], t_leaves,
                                  [torch.from_numpy(c.copy()) for c in cotangents], allow_unused=True)
    e_grads = ember.autograd.grad([e_out[i] for i, _ in t_diff], e_leaves,
                                  [ember.from_numpy(c.copy()) for c in cotangents], allow_unused=True)
    for k, (eg, tg) in enumerate(zip(e_grads, t_grads)):
        if tg is None:
            assert eg is None or not np.any(_np(eg)), f"grad {k}: torch gives None"
            continue
        assert eg is not None, f"grad {k}: ember gives None, torch a gradient"
        assert_same(eg, tg, grad_atol or atol, grad_rtol or rtol, what=f"grad of input {k}")
    return e_out


def check_raises(fn, *arrays):
    """Where torch raises, ember raises the same exception type (and vice versa)."""
    t_in = _tensors(arrays, torch, [False] * len(arrays))
    e_in = _tensors(arrays, ember, [False] * len(arrays))
    try:
        fn(torch, *t_in)
    except Exception as err:  # noqa: BLE001 - any torch exception defines the expected type
        expected = type(err)
    else:
        raise AssertionError("torch did not raise")
    try:
        fn(ember, *e_in)
    except expected:
        return
    except Exception as err:  # noqa: BLE001
        raise AssertionError(f"ember raised {type(err).__name__}: {err}; torch raises {expected.__name__}")
    raise AssertionError(f"ember did not raise; torch raises {expected.__name__}")
