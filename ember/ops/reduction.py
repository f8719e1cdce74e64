"""Reductions over dims: sum, mean, prod, max/min (values and indices), arg-extrema, all/any, median.

Every reduction takes ``dim`` (an int, a sequence, or None for all dims; an empty
sequence also means all dims, as in torch) and ``keepdim``. Gradients put the reduced
dims back (``_restore``) and are written in ember ops. Statistics (std, var, norm,
logsumexp) and scans (cumsum, cumprod) live in ``_statistics`` and ``_scan``.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from .. import dtypes, return_types
from ..autograd import grad_mode
from ..tensor import Tensor
from . import _scan, _statistics
from ._elementwise import capital
from ._record import wrap, record, dims_arg, check_tensor, public_names
from ._scan import *  # noqa: F401,F403  (re-exported as part of this family)
from ._statistics import *  # noqa: F401,F403


def reduced_axes(input: Tensor, dim, op: str = "") -> tuple:
    """The non-negative dims ``dim`` names; () for a 0-dim tensor, whose only dims are 0 and -1."""
    x = _check_input(op, input)
    if dim is None or isinstance(dim, (tuple, list)) and len(dim) == 0:
        return tuple(range(x.ndim))
    dims = dims_arg(dim, x.ndim)
    return dims if x.ndim else ()


def _check_input(op: str, input) -> np.ndarray:
    return check_tensor(input, op)._data


def restore(g: Tensor, shape: tuple, axes: tuple, keepdim: bool) -> Tensor:
    """``g`` with the reduced ``axes`` put back as size 1, so it broadcasts against ``shape``."""
    if keepdim or not axes:
        return g
    kept = list(g.shape)
    for d in sorted(axes):
        kept.insert(d, 1)
    return g.reshape(kept)


def _expand_back(g: Tensor, shape: tuple, axes: tuple, keepdim: bool) -> Tensor:
    return restore(g, shape, axes, keepdim).expand(shape)


def _integer_to_long(x: np.ndarray, dtype) -> np.ndarray:
    """The array a sum-like op accumulates: cast to ``dtype``, or integers and bools to int64."""
    if dtype is not None:
        return x.astype(dtypes.to_dtype(dtype).np, copy=False)
    return x.astype(np.int64) if x.dtype.kind in "biu" else x


def mean_array(x: np.ndarray, axes: tuple, keepdims: bool) -> np.ndarray:
    """The mean in ``x``'s dtype (float16 accumulates in float32); NaN for an empty reduction."""
    acc = np.float32 if x.dtype == np.float16 else x.dtype
    n = math.prod(x.shape[a] for a in axes)
    return np.asarray(np.add.reduce(x, axis=axes, dtype=acc, keepdims=keepdims) / n).astype(x.dtype, copy=False)


def _cast_grad(g: Tensor, np_dtype) -> Tensor:
    return g if g._data.dtype == np_dtype else g.to(dtypes.from_numpy(np_dtype))


# ---------------------------------------------------------------------------- sum, mean, prod
def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Sum over ``dim``; bool and integer sums are int64, as in torch."""
    axes = reduced_axes(input, dim, "sum")
    x = _integer_to_long(input._data, dtype)
    if x.dtype == np.float16:  # accumulate in float32, as torch does
        out = wrap(np.add.reduce(x, axis=axes, dtype=np.float32, keepdims=keepdim).astype(np.float16))
    else:
        out = wrap(np.add.reduce(x, axis=axes, keepdims=keepdim))
    if input._rg and grad_mode._state.enabled:
        shape, src = input._data.shape, input._data.dtype
        record(out, "SumBackward1" if dim is not None else "SumBackward0", (input,),
               lambda g: (_cast_grad(_expand_back(g, shape, axes, keepdim), src),))
    return out


def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Mean over ``dim``; the result (``dtype``, else the input's) must be floating, as in torch."""
    axes = reduced_axes(input, dim, "mean")
    result = input._data.dtype if dtype is None else dtypes.to_dtype(dtype).np
    if result.kind != "f":
        raise RuntimeError(f"mean(): could not infer output dtype. {'Input' if dtype is None else 'Optional'} "
                           f"dtype must be either a floating point or complex dtype. Got: {capital(result)}")
    x = input._data.astype(result, copy=False)
    out = wrap(mean_array(x, axes, keepdim))
    if input._rg and grad_mode._state.enabled:
        shape, src = input._data.shape, input._data.dtype
        n = math.prod(shape[a] for a in axes)
        record(out, "MeanBackward1" if dim is not None else "MeanBackward0", (input,),
               lambda g: (_cast_grad(_expand_back(g, shape, axes, keepdim) / n, src),))
    return out


def prod(input: Tensor, dim: Optional[int] = None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Product over one dim (or all); bool and integer products are int64."""
    if isinstance(dim, (tuple, list)):
        raise TypeError("prod() received an invalid combination of arguments - got (tuple), but "
                        "expected (int dim, bool keepdim = False, *, torch.dtype dtype = None)")
    axes = reduced_axes(input, dim, "prod")
    x = input._data
    out = wrap(np.multiply.reduce(_integer_to_long(x, dtype), axis=axes, keepdims=keepdim))
    if input._rg and grad_mode._state.enabled:
        record(out, "ProdBackward1" if dim is not None else "ProdBackward0", (input,),
               lambda g: (_prod_grad(g, input, out, axes, keepdim),), (input, out))
    return out


def _prod_grad(g: Tensor, x: Tensor, out: Tensor, axes: tuple, keepdim: bool) -> Tensor:
    """d prod / d x_k is the product of the others: ``out / x_k`` when no factor is 0,
    else (exactly) the product of the exclusive cumulative products from both sides."""
    shape = x.shape
    g = restore(g, shape, axes, keepdim)
    if not axes:
        return g
    if np.all(x._data):
        return g * (restore(out, shape, axes, keepdim) / x)
    flat = x if len(axes) == 1 else x.reshape(-1)
    d = axes[0] if len(axes) == 1 else 0
    others = _scan.exclusive_cumprod(flat, d) * _scan.exclusive_cumprod(flat.flip(d), d).flip(d)
    return g * others.reshape(shape)


# ---------------------------------------------------------------------------- max, min, arg-extrema
def _empty_check(op: str, x: np.ndarray, axes: tuple, full: bool) -> None:
    if full and x.size == 0:
        raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0. "
                           "Specify the reduction dim with the 'dim' argument.")
    for a in axes:
        if x.shape[a] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {a} to have non-zero size.")


def _evenly(g: Tensor, x: Tensor, value: Tensor) -> Tensor:
    """Full max/min/median backward: ``g`` shared evenly among the elements equal to ``value``."""
    v = value._data
    mask = np.isnan(x._data) if np.isnan(v).any() else x._data == v
    m = wrap(mask)
    return (g / int(mask.sum())).where(m, 0.0)


def _full_extremum(op: str, input: Tensor, np_fn, node: str) -> Tensor:
    x = input._data
    _empty_check(op, x, (), True)
    out = wrap(np.asarray(np_fn(x, axis=None)))
    if input._rg and grad_mode._state.enabled:
        record(out, node, (input,), lambda g: (_evenly(g, input, out),), (input, out))
    return out


def _selected(op: str, input: Tensor, dim: int, keepdim: bool, arg_fn, kind: type, node: str):
    """(values, indices) along ``dim``: the element ``arg_fn`` picks (NaN first), and its index."""
    x = input._data
    axes = reduced_axes(input, dim, op)
    _empty_check(op, x, axes, False)
    if not axes:
        values, indices = wrap(x.copy()), wrap(np.zeros(x.shape, np.int64))
    else:
        a = axes[0]
        idx = np.expand_dims(arg_fn(x, axis=a), a)
        values = wrap(np.take_along_axis(x, idx, a) if keepdim else np.take_along_axis(x, idx, a).squeeze(a))
        indices = wrap(idx if keepdim else idx.squeeze(a))
    if input._rg and grad_mode._state.enabled:
        shape, idx = x.shape, indices._data
        record(values, node, (input,), lambda g: (_select_grad(g, shape, axes, keepdim, idx),))
    return kind(values, indices)


def _select_grad(g: Tensor, shape: tuple, axes: tuple, keepdim: bool, indices: np.ndarray) -> Tensor:
    """``g`` placed at ``indices`` along the reduced dim, zero elsewhere."""
    g = restore(g, shape, axes, keepdim)
    if not axes:
        return g
    a = axes[0]
    idx = indices if keepdim else np.expand_dims(indices, a)
    positions = np.arange(shape[a]).reshape([-1 if i == a else 1 for i in range(len(shape))])
    return g.expand(shape).where(wrap(positions == idx), 0.0)


def max(input: Tensor, dim=None, keepdim: bool = False, *, out=None):
    """The largest element; with ``dim``, ``(values, indices)``; with a tensor, ``maximum``."""
    if isinstance(dim, Tensor):
        from .pointwise import maximum
        return maximum(input, dim, out=out)
    if dim is None:
        return _full_extremum("max", input, np.maximum.reduce, "MaxBackward1")
    return _selected("max", input, dim, keepdim, np.argmax, return_types.max, "MaxBackward0")


def min(input: Tensor, dim=None, keepdim: bool = False, *, out=None):
    """The smallest element; with ``dim``, ``(values, indices)``; with a tensor, ``minimum``."""
    if isinstance(dim, Tensor):
        from .pointwise import minimum
        return minimum(input, dim, out=out)
    if dim is None:
        return _full_extremum("min", input, np.minimum.reduce, "MinBackward1")
    return _selected("min", input, dim, keepdim, np.argmin, return_types.min, "MinBackward0")


def _extreme(op: str, np_fn, node: str):
    def reduce(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
        axes = reduced_axes(input, dim, op)
        x = input._data
        _empty_check(op, x, axes, dim is None or isinstance(dim, (tuple, list)) and not dim)
        out = wrap(np.asarray(np_fn(x, axis=axes, keepdims=keepdim)))
        if input._rg and grad_mode._state.enabled:
            shape = x.shape

            def vjp(g):
                hit = input == restore(out, shape, axes, keepdim)
                return (restore(g, shape, axes, keepdim) / hit.sum(axes, keepdim=True) * hit,)
            record(out, node, (input,), vjp, (input, out))
        return out
    reduce.__name__ = reduce.__qualname__ = op
    reduce.__doc__ = (f"The {op[1:]} over ``dim`` (a tuple of dims; all by default). Its gradient "
                      "is shared evenly among tied elements.")
    return reduce


amax = _extreme("amax", np.maximum.reduce, "AmaxBackward0")
amin = _extreme("amin", np.minimum.reduce, "AminBackward0")


def _arg(op: str, np_fn):
    def arg(input: Tensor, dim: Optional[int] = None, keepdim: bool = False) -> Tensor:
        x = _check_input(op, input)
        if x.dtype == np.bool_:
            raise RuntimeError(f"{op}(): does not support bool input")
        if dim is None:
            if x.size == 0:
                raise IndexError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0.")
            index = np.asarray(np_fn(x), dtype=np.int64)
            return wrap(index.reshape((1,) * x.ndim) if keepdim else index)
        axes = reduced_axes(input, dim, op)
        _empty_check(op, x, axes, False)
        if not axes:
            return wrap(np.zeros(x.shape, np.int64))
        index = np_fn(x, axis=axes[0], keepdims=keepdim)
        return wrap(np.asarray(index, dtype=np.int64))
    arg.__name__ = arg.__qualname__ = op
    arg.__doc__ = f"The index of the {op[3:]}imum (the first one; NaN counts as the {op[3:]}imum)."
    return arg


argmax = _arg("argmax", np.argmax)
argmin = _arg("argmin", np.argmin)


# ---------------------------------------------------------------------------- all, any, count_nonzero
def _logical_reduction(op: str, np_fn):
    def reduce(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
        axes = reduced_axes(input, dim, op)
        x = input._data
        result = np_fn(x, axis=axes, keepdims=keepdim)
        return wrap(np.asarray(result, dtype=np.uint8 if x.dtype == np.uint8 else np.bool_))
    reduce.__name__ = reduce.__qualname__ = op
    reduce.__doc__ = f"Whether {op} elements over ``dim`` are nonzero (bool; uint8 for uint8 input)."
    return reduce


all = _logical_reduction("all", np.all)
any = _logical_reduction("any", np.any)


def count_nonzero(input: Tensor, dim=None) -> Tensor:
    axes = reduced_axes(input, dim, "count_nonzero")
    return wrap(np.asarray(np.count_nonzero(input._data, axis=axes), dtype=np.int64))


# ---------------------------------------------------------------------------- median
def median(input: Tensor, dim: Optional[int] = None, keepdim: bool = False):
    """The lower median (NaN if any element is NaN); with ``dim``, ``(values, indices)``."""
    x = _check_input("median", input)
    if x.dtype == np.bool_:
        raise NotImplementedError(f'"{"median_cpu" if dim is None else "median_out"}" not implemented for '
                                  "'Bool'")
    if dim is None:
        flat = x.reshape(-1)
        if flat.size == 0:
            out = wrap(np.array(np.nan, x.dtype))
        else:
            out = wrap(flat[_median_index(flat, 0)].reshape(()))
        if input._rg and grad_mode._state.enabled:
            record(out, "MedianBackward0", (input,), lambda g: (_evenly(g, input, out),), (input, out))
        return out
    return _selected("median", input, dim, keepdim, _median_index, return_types.median,
                     "MedianBackward1")


def _median_index(x: np.ndarray, axis: int) -> np.ndarray:
    """Index of the lower median along ``axis``, or of the first NaN where there is one."""
    order = np.argsort(x, axis=axis, kind="stable")
    k = (x.shape[axis] - 1) // 2
    idx = np.take(order, k, axis=axis)
    nan = np.isnan(x) if x.dtype.kind == "f" else None
    if nan is not None and nan.any():
        idx = np.where(nan.any(axis=axis), np.argmax(nan, axis=axis), idx)
    return idx


_HELPERS = ("reduced_axes", "restore", "mean_array")
__all__ = [n for n in public_names(globals()) if n not in _HELPERS] + _scan.__all__ + _statistics.__all__
METHODS = tuple(n for n in __all__ if n not in ("var_mean", "std_mean"))
