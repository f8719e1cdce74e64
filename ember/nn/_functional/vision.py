"""Vision functionals: ``pad``, ``interpolate`` (and the deprecated ``upsample*``), ``pixel_shuffle``,
``unfold`` / ``fold``, and the vector-geometry helpers ``normalize``, ``cosine_similarity`` and
``pairwise_distance``.

Padding in the non-constant modes and interpolation are separable linear maps run by
``_resample`` (one recorded node each, torch's node names); the rest are compositions of
ember ops, so their gradients come from those ops.
"""
from __future__ import annotations

import math
import warnings
from typing import List, Optional, Sequence

import numpy as np

from ... import dtypes
from ...ops._record import wrap, needs_grad, record, check_tensor
from ...ops._elementwise import capital, broadcast_error
from ...tensor import Tensor
from . import _resample
from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d

__all__ = ["pad", "interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle",
           "pixel_unshuffle", "unfold", "fold", "normalize", "cosine_similarity", "pairwise_distance"]

_PAD_MODES = ("constant", "reflect", "replicate", "circular")
_PAD_NODES = {"reflect": "ReflectionPad{}DBackward0", "replicate": "ReplicationPad{}DBackward0",
              "circular": "CopySlices"}


# ---------------------------------------------------------------------------- pad
def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: Optional[float] = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims: ``pad = (left, right, top, bottom, front, back)``, last dim
    first. ``constant`` fills with ``value`` (negative amounts crop); ``reflect`` mirrors without
    repeating the edge, ``replicate`` repeats it, ``circular`` wraps around."""
    check_tensor(input, "pad")
    amounts = [int(p) for p in pad]
    ndim = input._data.ndim
    if len(amounts) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(amounts) > 2 * ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension "
                           f"but got padding length {len(amounts)} and input of dimension {ndim}")
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if mode == "constant":
        return _constant_pad(input, amounts, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    nd = len(amounts) // 2
    if not 1 <= nd <= 3 or ndim not in (nd + 1, nd + 2):
        raise NotImplementedError(
            f"Padding size {len(amounts)} is not supported for {ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    shape = input._data.shape
    if mode != "circular" and any(s == 0 for s in shape[ndim - nd - 1:]):
        raise RuntimeError(f"Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with possibly 0 batch size and "
                           f"other non-zero dimensions for input, but got: {list(shape)}")
    maps = []
    for k in range(nd):
        lo, hi = amounts[2 * k], amounts[2 * k + 1]
        axis = -1 - k
        n = shape[axis]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"Argument #{2 * k + 4}: Padding size should be less than the corresponding input "
                               f"dimension, but got: padding ({lo}, {hi}) at dimension {ndim + axis} of input "
                               f"{list(shape)}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if n + lo + hi <= 0:
            raise RuntimeError(f"input (W: {n}) is too small. Calculated output W: {n + lo + hi}")
        maps.append(_resample.pad_map(axis, n, lo, hi, mode))
    return _resample.resample(input, maps, _PAD_NODES[mode].format(nd))


def _constant_pad(input: Tensor, amounts: List[int], value) -> Tensor:
    """Pad with ``value`` (cast to the input's dtype); negative amounts crop. Backward crops the
    gradient, i.e. pads it by the negated amounts."""
    x = input._data
    shape, inner, outer = list(x.shape), [slice(None)] * x.ndim, [slice(None)] * x.ndim
    for k in range(len(amounts) // 2):
        d = x.ndim - 1 - k
        lo, hi = amounts[2 * k], amounts[2 * k + 1]
        size = x.shape[d] + lo + hi
        if size < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
        shape[d] = size
        inner[d] = slice(max(-lo, 0), x.shape[d] - max(-hi, 0))
        outer[d] = slice(max(lo, 0), size - max(hi, 0))
    out = np.full(shape, value, x.dtype) if x.dtype.kind != "b" else np.full(shape, bool(value))
    out[tuple(outer)] = x[tuple(inner)]
    result = wrap(out)
    if needs_grad(input):
        record(result, "ConstantPadNdBackward0", (input,), lambda g: (_constant_pad(g, [-a for a in amounts], 0),))
    return result


# ---------------------------------------------------------------------------- interpolate
_LINEAR_MODES = {"linear": 1, "bilinear": 2, "trilinear": 3, "bicubic": 2}
_ALL_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
_NODE_KIND = {"nearest": "Nearest", "nearest-exact": "NearestExact", "linear": "Linear", "bilinear": "Bilinear",
              "trilinear": "Trilinear", "bicubic": "Bicubic"}
_LETTERS = {1: ("W",), 2: ("H", "W"), 3: ("D", "H", "W")}


def _is_int(x) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def _output_plan(input: Tensor, size, scale_factor, recompute_scale_factor, mode: str):
    """``(output sizes, scales used to map coordinates or None each)``, with torch's argument checks."""
    dim = input._data.ndim - 2
    spatial = list(input._data.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError("Input and output must have the same number of spatial dimensions, but got "
                                 f"input with spatial dimensions of {spatial} and output size of {size}. "
                                 "Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                                 "output size in (o1, o2, ...,oK) format.")
            if not all(_is_int(s) for s in size):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                                f"Tuple[int, int, int], but got size with types {[type(s) for s in size]}")
            out = [int(s) for s in size]
        else:
            if not _is_int(size):
                raise TypeError(f"expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                                f"Tuple[int, int, int], but got size with types {[type(size)]}")
            out = [int(size)] * dim
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        return out, [None] * dim
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if isinstance(scale_factor, (list, tuple)):
        if len(scale_factor) != dim:
            raise ValueError("Input and scale_factor must have the same number of spatial dimensions, but "
                             f"got input with spatial dimensions of {spatial} and scale_factor of shape "
                             f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                             "and scale_factor in (s1, s2, ...,sK) format.")
        scales = [float(s) for s in scale_factor]
    else:
        scales = [float(scale_factor)] * dim
    out = [int(math.floor(n * s)) for n, s in zip(spatial, scales)]
    if recompute_scale_factor or mode == "area":
        scales = [None] * dim
    return out, scales


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
                align_corners: Optional[bool] = None, recompute_scale_factor: Optional[bool] = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dims of ``(N, C, *spatial)`` to ``size`` or ``floor(in * scale_factor)``.

    Modes: ``nearest``, ``nearest-exact``, ``linear`` (3-D), ``bilinear`` / ``bicubic`` (4-D),
    ``trilinear`` (5-D) and ``area`` (adaptive average pooling). With ``align_corners`` the
    corner pixels' centres line up; ``antialias`` (bilinear/bicubic) widens the filter when
    downsampling, as PIL does.
    """
    check_tensor(input, "interpolate")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    else:
        align_corners = bool(align_corners)
    ndim = input._data.ndim
    nd = ndim - 2
    if mode not in _ALL_MODES or not 1 <= nd <= 3:
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {ndim}D) for the modes: nearest | "
            f"linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact (got {mode})")
    out_sizes, scales = _output_plan(input, size, scale_factor, recompute_scale_factor, mode)
    if antialias and not (mode in ("bilinear", "bicubic") and ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires "
                         "a 4-D tensor as input")
    if mode in _LINEAR_MODES and _LINEAR_MODES[mode] != nd:
        wanted = _LINEAR_MODES[mode] + 2
        raise NotImplementedError(f"Got {ndim}D input, but {mode} mode needs {wanted}D input")
    in_sizes = input._data.shape[2:]
    if any(s <= 0 for s in in_sizes) or any(s <= 0 for s in out_sizes):
        letters = _LETTERS[nd]
        raise RuntimeError("Input and output sizes should be greater than 0, but got input ("
                           + ", ".join(f"{c}: {s}" for c, s in zip(letters, in_sizes)) + ") output ("
                           + ", ".join(f"{c}: {s}" for c, s in zip(letters, out_sizes)) + ")")
    if mode == "area":
        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[nd - 1](input, out_sizes)
    return _interpolate(input, mode, nd, in_sizes, out_sizes, scales, align_corners, antialias)


def _interpolate(input: Tensor, mode: str, nd: int, in_sizes, out_sizes, scales, align_corners: bool,
                 antialias: bool) -> Tensor:
    x = input._data
    nearest = mode.startswith("nearest")
    kind = "nearest" if mode == "nearest" else "nearest-exact" if nearest else \
        "cubic" if mode == "bicubic" else "linear"
    if x.dtype.kind != "f" and not (x.dtype == np.uint8 and (nearest or nd == 2)):
        op = "compute_indices_weights_cubic" if kind == "cubic" else \
            f"upsample_{'nearest' if nearest else mode}{nd}d_channels_last"
        raise NotImplementedError(f'"{op}" not implemented for \'{capital(x.dtype)}\'')
    ftype = np.float64 if x.dtype == np.float64 else np.float32
    maps = _resample.maps_for(kind, in_sizes, out_sizes, scales, align_corners, ftype, antialias)
    name = f"Upsample{_NODE_KIND[mode]}{nd}D{'Aa' if antialias else ''}Backward0"
    if x.dtype == np.uint8 and not nearest:
        # As torch's (and PIL's) byte kernels: the last dim first, rounded back to bytes after each pass.
        for m in maps:
            x = np.clip(np.floor(m.apply(x.astype(np.float32)) + 0.5), 0, 255).astype(np.uint8)
        return wrap(x)
    return _resample.resample(input, maps, name)


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
             align_corners: Optional[bool] = None) -> Tensor:
    """Deprecated spelling of ``interpolate``."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: ``interpolate(..., mode='nearest')``."""
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---------------------------------------------------------------------------- pixel shuffle
def _shuffle_factor(input: Tensor, factor: int, fn_name: str, arg_name: str) -> int:
    """``factor`` as an int, after torch's checks (shared by pixel_shuffle and pixel_unshuffle)."""
    check_tensor(input, fn_name)
    r = int(factor)
    if input.ndim < 3:
        raise RuntimeError(f"{fn_name} expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"{fn_name} expects a positive {arg_name}, but got {r}")
    return r


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """``(*, C * r^2, H, W)`` -> ``(*, C, H * r, W * r)``: channel blocks become spatial blocks."""
    r = _shuffle_factor(input, upscale_factor, "pixel_shuffle", "upscale_factor")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
                           f"of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    n = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """``(*, C, H * r, W * r)`` -> ``(*, C * r^2, H, W)``: the inverse of ``pixel_shuffle``."""
    r = _shuffle_factor(input, downscale_factor, "pixel_unshuffle", "downscale_factor")
    *lead, c, h, w = input.shape
    if h % r or w % r:
        which, size = ("height", h) if h % r else ("width", w)
        raise RuntimeError(f"pixel_unshuffle expects {which} to be divisible by downscale_factor, but input.size("
                           f"{-2 if which == 'height' else -1})={size} is not divisible by {r}")
    n = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return x.reshape(*lead, c * r * r, h // r, w // r)


# ---------------------------------------------------------------------------- unfold / fold
def _pair(value, name: str) -> tuple:
    if _is_int(value):
        return int(value), int(value)
    value = tuple(int(v) for v in value)
    if len(value) != 2:
        raise RuntimeError(f"{name} must be an int or a pair of ints")
    return value


def _patch_index(size: tuple, kernel: tuple, dilation: tuple, padding: tuple, stride: tuple):
    """For each (kernel offset, block) pair, the flat position it reads in the padded plane;
    ``(kh * kw, L)``, plus the number of blocks along each dim."""
    hp, wp = size[0] + 2 * padding[0], size[1] + 2 * padding[1]
    blocks = [(p - d * (k - 1) - 1) // s + 1 for p, k, d, s in zip((hp, wp), kernel, dilation, stride)]
    ki, kj = np.meshgrid(np.arange(kernel[0]) * dilation[0], np.arange(kernel[1]) * dilation[1], indexing="ij")
    bi, bj = np.meshgrid(np.arange(blocks[0]) * stride[0], np.arange(blocks[1]) * stride[1], indexing="ij")
    rows = ki.reshape(-1, 1) + bi.reshape(1, -1)
    cols = kj.reshape(-1, 1) + bj.reshape(1, -1)
    return rows * wp + cols, blocks, (hp, wp)


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sliding blocks of ``(N, C, H, W)`` as columns: ``(N, C * kh * kw, L)`` (im2col)."""
    check_tensor(input, "unfold")
    if input.ndim < 3:  # torch reads the size of a dim the input lacks
        n = input.ndim
        raise IndexError("Dimension specified as 1 but tensor has no dimensions" if n == 0 else
                         f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {n})")
    if input.ndim > 4:
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
                           f"dimensions for input, but got: {list(input.shape)}")
    kernel, dil, pad_, step = (_pair(kernel_size, "kernel_size"), _pair(dilation, "dilation"),
                               _pair(padding, "padding"), _pair(stride, "stride"))
    index, blocks, (hp, wp) = _patch_index(tuple(input.shape[-2:]), kernel, dil, pad_, step)
    if blocks[0] < 1 or blocks[1] < 1:
        raise RuntimeError(f"Given input with spatial size ({input.shape[-2]}, {input.shape[-1]}), kernel_size="
                           f"{kernel}, dilation={dil}, padding={pad_}, calculated shape of the array of sliding "
                           f"blocks as ({blocks[0]}, {blocks[1]}), but its components must be at least one.")
    padded = pad(input, (pad_[1], pad_[1], pad_[0], pad_[0])) if any(pad_) else input
    flat = padded.reshape(*input.shape[:-2], hp * wp)
    cols = flat[..., wrap(index)]  # (*, C, K, L)
    return cols.reshape(*input.shape[:-3], input.shape[-3] * index.shape[0], index.shape[1])


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sum columns of blocks back into an image: ``(N, C * kh * kw, L)`` -> ``(N, C, *output_size)``
    (col2im, the adjoint of ``unfold``)."""
    check_tensor(input, "fold")
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
                           f"non-zero dimensions for input, but got: {list(input.shape)}")
    size, kernel, dil, pad_, step = (_pair(output_size, "output_size"), _pair(kernel_size, "kernel_size"),
                                     _pair(dilation, "dilation"), _pair(padding, "padding"), _pair(stride, "stride"))
    index, blocks, (hp, wp) = _patch_index(size, kernel, dil, pad_, step)
    k, n_blocks = index.shape
    lead, rows, cols = tuple(input.shape[:-2]), input.shape[-2], input.shape[-1]
    if rows % k:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
                           f"but got input.size(1)={rows} and kernel_size={kernel}")
    if cols != n_blocks:
        raise RuntimeError(f"Given output_size={size}, kernel_size={kernel}, dilation={dil}, padding={pad_}, "
                           f"stride={step}, expected size of input's dimension 2 to match the calculated number "
                           f"of sliding blocks {blocks[0]} * {blocks[1]} = {n_blocks}, but got input.size(2)={cols}.")
    c = rows // k
    values = input.reshape(*lead, c, k * n_blocks)
    plane = input.new_zeros(*lead, c, hp * wp).index_add(-1, wrap(index.reshape(-1)), values)
    image = plane.reshape(*lead, c, hp, wp)
    return image[..., pad_[0]:pad_[0] + size[0], pad_[1]:pad_[1] + size[1]] if any(pad_) else image


# ---------------------------------------------------------------------------- vector geometry
def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Optional[Tensor] = None) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim``."""
    check_tensor(input, "normalize")
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    result = input / denom
    if out is not None:
        out.copy_(result)
        return out
    return result


def _clamped_norm(x: Tensor, dim: int, eps: float) -> Tensor:
    """``||x||`` along ``dim`` raised to at least ``eps`` in value only: the gradient is the
    unclamped norm's, as torch clamps it in place outside autograd."""
    n = x.norm(2, dim, keepdim=True)
    return n + (n.clamp_min(eps) - n).detach()


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim`` (after broadcasting them)."""
    check_tensor(x1, "cosine_similarity", "x1")
    check_tensor(x2, "cosine_similarity", "x2", 2)
    common = dtypes.result_type(x1, x2)
    if not common.is_floating_point:
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is {capital(common.np)}")
    x1 = x1 if x1.is_floating_point() else x1.to(common)  # floats keep their own precision for the norms
    x2 = x2 if x2.is_floating_point() else x2.to(common)
    try:
        shape = np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise broadcast_error(x1.shape, x2.shape) from None
    if x1.shape != shape:
        x1 = x1.expand(shape)
    if x2.shape != shape:
        x2 = x2.expand(shape)
    return ((x1 / _clamped_norm(x1, dim, eps)) * (x2 / _clamped_norm(x2, dim, eps))).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` over the last dim."""
    check_tensor(x1, "pairwise_distance", "x1")
    check_tensor(x2, "pairwise_distance", "x2", 2)
    diff = x1 - x2 + eps
    return diff.norm(p, -1 if diff.ndim else None, keepdim=keepdim)
