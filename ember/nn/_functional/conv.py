"""Convolutions: ``conv1d/2d/3d`` and ``conv_transpose1d/2d/3d``.

Three recorded ops do all the work, each the adjoint of the others, so every backward is
itself differentiable (``create_graph``): the convolution ``y = conv(x, w)``, the transposed
convolution ``x' = conv_t(y', w)`` (the gradient of conv in x) and the weight gradient
``w' = conv_w(x, y')``. Their NumPy kernels are in ``_im2col``. Padding is applied inside
the kernels; unbatched inputs (no batch dim) are handled there too, so each call is one node.
"""
from __future__ import annotations

from typing import Optional, Sequence, Union

import numpy as np

from ...ops._record import wrap, needs_grad, record, check_tensor
from ...tensor import Tensor
from . import _im2col as K
from ._im2col import ConvGeometry

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]

_IntOrTuple = Union[int, Sequence[int]]


# ------------------------------------------------------------------------------------ public API
def conv1d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride: _IntOrTuple = 1,
           padding: Union[str, _IntOrTuple] = 0, dilation: _IntOrTuple = 1, groups: int = 1) -> Tensor:
    """1-D convolution of ``input`` ``(N, C, L)`` (or ``(C, L)``) with ``weight`` ``(O, C/groups, k)``."""
    return _convolution("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride: _IntOrTuple = 1,
           padding: Union[str, _IntOrTuple] = 0, dilation: _IntOrTuple = 1, groups: int = 1) -> Tensor:
    """2-D convolution of ``input`` ``(N, C, H, W)`` (or ``(C, H, W)``) with ``weight`` ``(O, C/groups, kH, kW)``.

    ``padding`` is an int, a pair, ``'valid'`` (none) or ``'same'`` (output as large as the
    input; stride 1 only).
    """
    return _convolution("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride: _IntOrTuple = 1,
           padding: Union[str, _IntOrTuple] = 0, dilation: _IntOrTuple = 1, groups: int = 1) -> Tensor:
    """3-D convolution of ``input`` ``(N, C, D, H, W)`` with ``weight`` ``(O, C/groups, kD, kH, kW)``."""
    return _convolution("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride: _IntOrTuple = 1,
                     padding: _IntOrTuple = 0, output_padding: _IntOrTuple = 0, groups: int = 1,
                     dilation: _IntOrTuple = 1) -> Tensor:
    """1-D transposed convolution ("deconvolution"): the gradient of ``conv1d`` in its input.

    ``weight`` is ``(C_in, C_out/groups, k)``; ``output_padding`` adds size at the end.
    """
    return _transposed("conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding,
                       groups, dilation)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride: _IntOrTuple = 1,
                     padding: _IntOrTuple = 0, output_padding: _IntOrTuple = 0, groups: int = 1,
                     dilation: _IntOrTuple = 1) -> Tensor:
    """2-D transposed convolution: the gradient of ``conv2d`` in its input.

    ``weight`` is ``(C_in, C_out/groups, kH, kW)``; ``output_padding`` adds size at the end.
    """
    return _transposed("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding,
                       groups, dilation)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride: _IntOrTuple = 1,
                     padding: _IntOrTuple = 0, output_padding: _IntOrTuple = 0, groups: int = 1,
                     dilation: _IntOrTuple = 1) -> Tensor:
    """3-D transposed convolution, ``weight`` ``(C_in, C_out/groups, kD, kH, kW)``."""
    return _transposed("conv_transpose3d", 3, input, weight, bias, stride, padding, output_padding,
                       groups, dilation)


# ------------------------------------------------------------------------------------ argument checks
_GEOMETRIES: dict = {}  # call signature -> its validated ConvGeometry: a model has a handful


def _convolution(name, nd, input, weight, bias, stride, padding, dilation, groups) -> Tensor:
    """Validate a convolution's arguments as torch does (once per signature) and run it."""
    _check_types(name, input, weight, bias)
    key = (name, input._data.shape, input._data.dtype, weight._data.shape, weight._data.dtype,
           None if bias is None else (bias._data.shape, bias._data.dtype),
           _typed(stride), _typed(padding), _typed(dilation), _typed(groups))
    try:
        geom = _GEOMETRIES.get(key)
    except TypeError:  # an unhashable argument: validated below, which rejects it
        key, geom = None, None
    if geom is None:
        geom = _geometry(name, nd, input, weight, bias, stride, padding, dilation, groups)
        if key is not None and len(_GEOMETRIES) < 1024:
            _GEOMETRIES[key] = geom
    return _conv(input, weight, bias, geom)


def _typed(value):
    """An argument with its type (and its elements'), so that ``True`` and ``1`` key apart."""
    if isinstance(value, (list, tuple)):
        return type(value), tuple((type(v), v) for v in value)
    return type(value), value


def _geometry(name, nd, input, weight, bias, stride, padding, dilation, groups) -> ConvGeometry:
    _check_input_dims(name, nd, input)
    kdims = weight.ndim - 2
    stride = _ints("stride", stride, nd, kdims, name)
    dilation = _ints("dilation", dilation, nd, kdims, name)
    kernel = tuple(weight.shape[2:])
    if isinstance(padding, str):
        pad_lo, pad_hi = _padding_mode(padding, stride, kernel, dilation)
    else:
        pad_lo = pad_hi = _ints("padding", padding, nd, kdims, name)
    _check_params(stride, pad_lo, dilation, groups)
    _check_groups(weight, groups)
    batched = _batched_shape(input, nd)
    if batched[1] != weight.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
                           f"input{list(batched)} to have {weight.shape[1] * groups} channels, but got "
                           f"{batched[1]} channels instead")
    _check_bias(bias, weight.shape[0], f"weight of size {list(weight.shape)}")
    size = batched[2:]
    padded = tuple(s + lo + hi for s, lo, hi in zip(size, pad_lo, pad_hi))
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if any(p < k for p, k in zip(padded, span)):
        raise RuntimeError(f"Calculated padded input size per channel: ({_x(padded)}). Kernel size: "
                           f"({_x(span)}). Kernel size can't be greater than actual input size")
    _check_dtypes(input, weight, bias)
    out = tuple(K.output_size(*a) for a in zip(size, kernel, stride, dilation, pad_lo, pad_hi))
    return ConvGeometry(kernel, stride, dilation, pad_lo, pad_hi, groups, size, out)


def _transposed(name, nd, input, weight, bias, stride, padding, output_padding, groups, dilation) -> Tensor:
    _check_types(name, input, weight, bias)
    if isinstance(padding, str):
        raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    _check_input_dims(name, nd, input)
    kdims = weight.ndim - 2
    stride = _ints("stride", stride, nd, kdims, name)
    padding = _ints("padding", padding, nd, kdims, name)
    output_padding = _ints("output_padding", output_padding, nd, kdims, name)
    dilation = _ints("dilation", dilation, nd, kdims, name)
    _check_params(stride, padding, dilation, groups)
    _check_groups(weight, groups)
    batched = _batched_shape(input, nd)
    shape = f"weight of size {list(weight.shape)}"
    if batched[1] != weight.shape[0]:
        raise RuntimeError(f"Given transposed=1, {shape}, expected input{list(batched)} to have "
                           f"{weight.shape[0]} channels, but got {batched[1]} channels instead")
    _check_bias(bias, weight.shape[1] * groups, f"transposed=1, {shape}")
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(p >= s and p >= d for p, s, d in zip(output_padding, stride, dilation)):
        axes = ("depth", "height", "width")[-max(nd, 2):]
        parts = [f"{what}_{axis}: {v}" for what, values, unit in
                 (("output_padding", output_padding, 0), ("stride", stride, 1), ("dilation", dilation, 1))
                 for axis, v in zip(axes, ((unit,) if nd == 1 else ()) + values)]
        raise RuntimeError("output padding must be smaller than either stride or dilation, but got "
                           + " ".join(parts))
    kernel = tuple(weight.shape[2:])
    size = batched[2:]
    out = tuple((i - 1) * s - 2 * p + d * (k - 1) + op + 1 for i, s, p, d, k, op in
                zip(size, stride, padding, dilation, kernel, output_padding))
    if any(o <= 0 for o in out):
        lead = (1,) if nd == 1 else ()
        raise RuntimeError(f"Given input size per channel: ({_x(lead + size)}). Calculated output size "
                           f"per channel: ({_x(lead + out)}). Output size is too small")
    _check_dtypes(input, weight, bias)
    return _conv_t(input, weight, bias, ConvGeometry(kernel, stride, dilation, padding, padding, groups,
                                                     out, size))


def _check_types(name: str, input, weight, bias) -> None:
    check_tensor(input, name, "input", 1)
    check_tensor(weight, name, "weight", 2)
    if bias is not None:
        check_tensor(bias, name, "bias", 3)


def _check_input_dims(name: str, nd: int, input: Tensor) -> None:
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but "
                           f"got input of size: {list(input.shape)}")


def _batched_shape(input: Tensor, nd: int) -> tuple:
    return tuple(input.shape) if input.ndim == nd + 2 else (1,) + tuple(input.shape)


def _ints(what: str, value, nd: int, kdims: int, name: str) -> tuple:
    """An int or sequence argument as ``kdims`` ints (the weight's spatial dims), as torch checks it."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        values = (int(value),) * nd
    elif isinstance(value, (tuple, list)) and all(isinstance(v, (int, np.integer)) for v in value):
        values = tuple(int(v) for v in value) * (nd if len(value) == 1 else 1)
    else:
        raise TypeError(f"{name}(): argument '{what}' must be tuple of ints, not {type(value).__name__}")
    if len(values) != kdims:
        raise RuntimeError(f"expected {what} to be a single integer value or a list of {kdims} values to "
                           f"match the convolution dimensions, but got {what}={list(values)}")
    return values


def _padding_mode(mode: str, stride: tuple, kernel: tuple, dilation: tuple) -> tuple:
    """``'valid'`` and ``'same'`` as (low, high) padding; 'same' puts an odd extra unit at the end."""
    if mode == "valid":
        zeros = (0,) * len(kernel)
        return zeros, zeros
    if mode != "same":
        raise RuntimeError(f"Invalid padding string: '{mode}'")
    if any(s != 1 for s in stride):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    total = tuple(d * (k - 1) for k, d in zip(kernel, dilation))
    lo = tuple(t // 2 for t in total)
    return lo, tuple(t - low for t, low in zip(total, lo))


def _check_params(stride: tuple, padding: tuple, dilation: tuple, groups: int) -> None:
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")


def _check_groups(weight: Tensor, groups: int) -> None:
    if weight.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                           f"dimension 0, but got weight of size [{list(weight.shape)}] instead")


def _check_bias(bias: Optional[Tensor], channels: int, given: str) -> None:
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != channels):
        raise RuntimeError(f"Given {given}, expected bias to be 1-dimensional with {channels} elements, "
                           f"but got bias of size {list(bias.shape)} instead")


_TYPE_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double", "int8": "Char",
               "int16": "Short", "int32": "Int", "int64": "Long", "uint8": "Byte", "bool": "Bool"}


def _check_dtypes(input: Tensor, weight: Tensor, bias: Optional[Tensor]) -> None:
    x, w = input._data.dtype, weight._data.dtype
    if x != w:
        raise RuntimeError(f"expected scalar type {_TYPE_NAMES[x.name]} but found {_TYPE_NAMES[w.name]}")
    if bias is not None and bias._data.dtype != x:
        raise RuntimeError(f"Input type ({_c_name(x)}) and bias type ({_c_name(bias._data.dtype)}) should "
                           "be the same")


def _c_name(dtype: np.dtype) -> str:
    return {"float16": "c10::Half", "float32": "float", "float64": "double", "int64": "long int"}.get(
        dtype.name, dtype.name)


def _x(sizes: tuple) -> str:
    return " x ".join(str(s) for s in sizes)


# ------------------------------------------------------------------------------------ recorded ops
def _conv(x: Tensor, w: Tensor, b: Optional[Tensor], geom: ConvGeometry) -> Tensor:
    """``y = conv(x, w) + b`` as one node; its vjp is ``(conv_t(g, w), conv_w(x, g), sum(g))``."""
    batched = x.ndim == len(geom.kernel) + 2
    xp = K.prepare(x._data if batched else x._data[None], geom)
    y = K.forward(xp, w._data, None if b is None else b._data, geom)
    out = wrap(y if batched else y[0])
    if needs_grad(x, w, b):
        x_rg, w_rg, b_rg = x._rg, w._rg, b is not None and b._rg
        prepared = xp if w_rg else None  # kept for the weight gradient only

        def vjp(g):
            return (_conv_t(g, w, None, geom) if x_rg else None,
                    _conv_w(x, g, geom, tuple(w.shape), prepared) if w_rg else None,
                    _bias_grad(g, len(geom.kernel)) if b_rg else None)
        record(out, "ConvolutionBackward0", (x, w, b), vjp, saved=(x, w))
    return out


def _conv_t(y: Tensor, w: Tensor, b: Optional[Tensor], geom: ConvGeometry) -> Tensor:
    """The transposed convolution of ``y`` (conv's input gradient) plus ``b``, as one node."""
    batched = y.ndim == len(geom.kernel) + 2
    x = K.input_grad(y._data if batched else y._data[None], w._data, geom)
    if b is not None:
        x += b._data.reshape((-1,) + (1,) * len(geom.kernel))
    out = wrap(x if batched else x[0])
    if needs_grad(y, w, b):
        y_rg, w_rg, b_rg = y._rg, w._rg, b is not None and b._rg

        def vjp(g):
            return (_conv(g, w, None, geom) if y_rg else None,
                    _conv_w(g, y, geom, tuple(w.shape)) if w_rg else None,
                    _bias_grad(g, len(geom.kernel)) if b_rg else None)
        record(out, "ConvolutionBackward0", (y, w, b), vjp, saved=(y, w))
    return out


def _conv_w(x: Tensor, gy: Tensor, geom: ConvGeometry, weight_shape: tuple,
            prepared: Optional[np.ndarray] = None) -> Tensor:
    """The weight gradient of ``conv(x, w)`` for output gradient ``gy``; ``prepared`` is x from ``K.prepare``."""
    batched = x.ndim == len(geom.kernel) + 2
    if prepared is None:
        prepared = K.prepare(x._data if batched else x._data[None], geom)
    out = wrap(K.weight_grad(prepared, gy._data if batched else gy._data[None], geom, weight_shape))
    if needs_grad(x, gy):
        x_rg, g_rg = x._rg, gy._rg

        def vjp(h):
            return (_conv_t(gy, h, None, geom) if x_rg else None,
                    _conv(x, h, None, geom) if g_rg else None)
        record(out, "ConvolutionBackwardBackward0", (x, gy), vjp, saved=(x, gy))
    return out


def _bias_grad(g: Tensor, nd: int) -> Tensor:
    """Sum of the output gradient over all dims but the channels'."""
    channel = g.ndim - nd - 1
    return g.sum(tuple(d for d in range(g.ndim) if d != channel))
