"""Casting between dtypes (``to``) and copying (``clone``), both differentiable."""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..device import device as _device, check_device
from ..tensor import Tensor
from ._record import wrap, needs_grad, record, check_tensor


def cast(input: Tensor, dtype: dtypes.dtype, copy: bool = False) -> Tensor:
    """``input`` as ``dtype`` (``input`` itself when already so and no copy is asked).

    A floating result stays on the graph (``ToCopyBackward0``), its gradient cast back to
    the input's dtype; an integer or bool result has no gradient.
    """
    x = input._data
    if x.dtype == dtype.np and not copy:
        return input
    out = wrap(x.astype(dtype.np, order="K"))
    if dtype.is_floating_point and needs_grad(input):
        src = input.dtype
        record(out, "ToCopyBackward0", (input,), lambda g: (cast(g, src),))
    return out


def _invalid(args, kwargs) -> TypeError:
    got = ", ".join([type(a).__name__ for a in args]
                    + [f"{k}={type(v).__name__}" for k, v in kwargs.items()])
    return TypeError(f"to() received an invalid combination of arguments - got ({got}), but expected "
                     "one of: (device, dtype, non_blocking, copy), (dtype, non_blocking, copy), "
                     "(tensor, non_blocking, copy)")


def _is_device(value) -> bool:
    return isinstance(value, (str, _device)) or isinstance(value, int) and not isinstance(value, bool)


def _is_dtype(value) -> bool:
    return isinstance(value, dtypes.dtype) or any(value is t for t in (float, int, bool))


def to(input: Tensor, *args, **kwargs) -> Tensor:
    """``to(dtype)``, ``to(device[, dtype])``, ``to(other)``, each followed by optional
    ``non_blocking`` and ``copy``; ``dtype=``/``device=`` keywords."""
    rest = list(args)
    dtype, device = kwargs.pop("dtype", None), kwargs.pop("device", None)
    if rest and isinstance(rest[0], Tensor):
        other = rest.pop(0)
        dtype, device = other.dtype, other.device
    elif rest and _is_device(rest[0]):
        device = rest.pop(0)
        if rest and _is_dtype(rest[0]):
            dtype = rest.pop(0)
    elif rest and (rest[0] is None or _is_dtype(rest[0])):
        dtype = rest.pop(0)
    flags = dict(zip(("non_blocking", "copy"), rest))
    if len(rest) > 2 or not all(isinstance(f, bool) for f in flags.values()) or \
            set(flags) & set(kwargs):
        raise _invalid(args, kwargs)
    flags.update(kwargs)
    copy = flags.pop("copy", False)
    flags.pop("non_blocking", None)
    flags.pop("memory_format", None)
    if flags:
        raise _invalid(args, kwargs)
    if isinstance(device, int):
        raise RuntimeError("Cannot access accelerator device when none is available.")
    check_device(device, factory=False)
    target = input.dtype if dtype is None else dtypes.to_dtype(dtype)
    return cast(input, target, copy)


def clone(input: Tensor, *, memory_format=None) -> Tensor:
    """A copy with its own memory, in the same layout (torch's ``preserve_format``)."""
    out = wrap(np.array(input._data, copy=True, order="K"))
    if needs_grad(input):
        record(out, "CloneBackward0", (input,), lambda g: (g,))
    return out


def contiguous(input: Tensor, memory_format=None) -> Tensor:
    """``input`` itself when C-contiguous, else a C-contiguous copy (``CloneBackward0``)."""
    if input._data.flags.c_contiguous:
        return input
    out = wrap(np.ascontiguousarray(input._data))
    if needs_grad(input):
        record(out, "CloneBackward0", (input,), lambda g: (g,))
    return out


def type_as(input: Tensor, other: Tensor) -> Tensor:
    return cast(input, check_tensor(other, "type_as", "other").dtype)


def copy_(self: Tensor, src, non_blocking: bool = False) -> Tensor:
    """Overwrite ``self`` with ``src`` (broadcast and cast to ``self``'s shape and dtype).

    The gradient flows to ``src`` (summed back to its shape); ``self``'s old values get zeros.
    """
    from ._record import inplace, to_tensor, sum_to
    src = to_tensor(src, self)
    shape = self._data.shape
    try:
        full = np.broadcast_shapes(src._data.shape, shape)
    except ValueError:
        full = None
    if full != shape:
        raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape "
                           f"{list(full) if full else list(src._data.shape)}")

    def copied(old: Tensor) -> Tensor:
        out = wrap(np.broadcast_to(src._data.astype(self._data.dtype, copy=False), shape))
        if needs_grad(old, src):
            src_shape, src_dtype = src._data.shape, src.dtype
            record(out, "CopyBackwards", (old, src),
                   lambda g: (g * 0, cast(sum_to(g, src_shape), src_dtype)))
        return out
    return inplace(self, copied, src)


__all__ = ["clone"]
METHODS = ("clone", "contiguous", "type_as", "copy_")
