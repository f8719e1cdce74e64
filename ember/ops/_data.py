"""``torch.tensor``'s reading of Python data: nested sequences of numbers, arrays and tensors.

The shape follows the first element of each sequence (a ragged list is torch's ValueError).
Without a ``dtype`` the elements' own dtypes are promoted: bool, int64 for Python ints,
the default float for Python floats, a NumPy scalar's, array's or tensor's own dtype.
With one, Python numbers convert with torch's overflow check.
"""
from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Optional

import numpy as np

from .. import dtypes
from ..tensor import Tensor

_PY_NUMBERS = frozenset((bool, int, float))


def array_from_data(data, dtype: Optional[dtypes.dtype]) -> np.ndarray:
    """A new C-contiguous array of ``data``'s values, of ``dtype`` or the one torch infers."""
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if isinstance(data, np.ndarray):
        natural = dtypes.from_numpy(data.dtype)
        return np.array(data, dtype=(dtype or natural).np, order="C", copy=True)
    if isinstance(data, Tensor):
        return np.array(data._data, dtype=(dtype or data.dtype).np, order="C", copy=True)
    shape, leaves = _flatten(data) if _is_sequence(data) else ((), [data])
    if not leaves:
        return np.zeros(shape, (dtype or dtypes.get_default_dtype()).np)
    kinds = set(map(type, leaves))
    if kinds <= _PY_NUMBERS:
        inferred = (dtypes.get_default_dtype() if float in kinds else
                    dtypes.int64 if int in kinds else dtypes.bool_)
    else:
        inferred = _promote_leaves(leaves, dtype)
        leaves = [x.item() if isinstance(x, Tensor) else x for x in leaves]
    target = dtype or inferred
    values = np.array(leaves)
    if values.dtype == object or values.dtype == np.uint64:
        raise ValueError("Overflow when unpacking long long")
    if target.np.kind in "iu" and values.dtype.kind in "fiu" and values.dtype != target.np:
        _check_fits(values, target)
    if values.dtype.kind == "f" and target.np.kind == "f" and target.itemsize < values.itemsize:
        with np.errstate(over="ignore"):  # floats too large for float16/float32 become inf
            values = values.astype(target.np)
    return values.astype(target.np, copy=False).reshape(shape)


def _is_sequence(x) -> bool:
    kind = type(x)
    if kind is list or kind is tuple:
        return True
    if kind in _PY_NUMBERS:
        return False
    if isinstance(x, np.ndarray):
        return x.ndim > 0
    return isinstance(x, Sequence) and not isinstance(x, (str, bytes, Tensor))


def _flatten(data) -> tuple:
    """The shape of nested sequences and their leaves in row-major order."""
    shape = []
    level = [data]
    while True:
        first = level[0]
        if isinstance(first, str):
            raise ValueError("too many dimensions 'str'")
        if not _is_sequence(first):
            return tuple(shape), level
        n = len(first)
        for item in level:
            if not _is_sequence(item):
                raise TypeError("not a sequence")
            if len(item) != n:
                raise ValueError(f"expected sequence of length {n} at dim {len(shape)} "
                                 f"(got {len(item)})")
        shape.append(n)
        if n == 0:
            return tuple(shape), []
        level = list(itertools.chain.from_iterable(level))


def _leaf_dtype(x, dtype: Optional[dtypes.dtype]) -> dtypes.dtype:
    """torch's infer_scalar_type for one element."""
    if isinstance(x, (np.generic, np.ndarray)):  # before float: np.float64 is a float
        return dtypes.from_numpy(x.dtype)
    if isinstance(x, bool):
        return dtypes.bool_
    if isinstance(x, int):
        return dtypes.int64
    if isinstance(x, float):
        return dtypes.get_default_dtype()
    if isinstance(x, Tensor):
        if x._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return x.dtype
    if isinstance(x, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
    if _is_sequence(x):  # a sequence where its first sibling was a number
        target = dtype or dtypes.int64
        raise TypeError(f"'{type(x).__name__}' object cannot be interpreted as an integer"
                        if not target.is_floating_point else
                        f"must be real number, not {type(x).__name__}")
    raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")


def _promote_leaves(leaves: list, dtype: Optional[dtypes.dtype]) -> dtypes.dtype:
    result = None
    for x in leaves:
        d = _leaf_dtype(x, dtype)
        result = d if result is None else dtypes.promote_types(result, d)
    return result


def _check_fits(values: np.ndarray, target: dtypes.dtype) -> None:
    """torch's checked conversion of numbers to an integer dtype (unsigned ones wrap negatives)."""
    info = np.iinfo(target.np)
    low = info.min if info.min < 0 else -int(info.max)
    bad = (values < low) | (values > info.max)
    if values.dtype.kind == "f":
        bad |= ~np.isfinite(values)
    if bad.any():
        raise RuntimeError(f"value cannot be converted to type {target.name} without overflow")
