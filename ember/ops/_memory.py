"""Where an array's elements sit in memory: strided views at any offset, and the mapping
from a view's elements to its base's (what backward needs for as_strided and CopySlices).
"""
from __future__ import annotations

import numpy as np


def strided(arr: np.ndarray, shape: tuple, strides: tuple, offset: int = 0) -> np.ndarray:
    """A view of ``arr``'s memory starting ``offset`` elements past its first element.

    ``strides`` are in elements; the view is writeable when ``arr`` is.
    """
    item = arr.itemsize
    byte_strides = tuple(s * item for s in strides)
    if arr.flags.c_contiguous or arr.flags.f_contiguous:  # the fast way: it exports its buffer
        return np.ndarray(shape, arr.dtype, arr, offset * item, byte_strides)
    iface = dict(arr.__array_interface__)
    iface["data"] = (iface["data"][0] + offset * item, not arr.flags.writeable)
    iface["shape"], iface["strides"] = tuple(shape), byte_strides
    iface.pop("mask", None)
    return np.asarray(_Memory(iface, arr))


class _Memory:
    """Presents a hand-made ``__array_interface__`` to NumPy while keeping its owner alive."""

    __slots__ = ("__array_interface__", "base")

    def __init__(self, iface: dict, base: np.ndarray) -> None:
        self.__array_interface__ = iface
        self.base = base


def extent(arr: np.ndarray, start: int) -> tuple:
    """The lowest and highest element offsets ``arr`` touches, ``start`` being its first element's."""
    lo = hi = start
    for n, s in zip(arr.shape, arr.strides):
        step = (n - 1) * (s // arr.itemsize)
        lo, hi = lo + min(step, 0), hi + max(step, 0)
    return lo, hi


def positions(target: np.ndarray, source: np.ndarray) -> np.ndarray:
    """For each element of ``target`` (memory shared with ``source``), the C-order flat index of
    the ``source`` element at the same address, or -1 where ``source`` has none there."""
    if target.size == 0 or source.size == 0:
        return np.full(target.shape, -1, np.int64)
    item = source.itemsize
    start = (target.__array_interface__["data"][0] - source.__array_interface__["data"][0]) // item
    s_lo, s_hi = extent(source, 0)
    t_lo, t_hi = extent(target, start)
    lo = min(s_lo, t_lo)
    shadow = np.full(max(s_hi, t_hi) - lo + 1, -1, np.int64)
    as_shadow = np.lib.stride_tricks.as_strided
    as_shadow(shadow[-lo:], source.shape, tuple(s // item * 8 for s in source.strides))[...] = \
        np.arange(source.size).reshape(source.shape)
    return as_shadow(shadow[start - lo:], target.shape,
                     tuple(s // item * 8 for s in target.strides)).copy()
