"""Pooling kernels on NumPy arrays ``(P, *spatial)`` (P: all leading batch/channel dims flattened).

Pooling is separable: a max (or sum) over a window is the max (sum) along the last spatial
dim, then the one before, and so on, with a handful of vectorised ops per kernel position
of one dim and no Python loop over pixels. Each dim is described by an axis object:

- ``RegularAxis``: windows ``o * stride - pad + j * dilation`` (``j < kernel``); padding is
  never materialised, each kernel position just updates the outputs whose window is inside.
- ``AdaptiveAxis``: windows ``[floor(o * S / O), ceil((o + 1) * S / O))`` of varying length.

Max pooling also tracks where each maximum came from, as torch's flat index into the input
plane: ties go to the first position in row-major order and a NaN wins (the last one), as in
torch's kernels; reducing the innermost dim first gives exactly that order.
"""
from __future__ import annotations

from typing import Iterator, Optional, Sequence

import numpy as np


class RegularAxis:
    """Windows of ``kernel`` positions ``dilation`` apart, every ``stride``, over ``size`` inputs."""

    def __init__(self, size: int, out: int, kernel: int, stride: int, dilation: int, pad: int) -> None:
        self.size, self.out, self.kernel = size, out, kernel
        self.stride, self.dilation, self.pad = stride, dilation, pad
        self.overlapping = (kernel - 1) * dilation + 1 > stride

    def positions(self) -> Iterator[tuple]:
        """For each kernel position j: (slice of outputs whose j-th input is real, slice of those inputs)."""
        s, d, p = self.stride, self.dilation, self.pad
        for j in range(self.kernel):
            lo = min(self.out, max(0, -(-(p - j * d) // s)))
            hi = min(self.out, max(lo, (self.size - 1 + p - j * d) // s + 1))
            start = lo * s - p + j * d
            yield slice(lo, hi), slice(start, start + (hi - lo - 1) * s + 1 if hi > lo else start, s)

    def counts(self, include_pad: bool) -> np.ndarray:
        """Window sizes as torch's avg_pool divides by them (only ever clipped to the padded input)."""
        start = np.arange(self.out) * self.stride - self.pad
        end = np.minimum(start + self.kernel, self.size + self.pad)
        if not include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, self.size)
        return end - start


class AdaptiveAxis:
    """Windows ``[start[o], end[o])`` over ``size`` inputs."""

    def __init__(self, size: int, start: np.ndarray, end: np.ndarray) -> None:
        self.size, self.out = size, len(start)
        self.start, self.end = start, end
        self.kernel = int((end - start).max()) if len(start) else 0
        self.overlapping = bool(np.any(end[:-1] > start[1:]))

    @classmethod
    def of(cls, size: int, out: int) -> "AdaptiveAxis":
        o = np.arange(out)
        return cls(size, o * size // out, -(-(o + 1) * size // out))

    def transposed(self) -> "AdaptiveAxis":
        """The windows of the adjoint: input ``s`` collects the (consecutive) outputs whose window holds it."""
        s = np.arange(self.size)
        return AdaptiveAxis(self.out, np.searchsorted(self.end, s, side="right"),
                            np.searchsorted(self.start, s, side="right"))

    def positions(self) -> Iterator[tuple]:
        """For each kernel position j: (mask of outputs whose window is that long, input index per output)."""
        for j in range(self.kernel):
            yield self.start + j < self.end, np.minimum(self.start + j, self.end - 1)

    def counts(self, include_pad: bool = True) -> np.ndarray:
        return self.end - self.start


# ------------------------------------------------------------------------------------ sums
def window_sum(x: np.ndarray, axes: Sequence) -> np.ndarray:
    """Sum of every window: ``(P, *in)`` to ``(P, *out)``, one spatial dim after the other."""
    for axis, ax in reversed(list(enumerate(axes, 1))):
        x = _sum_along(x, axis, ax)
    return x


def window_sum_adjoint(g: np.ndarray, axes: Sequence) -> np.ndarray:
    """The adjoint of ``window_sum``: every output adds its value back onto its window's inputs."""
    for axis, ax in enumerate(axes, 1):
        if isinstance(ax, AdaptiveAxis):
            g = _sum_along(g, axis, ax.transposed())
            continue
        shape = g.shape[:axis] + (ax.size,) + g.shape[axis + 1:]
        total = np.zeros(shape, g.dtype)
        lead = (slice(None),) * axis
        for outs, ins in ax.positions():
            dst = total[lead + (ins,)]
            np.add(dst, g[lead + (outs,)], out=dst)
        g = total
    return g


def _sum_along(x: np.ndarray, axis: int, ax) -> np.ndarray:
    shape = x.shape[:axis] + (ax.out,) + x.shape[axis + 1:]
    total = np.zeros(shape, x.dtype)
    lead = (slice(None),) * axis
    if isinstance(ax, RegularAxis):
        for outs, ins in ax.positions():
            dst = total[lead + (outs,)]
            np.add(dst, x[lead + (ins,)], out=dst)
        return total
    for mask, index in ax.positions():
        picked = np.take(x, index, axis)
        if not mask.all():
            picked = np.where(_along(mask, axis, x.ndim), picked, 0)
        np.add(total, picked, out=total)
    return total


def divisor(axes: Sequence, include_pad: bool) -> np.ndarray:
    """The ``(*out)`` window sizes avg pooling divides by: a product of per-dim counts."""
    total = np.ones((), np.int64)
    for ax in axes:
        total = np.multiply.outer(total, ax.counts(include_pad))
    return total


# ------------------------------------------------------------------------------------ max
def window_max(x: np.ndarray, axes: Sequence, with_index: bool) -> tuple:
    """``(values, index)``: each window's max and (if asked) its flat index in the input plane."""
    plane = 1
    index = None
    nan = x.dtype.kind == "f" and bool(np.isnan(x).any())
    for axis, ax in reversed(list(enumerate(axes, 1))):
        x, index = _max_along(x, index, axis, ax, plane, nan, with_index)
        plane *= ax.size
    return x, index


def _max_along(x, index, axis, ax, plane, nan, with_index) -> tuple:
    """Reduce one spatial dim; ``index`` (flat over the dims already reduced) follows the winners."""
    shape = x.shape[:axis] + (ax.out,) + x.shape[axis + 1:]
    low = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    best = np.full(shape, low, x.dtype)
    arg = np.full(shape, -1, _index_dtype(plane * ax.size)) if with_index else None
    lead = (slice(None),) * axis
    for outs, ins, coord in _candidates(ax, axis, x.ndim):
        b, v = best[lead + (outs,)], _pick(x, axis, ins)
        win = v > b
        if nan:
            win |= np.isnan(v)
        np.copyto(b, v, where=win)
        if with_index:
            flat = coord * plane if index is None else coord * plane + _pick(index, axis, ins)
            np.copyto(arg[lead + (outs,)], flat, where=win, casting="unsafe")
    if with_index and (arg < 0).any():
        _first_valid(arg, x, index, axis, ax, plane)
    return best, arg


def _candidates(ax, axis: int, ndim: int) -> Iterator[tuple]:
    """(outputs, inputs, coordinate) per kernel position, coordinate broadcastable along ``axis``."""
    if isinstance(ax, RegularAxis):
        for outs, ins in ax.positions():
            yield outs, ins, _along(np.arange(ins.start, ins.stop, ins.step), axis, ndim)
    else:
        for _, index in ax.positions():
            yield slice(None), index, _along(index, axis, ndim)


def _first_valid(arg, x, index, axis, ax, plane) -> None:
    """Windows whose values never beat the lowest value (all -inf) point at their first real input."""
    if isinstance(ax, RegularAxis):
        base = np.arange(ax.out) * ax.stride - ax.pad
        first = base - np.minimum(base, 0) // ax.dilation * ax.dilation
    else:
        first = ax.start
    flat = _along(first, axis, x.ndim) * plane
    if index is not None:
        flat = flat + np.take(index, first, axis)
    np.copyto(arg, np.broadcast_to(flat, arg.shape), where=arg < 0, casting="unsafe")


def _pick(x: np.ndarray, axis: int, ins) -> np.ndarray:
    return x[(slice(None),) * axis + (ins,)] if isinstance(ins, slice) else np.take(x, ins, axis)


def _along(v: np.ndarray, axis: int, ndim: int) -> np.ndarray:
    """A 1-D array shaped to broadcast along ``axis`` of an ``ndim``-dim array."""
    return v.reshape((-1,) + (1,) * (ndim - axis - 1))


def _index_dtype(size: int):
    return np.int32 if size < 2 ** 31 else np.int64


# ------------------------------------------------------------------------------------ max backward
def scatter(g: np.ndarray, index: np.ndarray, plane: int, overlapping: bool) -> np.ndarray:
    """``(P, plane)`` zeros with each ``g`` added at its flat ``index`` (the max's input position)."""
    p, m = g.shape[0], int(np.prod(g.shape[1:]))
    flat_g = g.reshape(p, m)
    flat_i = index.reshape(p, m)
    if not overlapping:
        out = np.zeros((p, plane), g.dtype)
        out[np.arange(p)[:, None], flat_i] = flat_g
        return out
    rows = (np.arange(p, dtype=np.int64) * plane)[:, None]
    return np.bincount((flat_i + rows).ravel(), flat_g.ravel(), p * plane).astype(g.dtype).reshape(p, plane)


def gather(h: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``h`` ``(P, plane)`` read at each flat ``index`` ``(P, *out)``: the adjoint of ``scatter``."""
    p, m = index.shape[0], int(np.prod(index.shape[1:]))
    return h[np.arange(p)[:, None], index.reshape(p, m)].reshape(index.shape)
