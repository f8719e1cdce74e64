"""Shape ops whose result is a view: it shares the input's array and version counter.

Each view op wraps a NumPy view of the input's array (``wrap(arr, input)``) and records a
backward that puts the gradient back into the input's shape. ``rebase_view`` gives a view
and its base the history torch gives them after an in-place op on the view (CopySlices).
The view ops that copy (cat, repeat, flip, ...) live in ``shaping``.
"""
from __future__ import annotations

import math
import warnings
import weakref
from typing import Callable, Optional, Sequence

import numpy as np

from .. import dtypes
from ..autograd.graph import Node, gradient_edge
from ..tensor import Tensor, Size, _wrap_dim as wrap_dim
from ._memory import strided, positions, extent
from ._record import wrap, needs_grad, record, shape_arg, dims_arg, sum_to, public_names


# ---------------------------------------------------------------------------- recording helpers
def _view(input: Tensor, arr: np.ndarray, name: str, backward: Callable) -> Tensor:
    """Wrap ``arr`` (a view of ``input``'s array); ``backward(g)`` is the input's gradient."""
    out = wrap(arr, input)
    if needs_grad(input):
        record(out, name, (input,), lambda g: (backward(g),))
        _register(out)
    return out


def _views(input: Tensor, arrays: Sequence[np.ndarray], name: str, backward: Callable) -> tuple:
    """Several views of ``input`` made by one node; ``backward(grads)`` gets one gradient per view."""
    outs = tuple(wrap(a, input) for a in arrays)
    if needs_grad(input):
        meta = tuple((a.shape, dtypes._BY_NP[a.dtype]) for a in arrays)
        node = Node(name, lambda *grads: (backward(grads),), (gradient_edge(input),), (), meta)
        for i, out in enumerate(outs):
            out._rg, out.grad_fn, out._output_nr = True, node, i
            _register(out)
    return outs


def _register(view: Tensor) -> None:
    """Remember a graphed view on its base, so an in-place change of the base can update its history."""
    views = view._base._extras().setdefault("views", {})
    key = id(view)
    views[key] = weakref.ref(view, lambda _: views.pop(key, None))


def _embed(g: Tensor, shape: tuple, select: Callable, view_op: Callable, name: str) -> Tensor:
    """Zeros of ``shape`` with ``g`` written into the view ``select(zeros)``: a view op's backward.

    Its own backward is ``view_op(grad)``, the view op itself, so gradients of any order work.
    """
    z = np.zeros(shape, g._data.dtype)
    select(z)[...] = g._data
    out = wrap(z)
    if needs_grad(g):
        record(out, name, (g,), lambda gg: (view_op(gg),))
    return out


def basic_view(input: Tensor, key: tuple, name: str) -> Tensor:
    """``input[key]`` for a NumPy basic-indexing ``key`` (ints, slices, None): a view."""
    if not key or key[-1] is not Ellipsis:
        key += (Ellipsis,)  # so selecting every dim gives a 0-d view, not a NumPy scalar
    shape = input._data.shape
    return _view(input, input._data[key], name,
                 lambda g: _embed(g, shape, lambda z: z[key], lambda gg: basic_view(gg, key, name),
                                  name.replace("Backward", "BackwardBackward")))


# ---------------------------------------------------------------------------- reshaping
def _infer_shape(shape: tuple, numel: int) -> tuple:
    """``shape`` with its -1 (if any) filled in; torch's errors when it can't hold ``numel``."""
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0:
            if numel == 0:
                raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {list(shape)} "
                                   "because the unspecified dimension size -1 can be any value and "
                                   "is ambiguous")
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        if numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        return tuple(numel // known if s == -1 else s for s in shape)
    if known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _shape(args: tuple, numel: int) -> tuple:
    """A ``*shape`` argument as a complete shape (the common all-int case parsed quickly)."""
    if len(args) == 1 and type(args[0]) in (tuple, list, Size):
        args = args[0]
    for s in args:
        if type(s) is not int:
            return _infer_shape(shape_arg((args,)), numel)
    return _infer_shape(tuple(args), numel)


def _reshape(input: Tensor, shape: tuple, copy_ok: bool) -> Tensor:
    x = input._data
    old = x.shape
    arr = x.reshape(shape)
    if arr.base is not x and arr.base is not (x if x.base is None else x.base):  # NumPy copied
        if not copy_ok:
            raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                               "least one dimension spans across two contiguous subspaces). Use "
                               ".reshape(...) instead.")
        out = wrap(arr)
        if needs_grad(input):
            record(out, "UnsafeViewBackward0", (input,), lambda g: (g.reshape(old),))
        return out
    return _view(input, arr, "ViewBackward0", lambda g: g.reshape(old))


def reshape(input: Tensor, *shape) -> Tensor:
    """The same values in a new shape: a view when the layout allows, else a copy."""
    return _reshape(input, _shape(shape, input._data.size), True)


def view(input: Tensor, *shape) -> Tensor:
    """The same memory seen with a new shape (or, given a dtype, reinterpreted as that dtype)."""
    if len(shape) == 1 and isinstance(shape[0], (dtypes.dtype, str)):
        return _view_dtype(input, dtypes.to_dtype(shape[0]))
    return _reshape(input, _shape(shape, input._data.size), False)


def _view_dtype(input: Tensor, dtype: dtypes.dtype) -> Tensor:
    """The same bytes read as ``dtype`` (the last dim rescales when the item sizes differ)."""
    x = input._data
    if x.dtype == dtype.np:
        return _view(input, x.view(), "ViewBackward0", lambda g: g)
    new_item = np.dtype(dtype.np).itemsize
    if new_item != x.itemsize:
        if x.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 to view {input.dtype} as {dtype} (different "
                               "element sizes)")
        if x.strides[-1] != x.itemsize:
            raise RuntimeError(f"self.stride(-1) must be 1 to view {input.dtype} as {dtype} "
                               f"(different element sizes), but got {x.strides[-1] // x.itemsize}")
        if (x.shape[-1] * x.itemsize) % new_item:
            raise RuntimeError(f"self.size(-1) must be divisible by {new_item // x.itemsize} to view "
                               f"{input.dtype} as {dtype} (different element sizes), but got "
                               f"{x.shape[-1]}")
    return wrap(x.view(dtype.np), input)


def view_as(input: Tensor, other: Tensor) -> Tensor:
    return view(input, other.shape)


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    return reshape(input, other.shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim`` into one (a view when the layout allows)."""
    x = input._data
    if x.ndim == 0:
        return reshape(input, 1)
    start, end = wrap_dim(start_dim, x.ndim), wrap_dim(end_dim, x.ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    merged = math.prod(x.shape[start:end + 1])
    return reshape(input, x.shape[:start] + (merged,) + x.shape[end + 1:])


def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    """Split dim ``dim`` into ``sizes`` (one of which may be -1)."""
    x = input._data
    d = wrap_dim(dim, x.ndim)
    sizes = shape_arg((sizes,))
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    if sizes.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = math.prod(s for s in sizes if s != -1)
    fits = x.shape[d] % known == 0 if -1 in sizes and known else known == x.shape[d]
    if not fits:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of "
                           f"dim {dim} ({x.shape[d]}) in the input tensor")
    sizes = tuple(x.shape[d] // known if s == -1 else s for s in sizes)
    return reshape(input, x.shape[:d] + sizes + x.shape[d + 1:])


def squeeze(input: Tensor, dim=None) -> Tensor:
    """Drop size-1 dims: all of them, or those of ``dim`` (an int or a tuple) that have size 1."""
    x = input._data
    if dim is None:
        name, dims = "SqueezeBackward0", tuple(i for i, s in enumerate(x.shape) if s == 1)
    else:
        name = "SqueezeBackward1" if isinstance(dim, (int, np.integer)) else "SqueezeBackward2"
        dims = tuple(d for d in dims_arg(dim, x.ndim) if x.ndim and x.shape[d] == 1)
    old = x.shape
    return _view(input, x.squeeze(dims) if dims else x.view(), name, lambda g: g.reshape(old))


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a size-1 dim at ``dim``."""
    d = wrap_dim(dim, input._data.ndim + 1)
    return _view(input, input._data[(slice(None),) * d + (None,)], "UnsqueezeBackward0",
                 lambda g: g.squeeze(d))


def expand(input: Tensor, *sizes) -> Tensor:
    """Broadcast size-1 dims to ``sizes`` (-1 keeps a dim) without copying."""
    x = input._data
    if len(sizes) == 1 and type(sizes[0]) in (tuple, list, Size):
        sizes = sizes[0]
    sizes = tuple(sizes) if all(type(s) is int for s in sizes) else shape_arg((sizes,))
    if len(sizes) < x.ndim:
        raise RuntimeError(f"expand({input.type()}{{{list(x.shape)}}}, size={list(sizes)}): the "
                           f"number of sizes provided ({len(sizes)}) must be greater or equal to the "
                           f"number of dimensions in the tensor ({x.ndim})")
    lead = len(sizes) - x.ndim
    for i, s in enumerate(sizes[:lead]):
        if s < 0:
            raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                               f"non-existing dimension {i}")
    target = sizes[:lead] + tuple(old if s == -1 else s for s, old in zip(sizes[lead:], x.shape))
    for i, s in enumerate(x.shape):
        if s != target[i + lead] and (s != 1 or target[i + lead] < 0):
            raise RuntimeError(f"The expanded size of the tensor ({target[i + lead]}) must match the "
                               f"existing size ({s}) at non-singleton dimension {i + lead}.  Target "
                               f"sizes: {list(sizes)}.  Tensor sizes: {list(x.shape)}")
    # a real broadcast is read-only, so writing to it fails as torch's overlap check does
    if target == x.shape:
        arr = x.view()
    elif x.flags.c_contiguous or x.flags.f_contiguous:
        steps = (0,) * lead + tuple(0 if n == 1 else s // x.itemsize for n, s in zip(x.shape, x.strides))
        arr = strided(x, target, steps)
        arr.flags.writeable = False
    else:
        arr = np.broadcast_to(x, target)
    shape = x.shape
    return _view(input, arr, "ExpandBackward0", lambda g: sum_to(g, shape))


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    return expand(input, other.shape)


# ---------------------------------------------------------------------------- reordering dims
def t(input: Tensor) -> Tensor:
    """Transpose a matrix (0-d and 1-d tensors are returned as they are)."""
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input._data.ndim}D")
    return _view(input, input._data.T, "TBackward0", lambda g: g.t())


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap dims ``dim0`` and ``dim1``."""
    x = input._data
    d0, d1 = wrap_dim(dim0, x.ndim), wrap_dim(dim1, x.ndim)
    arr = np.swapaxes(x, d0, d1) if x.ndim else x.view()
    return _view(input, arr, "TransposeBackward0", lambda g: g.transpose(d0, d1))


swapaxes = swapdims = transpose


def permute(input: Tensor, *dims) -> Tensor:
    """Reorder the dims: output dim i is input dim ``dims[i]``."""
    x = input._data
    if len(dims) == 1 and type(dims[0]) in (tuple, list):
        dims = dims[0]
    if any(type(d) is not int for d in dims):
        dims = shape_arg((dims,))
    if len(dims) != x.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not "
                           f"match the length of the desired ordering of dimensions i.e. input.dim() "
                           f"= {x.ndim} is not equal to len(dims) = {len(dims)}")
    dims = tuple(wrap_dim(d, x.ndim) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    inverse = [0] * len(dims)
    for i, d in enumerate(dims):
        inverse[d] = i
    inverse = tuple(inverse)
    return _view(input, x.transpose(dims), "PermuteBackward0", lambda g: g.permute(inverse))


def movedim(input: Tensor, source, destination) -> Tensor:
    """Move dims ``source`` to positions ``destination``; the others keep their order."""
    ndim = input._data.ndim
    if isinstance(source, (int, np.integer)) != isinstance(destination, (int, np.integer)):
        raise TypeError(f"movedim() received an invalid combination of arguments - got "
                        f"({type(source).__name__}, {type(destination).__name__}), but expected one "
                        "of:\n * (int source, int destination)\n * (tuple of ints source, tuple of "
                        "ints destination)")
    src = (source,) if isinstance(source, (int, np.integer)) else tuple(source)
    dst = (destination,) if isinstance(destination, (int, np.integer)) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) "
                           f"should contain the same number of dims as destination ({list(dst)} dims)")
    src = tuple(wrap_dim(d, ndim) for d in src)
    dst = tuple(wrap_dim(d, ndim) for d in dst)
    for what, dims in (("source", src), ("destination", dst)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{what}` ({list(dims)})")
    order = [None] * ndim
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(ndim) if d not in src)
    return permute(input, tuple(o if o is not None else next(rest) for o in order))


moveaxis = movedim


def adjoint(input: Tensor) -> Tensor:
    return _matrix_transpose(input)


def _matrix_transpose(input: Tensor) -> Tensor:
    if input._data.ndim == 0:
        warnings.warn("Tensor.mT is deprecated on 0-D tensors. This function is the identity in these "
                      "cases.", UserWarning, stacklevel=2)
        return input
    if input._data.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got "
                           f"{input._data.ndim}-D tensor.")
    return transpose(input, -2, -1)


def _reversed_dims(input: Tensor) -> Tensor:
    return permute(input, tuple(range(input._data.ndim - 1, -1, -1)))


T = property(_reversed_dims, doc="The tensor with its dims reversed.")
mT = property(_matrix_transpose, doc="The last two dims swapped.")
H = T
mH = mT


# ---------------------------------------------------------------------------- selecting parts
def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The slice at ``index`` along ``dim``, that dim removed."""
    x = input._data
    d = wrap_dim(dim, x.ndim)
    index = int(index)
    if not -x.shape[d] <= index < x.shape[d]:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(x.shape)} at "
                         f"dimension {dim}")
    return basic_view(input, (slice(None),) * d + (index,), "SelectBackward0")


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """Elements ``start .. start+length`` along ``dim``."""
    x = input._data
    d = wrap_dim(dim, x.ndim)
    size, start, length = x.shape[d], int(start), int(length)
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got "
                         f"{start})")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    start = start + size if start < 0 else start
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return basic_view(input, (slice(None),) * d + (slice(start, start + length),), "SliceBackward0")


def _split_at(input: Tensor, sizes: Sequence[int], d: int, name: str) -> tuple:
    x = input._data
    lead = (slice(None),) * d
    arrays, start = [], 0
    for size in sizes:
        arrays.append(x[lead + (slice(start, start + size),)])
        start += size
    from .shaping import cat
    return _views(input, arrays, name, lambda grads: cat(grads, d))


def split(input: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the given sizes."""
    x = input._data
    d = wrap_dim(dim, x.ndim)
    size = x.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        step = int(split_size_or_sections)
        if step < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={step}")
        if step == 0 and size:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension "
                               f"size of {size}")
        sizes = [min(step, size - i) for i in range(0, size, step)] if size else [0]
        return _split_at(input, sizes, d, "SplitBackward0")
    sizes = list(shape_arg((split_size_or_sections,)))
    if sum(sizes) != size or any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input "
                           f"tensor's size at dimension {d}), but got split_sizes={sizes}")
    return _split_at(input, sizes, d, "SplitWithSizesBackward0")


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """Split into ``chunks`` pieces of equal size (the last may be smaller; there may be fewer)."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if not size:
        return _split_at(input, [0] * chunks, d, "SplitBackward0")
    return split(input, -(-size // chunks), d)


def unbind(input: Tensor, dim: int = 0) -> tuple:
    """The slices along ``dim``, each without that dim."""
    x = input._data
    d = wrap_dim(dim, x.ndim)
    lead = (slice(None),) * d
    from .shaping import stack
    return _views(input, [x[lead + (i,)] for i in range(x.shape[d])], "UnbindBackward0",
                  lambda grads: stack(grads, d))


def _diagonal_arr(x: np.ndarray, offset: int, d1: int, d2: int) -> np.ndarray:
    """A writeable view of the diagonal of dims ``d1``, ``d2``, appended as the last dim."""
    start = [0] * x.ndim
    start[d1], start[d2] = max(-offset, 0), max(offset, 0)
    length = max(min(x.shape[d1] - start[d1], x.shape[d2] - start[d2]), 0)
    item = x.itemsize
    strides = [s // item for s in x.strides]
    rest = [i for i in range(x.ndim) if i not in (d1, d2)]
    offset_elems = sum(b * s for b, s in zip(start, strides)) if length else 0
    return strided(x, [x.shape[i] for i in rest] + [length],
                   [strides[i] for i in rest] + [strides[d1] + strides[d2]], offset_elems)


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of dims ``dim1``, ``dim2`` (above it for ``offset`` > 0) as the last dim: a view."""
    x = input._data
    d1, d2 = wrap_dim(dim1, x.ndim), wrap_dim(dim2, x.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    shape = x.shape

    def backward(g):
        return _embed(g, shape, lambda z: _diagonal_arr(z, offset, d1, d2),
                      lambda gg: diagonal(gg, offset, d1, d2), "DiagonalBackwardBackward0")
    return _view(input, _diagonal_arr(x, offset, d1, d2), "DiagonalBackward0", backward)


def as_strided(input: Tensor, size, stride, storage_offset: Optional[int] = None) -> Tensor:
    """A view of ``input``'s storage with the given sizes, strides (in elements) and offset."""
    x = input._data
    root = input._base._data if input._base is not None else x
    size, stride = shape_arg((size,)), shape_arg((stride,))
    offset = input.storage_offset() if storage_offset is None else int(storage_offset)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    storage = extent(root, 0)[1] + 1 if root.size else 0
    needed = offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1 if 0 not in size else 0
    if needed > storage:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
                           f"{offset}, and itemsize {x.itemsize} requiring a storage size of "
                           f"{needed * x.itemsize} are out of bounds for storage of size "
                           f"{storage * x.itemsize}")
    arr = strided(root, size, stride, offset)
    return _view(input, arr, "AsStridedBackward0", _gather_back(positions(arr, x), x.shape))


def _gather_back(idx: np.ndarray, shape: tuple) -> Callable:
    """The backward of a view whose elements sit at flat input positions ``idx`` (-1: none):
    each gradient element is added into the input position it came from."""
    from .indexing import index_add
    numel = math.prod(shape)
    valid = (idx >= 0).reshape(-1)
    where = wrap(idx.reshape(-1)[valid])
    every = bool(valid.all())
    mask = wrap(valid)

    def backward(g):
        flat = g.reshape(-1)
        if not every:
            flat = flat[mask]
        zeros = wrap(np.zeros(numel, g._data.dtype))
        return index_add(zeros, 0, where, flat).reshape(shape)
    return backward


# ---------------------------------------------------------------------------- in-place on views
def check_inplace(view: Tensor) -> None:
    """torch's refusal to modify in place one of several views made by one op (split, unbind, ...)."""
    node = view.grad_fn
    if node is not None and getattr(node, "_outputs_meta", None):
        raise RuntimeError(f"Output {view._output_nr} of {node.name().replace('Backward0', '')} is a "
                           "view and is being modified inplace. This view is the output of a function "
                           "that returns multiple views. Such functions do not allow the output views "
                           "to be modified inplace. You should replace the inplace operation by an "
                           "out-of-place one.")


def rebase_view(view: Tensor, result: Tensor) -> None:
    """Record an in-place op on ``view`` whose new values ``result`` were written into it.

    As torch does (CopySlices), the base's history becomes: the old base with the view's
    region replaced by ``result``; the view becomes that region of the new base.
    """
    base = view._base
    idx = positions(view._data, base._data)
    shape = base._data.shape
    base_edge = gradient_edge(base)
    region = wrap(idx.reshape(-1))
    overwritten = np.zeros(base._data.size, np.bool_)
    overwritten[idx.reshape(-1)] = True
    overwritten = wrap(overwritten.reshape(shape))
    view_shape, r_shape, r_dtype = view._data.shape, result._data.shape, result.dtype

    def copy_slices(g):
        part = sum_to(g.reshape(-1)[region].reshape(view_shape), r_shape)
        rest = g.masked_fill(overwritten, 0) if base_edge[0] is not None else None
        return rest, part if part.dtype == r_dtype else part.to(r_dtype)

    node = Node("torch::autograd::CopySlices", copy_slices, (base_edge, gradient_edge(result)))
    base._rg, base.grad_fn, base._output_nr = True, node, 0
    as_view = _gather_back(idx, shape)
    view._rg, view._output_nr = True, 0
    view.grad_fn = Node("AsStridedBackward0", lambda g: (as_view(g),), ((node, 0),))
    refresh_views(base, view)


def refresh_views(base: Tensor, skip: Optional[Tensor] = None) -> None:
    """Give ``base``'s other live views its new history: their values changed with it.

    torch regenerates such a view's ``grad_fn`` (an AsStridedBackward0 of the base) when
    it is next used; here it is done at once, with the element mapping worked out lazily.
    """
    views = base._extra.get("views") if base._extra else None
    for ref in tuple(views.values()) if views else ():
        view = ref()
        if view is not None and view is not skip:
            view._rg, view._output_nr = True, 0
            view.grad_fn = Node("AsStridedBackward0", _lazy_gather_back(view._data, base._data),
                                ((base.grad_fn, base._output_nr),))


def _lazy_gather_back(view_arr: np.ndarray, base_arr: np.ndarray) -> Callable:
    backward = None

    def vjp(g):
        nonlocal backward
        if backward is None:
            backward = _gather_back(positions(view_arr, base_arr), base_arr.shape)
        return (backward(g),)
    return vjp


_NOT_METHODS = {"cat", "concat", "concatenate", "stack", "hstack", "vstack", "row_stack", "dstack",
                "column_stack", "atleast_1d", "atleast_2d", "atleast_3d"}

from . import shaping  # noqa: E402  (it builds on the view ops above)
from .shaping import *  # noqa: E402,F401,F403

_HIDDEN = {"rebase_view", "refresh_views", "check_inplace", "basic_view"}
__all__ = [n for n in public_names(globals()) if n not in _HIDDEN] + shaping.__all__
METHODS = tuple(n for n in __all__ if n not in _NOT_METHODS) + ("T", "mT", "H", "mH")
