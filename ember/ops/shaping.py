"""Shape ops that copy: joining (cat, stack), repeating, flipping, rolling, triangles, diagonals.

Exported through ``views`` (the shape-op family); each records a backward in ember ops.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .. import dtypes
from ..tensor import Tensor, _wrap_dim as wrap_dim
from ._record import wrap, needs_grad, record, shape_arg, dims_arg, public_names
from .views import diagonal as _diagonal, unsqueeze, reshape, _diagonal_arr


def _cast_to(g: Tensor, np_dtype) -> Tensor:
    return g if g._data.dtype == np_dtype else g.to(dtypes._BY_NP[np_dtype])


def _into(out: Tensor, result: Tensor) -> Tensor:
    """Honour ``out=``: ``out`` takes the result's shape and values (cast to its dtype)."""
    if out._data.shape != result._data.shape:
        out._data = np.empty(result._data.shape, out._data.dtype)
    np.copyto(out._data, result._data, casting="unsafe")
    out._vbox[0] += 1
    return out


def _joined_dtype(tensors: list) -> np.dtype:
    """The dtype of a join: torch's promotion of all the tensors' dtypes."""
    first = tensors[0]._data.dtype
    if all(t._data.dtype == first for t in tensors):
        return first
    return dtypes.result_type(*tensors).np


def _join(join, arrays: list, axis: int, tensors: list, out) -> Tensor:
    """``join`` (``np.concatenate`` or ``np.stack``) of ``arrays`` in the tensors' promoted dtype,
    written into ``out`` when given."""
    result = wrap(join(arrays, axis=axis, dtype=_joined_dtype(tensors), casting="unsafe"))
    return result if out is None else _into(out, result)


def _tensor_list(tensors, op: str) -> list:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    return list(tensors)


# ---------------------------------------------------------------------------- joining
def cat(tensors: Sequence[Tensor], dim: int = 0, *, out=None) -> Tensor:
    """Join tensors along an existing dim; the result has their promoted dtype."""
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    # torch's legacy rule: 1-d empty tensors are skipped whatever the others' shapes
    skipped = [t._data.shape == (0,) for t in tensors]
    if all(skipped):
        skipped[0] = False
    used = [t for t, skip in zip(tensors, skipped) if not skip]
    ref = used[0]._data.shape
    d = wrap_dim(dim, len(ref))
    for t in used:
        shape = t._data.shape
        if len(shape) != len(ref):
            raise RuntimeError(f"Tensors must have same number of dimensions: got {len(ref)} and "
                               f"{len(shape)}")
    for i, t in enumerate(tensors):
        shape = t._data.shape
        if skipped[i]:
            continue
        for k, (a, b) in enumerate(zip(ref, shape)):
            if k != d and a != b:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected "
                                   f"size {a} but got size {b} for tensor number {i} in the list.")
    result = _join(np.concatenate, [t._data for t in used], d, tensors, out)
    if out is None and needs_grad(*tensors):
        sizes = [None if skip else t._data.shape[d] for t, skip in zip(tensors, skipped)]
        kinds = [(t._data.shape, t._data.dtype) for t in tensors]

        def backward(g):
            grads, start = [], 0
            for size, (shape, np_dtype) in zip(sizes, kinds):
                if size is None:
                    grads.append(wrap(np.zeros(shape, np_dtype)))
                    continue
                grads.append(_cast_to(g.narrow(d, start, size), np_dtype))
                start += size
            return tuple(grads)
        record(result, "CatBackward0", tensors, backward)
    return result


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0, *, out=None) -> Tensor:
    """Join equally shaped tensors along a new dim ``dim``."""
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    ref = tensors[0]._data.shape
    d = wrap_dim(dim, len(ref) + 1)  # torch checks the dim before the sizes
    for i, t in enumerate(tensors):
        if t._data.shape != ref:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(ref)} at "
                               f"entry 0 and {list(t._data.shape)} at entry {i}")
    result = _join(np.stack, [t._data for t in tensors], d, tensors, out)
    if out is None and needs_grad(*tensors):
        kinds = [t._data.dtype for t in tensors]
        record(result, "StackBackward0", tensors,
               lambda g: tuple(_cast_to(gi, k) for gi, k in zip(g.unbind(d), kinds)))
    return result


def atleast_1d(*tensors):
    """Each tensor viewed with at least one dim (a 0-d tensor becomes shape (1,))."""
    return _atleast(tensors, lambda t: reshape(t, 1) if t._data.ndim == 0 else t)


def atleast_2d(*tensors):
    """Each tensor viewed with at least two dims (new dims in front)."""
    def lift(t):
        n = t._data.ndim
        return reshape(t, 1, 1) if n == 0 else unsqueeze(t, 0) if n == 1 else t
    return _atleast(tensors, lift)


def atleast_3d(*tensors):
    """Each tensor viewed with at least three dims: (1,1,1), (1,N,1), (M,N,1) as in torch."""
    def lift(t):
        n = t._data.ndim
        if n == 0:
            return reshape(t, 1, 1, 1)
        if n == 1:
            return unsqueeze(unsqueeze(t, 0), -1)
        return unsqueeze(t, -1) if n == 2 else t
    return _atleast(tensors, lift)


def _atleast(tensors: tuple, lift):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(lift(t) for t in tensors[0])
    if len(tensors) == 1:
        return lift(tensors[0])
    return tuple(lift(t) for t in tensors)


def hstack(tensors: Sequence[Tensor], *, out=None) -> Tensor:
    """Join along dim 1 (dim 0 for 1-d tensors)."""
    ts = atleast_1d(_tensor_list(tensors, "hstack"))
    return cat(ts, 0 if ts and ts[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors: Sequence[Tensor], *, out=None) -> Tensor:
    """Join along dim 0, 1-d tensors taken as rows."""
    return cat(atleast_2d(_tensor_list(tensors, "vstack")), 0, out=out)


row_stack = vstack


def dstack(tensors: Sequence[Tensor], *, out=None) -> Tensor:
    """Join along dim 2, after lifting each tensor to 3 dims."""
    return cat(atleast_3d(_tensor_list(tensors, "dstack")), 2, out=out)


def column_stack(tensors: Sequence[Tensor], *, out=None) -> Tensor:
    """Join 0-d and 1-d tensors as columns (others along dim 1)."""
    ts = [reshape(t, -1, 1) if t._data.ndim <= 1 else t for t in _tensor_list(tensors, "column_stack")]
    return cat(ts, 1, out=out)


# ---------------------------------------------------------------------------- repeating
def repeat(input: Tensor, *sizes) -> Tensor:
    """Tile the tensor ``sizes[i]`` times along dim i (extra leading sizes add dims)."""
    x = input._data
    reps = shape_arg(sizes)
    if len(reps) < x.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    shape = (1,) * (len(reps) - x.ndim) + x.shape
    target = tuple(r * s for r, s in zip(reps, shape))
    if any(r < 0 for r in reps):
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{next(t for t in target if t < 0)}: {list(target)}")
    result = wrap(np.tile(x.reshape(shape), reps))
    if needs_grad(input):
        old = x.shape
        split_shape = tuple(v for pair in zip(reps, shape) for v in pair)
        rep_dims = tuple(range(0, 2 * len(reps), 2))
        record(result, "RepeatBackward0", (input,),
               lambda g: (g.reshape(split_shape).sum(rep_dims).reshape(old),))
    return result


def tile(input: Tensor, dims) -> Tensor:
    """Like ``repeat``, but fewer ``dims`` than the tensor has are padded with 1s in front."""
    dims = shape_arg((dims,))
    return repeat(input, (1,) * (input._data.ndim - len(dims)) + dims)


# ---------------------------------------------------------------------------- reordering values
def flip(input: Tensor, *dims) -> Tensor:
    """Reverse the order of elements along ``dims`` (a copy, as in torch)."""
    x = input._data
    dims = dims_arg(shape_arg(dims), x.ndim)
    result = wrap(np.ascontiguousarray(np.flip(x, dims)) if dims else x.copy())
    if needs_grad(input):
        record(result, "FlipBackward0", (input,), lambda g: (g.flip(dims),))
    return result


def fliplr(input: Tensor) -> Tensor:
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, 1)


def flipud(input: Tensor) -> Tensor:
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, 0)


def roll(input: Tensor, shifts, dims=None) -> Tensor:
    """Shift elements cyclically along ``dims`` (the flattened tensor when no dims are given)."""
    x = input._data
    shifts = (int(shifts),) if isinstance(shifts, (int, np.integer)) else tuple(int(s) for s in shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        axes = None
    else:
        axes = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
        if not shifts:
            raise RuntimeError("`shifts` required")
        if len(shifts) != len(axes):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:"
                               f"{len(axes)}")
        axes = tuple(wrap_dim(d, x.ndim) for d in axes)
    result = wrap(np.roll(x, shifts[0] if axes is None else shifts, axes))
    if needs_grad(input):
        back = tuple(-s for s in shifts)
        record(result, "RollBackward0", (input,), lambda g: (g.roll(back, axes),))
    return result


# ---------------------------------------------------------------------------- triangles, diagonals
def _triangle(name: str, np_fn):
    def op(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
        if input._data.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        result = wrap(np_fn(input._data, diagonal))
        if out is not None:
            return _into(out, result)
        if needs_grad(input):
            record(result, name.capitalize() + "Backward0", (input,),
                   lambda g: (op(g, diagonal),))
        return result
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"The {'lower' if name == 'tril' else 'upper'} triangle of the last two dims " \
                 "(``diagonal`` shifts the boundary); the rest is zero."
    return op


tril = _triangle("tril", np.tril)
triu = _triangle("triu", np.triu)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Put the last dim of ``input`` on the diagonal of new dims ``dim1``, ``dim2`` (zeros elsewhere)."""
    x = input._data
    ndim = x.ndim + 1
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n = (x.shape[-1] if x.ndim else 1) + abs(offset)
    shape = list(x.shape[:-1])
    for d in sorted((d1, d2)):
        shape.insert(d, n)
    z = np.zeros(shape, x.dtype)
    _diagonal_arr(z, offset, d1, d2)[...] = x
    result = wrap(z)
    if needs_grad(input):
        record(result, "DiagEmbedBackward0", (input,), lambda g: (_diagonal(g, offset, d1, d2),))
    return result


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-d tensor as a diagonal matrix, or a matrix's diagonal as a 1-d tensor (a copy)."""
    n = input._data.ndim
    if n == 1:
        return diag_embed(input, diagonal, 0, 1)
    if n == 2:
        from .conversion import clone
        return clone(_diagonal(input, diagonal))
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {n}D")


__all__ = public_names(globals())
