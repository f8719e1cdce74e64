"""Statistical reductions: var, std (with ``correction``), var_mean, std_mean, logsumexp, norm."""
from __future__ import annotations

import math
import warnings
from typing import Optional

import numpy as np

from .. import dtypes
from ..autograd import grad_mode
from ..autograd.graph import Node, gradient_edge
from ..tensor import Tensor
from ._elementwise import capital
from ._record import wrap, record, public_names


def _reduction():
    from . import reduction
    return reduction


# ---------------------------------------------------------------------------- var, std
def _moment_args(op: str, input: Tensor, dim, unbiased, keepdim: bool, correction):
    """Resolve torch's var/std signatures: ``(dim, unbiased, keepdim)``, ``(unbiased)``, ``correction=``."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise RuntimeError(f"{op}: can't specify both unbiased and correction")
    c = correction if correction is not None else (1 if unbiased is None or unbiased else 0)
    axes = _reduction().reduced_axes(input, dim, op)
    x = input._data
    if x.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    n = math.prod(x.shape[a] for a in axes)
    if n - c <= 0:
        warnings.warn(f"{op}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                      "reduction factor (input numel divided by output numel).", UserWarning, stacklevel=3)
    return x, axes, c, n


def _var_array(x: np.ndarray, axes: tuple, c, n: int, keepdim: bool) -> np.ndarray:
    """Sum of squared deviations over ``max(n - c, 0)``, in ``x``'s dtype."""
    dev = x - _reduction().mean_array(x, axes, True)
    ss = np.add.reduce(dev * dev, axis=axes, keepdims=keepdim)
    return np.asarray(ss / ss.dtype.type(max(n - c, 0))).astype(x.dtype, copy=False)


def _var_grad(g: Tensor, x: Tensor, axes: tuple, c, n: int, keepdim: bool) -> Tensor:
    """``2 / (n - c) * g * (x - mean)``."""
    g = _reduction().restore(g, x.shape, axes, keepdim)
    scale = 2.0 / (n - c) if n > c else math.inf  # torch divides by max(n - c, 0)
    return scale * g * (x - x.mean(axes, keepdim=True))


def _std_to_var_grad(g: Tensor, std: Tensor, axes: tuple, keepdim: bool) -> Tensor:
    """The std gradient as a var gradient, ``g / (2 std)``, zero where std is 0."""
    return (g / (std * 2)).where(std != 0, 0.0)


def var(input: Tensor, dim=None, unbiased: Optional[bool] = None, keepdim: bool = False, *,
        correction=None) -> Tensor:
    """Variance over ``dim`` divided by ``n - correction`` (``correction=1`` by default)."""
    x, axes, c, n = _moment_args("var", input, dim, unbiased, keepdim, correction)
    out = wrap(_var_array(x, axes, c, n, keepdim))
    if input._rg and grad_mode._state.enabled:
        record(out, "VarBackward0", (input,), lambda g: (_var_grad(g, input, axes, c, n, keepdim),),
               (input,))
    return out


def std(input: Tensor, dim=None, unbiased: Optional[bool] = None, keepdim: bool = False, *,
        correction=None) -> Tensor:
    """Standard deviation: the square root of ``var``."""
    x, axes, c, n = _moment_args("std", input, dim, unbiased, keepdim, correction)
    out = wrap(np.sqrt(_var_array(x, axes, c, n, keepdim)))
    if input._rg and grad_mode._state.enabled:
        record(out, "StdBackward0", (input,), lambda g: (
            _var_grad(_std_to_var_grad(g, out, axes, keepdim), input, axes, c, n, keepdim),), (input, out))
    return out


def _moment_and_mean(op: str, node: str, input: Tensor, dim, unbiased, keepdim, correction) -> tuple:
    x, axes, c, n = _moment_args(op, input, dim, unbiased, keepdim, correction)
    v = _var_array(x, axes, c, n, keepdim)
    first = wrap(np.sqrt(v) if op == "std_mean" else v)
    mean = wrap(_reduction().mean_array(x, axes, keepdim))
    if input._rg and grad_mode._state.enabled:
        shape = x.shape

        def vjp(g_first, g_mean):
            if op == "std_mean":
                g_first = _std_to_var_grad(g_first, first, axes, keepdim)
            g_mean = _reduction().restore(g_mean, shape, axes, keepdim).expand(shape) / n
            return (_var_grad(g_first, input, axes, c, n, keepdim) + g_mean,)
        meta = tuple((t.shape, t.dtype) for t in (first, mean))
        saved = (input, first) if op == "std_mean" else (input,)
        node_ = Node(node, vjp, (gradient_edge(input),), saved, meta)
        for i, t in enumerate((first, mean)):
            t._rg, t.grad_fn, t._output_nr = True, node_, i
    return first, mean


def var_mean(input: Tensor, dim=None, unbiased: Optional[bool] = None, keepdim: bool = False, *,
             correction=None) -> tuple:
    """``(var, mean)`` over ``dim``, from one node."""
    return _moment_and_mean("var_mean", "VarMeanBackward0", input, dim, unbiased, keepdim, correction)


def std_mean(input: Tensor, dim=None, unbiased: Optional[bool] = None, keepdim: bool = False, *,
             correction=None) -> tuple:
    """``(std, mean)`` over ``dim``, from one node."""
    return _moment_and_mean("std_mean", "StdMeanBackward0", input, dim, unbiased, keepdim, correction)


# ---------------------------------------------------------------------------- logsumexp
def logsumexp(input: Tensor, dim, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(input)))`` over ``dim``, shifted by the max so it cannot overflow."""
    axes = _reduction().reduced_axes(input, dim, "logsumexp")
    x = input._data
    if x.dtype.kind != "f":
        x = x.astype(dtypes.get_default_dtype().np)
    m = np.max(x, axis=axes, keepdims=True, initial=-np.inf) if x.size else np.zeros((1,) * x.ndim, x.dtype)
    m = np.where(np.isfinite(m), m, 0).astype(x.dtype, copy=False)
    total = np.log(np.add.reduce(np.exp(x - m), axis=axes, keepdims=True)) + m
    out = wrap(total if keepdim else total.reshape([s for i, s in enumerate(total.shape) if i not in axes]))
    if input._rg and grad_mode._state.enabled:
        restore = _reduction().restore
        record(out, "LogsumexpBackward0", (input,), lambda g: (
            restore(g, input.shape, axes, keepdim) * (input - restore(out, input.shape, axes, keepdim)).exp(),),
            (input, out))
    return out


# ---------------------------------------------------------------------------- norm
def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """The vector p-norm over ``dim`` (all dims by default): p is a number, inf, -inf or "fro" (2)."""
    if p == "fro" or p is None:
        p = 2
    elif isinstance(p, str):
        raise RuntimeError(f"norm: unsupported norm type {p!r} (ember supports vector norms and 'fro')")
    x = input._data
    if dtype is not None:
        x = x.astype(dtypes.to_dtype(dtype).np)
    if x.dtype.kind != "f":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {capital(x.dtype)}")
    axes = _reduction().reduced_axes(input, dim, "linalg.vector_norm")
    a = np.abs(x)
    p = float(p)
    if math.isinf(p):
        _check_identity(x, axes, dim, "inf" if p > 0 else "-inf")
        r = (np.max if p > 0 else np.min)(a, axis=axes, keepdims=keepdim)
    elif p == 0:
        r = np.add.reduce(a != 0, axis=axes, dtype=x.dtype, keepdims=keepdim)
    elif p == 1:
        r = np.add.reduce(a, axis=axes, keepdims=keepdim)
    elif p == 2:
        r = np.sqrt(np.add.reduce(a * a, axis=axes, keepdims=keepdim))
    else:
        r = np.add.reduce(a ** p, axis=axes, keepdims=keepdim) ** (1 / p)
    out = wrap(np.asarray(r, dtype=x.dtype))
    if input._rg and grad_mode._state.enabled:
        record(out, "LinalgVectorNormBackward0", (input,),
               lambda g: (_norm_grad(g, input, out, p, axes, keepdim),), (input, out))
    return out


def _check_identity(x: np.ndarray, axes: tuple, dim, norm_type: str) -> None:
    """The inf norms have no value for an empty reduction: torch's errors."""
    if dim is None and x.size == 0:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {norm_type} norm on an empty tensor "
                           "because the operation does not have an identity")
    for ax in axes:
        if x.shape[ax] == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {norm_type} norm on the dimension "
                               f"{ax}because this dimension is empty and the operation does not have an identity")


def _norm_grad(g: Tensor, x: Tensor, norm_: Tensor, p: float, axes: tuple, keepdim: bool) -> Tensor:
    """torch's linalg_vector_norm_backward."""
    restore = _reduction().restore
    g = restore(g, x.shape, axes, keepdim)
    r = restore(norm_, x.shape, axes, keepdim)
    if p == 0:
        return x * 0 * g
    if p == 1:
        return x.sign() * g
    if p == 2:
        return g * (x / r).where(r != 0, 0.0)
    if math.isinf(p):
        hit = x.abs() == r
        return x.sign() * (g * hit) / hit.sum(axes, keepdim=True)
    if p < 1:
        return x.sign() * x.abs().pow(p - 1).where(x != 0, 0.0) * g * r.pow(1 - p)
    if p < 2:
        return (x.sign() * x.abs().pow(p - 1) * g * r.pow(1 - p)).where(r != 0, 0.0)
    return (x * x.abs().pow(p - 2) * g / r.pow(p - 1)).where(r != 0, 0.0)


__all__ = public_names(globals())
