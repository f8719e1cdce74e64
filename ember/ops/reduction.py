"""Reductions over dims: sum, mean, and the rest of the family (values, indices, keepdim)."""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from ._record import wrap, needs_grad, record, dims_arg, public_names


def _restore(g: Tensor, shape: tuple, dims: tuple, keepdim: bool) -> Tensor:
    """Put reduced dims back as size 1 so ``g`` broadcasts against the input shape."""
    if keepdim or not dims:
        return g
    kept = list(g.shape)
    for d in sorted(dims):
        kept.insert(d, 1)
    return g.reshape(kept)


def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Sum over ``dim`` (all dims by default); bool and integer sums are int64, as in torch."""
    x = input._data
    dims = dims_arg(dim, x.ndim) if not (isinstance(dim, (tuple, list)) and len(dim) == 0) \
        else tuple(range(x.ndim))
    if dtype is not None:
        npd = dtypes.to_dtype(dtype).np
    elif x.dtype.kind in "biu":
        npd = np.int64
    else:
        npd = x.dtype
    out = wrap(np.sum(x, axis=dims, dtype=npd, keepdims=keepdim))
    if needs_grad(input):
        shape = x.shape
        record(out, "SumBackward1" if dim is not None else "SumBackward0", (input,),
               lambda g: (_restore(g, shape, dims, keepdim).expand(shape),))
    return out


__all__ = public_names(globals())
METHODS = tuple(__all__)
