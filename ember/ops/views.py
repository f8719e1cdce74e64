"""Shape ops. Views (reshape of contiguous data, transpose, expand, ...) share the input's array."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from ._record import wrap, needs_grad, record, shape_arg, public_names


def _infer_shape(shape: tuple, numel: int) -> tuple:
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def reshape(input: Tensor, *shape) -> Tensor:
    """The same values in a new shape: a view when the layout allows, else a copy."""
    x = input._data
    new_shape = _infer_shape(shape_arg(shape), x.size)
    arr = x.reshape(new_shape)
    out = wrap(arr, input if np.shares_memory(arr, x) else None)
    if needs_grad(input):
        old = x.shape
        record(out, "ViewBackward0" if out._base is not None else "ReshapeAliasBackward0",
               (input,), lambda g: (g.reshape(old),))
    return out


def expand(input: Tensor, *sizes) -> Tensor:
    """Broadcast size-1 dims to ``sizes`` (-1 keeps a dim) without copying."""
    x = input._data
    sizes = shape_arg(sizes)
    if len(sizes) < x.ndim:
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(x.shape)}}}, size={list(sizes)}): the "
                           f"number of sizes provided ({len(sizes)}) must be greater or equal to the "
                           f"number of dimensions in the tensor ({x.ndim})")
    lead = len(sizes) - x.ndim
    target = tuple(x.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    for i, s in enumerate(x.shape):
        if s != 1 and s != target[i + lead]:
            raise RuntimeError(f"The expanded size of the tensor ({target[i + lead]}) must match the "
                               f"existing size ({s}) at non-singleton dimension {i + lead}.  Target "
                               f"sizes: {list(sizes)}.  Tensor sizes: {list(x.shape)}")
    out = wrap(np.broadcast_to(x, target), input)
    if needs_grad(input):
        from ._record import sum_to
        shape = x.shape
        record(out, "ExpandBackward0", (input,), lambda g: (sum_to(g, shape),))
    return out


def view(input: Tensor, *shape) -> Tensor:
    return reshape(input, *shape)


def rebase_view(view_tensor: Tensor, result: Tensor) -> None:
    raise NotImplementedError("in-place ops on views under autograd")


__all__ = [n for n in public_names(globals()) if n != "rebase_view"]
METHODS = tuple(__all__)
