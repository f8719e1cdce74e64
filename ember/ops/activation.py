"""softmax and log_softmax along one dim.

Forwards subtract the slice max before exponentiating, so no finite input overflows. The
vjps read only the saved output ``y``: softmax's is ``y * (g - sum(g * y))`` and
log_softmax's ``g - exp(y) * sum(g)`` (sums over ``dim``, kept), in ember ops so they can be
differentiated again.
"""
from __future__ import annotations

import warnings
from typing import Optional

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from ._record import wrap, needs_grad, record, wrap_dim, check_tensor, _CAPITAL


def _implicit_dim(name: str, ndim: int, stacklevel: int) -> int:
    """torch's legacy choice when no dim is given: 0 for 0-, 1- and 3-d inputs, else 1.

    ``stacklevel`` counts frames as torch's ``_get_softmax_dim`` does (3: the op's caller);
    one is added for ``_prepare``, which sits between this and the op.
    """
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
                  "dim=X as an argument.", UserWarning, stacklevel=stacklevel + 1)
    return 0 if ndim in (0, 1, 3) else 1


def _prepare(name: str, input: Tensor, dim: Optional[int], dtype, stacklevel: int) -> tuple:
    """The (cast) input and its non-negative dim, checked as torch checks them."""
    check_tensor(input, name)
    if dim is None:
        dim = _implicit_dim(name, input._data.ndim, stacklevel)
    elif not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{name}(): argument 'dim' (position 2) must be int, not {type(dim).__name__}")
    dim = wrap_dim(int(dim), input._data.ndim)
    if dtype is not None:
        input = input.to(dtypes.to_dtype(dtype))
    x = input._data
    if x.dtype.kind != "f":
        kernel = "lastdim_kernel_impl" if dim == max(x.ndim - 1, 0) else "kernel_impl"
        raise NotImplementedError(f"\"{name}_{kernel}\" not implemented for '{_CAPITAL[x.dtype.name]}'")
    return input, dim


def _shifted(x: np.ndarray, axis: int) -> np.ndarray:
    """``x`` minus its max along ``axis`` (a new array; nan where a slice's max is infinite)."""
    with np.errstate(invalid="ignore"):
        return np.subtract(x, x.max(axis=axis, keepdims=True))


def _compute(x: np.ndarray, axis: int, log: bool) -> np.ndarray:
    if x.size == 0:
        return np.empty_like(x)
    work = x.astype(np.float32) if x.dtype == np.float16 else x  # half computes in float, as torch
    if work.ndim == 0:
        work = work.reshape(1)
    y = _shifted(work, axis)
    if log:
        y -= np.log(np.exp(y).sum(axis=axis, keepdims=True))
    else:
        np.exp(y, out=y)
        y /= y.sum(axis=axis, keepdims=True)
    return y.reshape(x.shape).astype(x.dtype, copy=False)


def softmax(input: Tensor, dim: Optional[int] = None, dtype=None, *, _stacklevel: int = 3) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim`` (computed in ``dtype`` when given).

    ``dim=None`` takes torch's legacy implicit dim and warns, as ``nn.functional.softmax``
    does; ``_stacklevel`` places that warning as in torch (3: this function's caller).
    """
    input, dim = _prepare("softmax", input, dim, dtype, _stacklevel)
    out = wrap(_compute(input._data, dim, log=False))
    if needs_grad(input):
        def vjp(g):
            return (out * (g - (g * out).sum(dim, keepdim=True)),)
        record(out, "SoftmaxBackward0", (input,), vjp, (out,))
    return out


def log_softmax(input: Tensor, dim: Optional[int] = None, dtype=None, *, _stacklevel: int = 3) -> Tensor:
    """``x - log(sum(exp(x)))`` along ``dim``: the log of softmax, without its underflow."""
    input, dim = _prepare("log_softmax", input, dim, dtype, _stacklevel)
    out = wrap(_compute(input._data, dim, log=True))
    if needs_grad(input):
        def vjp(g):
            return (g - out.exp() * g.sum(dim, keepdim=True),)
        record(out, "LogSoftmaxBackward0", (input,), vjp, (out,))
    return out


__all__ = ["softmax", "log_softmax"]
METHODS = tuple(__all__)
