"""Convolution kernels on NumPy arrays: im2col and one GEMM per batch chunk, for any number of spatial dims.

Arrays are batched ``(N, C, *spatial)`` as in torch. The input is first laid out
channels-last and zero-padded once (``prepare``), so every kernel window is a strided view
whose innermost run (the channels) is contiguous; a chunk of windows is copied into a
``(rows, kernel * channels)`` matrix and multiplied by the weight in one BLAS call. Chunks
of a few images keep that matrix in cache, so the copy costs little next to the GEMM.
Groups are the leading batch dim of every GEMM.

The three kernels are the convolution and its two adjoints: ``forward(x, w) = y``,
``input_grad(gy, w) = gx`` (which is also the transposed convolution) and
``weight_grad(x, gy) = gw``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator, Optional

import numpy as np

_CHUNK_BYTES = 1 << 22  # about 4 MiB of im2col columns per GEMM, to stay in cache
_TAPWISE_ROWS = 8192  # fewer output positions than this: one window copy beats a copy per kernel position


@dataclass(frozen=True)
class ConvGeometry:
    """One convolution's shape: ``in_size`` (spatial sizes of x) maps to ``out_size`` (of y)."""

    kernel: tuple
    stride: tuple
    dilation: tuple
    pad_lo: tuple
    pad_hi: tuple
    groups: int
    in_size: tuple
    out_size: tuple

    @property
    def padded_size(self) -> tuple:
        return tuple(s + lo + hi for s, lo, hi in zip(self.in_size, self.pad_lo, self.pad_hi))

    def interior(self) -> tuple:
        """The slices of a padded channels-last array that hold the unpadded input."""
        return (slice(None),) + tuple(slice(lo, lo + s) for lo, s in zip(self.pad_lo, self.in_size))

    def offsets(self) -> Iterator[tuple]:
        """For each kernel position (C order), the slices of the padded input it reads."""
        for pos in np.ndindex(*self.kernel):
            yield (slice(None),) + tuple(slice(k * d, k * d + (o - 1) * s + 1, s) for k, d, o, s in
                                         zip(pos, self.dilation, self.out_size, self.stride))


def output_size(size: int, kernel: int, stride: int, dilation: int, pad_lo: int, pad_hi: int) -> int:
    return (size + pad_lo + pad_hi - dilation * (kernel - 1) - 1) // stride + 1


def prepare(x: np.ndarray, geom: ConvGeometry) -> np.ndarray:
    """``x`` as a C-contiguous, zero-padded ``(N, *padded_size, C)`` array (a view when it already is)."""
    xl = x.transpose((0,) + tuple(range(2, x.ndim)) + (1,))
    if geom.padded_size == geom.in_size:
        return np.ascontiguousarray(xl)
    out = np.empty((x.shape[0],) + geom.padded_size + x.shape[1:2], x.dtype)
    for axis, (lo, hi) in enumerate(zip(geom.pad_lo, geom.pad_hi), 1):  # zero only the border
        lead = (slice(None),) * axis
        out[lead + (slice(0, lo),)] = 0
        out[lead + (slice(out.shape[axis] - hi, None),)] = 0
    out[geom.interior()] = xl
    return out


def forward(xp: np.ndarray, w: np.ndarray, bias: Optional[np.ndarray], geom: ConvGeometry) -> np.ndarray:
    """The convolution ``(N, O, *out_size)`` of a prepared input with weight ``(O, C / groups, *kernel)``.

    Per chunk and group: ``w (O, k*C) @ columns.T (k*C, rows)``, which lands in the output
    as runs of whole images' planes (the other orientation would need a transposing copy).
    """
    n, g = xp.shape[0], geom.groups
    o = w.shape[0]
    og = o // g
    wg = _grouped_weight(w, g)
    length = math.prod(geom.out_size)
    out = np.empty((n, o, length), np.result_type(xp, w))
    columns = _Columns(xp, geom)
    res_buf = None
    for part in _chunks(n, length * wg.shape[-1] * g * xp.itemsize):
        m = part.stop - part.start
        res_buf = _buffer(res_buf, (g, og, m * length), out.dtype)
        res = _gemm(wg, columns.of(part), res_buf[:, :, :m * length])
        dst = out[part].reshape(m, g, og, length)
        src = res.reshape(g, og, m, length).transpose(2, 0, 1, 3)
        if bias is None:
            np.copyto(dst, src)
        else:
            np.add(src, bias.reshape(g, og, 1), out=dst)
    return out.reshape((n, o) + geom.out_size)


def weight_grad(xp: np.ndarray, gy: np.ndarray, geom: ConvGeometry, weight_shape: tuple) -> np.ndarray:
    """The adjoint of ``forward`` in w: ``(O, C / groups, *kernel)`` from a prepared x and ``gy``.

    Per chunk and group: ``gy (O, rows) @ columns (rows, k*C)``, summed over the chunks.
    """
    n, g = xp.shape[0], geom.groups
    o, cg = weight_shape[:2]
    k = math.prod(geom.kernel)
    length = math.prod(geom.out_size)
    dtype = np.result_type(xp, gy)
    acc = np.zeros((g, o // g, k * cg), dtype)
    columns = _Columns(xp, geom)
    rows_buf = None
    for part in _chunks(n, length * k * cg * g * xp.itemsize):
        m = part.stop - part.start
        rows_buf = _buffer(rows_buf, (g, o // g, m * length), gy.dtype)
        grad = rows_buf[:, :, :m * length]
        np.copyto(grad.reshape(g, o // g, m, length), gy[part].reshape(m, g, o // g, length).transpose(1, 2, 0, 3))
        acc += _gemm(grad, columns.of(part).transpose(0, 2, 1), None)
    gw = np.moveaxis(acc.reshape(g, o // g, k, cg), 3, 2)
    return np.ascontiguousarray(gw).reshape(weight_shape)


def input_grad(gy: np.ndarray, w: np.ndarray, geom: ConvGeometry) -> np.ndarray:
    """The adjoint of ``forward`` in x: ``(N, C, *in_size)`` from ``gy`` ``(N, O, *out_size)``.

    With stride 1 this is itself a convolution: of ``gy``, padded by the kernel's reach, with
    the kernel flipped and its channel dims swapped, so it runs on ``forward``'s GEMMs.
    Strided convolutions scatter ``gy @ w`` back onto the windows instead (col2im).
    """
    reach = tuple(d * (k - 1) for k, d in zip(geom.kernel, geom.dilation))
    lo = tuple(r - p for r, p in zip(reach, geom.pad_lo))
    hi = tuple(s - o + r - p for s, o, r, p in zip(geom.in_size, geom.out_size, reach, lo))
    if any(s != 1 for s in geom.stride) or min(lo + hi) < 0:
        return _col2im(gy, w, geom)
    full = ConvGeometry(geom.kernel, geom.stride, geom.dilation, lo, hi, geom.groups, geom.out_size, geom.in_size)
    return forward(prepare(gy, full), _flipped(w, geom.groups), None, full)


def _flipped(w: np.ndarray, groups: int) -> np.ndarray:
    """The weight of the stride-1 input gradient: ``(C, O / groups, *kernel)``, spatially reversed."""
    o, cg = w.shape[:2]
    kernel = w.shape[2:]
    swapped = w.reshape((groups, o // groups, cg) + kernel).swapaxes(1, 2)
    flip = (slice(None),) * 3 + (slice(None, None, -1),) * len(kernel)
    return np.ascontiguousarray(swapped[flip]).reshape((groups * cg, o // groups) + kernel)


def _col2im(gy: np.ndarray, w: np.ndarray, geom: ConvGeometry) -> np.ndarray:
    """``input_grad`` for any stride: per kernel position, ``gy @ w`` added onto the windows it came from."""
    n, g = gy.shape[0], geom.groups
    o, cg = w.shape[:2]
    k = math.prod(geom.kernel)
    wk = np.ascontiguousarray(np.moveaxis(w.reshape(g, o // g, cg, k), 3, 0))  # (k, g, o/g, cg)
    length = math.prod(geom.out_size)
    dtype = np.result_type(gy, w)
    out = np.empty((n, g * cg) + geom.in_size, dtype)
    rows_buf = cols_buf = pad_buf = None
    for part in _chunks(n, length * k * cg * g * dtype.itemsize):
        m = part.stop - part.start
        rows = m * length
        rows_buf = _buffer(rows_buf, (g, rows, o // g), dtype)
        cols_buf = _buffer(cols_buf, (k, g, rows, cg), dtype)
        pad_buf = _buffer(pad_buf, (m,) + geom.padded_size + (g, cg), dtype)
        grad = rows_buf[:, :rows]
        np.copyto(grad.reshape(g, m, length, o // g), gy[part].reshape(m, g, o // g, length).transpose(1, 0, 3, 2))
        cols = cols_buf[:, :, :rows]
        for wk_k, cols_k in zip(wk, cols):
            _gemm(grad, wk_k, cols_k)
        padded = pad_buf[:m]
        padded.fill(0)
        for block, where in zip(cols, geom.offsets()):
            dst = padded[where]
            np.add(dst, np.moveaxis(block.reshape((g, m) + geom.out_size + (cg,)), 0, -2), out=dst)
        inner = padded[geom.interior()]
        np.copyto(out[part], np.moveaxis(inner.reshape(inner.shape[:-2] + (g * cg,)), -1, 1))
    return out


class _Columns:
    """A prepared input's im2col matrices, chunk by chunk, as ``(groups, k*C/groups, rows)``.

    With several channels per group, each window's channels are its longest contiguous run,
    so windows are copied whole into ``(rows, k*C)`` and the transposed view is given. With one
    (a grayscale first layer, a depthwise conv) a window's run would be one kernel row, so the
    matrix is built tap by tap instead: each kernel position's image rows are long runs (once
    there are rows enough to pay for a copy per kernel position).
    """

    def __init__(self, xp: np.ndarray, geom: ConvGeometry) -> None:
        self.xp, self.geom = xp, geom
        self.length = math.prod(geom.out_size)
        self.width = math.prod(geom.kernel) * (xp.shape[-1] // geom.groups)  # k*C/groups
        self.tapwise = xp.shape[-1] == geom.groups and xp.shape[0] * self.length >= _TAPWISE_ROWS
        self.windows = None if self.tapwise else _windows(xp, geom)
        self.buf: Optional[np.ndarray] = None

    def of(self, part: slice) -> np.ndarray:
        g, rows = self.geom.groups, (part.stop - part.start) * self.length
        if not self.tapwise:
            self.buf = _buffer(self.buf, (g, rows, self.width), self.xp.dtype)
            return _columns(self.windows[part], self.buf[:, :rows]).transpose(0, 2, 1)
        self.buf = _buffer(self.buf, (g, self.width, rows), self.xp.dtype)
        cols = self.buf[:, :, :rows]
        chunk = self.xp[part]
        channels_first = (chunk.ndim - 1,) + tuple(range(chunk.ndim - 1))
        for t, where in enumerate(self.geom.offsets()):
            np.copyto(cols[:, t].reshape((g, part.stop - part.start) + self.geom.out_size),
                      chunk[where].transpose(channels_first))  # (m, *out, groups) -> (groups, m, *out)
        return cols


# ------------------------------------------------------------------------------------ helpers
def _chunks(n: int, item_bytes: int) -> Iterator[slice]:
    """Consecutive slices of the batch, each about ``_CHUNK_BYTES`` of columns."""
    step = max(1, _CHUNK_BYTES // max(item_bytes, 1))
    for start in range(0, n, step):
        yield slice(start, min(n, start + step))


def _buffer(buf: Optional[np.ndarray], shape: tuple, dtype) -> np.ndarray:
    """A scratch array reused across chunks: the first chunk's size fits every later one."""
    return np.empty(shape, dtype) if buf is None else buf


def _gemm(a: np.ndarray, b: np.ndarray, out: Optional[np.ndarray]) -> np.ndarray:
    """``a[g] @ b[g]`` for each group, one 2-D BLAS call each (stacked matmul can bypass BLAS)."""
    if out is None:
        out = np.empty((a.shape[0], a.shape[1], b.shape[2]), np.result_type(a, b))
    for ag, bg, og in zip(a, b, out):
        np.matmul(ag, bg, out=og)
    return out


def _windows(xp: np.ndarray, geom: ConvGeometry) -> np.ndarray:
    """The ``(N, *out_size, *kernel, C)`` view of every kernel window of a prepared input."""
    sp = xp.strides
    shape = (xp.shape[0],) + geom.out_size + geom.kernel + xp.shape[-1:]
    strides = ((sp[0],) + tuple(s * st for s, st in zip(sp[1:-1], geom.stride))
               + tuple(s * d for s, d in zip(sp[1:-1], geom.dilation)) + (sp[-1],))
    return np.ndarray(shape, xp.dtype, xp, 0, strides)  # xp is C-contiguous (``prepare``)


def _columns(windows: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Copy windows ``(m, *out, *kernel, C)`` into ``dst`` ``(groups, m * out, kernel * C / groups)``."""
    g = dst.shape[0]
    if g == 1:
        np.copyto(dst.reshape(windows.shape), windows[None])
        return dst
    split = windows.reshape(windows.shape[:-1] + (g, windows.shape[-1] // g))
    np.copyto(dst.reshape((g,) + split.shape[:-2] + split.shape[-1:]), np.moveaxis(split, -2, 0))
    return dst


def _grouped_weight(w: np.ndarray, groups: int) -> np.ndarray:
    """Weight ``(O, Cg, *kernel)`` as ``(groups, O / groups, kernel * Cg)``, in the columns' order."""
    o, cg = w.shape[:2]
    k = math.prod(w.shape[2:])
    return np.ascontiguousarray(w.reshape(groups, o // groups, cg, k).transpose(0, 1, 3, 2)) \
        .reshape(groups, o // groups, k * cg)
