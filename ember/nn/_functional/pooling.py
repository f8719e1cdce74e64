"""Pooling: max, average and adaptive (1-D, 2-D, 3-D), each one recorded node.

The NumPy kernels are in ``_pool_kernels``. Max pooling's backward scatters the gradient to
the saved argmax positions, and its double backward gathers from them; average pooling's
backward is the adjoint window sum, whose own backward is average pooling again.
"""
from __future__ import annotations

from typing import Optional, Sequence, Union

import numpy as np

from ...ops._record import wrap, needs_grad, record, check_tensor
from ...tensor import Tensor
from . import _pool_kernels as K

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d"]

_Size = Union[int, Sequence[int]]
_NUMBER = {1: "one", 2: "two", 3: "three"}
_LETTERS = {1: ("W",), 2: ("H", "W"), 3: ("T", "H", "W")}


# ------------------------------------------------------------------------------------ max pooling
def max_pool1d(input: Tensor, kernel_size: _Size, stride: Optional[_Size] = None, padding: _Size = 0,
               dilation: _Size = 1, ceil_mode: bool = False, return_indices: bool = False):
    """Max over windows of ``kernel_size`` along the last dim of ``(N, C, L)`` or ``(C, L)``."""
    _check_tensor("max_pool1d", input)
    ints = "an int, list of ints or tuple of ints"
    k = _one_int("max_pool1d", "kernel_size", kernel_size, ints)
    s = k if stride is None or (isinstance(stride, (tuple, list)) and not stride) else \
        _one_int("max_pool1d", "stride", stride, "None, an int, list of ints, or tuple of ints")
    p = _one_int("max_pool1d", "padding", padding, ints)
    d = _one_int("max_pool1d", "dilation", dilation, ints)
    if input.ndim not in (2, 3) or any(n == 0 for n in input.shape[-2:]):
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch "
                           f"size for input, but got:{list(input.shape)}")
    for what, v, low in (("kernel_size", k, 1), ("stride", s, 1), ("dilation", d, 1)):
        if v < low:
            raise RuntimeError(f"max_pool1d() {what} must be greater than zero, but got {v}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but got "
                           f"padding={p} and kernel_size={k}")
    out = _out_size(input.shape[-1], k, s, p, d, ceil_mode)
    if out < 1:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {out}")
    axes = [K.RegularAxis(input.shape[-1], out, k, s, d, p)]
    return _max_pool(input, axes, "MaxPool2DWithIndicesBackward0", return_indices)


def max_pool2d(input: Tensor, kernel_size: _Size, stride: Optional[_Size] = None, padding: _Size = 0,
               dilation: _Size = 1, ceil_mode: bool = False, return_indices: bool = False):
    """Max over ``kernel_size`` windows of ``(N, C, H, W)`` or ``(C, H, W)``; ``stride`` defaults to the kernel.

    With ``return_indices`` also each max's flat index into its ``H * W`` input plane.
    """
    axes = _regular_axes("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode)
    return _max_pool(input, axes, "MaxPool2DWithIndicesBackward0", return_indices)


def max_pool3d(input: Tensor, kernel_size: _Size, stride: Optional[_Size] = None, padding: _Size = 0,
               dilation: _Size = 1, ceil_mode: bool = False, return_indices: bool = False):
    """Max over ``kernel_size`` windows of ``(N, C, D, H, W)`` or ``(C, D, H, W)``."""
    axes = _regular_axes("max_pool3d", 3, input, kernel_size, stride, padding, dilation, ceil_mode)
    return _max_pool(input, axes, "MaxPool3DWithIndicesBackward0", return_indices)


def adaptive_max_pool1d(input: Tensor, output_size: _Size, return_indices: bool = False):
    """Max over the windows that split the last dim into ``output_size`` near-equal parts."""
    return _max_pool(input, _adaptive_axes("adaptive_max_pool1d", 1, input, output_size),
                     "AdaptiveMaxPool2DBackward0", return_indices)


def adaptive_max_pool2d(input: Tensor, output_size: _Size, return_indices: bool = False):
    """Max pooling to a fixed ``output_size`` (an int, or a pair whose ``None`` keeps that dim)."""
    return _max_pool(input, _adaptive_axes("adaptive_max_pool2d", 2, input, output_size),
                     "AdaptiveMaxPool2DBackward0", return_indices)


def adaptive_max_pool3d(input: Tensor, output_size: _Size, return_indices: bool = False):
    return _max_pool(input, _adaptive_axes("adaptive_max_pool3d", 3, input, output_size),
                     "AdaptiveMaxPool3DBackward0", return_indices)


# ------------------------------------------------------------------------------------ average pooling
def avg_pool1d(input: Tensor, kernel_size: _Size, stride: Optional[_Size] = None, padding: _Size = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """Mean over windows along the last dim of ``(N, C, L)`` or ``(C, L)``."""
    _check_tensor("avg_pool1d", input)
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for "
                           "argument #1 'self' (while checking arguments for avg_pool1d)")
    params = [_ints("avg_pool1d", what, v, 1) for what, v in
              (("kernel_size", kernel_size), ("stride", stride), ("padding", padding))]
    k, s, p = ((lead,) + v for lead, v in zip((1, 1, 0), _with_default_stride(*params)))
    shape = input.shape[:-1] + (1,) + input.shape[-1:]
    sizes = _check_regular("avg_pool2d", 2, shape, k, s, p, (1, 1), ceil_mode, input._data.dtype)
    axes = [K.RegularAxis(input.shape[-1], sizes[-1], k[1], s[1], 1, p[1])]
    return _avg_pool(input, axes, K.divisor(axes, count_include_pad), "AvgPool2DBackward0")


def avg_pool2d(input: Tensor, kernel_size: _Size, stride: Optional[_Size] = None, padding: _Size = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: Optional[int] = None) -> Tensor:
    """Mean over ``kernel_size`` windows of ``(N, C, H, W)`` or ``(C, H, W)``.

    Padding counts as zeros in the mean unless ``count_include_pad=False``;
    ``divisor_override`` replaces the window size as the divisor.
    """
    return _avg("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                divisor_override, "AvgPool2DBackward0")


def avg_pool3d(input: Tensor, kernel_size: _Size, stride: Optional[_Size] = None, padding: _Size = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: Optional[int] = None) -> Tensor:
    return _avg("avg_pool3d", 3, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                divisor_override, "AvgPool3DBackward0")


def adaptive_avg_pool1d(input: Tensor, output_size: _Size) -> Tensor:
    """Mean over the windows that split the last dim into ``output_size`` near-equal parts."""
    axes = _adaptive_axes("adaptive_avg_pool1d", 1, input, output_size)
    return _avg_pool(input, axes, K.divisor(axes, True), "AdaptiveAvgPool2DBackward0")


def adaptive_avg_pool2d(input: Tensor, output_size: _Size) -> Tensor:
    """Average pooling to a fixed ``output_size`` (an int, or a pair whose ``None`` keeps that dim)."""
    axes = _adaptive_axes("adaptive_avg_pool2d", 2, input, output_size)
    return _avg_pool(input, axes, K.divisor(axes, True), "AdaptiveAvgPool2DBackward0")


def adaptive_avg_pool3d(input: Tensor, output_size: _Size) -> Tensor:
    axes = _adaptive_axes("adaptive_avg_pool3d", 3, input, output_size)
    return _avg_pool(input, axes, K.divisor(axes, True), "AdaptiveAvgPool3DBackward0")


def _avg(name, nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override,
         node) -> Tensor:
    axes = _regular_axes(name, nd, input, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("divisor must be not zero")
        div = np.asarray(divisor_override)
    else:
        div = K.divisor(axes, count_include_pad)
    return _avg_pool(input, axes, div, node)


# ------------------------------------------------------------------------------------ recorded ops
def _planes(x: Tensor, nd: int) -> np.ndarray:
    """The input as ``(P, *spatial)``: every leading dim flattened into one."""
    return x._data.reshape((-1,) + x._data.shape[x.ndim - nd:])


def _max_pool(x: Tensor, axes: list, name: str, return_indices: bool):
    nd = len(axes)
    lead = tuple(x.shape[:x.ndim - nd])
    out_shape = lead + tuple(ax.out for ax in axes)
    recording = needs_grad(x)
    values, argmax = K.window_max(_planes(x, nd), axes, recording or return_indices)
    out = wrap(values.reshape(out_shape))
    if recording:
        in_shape = tuple(x.shape)
        record(out, name, (x,), lambda g: (_scatter(g, argmax, in_shape),))
    if return_indices:
        return out, wrap(argmax.flat().astype(np.int64).reshape(out_shape))
    return out


def _scatter(g: Tensor, argmax, in_shape: tuple) -> Tensor:
    """Max pooling's backward: each gradient goes to its window's argmax."""
    nd = len(argmax.in_size)
    out = wrap(argmax.scatter(g._data.reshape((-1,) + g._data.shape[g.ndim - nd:])).reshape(in_shape))
    if needs_grad(g):
        out_shape = tuple(g.shape)
        record(out, "MaxPool2DWithIndicesBackwardBackward0", (g,),
               lambda h: (_gather(h, argmax, out_shape),))
    return out


def _gather(h: Tensor, argmax, out_shape: tuple) -> Tensor:
    """The adjoint of ``_scatter``: read ``h`` at each window's argmax."""
    in_shape = tuple(h.shape)
    index = argmax.flat()
    out = wrap(K.gather(h._data.reshape(index.shape[0], -1), index).reshape(out_shape))
    if needs_grad(h):
        record(out, "GatherBackward0", (h,), lambda g: (_scatter(g, argmax, in_shape),))
    return out


def _avg_pool(x: Tensor, axes: list, div: np.ndarray, name: str) -> Tensor:
    nd = len(axes)
    lead = tuple(x.shape[:x.ndim - nd])
    out = wrap(_divide(K.window_sum(_planes(x, nd), axes), div).reshape(lead + tuple(ax.out for ax in axes)))
    if needs_grad(x):
        in_shape = tuple(x.shape)
        record(out, name, (x,), lambda g: (_avg_pool_adjoint(g, axes, div, in_shape, name),))
    return out


def _avg_pool_adjoint(g: Tensor, axes: list, div: np.ndarray, in_shape: tuple, name: str) -> Tensor:
    """Average pooling's backward: each gradient, divided by its window size, spread over the window."""
    nd = len(axes)
    out = wrap(K.window_sum_adjoint(_divide(_planes(g, nd), div), axes).reshape(in_shape))
    if needs_grad(g):
        record(out, name.replace("Backward0", "BackwardBackward0"), (g,),
               lambda h: (_avg_pool(h, axes, div, name),))
    return out


def _divide(total: np.ndarray, div: np.ndarray) -> np.ndarray:
    """``total / div`` as torch's pooling divides: true division for floats, truncating for integers."""
    if total.dtype.kind == "f":
        return total / div.astype(total.dtype)
    return (np.abs(total) // div * np.sign(total)).astype(total.dtype)


_TYPE_NAMES = {"float16": "Half", "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long",
               "uint8": "Byte", "bool": "Bool"}


# ------------------------------------------------------------------------------------ argument checks
def _check_tensor(name: str, input) -> None:
    check_tensor(input, name)


def _ints(name: str, what: str, value, nd: int) -> Optional[tuple]:
    """An int / sequence pooling argument as ``nd`` ints (None or empty: not given)."""
    if value is None or (isinstance(value, (tuple, list)) and len(value) == 0):
        return None
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * nd
    if not isinstance(value, (tuple, list)) or not all(isinstance(v, (int, np.integer)) for v in value):
        raise TypeError(f"{name}(): argument '{what}' must be tuple of ints, not {type(value).__name__}")
    if len(value) == 1:
        return (int(value[0]),) * nd
    if len(value) != nd:
        if nd == 1:
            raise RuntimeError(f"{name}() argument '{what}' should contain one int (got {len(value)})")
        verb = {"stride": "must either be omitted, a single int, or",
                "dilation": "must be either a single int, or"}.get(what, "must either be a single int, or")
        raise RuntimeError(f"{name}: {what} {verb} a tuple of {_NUMBER[nd]} ints")
    return tuple(int(v) for v in value)


def _one_int(name: str, what: str, value, accepted: str) -> int:
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise RuntimeError(f"{name}() {what} must be {accepted} of size 1 but got size {len(value)}")
        value = value[0]
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"{name}(): argument '{what}' must be tuple of ints, not {type(value).__name__}")
    return int(value)


def _with_default_stride(kernel: tuple, stride: Optional[tuple], padding: tuple) -> tuple:
    return kernel, kernel if stride is None else stride, padding


def _out_size(size: int, kernel: int, stride: int, pad: int, dilation: int, ceil_mode: bool) -> int:
    """torch's pooling output size: with ``ceil_mode`` the last window may overhang, but must start inside."""
    span = size + 2 * pad - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)
    out = span // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def _regular_axes(name, nd, input, kernel_size, stride, padding, dilation, ceil_mode) -> list:
    _check_tensor(name, input)
    k = _ints(name, "kernel_size", kernel_size, nd)
    if k is None:
        raise RuntimeError(f"{name}: kernel_size must either be a single int, or a tuple of {_NUMBER[nd]} ints")
    k, s, p = _with_default_stride(k, _ints(name, "stride", stride, nd), _ints(name, "padding", padding, nd))
    d = _ints(name, "dilation", dilation, nd)
    sizes = _check_regular(name, nd, tuple(input.shape), k, s, p, d, ceil_mode, input._data.dtype)
    return [K.RegularAxis(*a) for a in zip(input.shape[input.ndim - nd:], sizes, k, s, d, p)]


def _check_regular(name, nd, shape, k, s, p, d, ceil_mode, dtype) -> tuple:
    """torch's pooling checks, in torch's order; the output sizes."""
    if dtype.kind == "b":
        raise RuntimeError(f"\"{name}\" not implemented for 'Bool'")
    if any(v == 0 for v in s):
        raise RuntimeError("stride should not be zero")
    if any(v < 0 for v in p):
        raise RuntimeError(f"pad must be non-negative, but got pad: {min(p)}")
    for kk, pp, dd in zip(k, p, d):
        if pp > ((kk - 1) * dd + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pp}, "
                               f"kernel_size={kk} and dilation={dd}")
    letters = _LETTERS[nd]
    for values, what, prefix in ((k, "kernel size", "k"), (s, "stride", "d"), (d, "dilation", "dilation")):
        if any(v <= 0 for v in values):
            got = " ".join(f"{prefix}{c}: {v}" for c, v in zip(letters, values))
            raise RuntimeError(f"{what} should be greater than zero, but got {got}")
    if len(shape) not in (nd + 1, nd + 2) or any(n == 0 for n in shape[-nd - 1:]):
        if len(shape) in (nd + 1, nd + 2):
            raise RuntimeError(f"Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with optional 0 dim "
                               f"batch size for input, but got:{list(shape)}")
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input")
    size = shape[-nd:]
    out = tuple(_out_size(*a, ceil_mode) for a in zip(size, k, s, p, d))
    if any(o < 1 for o in out):
        if name == "avg_pool3d":
            raise RuntimeError(f"input image ({' '.join(f'{c}: {v}' for c, v in zip(letters, size))}) smaller "
                               f"than kernel size ({' '.join(f'k{c}: {v}' for c, v in zip(letters, k))})")
        channels = shape[-nd - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (channels,) + size))}). Calculated output "
                           f"size: ({'x'.join(map(str, (channels,) + out))}). Output size is too small")
    return out


def _adaptive_axes(name: str, nd: int, input: Tensor, output_size) -> list:
    _check_tensor(name, input)
    if isinstance(output_size, (int, np.integer)):
        sizes = (int(output_size),) * nd
    else:
        sizes = tuple(output_size)
        if len(sizes) != nd:
            if nd == 1:
                raise RuntimeError(f"{name}() argument 'output_size' should contain one int (got {len(sizes)})")
            if "max" in name:
                raise RuntimeError(f"{name}(): internal error: output_size.size() must be {nd}")
            raise RuntimeError(f"{name}: output_size must be {nd}")
    if input.ndim not in (nd + 1, nd + 2):
        if nd == 1:
            raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for "
                               f"argument #1 'self' (while checking arguments for {name})")
        colon = ":" if "max" in name else ""
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got{colon} {list(input.shape)}")
    spatial = tuple(input.shape[input.ndim - nd:])
    sizes = tuple(s if o is None else int(o) for o, s in zip(sizes, spatial))
    if any(o < 0 for o in sizes):
        if "max" in name:
            raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: "
                               f"{list(input.shape[:input.ndim - nd]) + list(sizes)}")
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0 but received "
                           f"{{{', '.join(map(str, sizes))}}}")
    for dim in range(input.ndim - nd - 1, input.ndim):
        if input.shape[dim] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch dimensions, but "
                               f"input has sizes {list(input.shape)} with dimension {dim} being empty")
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"{name}\" not implemented for "
                                  f"'{_TYPE_NAMES.get(input._data.dtype.name, input._data.dtype.name)}'")
    return [_adaptive(s, o) for s, o in zip(spatial, sizes)]


def _adaptive(size: int, out: int):
    """An adaptive dim whose windows are all equal is a regular one (kernel = stride): faster."""
    if out and size % out == 0:
        return K.RegularAxis(size, out, size // out, size // out, 1, 0)
    return K.AdaptiveAxis.of(size, out)
