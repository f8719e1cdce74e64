"""Creating tensors: from data, filled with a value, ranges, ``eye``; and in-place fills.

Random draws live in ``sampling``; this module re-exports them so that the two form one
op family. The dtype rules are torch's: Python floats give the default dtype, integers
int64; ``*_like`` keeps the input's dtype and memory layout.
"""
from __future__ import annotations

import math
import warnings
from typing import Optional

import numpy as np

from .. import dtypes
from ..device import check_device
from ..tensor import Tensor
from ._data import array_from_data
from ._factory import size_arg, np_dtype, finish, overwrite, format_number
from ._record import wrap, check_tensor, public_names
from . import sampling
from .sampling import *  # noqa: F401,F403
from .sampling import (uniform_, normal_, bernoulli_, exponential_, geometric_,  # noqa: F401
                       log_normal_, cauchy_, random_)


# ---------------------------------------------------------------------------- from data
def tensor(data, *, dtype=None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data``: nested lists or tuples of numbers, arrays, 0-d
    tensors. Without ``dtype``, bools give bool, ints int64, floats the default dtype, and
    NumPy values and tensors keep theirs, all promoted together."""
    check_device(device, factory=False)
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                      "requires_grad_(True), rather than ember.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    arr = array_from_data(data, None if dtype is None else dtypes.to_dtype(dtype))
    return finish(arr, requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """``data`` as a tensor, sharing memory with a Tensor or ndarray already of ``dtype``.

    A Tensor of another dtype is cast (differentiably); anything else is copied as by
    ``tensor``.
    """
    check_device(device)
    target = None if dtype is None else dtypes.to_dtype(dtype)
    if isinstance(data, Tensor):
        return data if target is None else data.to(target)
    if isinstance(data, np.ndarray) and (target is None or data.dtype == target.np):
        return from_numpy(data)
    return wrap(array_from_data(data, target))


def asarray(obj, *, dtype=None, device=None, copy: Optional[bool] = None,
            requires_grad: bool = False) -> Tensor:
    """``obj`` as a tensor: shared when possible (``copy=None``), always copied (``copy=True``),
    or shared or a ValueError (``copy=False``)."""
    check_device(device)
    target = None if dtype is None else dtypes.to_dtype(dtype)
    shareable = isinstance(obj, (Tensor, np.ndarray)) and \
        (target is None or (obj._data if isinstance(obj, Tensor) else obj).dtype == target.np)
    if shareable and not copy:
        out = obj if isinstance(obj, Tensor) else from_numpy(obj)
    elif copy is False:
        raise ValueError("can't alias the given object without copying: its dtype or type differs")
    else:
        out = wrap(array_from_data(obj, target))
    if requires_grad:
        out = (out.detach() if out is obj else out).requires_grad_(True)
    return out


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing ``ndarray``'s memory: writes through either are seen by both."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    dtypes.from_numpy(ndarray.dtype)
    if any(s < 0 for s in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with "
                         "negative strides are not currently supported. (You can probably work "
                         "around this by making a copy of your array  with array.copy().) ")
    return wrap(ndarray)


# ---------------------------------------------------------------------------- filled
def zeros(*sizes, size=None, out=None, dtype=None, layout=None, device=None,
          requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of the given size (default float unless ``dtype`` says otherwise)."""
    check_device(device)
    return finish(np.zeros(size_arg("zeros", sizes, size), np_dtype(dtype)), requires_grad, out)


def ones(*sizes, size=None, out=None, dtype=None, layout=None, device=None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ones of the given size."""
    check_device(device)
    return finish(np.ones(size_arg("ones", sizes, size), np_dtype(dtype)), requires_grad, out)


def empty(*sizes, size=None, out=None, dtype=None, layout=None, device=None,
          requires_grad: bool = False, pin_memory: bool = False, memory_format=None) -> Tensor:
    """An uninitialised tensor of the given size."""
    check_device(device)
    return finish(np.empty(size_arg("empty", sizes, size), np_dtype(dtype)), requires_grad, out)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``; its dtype follows the value's kind
    (bool, int64, or the default float) unless ``dtype`` is given."""
    check_device(device)
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    value = _fill_value(fill_value)
    default = dtypes.scalar_dtype(value)
    return finish(np.full(size_arg("full", (size,)), value, np_dtype(dtype, default)), requires_grad,
                  out)


def _fill_value(value):
    """A fill value as a Python number: a 0-d tensor's item; NumPy scalars as torch reads them
    (integers as int, everything else, np.bool_ included, as float)."""
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value._data.ndim} dimensions.")
        return value._data.item()
    if isinstance(value, np.generic):
        return int(value) if isinstance(value, np.integer) else float(value)
    if not isinstance(value, (bool, int, float)):
        raise TypeError(f"fill_value must be a Number, not {type(value).__name__}")
    return value


def _like(op: str, fill, input: Tensor, dtype, device, requires_grad) -> Tensor:
    """``fill(array, dtype)`` on ``input``'s array: NumPy's ``*_like`` keep its layout, as torch's
    preserve_format does."""
    check_tensor(input, op)
    check_device(device)
    npd = input._data.dtype if dtype is None else dtypes.to_dtype(dtype).np
    return finish(fill(input._data, npd), requires_grad)


def zeros_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
               memory_format=None) -> Tensor:
    return _like("zeros_like", np.zeros_like, input, dtype, device, requires_grad)


def ones_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
              memory_format=None) -> Tensor:
    return _like("ones_like", np.ones_like, input, dtype, device, requires_grad)


def empty_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
               memory_format=None) -> Tensor:
    return _like("empty_like", np.empty_like, input, dtype, device, requires_grad)


def full_like(input: Tensor, fill_value, *, dtype=None, layout=None, device=None,
              requires_grad: bool = False, memory_format=None) -> Tensor:
    value = _fill_value(fill_value)
    return _like("full_like", lambda a, d: np.full_like(a, value, d), input, dtype, device, requires_grad)


# ---------------------------------------------------------------------------- ranges
def _number(name: str, arg: str, pos: int, value):
    """A range bound as a Python number (0-d tensors and NumPy scalars accepted)."""
    if isinstance(value, Tensor) and value._data.size == 1:
        return value._data.item()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (int, float)):
        return value
    raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Number, not "
                    f"{type(value).__name__}")


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad: bool = False) -> Tensor:
    """Values ``start, start + step, ...`` below ``end``: int64 when all three are integers,
    else the default float; ``ceil((end - start) / step)`` of them."""
    check_device(device)
    if end is None:
        start, end = 0, _number("arange", "end", 1, start)
    else:
        start, end = _number("arange", "start", 1, start), _number("arange", "end", 2, end)
    step = _number("arange", "step", 3, step)
    is_float = any(isinstance(v, float) for v in (start, end, step))
    target = np_dtype(dtype, None if is_float else dtypes.int64)
    if target == np.bool_:
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {format_number(start)} -> {format_number(end)}")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if target == np.int64:  # computed in int64 throughout: bounds and step truncated first
        start, end, step = int(start), int(end), int(step)
        if step == 0:
            raise ValueError("step must be nonzero")
        n = abs(end - start + step - (1 if step > 0 else -1)) // abs(step)
        arr = np.arange(n, dtype=np.int64) * step + start
    else:  # the length from the exact bounds; values accumulated in int64, float32 or float64
        n = math.ceil((float(end) - float(start)) / float(step))
        if target.kind in "iu":
            arr = int(start) + int(step) * np.arange(n, dtype=np.int64)
        else:
            acc = np.float32 if target == np.float16 else np.float64
            arr = start + step * np.arange(n, dtype=acc)
        arr = arr.astype(target, copy=False)
    return finish(arr, requires_grad, out)


def range(start, end, step=1, *, out=None, dtype=None, layout=None, device=None,
          requires_grad: bool = False) -> Tensor:
    """Deprecated ``torch.range``: like ``arange`` but including ``end``, default float dtype."""
    warnings.warn("ember.range is deprecated and will be removed in a future release because its "
                  "behavior is inconsistent with Python's range builtin. Instead, use ember.arange, "
                  "which produces values in [start, end).", UserWarning, stacklevel=2)
    check_device(device)
    start, end, step = (_number("range", a, i, v) for i, (a, v) in
                        enumerate((("start", start), ("end", end), ("step", step)), 1))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = int((end - start) // step) + 1
    arr = start + step * np.arange(n, dtype=np.float64)
    return finish(arr.astype(np_dtype(dtype), copy=False), requires_grad, out)


def _spaced(name: str, start, end, steps, dtype) -> tuple:
    """torch's linspace points in their compute type (the output float, or float64 for
    integer outputs), and the output dtype: first half counted up from ``start``, second
    half down from ``end``, so both ends are exact."""
    start, end = _number(name, "start", 1, start), _number(name, "end", 2, end)
    steps = int(_number(name, "steps", 3, steps))
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    target = np_dtype(dtype)
    compute = target if target.kind == "f" else np.dtype(np.float64)
    lo, hi = (compute.type(target.type(v)) for v in (start, end))
    if steps <= 1:
        return np.full(steps, lo, compute), target
    idx = np.arange(steps).astype(compute)
    step = (hi - lo) / compute.type(steps - 1)
    half = steps // 2
    with np.errstate(over="ignore", invalid="ignore"):
        points = np.where(np.arange(steps) < half, lo + step * idx,
                          hi - step * (compute.type(steps - 1) - idx))
    return points, target


def linspace(start, end, steps: int, *, out=None, dtype=None, layout=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive (default float dtype)."""
    check_device(device)
    points, target = _spaced("linspace", start, end, steps, dtype)
    return finish(points.astype(target, copy=False), requires_grad, out)


def logspace(start, end, steps: int, base: float = 10.0, *, out=None, dtype=None, layout=None,
             device=None, requires_grad: bool = False) -> Tensor:
    """``base ** linspace(start, end, steps)``, the power taken in float64."""
    check_device(device)
    points, target = _spaced("logspace", start, end, steps, dtype)
    with np.errstate(over="ignore"):
        values = np.power(float(base), points.astype(np.float64))
    return finish(values.astype(target), requires_grad, out)


def eye(n: int, m: Optional[int] = None, *, out=None, dtype=None, layout=None, device=None,
        requires_grad: bool = False) -> Tensor:
    """The ``n`` x ``m`` (default ``n`` x ``n``) identity matrix."""
    check_device(device)
    m = n if m is None else m
    for name, v in (("n", n), ("m", m)):
        if v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    return finish(np.eye(n, m, dtype=np_dtype(dtype)), requires_grad, out)


def _triangle_indices(np_indices, row: int, col: int, offset: int, dtype) -> Tensor:
    for arg, v in (("row", row), ("col", col)):
        if v < 0:
            raise RuntimeError(f"{arg} must be non-negative, got{v}")
    rows, cols = np_indices(row, offset, col)
    return finish(np.stack((rows, cols)).astype(np_dtype(dtype, dtypes.int64), copy=False))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None) -> Tensor:
    """The (2, N) row and column indices of a ``row`` x ``col`` matrix's lower triangle
    (diagonal ``offset`` and below), in row-major order."""
    check_device(device)
    return _triangle_indices(np.tril_indices, row, col, offset, dtype)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None) -> Tensor:
    """The (2, N) indices of the upper triangle (diagonal ``offset`` and above)."""
    check_device(device)
    return _triangle_indices(np.triu_indices, row, col, offset, dtype)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    """A 0-d tensor holding ``s``, of the default float dtype unless ``dtype`` is given."""
    check_device(device)
    return finish(np.array(_fill_value(s), np_dtype(dtype)), requires_grad)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
                  pin_memory: bool = False) -> Tensor:
    """An uninitialised tensor with the given strides (in elements) over fresh memory."""
    check_device(device)
    shape, strides = size_arg("empty_strided", (size,)), tuple(int(s) for s in stride)
    if len(shape) != len(strides):
        raise RuntimeError(f"dimensionality of sizes ({len(shape)}) must match dimensionality of "
                           f"strides ({len(strides)})")
    npd = np_dtype(dtype)
    extent = 1 + sum((n - 1) * st for n, st in zip(shape, strides)) if all(shape) else 0
    buffer = np.empty(extent, npd)
    arr = np.lib.stride_tricks.as_strided(buffer, shape, tuple(st * npd.itemsize for st in strides))
    return finish(arr, requires_grad)


def frombuffer(buffer, *, dtype, count: int = -1, offset: int = 0,
               requires_grad: bool = False) -> Tensor:
    """A 1-d tensor sharing the memory of an object with the buffer protocol (``bytearray``,
    ``array.array``, ``memoryview``): ``count`` items of ``dtype`` from byte ``offset``."""
    npd = dtypes.to_dtype(dtype).np
    length = memoryview(buffer).nbytes
    if count < 0 and (length - offset) % npd.itemsize:
        raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} bytes) must "
                         f"be a multiple of element size ({npd.itemsize})")
    return finish(np.frombuffer(buffer, npd, count, offset), requires_grad)


# ---------------------------------------------------------------------------- in-place fills
def fill_(self: Tensor, value) -> Tensor:
    """Set every element to ``value`` (a number or 0-d tensor), cast to ``self``'s dtype."""
    return overwrite(self, _fill_value(value), "FillBackward3" if isinstance(value, Tensor)
                     else "FillBackward2")


def zero_(self: Tensor) -> Tensor:
    return overwrite(self, 0, "ZeroBackward0")


# ---------------------------------------------------------------------------- new_* methods
def new_tensor(self: Tensor, data, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A copy of ``data`` with ``self``'s dtype unless ``dtype`` is given."""
    check_device(device)
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                      "requires_grad_(True), rather than tensor.new_tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    arr = array_from_data(data, dtypes.to_dtype(dtype) if dtype is not None else self.dtype)
    return finish(arr, requires_grad)


def new_zeros(self: Tensor, *sizes, size=None, dtype=None, device=None,
              requires_grad: bool = False) -> Tensor:
    return zeros(*sizes, size=size, dtype=dtype or self.dtype, device=device,
                 requires_grad=requires_grad)


def new_ones(self: Tensor, *sizes, size=None, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    return ones(*sizes, size=size, dtype=dtype or self.dtype, device=device,
                requires_grad=requires_grad)


def new_empty(self: Tensor, *sizes, size=None, dtype=None, device=None,
              requires_grad: bool = False) -> Tensor:
    return empty(*sizes, size=size, dtype=dtype or self.dtype, device=device,
                 requires_grad=requires_grad)


def new_full(self: Tensor, size, fill_value, *, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    return full(size, fill_value, dtype=dtype or self.dtype, device=device,
                requires_grad=requires_grad)


_OWN_METHODS = ("fill_", "zero_", "new_tensor", "new_zeros", "new_ones", "new_empty", "new_full")
__all__ = [n for n in public_names(globals()) if n not in _OWN_METHODS] + sampling.__all__
METHODS = _OWN_METHODS + sampling.METHODS
