"""Pooling kernels on NumPy arrays ``(P, *spatial)`` (P: all leading batch/channel dims flattened).

Pooling is separable: a max (or sum) over a window is the max (sum) along the last spatial
dim, then the one before, and so on, with a handful of vectorised ops per kernel position
of one dim and no Python loop over pixels. Each dim is described by an axis object:

- ``RegularAxis``: windows ``o * stride - pad + j * dilation`` (``j < kernel``); padding is
  never materialised, each kernel position just updates the outputs whose window is inside.
- ``AdaptiveAxis``: windows ``[floor(o * S / O), ceil((o + 1) * S / O))`` of varying length.

Max pooling also tracks where each maximum came from, as torch's flat index into the input
plane: ties go to the first position in row-major order and a NaN wins (the last one), as in
torch's kernels; reducing the innermost dim first gives exactly that order. Windows that
tile the input (stride = kernel, no padding) take a shorter path: a few whole-array ops per
kernel position, the winner kept as its position within the window (``TileArgmax``).
"""
from __future__ import annotations

import math
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

    def first(self) -> tuple:
        """(inputs, kernel positions): each window's first real input, a slice when padding spares them all."""
        if self.pad == 0:
            return slice(0, (self.out - 1) * self.stride + 1, self.stride), 0
        base = np.arange(self.out) * self.stride - self.pad
        skip = -(np.minimum(base, 0) // self.dilation)
        return base + skip * self.dilation, skip

    def add_coordinates(self, flat: np.ndarray, loc: np.ndarray, axis: int, scale: int) -> None:
        """``flat += scale * (input coordinate of kernel position loc in each output's window)``."""
        flat += _along((np.arange(self.out) * self.stride - self.pad) * scale, axis, flat.ndim).astype(flat.dtype)
        flat += loc * flat.dtype.type(self.dilation * scale)

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

    def first(self) -> tuple:
        return self.start, 0

    def add_coordinates(self, flat: np.ndarray, loc: np.ndarray, axis: int, scale: int) -> None:
        coord = np.minimum(_along(self.start, axis, flat.ndim) + loc, _along(self.end - 1, axis, flat.ndim))
        flat += (coord * scale).astype(flat.dtype, copy=False)

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
    """``(values, argmax)``: each window's max and (if asked) where it came from, a
    ``TileArgmax`` or ``FlatArgmax``.

    Along each dim the winner's kernel position is tracked (and the positions already found
    along inner dims follow it); the flat index is assembled from them at the end. NaN
    shows in the values whatever happens, so only then are positions redone with NaN winning.
    """
    if with_index and x.dtype.kind == "f":
        kernel = tiling(axes)
        found = tiled_max(x, kernel, tuple(ax.out for ax in axes)) if kernel else None
        if found is not None:
            return found
    values, locs = _reduce_max(x, axes, with_index, nan=False)
    if with_index and values.dtype.kind == "f" and np.isnan(values).any():
        values, locs = _reduce_max(x, axes, with_index, nan=True)
    if not with_index:
        return values, None
    return values, FlatArgmax(_flat_index(locs, axes), x.shape[1:], any(ax.overlapping for ax in axes))


def _reduce_max(x: np.ndarray, axes: Sequence, with_index: bool, nan: bool) -> tuple:
    locs: list = []
    for axis, ax in reversed(list(enumerate(axes, 1))):
        x, locs = _max_along(x, locs, axis, ax, nan, with_index)
    return x, locs[::-1]


def _max_along(x, locs, axis, ax, nan, with_index) -> tuple:
    """Reduce one spatial dim, starting from each window's first real input (ties keep the first).

    Masked copies are slow in NumPy, so the values take ``maximum`` (which lets NaN win, as
    torch does) and positions are switched arithmetically: ``loc += win * (j - loc)``.
    """
    lead = (slice(None),) * axis
    first, first_pos = ax.first()
    best = np.array(_pick(x, axis, first))
    loc = None
    if with_index:
        loc = np.empty(best.shape, np.uint8 if ax.kernel <= 256 else np.int32)
        loc[...] = _along(first_pos, axis, x.ndim)
        carried = [np.array(_pick(c, axis, first)) for c in locs]
    skip = 1 if isinstance(first, slice) else 0  # the first kernel position is where ``best`` started
    for j, (outs, ins) in enumerate(_candidates(ax)):
        if j < skip:
            continue
        dst, v = best[lead + (outs,)], _pick(x, axis, ins)
        if with_index:
            win = v > dst
            if nan:
                win |= np.isnan(v)
            _switch(loc[lead + (outs,)], j, win)
            for c_best, c in zip(carried, locs):
                _switch(c_best[lead + (outs,)], _pick(c, axis, ins), win)
        np.maximum(dst, v, out=dst)
    return best, (carried + [loc] if with_index else locs)


def _switch(dst: np.ndarray, new, win: np.ndarray) -> None:
    """``dst = where(win, new, dst)`` in place, by modular integer arithmetic."""
    delta = np.subtract(new, dst, dtype=dst.dtype, casting="unsafe")
    np.multiply(delta, win, out=delta, casting="unsafe")
    np.add(dst, delta, out=dst)


def _candidates(ax) -> Iterator[tuple]:
    """(outputs, inputs) per kernel position: slices for regular windows, an index array for adaptive."""
    if isinstance(ax, RegularAxis):
        yield from ax.positions()
    else:
        for _, index in ax.positions():
            yield slice(None), index


def _flat_index(locs: list, axes: Sequence) -> np.ndarray:
    """Each max's row-major index in the input plane, from its kernel position along every dim."""
    ndim = locs[0].ndim
    plane = int(np.prod([ax.size for ax in axes]))
    dtype = np.int32 if plane < 2 ** 31 else np.int64
    flat = np.zeros(locs[0].shape, dtype)
    inner = 1
    for axis, ax, loc in reversed(list(zip(range(1, ndim), axes, locs))):
        ax.add_coordinates(flat, loc, axis, inner)
        inner *= ax.size
    return flat


def _pick(x: np.ndarray, axis: int, ins) -> np.ndarray:
    return x[(slice(None),) * axis + (ins,)] if isinstance(ins, slice) else np.take(x, ins, axis)


def _along(v, axis: int, ndim: int) -> np.ndarray:
    """A 1-D array (or a number) shaped to broadcast along ``axis`` of an ``ndim``-dim array."""
    return np.reshape(v, (-1,) + (1,) * (ndim - axis - 1))


# ------------------------------------------------------------------------------------ tiled max
def tiling(axes: Sequence) -> Optional[tuple]:
    """The kernel, when the windows tile the input: stride = kernel, no padding, dilation or
    partial window, at most 256 positions (so a position fits a byte); else None."""
    for ax in axes:
        if not (isinstance(ax, RegularAxis) and ax.stride == ax.kernel and ax.pad == 0
                and (ax.dilation == 1 or ax.kernel == 1) and ax.out * ax.kernel <= ax.size):
            return None
    kernel = tuple(ax.kernel for ax in axes)
    return kernel if math.prod(kernel) <= 256 else None


def _tile(x: np.ndarray, kernel: tuple, out: tuple, pos: tuple) -> np.ndarray:
    """The view of ``x`` ``(P, *spatial)`` holding kernel position ``pos`` of every window."""
    return x[(slice(None),) + tuple(slice(j, j + o * k, k) for j, o, k in zip(pos, out, kernel))]


def tiled_max(x: np.ndarray, kernel: tuple, out: tuple) -> tuple:
    """``(values, TileArgmax)`` of tiling windows; None when a NaN is among the maxima (the
    general path then puts the winner on the last NaN, as torch does)."""
    positions = list(np.ndindex(*kernel))
    best = _tile(x, kernel, out, positions[0]).copy()
    loc = np.zeros(best.shape, np.uint8)
    for p, pos in enumerate(positions[1:], 1):
        v = _tile(x, kernel, out, pos)
        win = np.greater(v, best)  # strictly: ties keep the earlier position
        np.maximum(best, v, out=best)
        np.maximum(loc, np.multiply(win, p, dtype=np.uint8), out=loc)  # p exceeds every earlier position
    if best.dtype.kind == "f" and np.isnan(best).any():
        return None
    return best, TileArgmax(loc, kernel, x.shape[1:])


# ------------------------------------------------------------------------------------ max backward
class _Argmax:
    """Where each window's max came from; a subclass gives the flat index of every max into its
    input plane (``flat``) and into the whole ``(P, *in_size)`` input (``_global_index``)."""

    in_size: tuple
    overlapping = False

    def scatter(self, g: np.ndarray) -> np.ndarray:
        """``(P, *in_size)`` zeros with each ``g`` ``(P, *out)`` added at its max's position: one
        indexed write (a sum where windows overlap)."""
        p, plane = g.shape[0], math.prod(self.in_size)
        where = self._global_index().ravel()
        if self.overlapping:
            return np.bincount(where, g.ravel(), p * plane).astype(g.dtype).reshape((p,) + self.in_size)
        out = np.zeros(p * plane, g.dtype)
        out[where] = g.ravel()
        return out.reshape((p,) + self.in_size)


class FlatArgmax(_Argmax):
    """The general kernels' answer: each max's flat index ``(P, *out)`` into its input plane."""

    def __init__(self, index: np.ndarray, in_size: tuple, overlapping: bool) -> None:
        self.index, self.in_size, self.overlapping = index, in_size, overlapping

    def flat(self) -> np.ndarray:
        return self.index

    def _global_index(self) -> np.ndarray:
        p = self.index.shape[0]
        return self.index.reshape(p, -1) + (np.arange(p, dtype=np.intp) * math.prod(self.in_size))[:, None]


class TileArgmax(_Argmax):
    """Where each tiling window's max came from, as its row-major position ``loc`` in the window."""

    def __init__(self, loc: np.ndarray, kernel: tuple, in_size: tuple) -> None:
        self.loc, self.kernel, self.in_size = loc, kernel, in_size

    def flat(self) -> np.ndarray:
        """The flat index into the input plane, as torch's ``return_indices`` gives it."""
        return self._index(np.int32 if math.prod(self.in_size) < 2 ** 31 else np.int64, planes=False)

    def _global_index(self) -> np.ndarray:
        return self._index(np.intp, planes=True)

    def _index(self, dtype, planes: bool) -> np.ndarray:
        """Each window's first input plus the offset of its winning position (looked up by ``loc``),
        into the input plane, or with ``planes`` into the whole ``(P, *in_size)`` array."""
        loc = self.loc
        strides = [math.prod(self.in_size[axis + 1:]) for axis in range(len(self.in_size))]
        offsets = np.array([sum(j * st for j, st in zip(pos, strides)) for pos in np.ndindex(*self.kernel)], dtype)
        index = offsets[loc]
        if planes:
            index += _along(np.arange(loc.shape[0], dtype=dtype) * math.prod(self.in_size), 0, index.ndim)
        for axis, (k, st) in enumerate(zip(self.kernel, strides), 1):
            index += _along(np.arange(loc.shape[axis], dtype=dtype) * (k * st), axis, index.ndim)
        return index


def gather(h: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``h`` ``(P, plane)`` read at each flat ``index`` ``(P, *out)``: the adjoint of ``scatter``."""
    p, m = index.shape[0], int(np.prod(index.shape[1:]))
    return h[np.arange(p)[:, None], index.reshape(p, m)].reshape(index.shape)
