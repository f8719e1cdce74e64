"""What the creation and sampling ops share: size arguments, dtypes, wrapping, in-place fills."""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from ._record import wrap, needs_grad, record, inplace


def size_arg(name: str, sizes: tuple, size=None) -> tuple:
    """``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])``, ``f(size=(2, 3))``: torch's size argument."""
    if size is not None:
        if sizes:
            raise TypeError(f"{name}() got multiple values for argument 'size'")
        sizes = (size,)
    elif not sizes:
        raise TypeError(f"{name}() missing 1 required positional arguments: \"size\"")
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes, packed = sizes[0], True
    else:
        packed = False
    shape = []
    for pos, s in enumerate(sizes, 1):
        if isinstance(s, Tensor) and s._data.ndim == 0 and s._data.dtype.kind in "iu":
            s = int(s._data)
        elif not isinstance(s, (int, np.integer)):
            if packed:
                raise TypeError(f"{name}(): argument 'size' failed to unpack the object at pos {pos} "
                                f"with error \"type must be tuple of ints,but got {type(s).__name__}\"")
            raise TypeError(f"{name}(): argument 'size' (position {pos}) must be tuple of ints, not "
                            f"{type(s).__name__}")
        shape.append(int(s))
    for s in shape:
        if s < 0:
            if name == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {shape}")
    return tuple(shape)


def format_number(x) -> str:
    """A number as torch's C++ messages print it (``1``, ``0.5``, ``nan``)."""
    return f"{x:g}" if isinstance(x, float) else str(x)


def np_dtype(dtype, default: Optional[dtypes.dtype] = None) -> np.dtype:
    """The NumPy dtype for a ``dtype=`` argument, ``default`` (else the default float) when None."""
    if dtype is None:
        return (default or dtypes.get_default_dtype()).np
    return dtypes.to_dtype(dtype).np


def finish(arr: np.ndarray, requires_grad: bool = False, out: Optional[Tensor] = None) -> Tensor:
    """Wrap a new array as a tensor, or write it into ``out`` (resized when its shape differs)."""
    if out is not None:
        if out._data.shape == arr.shape:
            np.copyto(out._data, arr, casting="unsafe")
        else:
            out._data = arr.astype(out._data.dtype, copy=False)
        out._vbox[0] += 1
        return out
    t = wrap(arr)
    if requires_grad:
        if arr.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t._rg = True
    return t


def overwrite(self: Tensor, values, name: str) -> Tensor:
    """Write ``values`` (broadcast to ``self``, cast to its dtype) into ``self`` in place.

    Under autograd ``self``'s history becomes a ``name`` node whose gradient is zero, as torch
    records fills and random draws; a leaf requiring grad refuses, as for any in-place op.
    """
    arr = np.asarray(values)
    if arr.dtype != self._data.dtype:
        arr = arr.astype(self._data.dtype)

    def result(old: Tensor) -> Tensor:
        out = wrap(arr)
        if needs_grad(old):
            record(out, name, (old,), lambda g: (g.new_zeros(g.shape),))
        return out
    return inplace(self, result)
