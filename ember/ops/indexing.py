"""Indexing: ``t[index]``, ``t[index] = value`` and the index-driven ops (gather, scatter, ...).

A torch index is applied in two steps, as torch does: its basic part (ints, slices, None)
gives a view (``views.basic_view``), then its advanced part (integer and bool tensors) is
applied to that view with NumPy's advanced indexing. Keeping the steps apart is what makes
``t[0, :, [1, 2]]`` torch's shape rather than NumPy's.
"""
from __future__ import annotations

import warnings
from typing import Optional

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from ._record import _CAPITAL, wrap, needs_grad, record, sum_to, inplace, to_tensor, public_names
from .views import basic_view

_OVERLAP = ("unsupported operation: more than one element of the written-to tensor refers to a single "
            "memory location. Please clone() the tensor before performing the operation.")


# ---------------------------------------------------------------------------- parsing an index
class _Index:
    """A parsed torch index: ``basic`` (a NumPy basic key) then ``adv`` (an advanced key or None).

    ``name`` is the node name of the basic step (None when it selects everything), ``unique``
    whether the advanced key can hit an element at most once (so scatters need no ``add.at``).
    """

    __slots__ = ("basic", "name", "adv", "unique")

    def __init__(self, basic: tuple, name: Optional[str], adv: Optional[tuple], unique: bool) -> None:
        self.basic, self.name, self.adv, self.unique = basic, name, adv, unique


def _as_tuple(index) -> tuple:
    if type(index) is tuple:
        return index
    # torch's legacy rule: a list holding sequences, tensors, slices, ... is a tuple of indices
    if isinstance(index, list) and len(index) < 32 and any(
            isinstance(i, (list, tuple, Tensor, np.ndarray, slice)) or i is None or i is Ellipsis
            for i in index):
        warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated and will "
                      "be changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 "
                      "this will be interpreted as tensor index, x[torch.tensor(seq)], which will "
                      "result either in an error or a different result", UserWarning, stacklevel=4)
        return tuple(index)
    return (index,)


_PLAIN = (int, slice, type(None), type(Ellipsis))


def _entry(item):
    """One index entry as int, slice, None, Ellipsis, or an int64 / bool ndarray."""
    if type(item) in _PLAIN:
        return item
    if isinstance(item, (bool, np.bool_)):
        return np.array(bool(item))
    if isinstance(item, (int, np.integer)):
        return int(item)
    if isinstance(item, slice):
        return item
    if isinstance(item, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(item).__name__}'")
    if isinstance(item, Tensor):
        arr = item._data
    elif isinstance(item, (list, tuple, np.ndarray)):
        arr = np.asarray(item)
        if arr.size == 0 and arr.dtype.kind == "f":
            arr = arr.astype(np.int64)
    else:
        raise IndexError(f"only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                         f"Variables are valid indices (got {type(item).__name__})")
    kind = arr.dtype.kind
    if kind == "b" or arr.dtype == np.uint8:
        return arr.astype(np.bool_, copy=False)
    if kind not in "iu":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if arr.ndim == 0 and isinstance(item, Tensor):
        return int(arr)
    return arr.astype(np.int64, copy=False)


def _dims_used(e) -> int:
    if e is None or e is Ellipsis:
        return 0
    if isinstance(e, np.ndarray) and e.dtype == np.bool_:
        return e.ndim
    return 1


def _slice(s: slice) -> slice:
    step = 1 if s.step is None else s.step.__index__()
    if step <= 0:
        raise ValueError("step must be greater than zero")
    start = None if s.start is None else s.start.__index__()
    stop = None if s.stop is None else s.stop.__index__()
    return slice(start, stop, step)


def _parse(shape: tuple, index) -> _Index:
    if type(index) is int and shape and -shape[0] <= index < shape[0]:  # the common t[i]
        return _Index((index, Ellipsis), "SelectBackward0", None, False)
    return _parse_slowly(shape, index)


def _parse_slowly(shape: tuple, index) -> _Index:
    entries = [_entry(i) for i in _as_tuple(index)]
    used = 0
    for e in entries:
        used += 1 if type(e) in (int, slice) else _dims_used(e)
    ndim = len(shape)
    if used > ndim:
        if ndim == 0 and any(type(e) is int for e in entries):
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    basic, adv, name = [], [], None
    has_adv = unique = False
    d = 0
    expanded = False
    for e in entries:
        if e is Ellipsis:
            fill = 0 if expanded else ndim - used
            expanded = True
            basic.extend([slice(None)] * fill)
            adv.extend([slice(None)] * fill)
            d += fill
        elif e is None:
            basic.append(None)
            adv.append(slice(None))
            name = "UnsqueezeBackward0"
        elif isinstance(e, int):
            size = shape[d]
            if not -size <= e < size:
                raise IndexError(f"index {e} is out of bounds for dimension {d} with size {size}")
            basic.append(e)
            name = "SelectBackward0"
            d += 1
        elif isinstance(e, slice):
            e = _slice(e)
            basic.append(e)
            adv.append(slice(None))
            if e != slice(None, None, 1):
                name = "SliceBackward0"
            d += 1
        elif e.dtype == np.bool_:
            if e.ndim == 0:  # t[True] is t[None][[0]], t[False] is t[None][[]]
                basic.append(None)
                name = name or "UnsqueezeBackward0"
                adv.append(np.zeros(int(e), np.int64))
                unique = not has_adv
                has_adv = True
                continue
            for j, n in enumerate(e.shape):
                if n != shape[d + j]:
                    raise IndexError(f"The shape of the mask {list(e.shape)} at index {j} does not "
                                     f"match the shape of the indexed tensor {list(shape)} at index "
                                     f"{d + j}")
            basic.extend([slice(None)] * e.ndim)
            adv.extend(np.nonzero(e))
            unique = not has_adv
            has_adv = True
            d += e.ndim
        else:
            size = shape[d]
            if e.size and (e.max() >= size or e.min() < -size):
                bad = e[(e >= size) | (e < -size)].flat[0]
                raise IndexError(f"index {bad} is out of bounds for dimension {d} with size {size}")
            basic.append(slice(None))
            adv.append(e)
            unique = False
            has_adv = True
            d += 1
    if has_adv:
        arrays = [a for a in adv if isinstance(a, np.ndarray)]
        if len(arrays) > 1:
            _check_broadcast(arrays)
        while adv and isinstance(adv[-1], slice):
            adv.pop()
    basic.append(Ellipsis)  # keeps a full selection of a 0-d array a view, not a scalar
    return _Index(tuple(basic), name, tuple(adv) if has_adv else None, unique)


def _check_broadcast(arrays: list) -> None:
    try:
        np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together with "
                         "shapes " + ", ".join(str(list(a.shape)) for a in arrays)) from None


# ---------------------------------------------------------------------------- advanced indexing
def _take(input: Tensor, key: tuple, unique: bool) -> Tensor:
    """``input[key]`` for an advanced NumPy ``key`` (a copy)."""
    x = input._data
    out = wrap(x[key])
    if needs_grad(input):
        shape = x.shape
        record(out, "IndexBackward0", (input,), lambda g: (_put_into_zeros(g, shape, key, unique),))
    return out


def _put_into_zeros(g: Tensor, shape: tuple, key: tuple, unique: bool) -> Tensor:
    """Zeros of ``shape`` with ``g`` added at ``key`` (repeated positions summing): ``_take``'s backward."""
    z = np.zeros(shape, g._data.dtype)
    if unique:
        z[key] = g._data
    else:
        np.add.at(z, key, g._data)
    out = wrap(z)
    if needs_grad(g):
        record(out, "IndexPutBackward0", (g,), lambda gg: (_take(gg, key, unique),))
    return out


def _index_put(input: Tensor, key: tuple, values, accumulate: bool, unique: bool) -> Tensor:
    """``input`` with ``values`` written (or added) at the advanced ``key``."""
    x = input._data
    v = values._data if isinstance(values, Tensor) else values
    _check_values(x, key, v)
    out = x.copy()
    if accumulate and not unique:
        np.add.at(out, key, v)
    elif accumulate:
        out[key] += v
    else:
        out[key] = v
    result = wrap(out)
    v_rg = isinstance(values, Tensor) and values._rg
    if needs_grad(input, values if v_rg else None):
        v_shape = np.shape(v)
        v_dtype = values._data.dtype if v_rg else None

        def backward(g):
            g_self = g if accumulate else _index_put(g, key, 0, False, unique)
            g_values = _cast(sum_to(_take(g, key, unique), v_shape), v_dtype) if v_rg else None
            return g_self, g_values
        record(result, "IndexPutBackward0", (input, values if v_rg else None), backward)
    return result


def _check_values(x: np.ndarray, key: tuple, v) -> None:
    if np.ndim(v):
        target = np.broadcast_to(np.empty((), np.int8), x.shape)[key].shape
        try:
            fits = np.broadcast_shapes(np.shape(v), target) == target
        except ValueError:
            fits = False
        if not fits:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(v))} cannot be "
                               f"broadcast to indexing result of shape {list(target)}")


def _cast(g: Tensor, np_dtype) -> Tensor:
    return g if g._data.dtype == np_dtype else g.to(dtypes._BY_NP[np_dtype])


# ---------------------------------------------------------------------------- t[index], t[index] = v
def getitem(input: Tensor, index) -> Tensor:
    """``input[index]``: a view for basic indices, a copy once tensors index it."""
    ix = _parse(input._data.shape, index)
    out = input
    if ix.name is not None or ix.adv is None:
        out = basic_view(input, ix.basic, ix.name or "AliasBackward0")
    if ix.adv is not None:
        out = _take(out, ix.adv, ix.unique)
    return out


def setitem(input: Tensor, index, value) -> None:
    """``input[index] = value``: written in place, recorded as torch records it (CopySlices, IndexPut)."""
    ix = _parse(input._data.shape, index)
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"can't assign a {type(value).__name__} to a {input.type()}")
    if not isinstance(value, (Tensor, int, float, bool, np.number, np.bool_)):
        value = to_tensor(np.asarray(value, dtype=input._data.dtype))
    if ix.adv is not None:
        _check_put_dtype(input, ix, value, False)
    if isinstance(value, Tensor) and value._data.ndim and value._data.shape[0] == 1:
        value = _drop_leading_ones(value)
    if not needs_grad(input, value):
        target = input._data[ix.basic]
        if not target.flags.writeable:
            raise RuntimeError(_OVERLAP)
        v = value._data if isinstance(value, Tensor) else value
        if ix.adv is None:
            np.copyto(target, _fit(v, target.shape), casting="unsafe")
        else:
            _check_values(target, ix.adv, v)
            target[ix.adv] = v
        input._vbox[0] += 1
        return
    others = (value,) if isinstance(value, Tensor) else ()
    if ix.adv is None:
        target = basic_view(input, ix.basic, ix.name or "AliasBackward0")
        inplace(target, lambda old: _copy_value(old, value), *others)
    else:
        target = basic_view(input, ix.basic, ix.name) if ix.name is not None else input
        inplace(target, lambda old: _index_put(old, ix.adv, value, False, ix.unique), *others)


def _check_put_dtype(input: Tensor, ix: _Index, value, accumulate: bool) -> None:
    """torch writes at tensor indices only a value of the tensor's dtype, unless the write is a
    masked fill: one bool mask (so ``ix.unique``), a one-element value, no accumulation."""
    if not isinstance(value, Tensor) or value._data.dtype == input._data.dtype:
        return
    if ix.unique and value._data.size == 1 and not accumulate:
        return
    raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                       f"{_CAPITAL[input._data.dtype.name]} for the destination and "
                       f"{_CAPITAL[value._data.dtype.name]} for the source.")


def _drop_leading_ones(value: Tensor) -> Tensor:
    """``value`` without its leading size-1 dims, which torch's ``t[index] = value`` ignores."""
    shape = value._data.shape
    k = next((i for i, n in enumerate(shape) if n != 1), len(shape))
    return value.reshape(shape[k:])


def _fit(v, shape: tuple):
    """``v`` (an array or number) shaped to broadcast to ``shape``, leading 1s dropped as torch does."""
    if not isinstance(v, np.ndarray) or v.shape == shape:
        return v
    lead = v.ndim - len(shape)
    if lead > 0 and all(n == 1 for n in v.shape[:lead]):
        v = v.reshape(v.shape[lead:])
    if np.ndim(v) > len(shape) or any(a != b and a != 1 for a, b in zip(v.shape[::-1], shape[::-1])):
        target = list(shape)
        if v.ndim > len(shape):
            raise RuntimeError(f"expand({wrap(v).type()}{{{list(v.shape)}}}, size={target}): the "
                               f"number of sizes provided ({len(shape)}) must be greater or equal to "
                               f"the number of dimensions in the tensor ({v.ndim})")
        i = next(i for i, (a, b) in enumerate(zip(v.shape[::-1], shape[::-1])) if a != b and a != 1)
        raise RuntimeError(f"The expanded size of the tensor ({shape[-1 - i]}) must match the existing "
                           f"size ({v.shape[-1 - i]}) at non-singleton dimension {len(shape) - 1 - i}."
                           f"  Target sizes: {target}.  Tensor sizes: {list(v.shape)}")
    return v


def _copy_value(old: Tensor, value) -> Tensor:
    """The new contents of a basic-indexed region: ``value`` cast and broadcast to ``old``."""
    if not isinstance(value, Tensor):
        return wrap(np.full(old._data.shape, value, old._data.dtype))
    fitted = _fit(value._data, old._data.shape)
    return _cast(value if fitted is value._data else value.reshape(fitted.shape), old._data.dtype)


def index_put(input: Tensor, indices: tuple, values, accumulate: bool = False) -> Tensor:
    """``input`` with ``values`` written (or, with ``accumulate``, added) at ``input[indices]``."""
    ix = _parse(input._data.shape, tuple(indices))
    if ix.adv is not None:
        _check_put_dtype(input, ix, values, accumulate)
    if ix.adv is None:  # no tensor in ``indices``: all None
        return _copy_value(input, values) if isinstance(values, Tensor) else \
            wrap(np.full(input._data.shape, values, input._data.dtype))
    return _index_put(input, ix.adv, values, accumulate, ix.unique)


def index_put_(input: Tensor, indices: tuple, values, accumulate: bool = False) -> Tensor:
    others = (values,) if isinstance(values, Tensor) else ()
    return inplace(input, lambda s: index_put(s, indices, values, accumulate), *others)


from . import selection  # noqa: E402  (it builds on the indexing primitives above)
from .selection import *  # noqa: E402,F401,F403

_METHODS_ONLY = {"scatter_", "scatter_add_", "index_add_", "index_copy_", "index_fill_",
                 "masked_fill_", "masked_scatter_", "put_", "put", "index_put_"}
_PUBLIC = [n for n in public_names(globals()) if n not in ("getitem", "setitem")] + selection.__all__
__all__ = [n for n in _PUBLIC if n not in _METHODS_ONLY] + ["index_put_"]
METHODS = tuple(_PUBLIC)
