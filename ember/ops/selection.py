"""Index-driven ops: index_select / index_add / index_copy / index_fill, gather / scatter,
masked_fill / masked_select / masked_scatter, take / put, nonzero, and their in-place forms.

Exported through ``indexing`` (the indexing family); each records a backward in ember ops.
"""
from __future__ import annotations

import warnings
from typing import Optional

import numpy as np

from ..tensor import Tensor, _wrap_dim as wrap_dim
from ._record import wrap, needs_grad, record, sum_to, inplace, public_names, _CAPITAL
from .indexing import _take, _put_into_zeros, _cast
from .views import basic_view, _embed


# ---------------------------------------------------------------------------- checks shared by the ops
def _index_arg(index: Tensor, op: str, long_only: bool = False) -> np.ndarray:
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument 'index' must be Tensor, not {type(index).__name__}")
    idx = index._data
    long_only = long_only or op in ("index_copy", "index_fill")
    if idx.dtype == np.int64 or (idx.dtype == np.int32 and not long_only):
        return idx
    raise _index_dtype_error(op, _CAPITAL.get(idx.dtype.name, idx.dtype.name), long_only)


def _index_dtype_error(op: str, got: str, long_only: bool) -> Exception:
    """torch's error, worded differently from op to op, for an index of a dtype the op refuses."""
    if op == "index_fill":
        return IndexError("index_fill_(): Expected dtype int64 for index.")
    if long_only:
        return RuntimeError(f"{op}{'_' if op == 'index_copy' else ''}(): Expected a long tensor for index, "
                            f"but got {got}")
    if op == "index_add":
        return RuntimeError(f"index_add_(): Expected dtype int32/int64 for index but got: {got}")
    if op in ("gather", "scatter", "scatter_add"):
        return RuntimeError(f"{op.split('_')[0]}(): Expected dtype int32/int64 for index")
    return RuntimeError(f"{op}(): Expected dtype int32 or int64 for index")


# how each index_* op reports an index outside [0, size) (index_fill also takes negatives;
# index_select says "index out of range in self" along any dim but 1)
_OUT_OF_RANGE = {
    "index_select": lambda v, d, n: RuntimeError(f"INDICES element is out of DATA bounds, id={v} "
                                                 f"axis_dim={n}"),
    "index_add": lambda v, d, n: RuntimeError(f"index {v} is out of bounds for dimension {d} with "
                                              f"size {n}"),
    "index_copy": lambda v, d, n: IndexError(f"index_copy_(): index {v} is out of bounds for "
                                             f"dimension {d} with size {n}"),
    "index_fill": lambda v, d, n: IndexError(f"index {v} is out of bounds for dimension {d} with "
                                             f"size {n}"),
}


def _same_dtype(x: np.ndarray, src: np.ndarray, message: str) -> None:
    """torch refuses a source of another dtype than the tensor written to (``message`` in its words)."""
    if src.dtype != x.dtype:
        raise RuntimeError(message.format(self=_CAPITAL.get(x.dtype.name, x.dtype.name),
                                          src=_CAPITAL.get(src.dtype.name, src.dtype.name)))


_SCATTER_DTYPE = "scatter(): Expected self.dtype to be equal to src.dtype"


def _vector_index(index: Tensor, x: np.ndarray, d: int, op: str) -> np.ndarray:
    """A 0-d or 1-d int32/int64 index into dim ``d`` of ``x``, as a 1-d array (bounds checked)."""
    idx = _index_arg(index, op)
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector")
    idx = idx.reshape(-1)
    size = x.shape[d] if x.ndim else 1
    low = -size if op == "index_fill" else 0
    if idx.size and (idx.max() >= size or idx.min() < low):
        bad = int(idx[(idx >= size) | (idx < low)][0])
        if op == "index_select" and d != 1:  # torch has a kernel of its own for dim 1
            raise IndexError("index out of range in self")
        raise _OUT_OF_RANGE[op](bad, d, size)
    return idx


def _along(dim: int, idx: np.ndarray) -> tuple:
    """The NumPy key selecting positions ``idx`` along ``dim``."""
    return (slice(None),) * dim + (idx,)


def _value_arg(value, op: str):
    """A fill value: a number, or a 0-d tensor (kept, so its gradient can flow)."""
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(f"{op} only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value._data.ndim} dimension(s).")
    return value


# ---------------------------------------------------------------------------- index_* ops
def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The slices of ``input`` at positions ``index`` along ``dim``."""
    x = input._data
    d = wrap_dim(dim, x.ndim)
    idx = _vector_index(index, x, d, "index_select")
    out = wrap(np.take(x, idx, axis=d) if x.ndim else x.reshape(-1)[idx].reshape(()))
    if needs_grad(input):
        shape = x.shape
        record(out, "IndexSelectBackward0", (input,),
               lambda g: (index_add(wrap(np.zeros(shape, g._data.dtype)), d, index, g),), (index,))
    return out


def _source_fits(x: np.ndarray, d: int, idx: np.ndarray, source: np.ndarray, op: str) -> None:
    n = source.shape[d] if source.ndim else 1
    if n != idx.size:
        tail = ", for dim: " + str(d) if op == "index_add_" else ""
        raise (RuntimeError if op == "index_add_" else IndexError)(
            f"{op}(): Number of indices ({idx.size}) should be equal to source.size(dim)"
            f"{':' if op == 'index_add_' else ''} ({n}){tail}")


def _index_source_args(input: Tensor, dim: int, index: Tensor, source: Tensor, op: str, dtype_message: str):
    """(input's array, the wrapped dim, the index vector) of index_add / index_copy, after torch's checks."""
    x = input._data
    d = wrap_dim(dim, x.ndim)
    idx = _vector_index(index, x, d, op)
    _same_dtype(x, source._data, dtype_message)
    _source_fits(x, d, idx, source._data, op + "_")
    return x, d, idx


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1) -> Tensor:
    """``input`` with ``alpha * source`` slices added at positions ``index`` along ``dim``."""
    x, d, idx = _index_source_args(input, dim, index, source, "index_add",
                                   "index_add_(): self ({self}) and source ({src}) must have the same scalar type")
    out = x.copy()
    src = source._data if alpha == 1 else source._data * alpha
    np.add.at(out, _along(d, idx), src.astype(x.dtype, copy=False))
    result = wrap(out)
    if needs_grad(input, source):
        s_dtype, s_rg = source._data.dtype, source._rg

        def backward(g):
            g_src = index_select(g, d, index) if s_rg else None
            if g_src is not None and alpha != 1:
                g_src = g_src * alpha
            return g, g_src if g_src is None else _cast(g_src, s_dtype)
        record(result, "IndexAddBackward0", (input, source), backward, (index,))
    return result


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """``input`` with its slices at positions ``index`` along ``dim`` replaced by ``source``'s."""
    x, d, idx = _index_source_args(input, dim, index, source, "index_copy",
                                   "index_copy_(): self and source expected to have the same dtype, but got "
                                   "(self) {self} and (source) {src}")
    out = x.copy()
    out[_along(d, idx)] = source._data
    result = wrap(out)
    if needs_grad(input, source):
        s_dtype, s_rg = source._data.dtype, source._rg
        record(result, "IndexCopyBackward0", (input, source),
               lambda g: (index_fill(g, d, index, 0),
                          _cast(index_select(g, d, index), s_dtype) if s_rg else None),
               (index,))
    return result


def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """``input`` with its slices at positions ``index`` along ``dim`` set to ``value``."""
    x = input._data
    d = wrap_dim(dim, x.ndim)
    idx = _vector_index(index, x, d, "index_fill")
    value = _value_arg(value, "index_fill_")
    out = x.copy()
    out[_along(d, idx)] = value._data if isinstance(value, Tensor) else value
    result = wrap(out)
    v_rg = isinstance(value, Tensor) and value._rg
    if needs_grad(input, value if v_rg else None):
        name = "IndexFillBackward1" if isinstance(value, Tensor) else "IndexFillBackward0"
        v_dtype = value._data.dtype if v_rg else None
        record(result, name, (input, value if v_rg else None),
               lambda g: (index_fill(g, d, index, 0),
                          _cast(index_select(g, d, index).sum(), v_dtype) if v_rg else None),
               (index,))
    return result


# ---------------------------------------------------------------------------- gather / scatter
def _scatter_key(x: np.ndarray, dim: int, index: Tensor, op: str, src=None) -> tuple:
    """The NumPy key for ``out[index[i][j][k]][j][k]``-style access along ``dim`` (bounds checked)."""
    idx = _index_arg(index, op)
    if idx.ndim != x.ndim and idx.size:
        raise RuntimeError("Index tensor must have the same number of dimensions as "
                           f"{'input' if op == 'gather' else 'self'} tensor")
    for k, n in enumerate(idx.shape):
        too_big_self = k != dim and n > x.shape[k]
        too_big_src = src is not None and src.ndim and n > src.shape[k]
        if too_big_self or too_big_src:
            if src is None:
                raise RuntimeError(f"Size does not match at dimension {k} expected index "
                                   f"{list(idx.shape)} to be no larger than self {list(x.shape)} apart "
                                   f"from dimension {dim}")
            raise RuntimeError(f"Expected index {list(idx.shape)} to be no larger than self "
                               f"{list(x.shape)} apart from dimension {dim} and to be no larger size "
                               f"than src {list(src.shape)}")
    size = x.shape[dim] if x.ndim else 1
    if idx.size and (idx.max() >= size or idx.min() < 0):
        bad = idx[(idx >= size) | (idx < 0)].flat[0]
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
    if not x.ndim:
        return (idx.reshape(-1),) if idx.ndim else (Ellipsis,)
    key = list(np.indices(idx.shape, sparse=True))
    key[dim] = idx
    return tuple(key)


def _leading(arr: np.ndarray, shape: tuple) -> np.ndarray:
    """The leading ``shape`` block of ``arr`` (a view)."""
    return arr[tuple(slice(0, n) for n in shape)] if arr.ndim else arr


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    """``out[i][j][k] = input[index[i][j][k]][j][k]`` (for ``dim`` = 0), shaped like ``index``."""
    x = input._data
    d = wrap_dim(dim, x.ndim)
    key = _scatter_key(x, d, index, "gather")
    out = wrap(x[key].reshape(index._data.shape))
    if needs_grad(input):
        shape = x.shape
        record(out, "GatherBackward0", (input,),
               lambda g: (scatter_add(wrap(np.zeros(shape, g._data.dtype)), d, index, g),), (index,))
    return out


def _src_grad(g: Tensor, d: int, index: Tensor, src_shape: tuple, src_dtype) -> Tensor:
    """``src``'s gradient in a scatter: ``g`` gathered at ``index``, zero where ``src`` was unused."""
    part = _cast(gather(g, d, index), src_dtype)
    if part._data.shape == src_shape:
        return part
    key = tuple(slice(0, n) for n in part._data.shape)
    return _embed(part, src_shape, lambda z: z[key], lambda gg: basic_view(gg, key, "SliceBackward0"),
                  "SliceBackwardBackward0")


def scatter(input: Tensor, dim: int, index: Tensor, src=None, *, value=None,
            reduce: Optional[str] = None) -> Tensor:
    """``input`` with ``src`` (a tensor or a number) written at ``index`` along ``dim``.

    ``reduce='add'`` / ``'multiply'`` combine instead of overwriting (not differentiable, as in torch).
    """
    if src is None:
        src = value
    x = input._data
    d = wrap_dim(dim, x.ndim)
    is_tensor = isinstance(src, Tensor)
    s = src._data if is_tensor else src
    key = _scatter_key(x, d, index, "scatter", s if is_tensor else None)
    if is_tensor:
        _same_dtype(x, s, _SCATTER_DTYPE)
    if reduce not in (None, "add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    if reduce is not None and is_tensor:
        warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and will be "
                      "removed in a future PyTorch release. Use torch.scatter_reduce instead for more "
                      "reduction options.", UserWarning, stacklevel=2)
    part = _leading(s, index._data.shape).astype(x.dtype, copy=False) if is_tensor else s
    out = x.copy()
    if reduce is None:
        out[key] = part
    else:
        (np.add if reduce == "add" else np.multiply).at(out, key, part)
    result = wrap(out)
    s_rg = is_tensor and src._rg
    if needs_grad(input, src if s_rg else None):
        if reduce is not None:
            def not_implemented(g):
                raise RuntimeError("the derivative for 'scatter' with reduce is not implemented.")
            record(result, "torch::autograd::NotImplemented", (input, src if s_rg else None),
                   not_implemented)
            return result
        s_shape, s_dtype = np.shape(s), (src._data.dtype if s_rg else None)
        record(result, "ScatterBackward0" if is_tensor else "ScatterBackward1",
               (input, src if s_rg else None),
               lambda g: (scatter(g, d, index, 0),
                          _src_grad(g, d, index, s_shape, s_dtype) if s_rg else None), (index,))
    return result


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """``input`` with ``src``'s values added at ``index`` along ``dim`` (repeats accumulate)."""
    x = input._data
    d = wrap_dim(dim, x.ndim)
    key = _scatter_key(x, d, index, "scatter_add", src._data)
    _same_dtype(x, src._data, _SCATTER_DTYPE)
    out = x.copy()
    np.add.at(out, key, _leading(src._data, index._data.shape).astype(x.dtype, copy=False))
    result = wrap(out)
    if needs_grad(input, src):
        s_shape, s_dtype, s_rg = src._data.shape, src._data.dtype, src._rg
        record(result, "ScatterAddBackward0", (input, src),
               lambda g: (g, _src_grad(g, d, index, s_shape, s_dtype) if s_rg else None),
               (index,))
    return result


# ---------------------------------------------------------------------------- masks
def _bool_mask(mask: Tensor, op: str) -> np.ndarray:
    if not isinstance(mask, Tensor):
        raise TypeError(f"{op}(): argument 'mask' must be Tensor, not {type(mask).__name__}")
    if mask._data.dtype != np.bool_:
        raise RuntimeError(f"{op} only supports boolean masks, but got mask with dtype "
                           f"{str(mask.dtype).split('.')[-1]}")
    return mask._data


def _broadcast(a: tuple, b: tuple) -> tuple:
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        for i in range(1, min(len(a), len(b)) + 1):
            if a[-i] != b[-i] and a[-i] != 1 and b[-i] != 1:
                raise RuntimeError(f"The size of tensor a ({a[-i]}) must match the size of tensor b "
                                   f"({b[-i]}) at non-singleton dimension "
                                   f"{max(len(a), len(b)) - i}") from None
        raise


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """``input`` with ``value`` where ``mask`` (broadcast against it) is True."""
    x = input._data
    m = _bool_mask(mask, "masked_fill_")
    _broadcast(m.shape, x.shape)  # torch's words when they do not broadcast
    value = _value_arg(value, "masked_fill_")
    v = value._data if isinstance(value, Tensor) else value
    out = wrap(np.where(m, v, x).astype(x.dtype, copy=False))
    v_rg = isinstance(value, Tensor) and value._rg
    if needs_grad(input, value if v_rg else None):
        shape, v_dtype, x_rg = x.shape, (value._data.dtype if v_rg else None), input._rg

        def backward(g):
            g_self = sum_to(masked_fill(g, mask, 0), shape) if x_rg else None
            g_value = _cast(g.masked_fill(mask.logical_not(), 0).sum(), v_dtype) if v_rg else None
            return g_self, g_value
        record(out, "MaskedFillBackward1" if isinstance(value, Tensor) else "MaskedFillBackward0",
               (input, value if v_rg else None), backward, (mask,))
    return out


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The elements of ``input`` where ``mask`` is True (both broadcast), as a 1-d tensor."""
    m = _bool_mask(mask, "masked_select")
    x = input._data
    full = _broadcast(x.shape, m.shape)
    key = np.nonzero(np.broadcast_to(m, full))
    out = wrap(np.broadcast_to(x, full)[key])
    if needs_grad(input):
        shape = x.shape
        record(out, "MaskedSelectBackward0", (input,),
               lambda g: (sum_to(_put_into_zeros(g, full, key, True), shape),), (mask,))
    return out


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """``input`` with ``source``'s first elements written, in order, where ``mask`` is True."""
    m = _bool_mask(mask, "masked_scatter_")
    x = input._data
    full = _broadcast(x.shape, m.shape)
    key = np.nonzero(np.broadcast_to(m, full))
    count = key[0].size if key else int(m.all())
    src = source._data
    _same_dtype(x, src, "masked_scatter: expected self and source to have same dtypes but got{self} and "
                        "{src}")
    if src.size < count:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    out = np.array(np.broadcast_to(x, full))
    out[key] = src.reshape(-1)[:count]
    result = wrap(out)
    if needs_grad(input, source):
        shape, s_shape, s_size = x.shape, src.shape, src.size
        x_rg, s_rg = input._rg, source._rg

        def backward(g):
            g_self = sum_to(masked_fill(g, mask, 0), shape) if x_rg else None
            g_src = None
            if s_rg:
                taken = _take(g, key, True)
                pad = wrap(np.zeros(s_size - count, g._data.dtype))
                from .shaping import cat
                g_src = cat([taken, pad]).reshape(s_shape) if s_size > count else taken.reshape(s_shape)
            return g_self, g_src
        record(result, "MaskedScatterBackward0", (input, source), backward, (mask,))
    return result


# ---------------------------------------------------------------------------- flat positions
def _flat_index(index: Tensor, numel: int, op: str) -> np.ndarray:
    idx = _index_arg(index, op, True)
    if idx.size and (idx.max() >= numel or idx.min() < -numel):
        bad = idx[(idx >= numel) | (idx < -numel)].flat[0]
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {numel} elements.")
    return idx


def take(input: Tensor, index: Tensor) -> Tensor:
    """``input`` read as 1-d at positions ``index``; shaped like ``index``."""
    x = input._data
    idx = _flat_index(index, x.size, "take")
    out = wrap(x.reshape(-1)[idx])
    if needs_grad(input):
        shape = x.shape
        record(out, "TakeBackward0", (input,),
               lambda g: (put(wrap(np.zeros(shape, g._data.dtype)), index, g, True),), (index,))
    return out


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """``input`` read as 1-d with ``source`` written (or added) at positions ``index``."""
    x = input._data
    idx = _flat_index(index, x.size, "put_")
    if source._data.size != idx.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but "
                         f"got source.numel() = {source._data.size}, index.numel() = {idx.size}")
    out = x.copy().reshape(-1)
    src = source._data.reshape(-1).astype(x.dtype, copy=False)
    if accumulate:
        np.add.at(out, idx.reshape(-1), src)
    else:
        out[idx.reshape(-1)] = src
    result = wrap(out.reshape(x.shape))
    if needs_grad(input, source):
        s_shape, s_dtype, s_rg = source._data.shape, source._data.dtype, source._rg

        def backward(g):
            g_self = g if accumulate else put(g, index, wrap(np.zeros(s_shape, g._data.dtype)))
            g_src = _cast(take(g, index).reshape(s_shape), s_dtype) if s_rg else None
            return g_self, g_src
        record(result, "PutBackward0", (input, source), backward, (index,))
    return result


def nonzero(input: Tensor, *, out=None, as_tuple: bool = False):
    """The indices of the non-zero elements: an (n, ndim) int64 tensor, or one 1-d tensor per dim."""
    x = input._data
    if as_tuple:
        return tuple(wrap(i) for i in np.nonzero(x.reshape(1) if x.ndim == 0 else x))
    result = wrap(np.argwhere(x))
    if out is not None:
        from .shaping import _into
        return _into(out, result)
    return result


def argwhere(input: Tensor) -> Tensor:
    return nonzero(input)


# ---------------------------------------------------------------------------- in-place forms
def _inplace_form(op, name: str, tensor_args: tuple):
    """``op_`` from ``op``: the tensor arguments named in ``tensor_args`` are the graph inputs."""
    def method(self: Tensor, *args, **kwargs) -> Tensor:
        others = [a for a in args if isinstance(a, Tensor)] + \
                 [kwargs[k] for k in tensor_args if isinstance(kwargs.get(k), Tensor)]
        return inplace(self, lambda s: op(s, *args, **kwargs), *others)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place ``{op.__name__}``."
    return method


scatter_ = _inplace_form(scatter, "scatter_", ("src", "value"))
scatter_add_ = _inplace_form(scatter_add, "scatter_add_", ("src",))
index_add_ = _inplace_form(index_add, "index_add_", ("source",))
index_copy_ = _inplace_form(index_copy, "index_copy_", ("source",))
index_fill_ = _inplace_form(index_fill, "index_fill_", ("value",))
masked_fill_ = _inplace_form(masked_fill, "masked_fill_", ("value",))
masked_scatter_ = _inplace_form(masked_scatter, "masked_scatter_", ("source",))
put_ = _inplace_form(put, "put_", ("source",))


__all__ = public_names(globals())
