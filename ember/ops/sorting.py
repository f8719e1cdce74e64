"""Sorting and selection by rank: sort, argsort, msort, topk, kthvalue, unique, unique_consecutive.

NaN ranks above every number, as in torch. Sorts are stable (torch's CPU sort is too, so
ties come out in index order); ``topk`` and ``kthvalue`` partition first, so they cost
O(n) plus the sort of what they keep. The values of ``sort``, ``topk`` and ``kthvalue`` are
differentiable: the gradient goes back to the positions the indices name (a scatter).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import return_types
from ..tensor import Tensor
from ._record import wrap, record, needs_grad, wrap_dim, check_tensor, public_names


def _argsort(x: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Stable sort order along ``axis``; descending keeps equal elements in index order too."""
    if not descending:
        return np.argsort(x, axis=axis, kind="stable")
    n = x.shape[axis]
    # A stable ascending sort of the reversed array, read backwards, is a stable descending sort.
    reversed_order = np.argsort(np.flip(x, axis), axis=axis, kind="stable")
    return (n - 1) - np.flip(reversed_order, axis)


def _record_selection(values: Tensor, input: Tensor, indices: Tensor, axis: int, name: str,
                      keepdim: bool = True) -> None:
    """Record ``values = input`` picked at ``indices`` along ``axis``: the grad scatters back."""
    shape = input._data.shape

    def vjp(g):
        idx = indices
        if not keepdim and input._data.ndim:
            g, idx = g.unsqueeze(axis), idx.unsqueeze(axis)
        return (g.new_zeros(shape).scatter(axis, idx, g),)
    record(values, name, (input,), vjp, (indices,))


def _scalar_selection(x: np.ndarray) -> tuple:
    """``(values, indices)`` of a 0-d array along its one dim: itself, at index 0."""
    return wrap(x.copy()), wrap(np.zeros((), np.int64))


# ---------------------------------------------------------------------------- sort
def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False, *, out=None):
    """``(values, indices)`` sorted along ``dim`` (ascending unless ``descending``)."""
    x = check_tensor(input, "sort")._data
    axis = wrap_dim(dim, x.ndim)
    if not x.ndim:
        values, indices = _scalar_selection(x)
    else:
        order = _argsort(x, axis, descending)
        values, indices = wrap(np.take_along_axis(x, order, axis)), wrap(order)
    if needs_grad(input):
        _record_selection(values, input, indices, axis, "SortBackward1" if stable else "SortBackward0")
    return return_types.sort(values, indices)


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The indices that sort ``input`` along ``dim``."""
    x = check_tensor(input, "argsort")._data
    axis = wrap_dim(dim, x.ndim)
    return wrap(_argsort(x, axis, descending) if x.ndim else np.zeros((), np.int64))


def msort(input: Tensor, *, out=None) -> Tensor:
    """``input`` sorted along its first dim."""
    return sort(input, 0).values


# ---------------------------------------------------------------------------- topk, kthvalue
def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True, *, out=None):
    """``(values, indices)`` of the ``k`` largest (or smallest) elements along ``dim``, best first.

    The result is always sorted (torch may leave it unsorted when ``sorted=False``).
    """
    x = check_tensor(input, "topk")._data
    axis = wrap_dim(dim, x.ndim)
    n = x.shape[axis] if x.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if not x.ndim:
        values, indices = _scalar_selection(x)
    else:
        if k == n:
            picked = np.broadcast_to(np.arange(n).reshape([-1 if a == axis else 1 for a in range(x.ndim)]),
                                     x.shape)
        elif k == 0:
            picked = np.zeros(x.shape[:axis] + (0,) + x.shape[axis + 1:], np.int64)
        else:
            kept = range(n - k, n) if largest else range(k)
            picked = np.argpartition(x, kept[0], axis=axis).take(kept, axis=axis)
            picked.sort(axis=axis)  # index order first, so equal values stay in index order
        order = _argsort(np.take_along_axis(x, picked, axis), axis, largest)
        idx = np.take_along_axis(picked, order, axis).astype(np.int64, copy=False)
        values, indices = wrap(np.take_along_axis(x, idx, axis)), wrap(idx)
    if needs_grad(input):
        _record_selection(values, input, indices, axis, "TopkBackward0")
    return return_types.topk(values, indices)


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False, *, out=None):
    """``(values, indices)`` of the ``k``-th smallest element (from 1) along ``dim``."""
    x = check_tensor(input, "kthvalue")._data
    axis = wrap_dim(dim, x.ndim)
    n = x.shape[axis] if x.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis}")
    if not x.ndim:
        values, indices = _scalar_selection(x)
    else:
        idx = np.argpartition(x, k - 1, axis=axis).take([k - 1], axis=axis).astype(np.int64, copy=False)
        vals = np.take_along_axis(x, idx, axis)
        if not keepdim:
            idx, vals = idx.squeeze(axis), vals.squeeze(axis)
        values, indices = wrap(vals), wrap(idx)
    if needs_grad(input):
        _record_selection(values, input, indices, axis, "KthvalueBackward0", keepdim)
    return return_types.kthvalue(values, indices)


# ---------------------------------------------------------------------------- unique
def _not_differentiable(out: Tensor, input: Tensor, name: str, op: str) -> None:
    """Mark ``out`` as requiring grad through a node whose backward fails, as torch does."""
    def vjp(g):
        raise NotImplementedError(f"the derivative for '{op}' is not implemented.")
    record(out, name, (input,), vjp)


def _unique_result(out: np.ndarray, inverse: np.ndarray, counts: np.ndarray, input: Tensor,
                   return_inverse: bool, return_counts: bool, name: str, op: str):
    result = wrap(out)
    if needs_grad(input):
        _not_differentiable(result, input, name, op)
    if not (return_inverse or return_counts):
        return result
    extras = ((wrap(inverse.astype(np.int64, copy=False)),) if return_inverse else ()) + \
        ((wrap(counts.astype(np.int64, copy=False)),) if return_counts else ())
    return (result,) + extras


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
           dim: Optional[int] = None):
    """The distinct elements (or slices along ``dim``) in ascending order, with optionally the
    index of each input element in that list (``return_inverse``) and how often each occurs.

    Each NaN counts as distinct. The output is sorted even when ``sorted=False``, as on
    torch's CPU.
    """
    x = check_tensor(input, "unique")._data
    if dim is None:
        out, inverse, counts = np.unique(x.reshape(-1), return_inverse=True, return_counts=True,
                                         equal_nan=False)
        return _unique_result(out, inverse.reshape(x.shape), counts, input, return_inverse, return_counts,
                              "Unique2Backward0", "_unique2")
    axis = wrap_dim(dim, x.ndim)
    if not x.ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [-1, 0], but got {dim})")
    if x.size == 0:
        return _unique_result(x.copy(), np.zeros(x.shape[axis], np.int64), np.zeros(0, np.int64), input,
                              return_inverse, return_counts, "UniqueDimBackward0", "unique_dim")
    out, inverse, counts = np.unique(x, return_inverse=True, return_counts=True, axis=axis)
    return _unique_result(out, inverse.reshape(-1), counts, input, return_inverse, return_counts,
                          "UniqueDimBackward0", "unique_dim")


def unique_consecutive(input: Tensor, return_inverse: bool = False, return_counts: bool = False,
                       dim: Optional[int] = None):
    """Collapse each run of equal consecutive elements (or slices along ``dim``) to one."""
    x = check_tensor(input, "unique_consecutive")._data
    if dim is None:
        seq, axis = x.reshape(-1), 0
    else:
        axis = wrap_dim(dim, x.ndim)
        seq = x
    n = seq.shape[axis] if seq.ndim else 1
    if n == 0:
        starts = inverse = np.zeros(0, np.int64)
    else:
        first, rest = seq.take(range(n - 1), axis=axis), seq.take(range(1, n), axis=axis)
        changed = first != rest
        if seq.ndim > 1:
            changed = changed.any(axis=tuple(a for a in range(seq.ndim) if a != axis))
        starts = np.concatenate(([0], np.flatnonzero(changed) + 1))
        inverse = np.concatenate(([0], np.cumsum(changed)))  # each element's run number
    out = seq.take(starts, axis=axis) if seq.ndim else seq.reshape(1)
    counts = np.diff(np.append(starts, n))
    if dim is None:
        inverse = inverse.reshape(x.shape)
    return _unique_result(out, inverse, counts, input, return_inverse, return_counts,
                          "UniqueConsecutiveBackward0", "unique_consecutive")


__all__ = public_names(globals())
