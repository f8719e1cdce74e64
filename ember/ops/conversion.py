"""Casting between dtypes (``to``), with the gradient cast back to the input's dtype."""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..device import device as _device, check_device
from ..tensor import Tensor
from ._record import wrap, needs_grad, record


def cast(input: Tensor, dtype: dtypes.dtype, copy: bool = False) -> Tensor:
    """``input`` as ``dtype`` (itself when already so and no copy is asked)."""
    x = input._data
    if x.dtype == dtype.np and not copy:
        return input
    out = wrap(x.astype(dtype.np))
    if needs_grad(input) and dtype.is_floating_point:
        src = input.dtype
        record(out, "ToCopyBackward0", (input,), lambda g: (cast(g, src),))
    return out


def to(input: Tensor, *args, dtype=None, device=None, non_blocking: bool = False, copy: bool = False,
       memory_format=None) -> Tensor:
    """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other_tensor)``."""
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, dtypes.dtype):
            dtype = a
        elif isinstance(a, (str, _device, int)):
            device = a
        elif a is not None:
            raise TypeError(f"to() received an invalid combination of arguments - got ({type(a).__name__})")
    check_device(device)
    if dtype is None:
        return input.clone() if copy else input
    return cast(input, dtypes.to_dtype(dtype), copy)


def clone(input: Tensor, *, memory_format=None) -> Tensor:
    out = wrap(np.array(input._data, copy=True, order="C"))
    if needs_grad(input):
        record(out, "CloneBackward0", (input,), lambda g: (g,))
    return out


def contiguous(input: Tensor, memory_format=None) -> Tensor:
    return input if input._data.flags.c_contiguous else clone(input)


def type_as(input: Tensor, other: Tensor) -> Tensor:
    return cast(input, other.dtype)


__all__ = ["clone"]
METHODS = ("clone", "contiguous", "type_as")
