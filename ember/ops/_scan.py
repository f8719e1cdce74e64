"""Cumulative ops along one dim: cumsum and cumprod, with torch's gradients (zeros included)."""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..autograd import grad_mode
from ..tensor import Tensor
from ._record import wrap, record, wrap_dim, check_tensor, public_names


def _scan_input(op: str, input, dim: int, dtype) -> tuple:
    """The array to scan (cast to ``dtype``, or integers and bools to int64) and the wrapped dim."""
    x = check_tensor(input, op)._data
    d = wrap_dim(dim, x.ndim)
    if dtype is not None:
        x = x.astype(dtypes.to_dtype(dtype).np, copy=False)
    elif x.dtype.kind in "biu":
        x = x.astype(np.int64)
    return x, d


def _cast_grad(g: Tensor, np_dtype) -> Tensor:
    return g if g._data.dtype == np_dtype else g.to(dtypes.from_numpy(np_dtype))


def reversed_cumsum(g: Tensor, dim: int) -> Tensor:
    """``out[i] = sum(g[i:])`` along ``dim``: cumsum's vjp."""
    return g.flip(dim).cumsum(dim).flip(dim)


def cumsum(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Running sums along ``dim``; bool and integer sums are int64."""
    x, d = _scan_input("cumsum", input, dim, dtype)
    out = wrap(np.cumsum(x, axis=d) if x.ndim else x.copy())
    if input._rg and grad_mode._state.enabled:
        src = input._data.dtype
        record(out, "CumsumBackward0", (input,), lambda g: (_cast_grad(
            g if g.numel() <= 1 or g.ndim == 0 else reversed_cumsum(g, d), src),))
    return out


def cumprod(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Running products along ``dim``; bool and integer products are int64."""
    x, d = _scan_input("cumprod", input, dim, dtype)
    out = wrap(np.cumprod(x, axis=d) if x.ndim else x.copy())
    if input._rg and grad_mode._state.enabled:
        src = input._data.dtype
        record(out, "CumprodBackward0", (input,),
               lambda g: (_cast_grad(_cumprod_grad(g, input, out, d), src),), (input, out))
    return out


def _cumprod_grad(g: Tensor, x: Tensor, out: Tensor, d: int) -> Tensor:
    """torch's cumprod backward: ``sum_{j>=k} g_j out_j / x_k`` where no factor is 0.

    Along a slice whose first zero is at ``z``: positions before ``z`` use that formula,
    position ``z`` gets ``sum_{j>=z} g_j prod_{i<=j, i!=z} x_i``, positions after get 0.
    """
    if x.ndim == 0 or x.shape[d] <= 1:
        return g
    if np.all(x._data):
        return reversed_cumsum(g * out, d) / x
    zero = x._data == 0
    before = wrap(np.cumsum(zero, axis=d) == 0)
    first_zero = wrap(zero & (np.cumsum(zero, axis=d) == 1))
    at_or_after = wrap(np.cumsum(zero, axis=d) > 0)
    safe = x.where(before, 1.0)
    head = reversed_cumsum((g * out).where(before, 0.0), d) / safe
    skip_zero = x.where(~first_zero, 1.0).cumprod(d)
    tail = reversed_cumsum((g * skip_zero).where(at_or_after, 0.0), d)
    return head.where(before, tail.where(first_zero, 0.0))


def exclusive_cumprod(x: Tensor, d: int) -> Tensor:
    """``out[i] = prod(x[:i])`` along ``d`` (1 at the start), without dividing."""
    ones_shape = list(x.shape)
    ones_shape[d] = 1
    from .shaping import cat
    shifted = cat([wrap(np.ones(ones_shape, x._data.dtype)), x.narrow(d, 0, x.shape[d] - 1)], d)
    return shifted.cumprod(d)


__all__ = [n for n in public_names(globals()) if n in ("cumsum", "cumprod")]
