"""Separable resampling: the kernels behind ``F.interpolate`` and the non-constant modes of ``F.pad``.

Both are linear maps acting on each spatial axis in turn: along one axis, output position ``i``
is ``sum_k w[i, k] * x[idx[i, k]]`` over a few taps ``k`` (one tap and no weight for nearest
and padding, two for linear, four for cubic, more for antialiasing). ``AxisMap`` holds one
axis's taps; ``resample`` applies a list of them as one recorded op whose backward is the
adjoint map (the taps scatter-added back), itself recorded with the forward map as *its*
backward, so gradients of every order work.

The tap builders follow ATen's CPU kernels (``UpSample.h``, ``UpSampleKernel.cpp``): source
coordinates are computed in the input's precision (float32 for float32), as torch does, so
that rounding at cell boundaries picks the same input elements.
"""
from __future__ import annotations

from typing import Callable, List, Optional, Sequence

import numpy as np

from ...ops._record import wrap, needs_grad, record
from ...tensor import Tensor


class AxisMap:
    """One axis of a separable linear map: ``out[..., i] = sum_k w[i, k] * x[..., idx[i, k]]``.

    ``axis`` counts from the end (-1 is the last dim); ``w`` is None for single-tap copies.
    The transpose (the adjoint, used by backward) is again such a map, built once on demand:
    gathering with it is much faster than scatter-adding with this one.
    """

    __slots__ = ("axis", "idx", "w", "n_in", "_transposed")

    def __init__(self, axis: int, idx: np.ndarray, w: Optional[np.ndarray], n_in: int) -> None:
        self.axis, self.idx, self.n_in = axis, idx.reshape(len(idx), -1), n_in
        self.w = None if w is None else w.reshape(len(w), -1)
        self._transposed = None

    def _weight(self, k: int, dtype) -> np.ndarray:
        return self.w[:, k].astype(dtype, copy=False).reshape((-1,) + (1,) * (-self.axis - 1))

    def apply(self, x: np.ndarray) -> np.ndarray:
        axis = x.ndim + self.axis
        out = np.take(x, self.idx[:, 0], axis=axis)
        if self.w is None:
            return out
        out *= self._weight(0, x.dtype)
        if self.idx.shape[1] > 1:
            tap = np.empty_like(out)
            for k in range(1, self.idx.shape[1]):
                np.take(x, self.idx[:, k], axis=axis, out=tap, mode="clip")  # in range: "clip" skips a buffer
                tap *= self._weight(k, x.dtype)
                out += tap
        return out

    def transposed(self) -> "AxisMap":
        """The adjoint map: input position ``j`` gathers every ``(i, w)`` whose tap reads ``j``
        (rows padded to the longest with weight 0)."""
        if self._transposed is None:
            n_out, taps = self.idx.shape
            rows = np.repeat(np.arange(n_out), taps)
            cols = self.idx.reshape(-1)
            vals = np.ones(rows.size) if self.w is None else self.w.reshape(-1)
            keep = vals != 0
            rows, cols, vals = rows[keep], cols[keep], vals[keep]
            order = np.argsort(cols, kind="stable")
            rows, cols, vals = rows[order], cols[order], vals[order]
            counts = np.bincount(cols, minlength=self.n_in)
            rank = np.arange(cols.size) - np.repeat(np.cumsum(counts) - counts, counts)
            width = max(int(counts.max()) if counts.size else 0, 1)
            idx = np.zeros((self.n_in, width), np.int64)
            w = np.zeros((self.n_in, width), vals.dtype)
            idx[cols, rank], w[cols, rank] = rows, vals
            exact_copy = self.w is None and bool(np.all(counts == 1))  # a permutation needs no weights
            self._transposed = AxisMap(self.axis, idx, None if exact_copy else w, n_out)
            self._transposed._transposed = self
        return self._transposed

    def adjoint(self, g: np.ndarray) -> np.ndarray:
        """The transpose map applied to ``g``."""
        return self.transposed().apply(g)


def resample(x: Tensor, maps: Sequence[AxisMap], name: str) -> Tensor:
    """Apply ``maps`` (one per axis) to ``x``; recorded as node ``name`` with the adjoint as backward."""
    return _linear(x, tuple(maps), name, transpose=False)


def _linear(x: Tensor, maps: tuple, name: str, transpose: bool) -> Tensor:
    arr = x._data
    for m in (reversed(maps) if transpose else maps):
        arr = m.adjoint(arr) if transpose else m.apply(arr)
    out = wrap(arr)
    if needs_grad(x):
        back = name.replace("Backward0", "BackwardBackward0") if not transpose else \
            name.replace("BackwardBackward0", "Backward0")
        record(out, name, (x,), lambda g: (_linear(g, maps, back, not transpose),))
    return out


# ---------------------------------------------------------------------------- padding taps
def pad_map(axis: int, n: int, lo: int, hi: int, mode: str) -> AxisMap:
    """Taps that pad an axis of size ``n`` by ``lo`` / ``hi`` (negative crops) in ``mode``.

    ``reflect`` and ``replicate`` index the original axis; ``circular`` wraps over what is left
    after cropping, as torch's circular pad does.
    """
    p = np.arange(n + lo + hi) - lo  # output positions in the input's coordinates
    if mode == "reflect":
        idx = np.abs(p)
        idx = np.where(idx > n - 1, 2 * (n - 1) - idx, idx)
    elif mode == "replicate":
        idx = np.clip(p, 0, n - 1)
    else:
        start = max(-lo, 0)
        kept = n - start - max(-hi, 0)
        idx = start + np.mod(p - start, max(kept, 1))
    return AxisMap(axis, idx, None, n)


# ---------------------------------------------------------------------------- interpolation taps
def _source_scale(n_in: int, n_out: int, align_corners: bool, scale: Optional[float], ftype) -> np.floating:
    """ATen's ``area_pixel_compute_scale``: input step per output step, in ``ftype``."""
    if align_corners:
        return ftype((n_in - 1) / (n_out - 1)) if n_out > 1 else ftype(0)
    return ftype(1.0 / scale) if scale is not None and scale > 0 else ftype(n_in) / ftype(n_out)


def nearest_map(axis: int, n_in: int, n_out: int, scale: Optional[float], exact: bool) -> AxisMap:
    """``floor(i * s)`` (or ``floor((i + 0.5) * s)`` for nearest-exact) in float32, as ATen."""
    if not exact and n_out == n_in:
        idx = np.arange(n_out)
    elif not exact and n_out == 2 * n_in:
        idx = np.arange(n_out) >> 1
    else:
        s = _source_scale(n_in, n_out, False, scale, np.float32)
        i = np.arange(n_out, dtype=np.float32) + (np.float32(0.5) if exact else np.float32(0))
        idx = np.minimum(np.floor(i * s).astype(np.int64), n_in - 1)
    return AxisMap(axis, idx, None, n_in)


def _source_index(n_in: int, n_out: int, align_corners: bool, scale: Optional[float], ftype,
                  cubic: bool) -> np.ndarray:
    """ATen's ``area_pixel_compute_source_index`` for every output position."""
    s = _source_scale(n_in, n_out, align_corners, scale, ftype)
    i = np.arange(n_out, dtype=ftype)
    if align_corners:
        return s * i
    src = s * (i + ftype(0.5)) - ftype(0.5)
    return src if cubic else np.maximum(src, ftype(0))


def linear_map(axis: int, n_in: int, n_out: int, align_corners: bool, scale: Optional[float], ftype) -> AxisMap:
    src = _source_index(n_in, n_out, align_corners, scale, ftype, cubic=False)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    lam = np.clip(src - i0.astype(ftype), 0, 1).astype(ftype)
    i1 = i0 + (i0 < n_in - 1)
    return AxisMap(axis, np.stack([i0, i1], 1), np.stack([1 - lam, lam], 1), n_in)


def _keys_near(x: np.ndarray, a) -> np.ndarray:
    """Keys' cubic convolution kernel for 0 <= x <= 1."""
    return ((a + 2) * x - (a + 3)) * x * x + 1


def _keys_far(x: np.ndarray, a) -> np.ndarray:
    """Keys' cubic convolution kernel for 1 < x < 2."""
    return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a


def _cubic_weights(t: np.ndarray, a) -> np.ndarray:
    """Keys' cubic convolution weights of the four taps around a point at offset ``t`` in [0, 1]."""
    return np.stack([_keys_far(t + 1, a), _keys_near(t, a), _keys_near(1 - t, a), _keys_far(2 - t, a)], 1)


def cubic_map(axis: int, n_in: int, n_out: int, align_corners: bool, scale: Optional[float], ftype) -> AxisMap:
    src = _source_index(n_in, n_out, align_corners, scale, ftype, cubic=True)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    t = np.clip(src - i0.astype(ftype), 0, 1).astype(ftype)
    idx = np.clip(i0[:, None] + np.arange(-1, 3), 0, n_in - 1)
    return AxisMap(axis, idx, _cubic_weights(t, ftype(-0.75)).astype(ftype), n_in)


def _triangle(x: np.ndarray) -> np.ndarray:
    return np.maximum(1 - np.abs(x), 0).astype(x.dtype, copy=False)


def _keys_half(x: np.ndarray) -> np.ndarray:
    """Keys' cubic kernel with a = -0.5 (PIL's), as ATen's antialiased bicubic uses."""
    a, x = x.dtype.type(-0.5), np.abs(x)
    return np.where(x < 1, _keys_near(x, a), np.where(x < 2, _keys_far(x, a), x.dtype.type(0)))


def antialias_map(axis: int, n_in: int, n_out: int, align_corners: bool, scale: Optional[float], ftype,
                  cubic: bool) -> AxisMap:
    """ATen's antialiased (PIL-style) taps: the filter widened by the downscale factor, normalised."""
    filt: Callable = _keys_half if cubic else _triangle
    one, half = ftype(1), ftype(0.5)
    s = _source_scale(n_in, n_out, align_corners, scale, ftype)
    support = ftype(2 if cubic else 1) * (s if s >= one else one)
    inv = one / s if s >= one else one
    center = s * (np.arange(n_out, dtype=ftype) + half)
    lo = np.maximum((center - support + half).astype(np.int64), 0)
    hi = np.minimum((center + support + half).astype(np.int64), n_in)
    taps = int(np.ceil(support)) * 2 + 1
    j = np.arange(taps)
    idx = lo[:, None] + j
    w = np.where(j < (hi - lo)[:, None], filt((idx.astype(ftype) - center[:, None] + half) * inv), ftype(0))
    total = w.sum(1, keepdims=True, dtype=ftype)
    w = np.divide(w, total, out=np.zeros_like(w), where=total != 0)
    return AxisMap(axis, np.minimum(idx, n_in - 1), w.astype(ftype, copy=False), n_in)


def maps_for(kind: str, in_sizes: Sequence[int], out_sizes: Sequence[int], scales: Sequence[Optional[float]],
             align_corners: bool, ftype, antialias: bool) -> List[AxisMap]:
    """One ``AxisMap`` per spatial axis (the last ``len(in_sizes)`` dims, the last first) for an
    interpolation ``kind``."""
    nd = len(in_sizes)
    maps = []
    for k, (n_in, n_out, s) in reversed(list(enumerate(zip(in_sizes, out_sizes, scales)))):
        axis = k - nd  # the last axis first, as ATen's separable kernels go
        if kind in ("nearest", "nearest-exact"):
            maps.append(nearest_map(axis, n_in, n_out, s, kind == "nearest-exact"))
        elif antialias:
            maps.append(antialias_map(axis, n_in, n_out, align_corners, s, ftype, kind == "cubic"))
        elif kind == "cubic":
            maps.append(cubic_map(axis, n_in, n_out, align_corners, s, ftype))
        else:
            maps.append(linear_map(axis, n_in, n_out, align_corners, s, ftype))
    return maps
