"""The torch oracle for whole modules: twin modules with the same weights, run on the same inputs.

``twins(make)`` builds ``make(torch.nn)`` and ``make(ember.nn)`` and loads torch's state dict
into ember's. ``compare(t_mod, e_mod, call, *arrays)`` calls ``call(lib, mod, *inputs)`` on
both, compares every output (a ``PackedSequence`` counts as its fields), then backpropagates
the same random cotangents and compares the gradients of every float input and parameter.
"""
from __future__ import annotations

import numpy as np
import torch

import ember
from tests.oracle import assert_same

RNG = np.random.default_rng(11)


def twins(make, dtype=np.float32, train: bool = False):
    """``make(torch.nn)`` and ``make(ember.nn)`` with torch's (random) weights in both."""
    t_mod, e_mod = make(torch.nn), make(ember.nn)
    if dtype == np.float64:
        t_mod.double()
        e_mod.double()
    result = e_mod.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t_mod.state_dict().items()})
    assert not result.missing_keys and not result.unexpected_keys, result
    t_mod.train(train)
    e_mod.train(train)
    return t_mod, e_mod


def _flat(out) -> list:
    if isinstance(out, (tuple, list)):  # PackedSequence is a tuple too
        return [t for x in out for t in _flat(x)]
    return [] if out is None else [out]


def _inputs(arrays, lib, grad: bool) -> list:
    out = []
    for a in arrays:
        if isinstance(a, np.ndarray):
            t = torch.tensor(a) if lib is torch else ember.tensor(a)
            out.append(t.requires_grad_(grad) if grad and a.dtype.kind == "f" else t)
        else:
            out.append(a)
    return out


def compare(t_mod, e_mod, call, *arrays, atol=None, rtol=None, grad: bool = True) -> tuple:
    """Outputs and gradients (inputs and parameters) of ``call(lib, mod, *inputs)`` agree."""
    t_in, e_in = _inputs(arrays, torch, grad), _inputs(arrays, ember, grad)
    t_out, e_out = _flat(call(torch, t_mod, *t_in)), _flat(call(ember, e_mod, *e_in))
    assert len(e_out) == len(t_out), f"{len(e_out)} outputs, torch gives {len(t_out)}"
    for k, (e, t) in enumerate(zip(e_out, t_out)):
        assert_same(e, t, atol, rtol, what=f"output {k}")
    t_diff = [k for k, t in enumerate(t_out) if t.requires_grad]
    assert [k for k, e in enumerate(e_out) if e.requires_grad] == t_diff
    if not grad or not t_diff:
        return t_out, e_out
    t_names = [n for n, _ in t_mod.named_parameters()]
    assert [n for n, _ in e_mod.named_parameters()] == t_names
    t_leaves = [t for t in t_in if isinstance(t, torch.Tensor) and t.requires_grad] + list(t_mod.parameters())
    e_leaves = [e for e in e_in if isinstance(e, ember.Tensor) and e.requires_grad] + list(e_mod.parameters())
    cots = [RNG.standard_normal(tuple(t_out[k].shape)).astype(t_out[k].detach().numpy().dtype) for k in t_diff]
    t_grads = torch.autograd.grad([t_out[k] for k in t_diff], t_leaves, [torch.tensor(c) for c in cots],
                                  allow_unused=True)
    e_grads = ember.autograd.grad([e_out[k] for k in t_diff], e_leaves, [ember.tensor(c) for c in cots],
                                  allow_unused=True)
    n_in = len(t_leaves) - len(t_names)
    for k, (e, t) in enumerate(zip(e_grads, t_grads)):
        what = f"grad of input {k}" if k < n_in else f"grad of {t_names[k - n_in]}"
        if t is None:
            assert e is None or not np.any(e.numpy()), f"{what}: torch gives None"
        else:
            assert e is not None, f"{what}: ember gives None"
            assert_same(e, t, atol, rtol, what=what)
    return t_out, e_out


def same_error(fn_torch, fn_ember, replace: tuple = ("torch.", "ember.")) -> None:
    """Both raise the same exception type with the same message (torch's names spelled ember's)."""
    try:
        fn_torch()
    except Exception as err:  # noqa: BLE001 - torch's exception defines the expectation
        expected = err
    else:
        raise AssertionError("torch did not raise")
    try:
        fn_ember()
    except Exception as err:  # noqa: BLE001
        assert type(err) is type(expected), f"ember raised {type(err).__name__}: {err}; torch {expected!r}"
        assert str(err) == str(expected).replace(*replace), f"ember: {err}\ntorch: {expected}"
        return
    raise AssertionError(f"ember did not raise; torch raises {expected!r}")
