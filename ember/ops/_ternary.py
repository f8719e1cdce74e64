"""Elementwise ops of an input and two more operands: clamp, where, lerp, addcmul, addcdiv.

All three operands broadcast together and promote as torch's do; ``record_broadcast`` fits
each gradient to its operand.
"""
from __future__ import annotations

import warnings
from typing import Callable, Optional

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from ._elementwise import (capital, operands, broadcast_error, recording, record_broadcast, output, tensors_only,
                           keep_where, SAME_WIDTH_INT)
from ._record import wrap, record, check_tensor, public_names
from ._unary import _check_input


def clamp(input: Tensor, min=None, max=None, *, out: Optional[Tensor] = None) -> Tensor:
    """Clip to [min, max] (numbers or tensors); min > max gives max everywhere.

    The gradient passes where the input lies within the bounds, bounds included.
    """
    _check_input("clamp", input)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) != isinstance(max, Tensor) and min is not None and max is not None:
        min, max = (b.item() if isinstance(b, Tensor) and b.ndim == 0 else b for b in (min, max))
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            raise TypeError("clamp() received an invalid combination of arguments: the bounds must be "
                            "both numbers or both tensors")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        result = _clamp_tensors(input, min, max)
    else:
        result = _clamp_numbers(input, min, max)
    return output(out, result)


clip = clamp


def _clamp_numbers(input: Tensor, lo, hi, name: str = "ClampBackward1") -> Tensor:
    values = [v for v in (input, lo, hi) if v is not None]
    (t, *_), (x, *bounds) = operands("clamp", values)
    if x.dtype.kind == "b":
        kernel = "clamp_scalar_cpu" if len(bounds) == 2 else "clamp_min_scalar_cpu" if hi is None \
            else "clamp_max_scalar_cpu"
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')
    lo_a = bounds[0] if lo is not None else None
    hi_a = bounds[-1] if hi is not None else None
    y = x if lo_a is None else np.maximum(x, lo_a)
    y = wrap(y if hi_a is None else np.minimum(y, hi_a))
    if recording(t):
        def vjp(g):
            inside = (t >= lo) if hi is None else (t <= hi) if lo is None else (t >= lo) & (t <= hi)
            return (g.where(inside, 0.0),)
        record(y, name, (t,), vjp, (t,))
    return y


def _clamp_tensors(input: Tensor, lo, hi, name: str = "ClampBackward0") -> Tensor:
    values = [v for v in (input, lo, hi) if v is not None]
    tensors, arrays = operands("clamp", values)
    x, bounds = arrays[0], arrays[1:]
    if x.dtype.kind == "b" and len(bounds) == 2:
        raise NotImplementedError("\"clamp_cpu\" not implemented for 'Bool'")
    try:
        y = x if lo is None else np.maximum(x, bounds[0])
        y = wrap(y if hi is None else np.minimum(y, bounds[-1]))
    except ValueError:
        raise broadcast_error(*(a.shape for a in arrays)) from None
    if recording(*tensors):
        record_broadcast(y, name, tensors, _clamp_vjp(lo is not None, hi is not None),
                         ["0" + "12"[:len(values) - 1]] * len(values))
    return y


def _clamp_vjp(has_lo: bool, has_hi: bool) -> Callable:
    """torch's clamp gradients for tensor bounds: each bound gets the gradient where it won."""
    def vjp(g, t, *rest):
        *bounds, _, need = rest
        lo = bounds[0] if has_lo else None
        hi = bounds[-1] if has_hi else None
        if lo is not None and hi is not None:
            grads = [g.where((t >= lo) & (t <= hi), 0.0),
                     g.where((t < lo) & (lo < hi), 0.0),
                     g.where((t > hi) | (hi < lo), 0.0)]
        elif lo is not None:
            grads = [g.where(t >= lo, 0.0), g.where(t < lo, 0.0)]
        else:
            grads = [g.where(t <= hi, 0.0), g.where(t > hi, 0.0)]
        return tuple(gr if n else None for gr, n in zip(grads, need))
    return vjp


def clamp_min(input: Tensor, min) -> Tensor:
    if isinstance(min, Tensor):
        return _clamp_tensors(input, min, None, "ClampMinBackward1")
    return _clamp_numbers(input, min, None, "ClampMinBackward0")


def clamp_max(input: Tensor, max) -> Tensor:
    if isinstance(max, Tensor):
        return _clamp_tensors(input, None, max, "ClampMaxBackward1")
    return _clamp_numbers(input, None, max, "ClampMaxBackward0")


def _select(cond: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``np.where(cond, x, y)``, through ``keep_where`` when ``y`` is +0 and ``x`` a float array."""
    if (y.ndim == 0 and x.ndim and x.dtype.kind == "f" and cond.shape == x.shape and y == 0 and not np.signbit(y)
            and x.itemsize in SAME_WIDTH_INT):
        return keep_where(cond, x)
    return np.where(cond, x, y)


def where(condition: Tensor, input=None, other=None, *, out: Optional[Tensor] = None):
    """``input`` where ``condition`` holds, else ``other`` (all three broadcast).

    With only a condition it is ``nonzero(condition, as_tuple=True)``.
    """
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    cond = check_tensor(condition, "where", "condition")._data
    if cond.dtype != np.bool_:
        if cond.dtype != np.uint8:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with "
                               f"dtype {capital(cond.dtype)}")
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated and will be "
                      "removed in a future version of PyTorch. Use a boolean condition instead.",
                      UserWarning, stacklevel=2)
        cond = cond.astype(bool)
    (a, b), (x, y) = operands("where", (input, other))
    try:
        result = wrap(_select(cond, x, y))
    except ValueError:
        raise broadcast_error(cond.shape, x.shape, y.shape) from None
    if recording(a, b):
        mask = wrap(cond)
        record_broadcast(result, "WhereBackward0", (a, b), lambda g, a_, b_, o, need: (
            g.where(mask, 0.0) if need[0] else None, g.where(~mask, 0.0) if need[1] else None))
    return output(out, result)


# ---------------------------------------------------------------------------- lerp, addcmul, addcdiv
def _three_tensors(op: str, *values) -> None:
    for pos, (arg, v) in enumerate(zip(("input", "tensor1", "tensor2"), values), 1):
        check_tensor(v, op, arg, pos)


_C10_NAMES = {"bool": "bool", "uint8": "unsigned char", "int8": "signed char", "int16": "short int",
              "int32": "int", "int64": "long int", "float16": "c10::Half", "float32": "float", "float64": "double"}


def lerp(input: Tensor, end: Tensor, weight, *, out: Optional[Tensor] = None) -> Tensor:
    """``input + weight * (end - input)``, computed as torch does for weights of 0.5 and above.

    ``end`` and a dimensioned ``weight`` must have ``input``'s dtype; a 0-dim ``weight`` joins
    the type promotion and a number does not.
    """
    tensors_only("lerp", input, end)
    x, e = input._data, end._data
    dim_weight = isinstance(weight, Tensor) and weight._data.ndim > 0
    for arg, t in (("end", end), ("weight", weight if dim_weight else None)):
        if t is not None and t._data.dtype != x.dtype:
            raise RuntimeError(f"expected dtype {_C10_NAMES[x.dtype.name]} for `{arg}` but got dtype "
                               f"{_C10_NAMES[t._data.dtype.name]}")
    dtype = dtypes.result_type(input, end, weight) if isinstance(weight, Tensor) else input.dtype
    if not dtype.is_floating_point:
        kernel = "lerp_kernel_tensor" if isinstance(weight, Tensor) else "lerp_kernel_scalar"
        raise NotImplementedError(f'"{kernel}" not implemented for \'{capital(dtype.np)}\'')
    x, e = x.astype(dtype.np, copy=False), e.astype(dtype.np, copy=False)
    w = weight._data.astype(dtype.np, copy=False) if isinstance(weight, Tensor) else dtype.np.type(weight)
    try:
        diff = e - x
        y = wrap(np.where(np.abs(w) < 0.5, x + w * diff, e - diff * (1 - w)))
    except ValueError:
        raise broadcast_error(x.shape, e.shape, np.shape(w)) from None
    inputs = (input, end) + ((weight,) if isinstance(weight, Tensor) else ())
    if recording(*inputs):
        wt = weight

        def vjp(g, a, b, *rest):
            need = rest[-1]
            return (g * (1 - wt) if need[0] else None, g * wt if need[1] else None,
                    g * (b - a) if len(need) > 2 and need[2] else None)
        record_broadcast(y, "LerpBackward1" if len(inputs) > 2 else "LerpBackward0", inputs, vjp,
                         ("2", "2", "01"))
    return output(out, y)


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1,
            out: Optional[Tensor] = None) -> Tensor:
    """``input + value * tensor1 * tensor2``."""
    _three_tensors("addcmul", input, tensor1, tensor2)
    tensors, (x, p, q) = operands("addcmul", (input, tensor1, tensor2))
    if x.dtype.kind == "b":
        raise NotImplementedError("\"addcmul_cpu_out\" not implemented for 'Bool'")
    if isinstance(value, (float, np.floating)) and x.dtype.kind != "f":
        value = int(value)
    try:
        y = wrap(x + (value * p * q).astype(x.dtype, copy=False))
    except ValueError:
        raise broadcast_error(x.shape, p.shape, q.shape) from None
    if recording(*tensors):
        record_broadcast(y, "AddcmulBackward0", tensors, lambda g, a, t1, t2, o, need: (
            g, g * t2 * value if need[1] else None, g * t1 * value if need[2] else None),
            ("", "2", "1"))
    return output(out, y)


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1,
            out: Optional[Tensor] = None) -> Tensor:
    """``input + value * tensor1 / tensor2`` (floating tensors only)."""
    _three_tensors("addcdiv", input, tensor1, tensor2)
    for t in (tensor1, tensor2):
        if isinstance(t, Tensor) and t._data.dtype.kind != "f":
            raise RuntimeError(
                "Integer division with addcdiv is no longer supported, and in a future  release addcdiv "
                "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can "
                "be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
                "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
                "addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), "
                "for all dtypes.")
    tensors, (x, p, q) = operands("addcdiv", (input, tensor1, tensor2))
    try:
        y = wrap(x + value * p / q)
    except ValueError:
        raise broadcast_error(x.shape, p.shape, q.shape) from None
    if recording(*tensors):
        record_broadcast(y, "AddcdivBackward0", tensors, lambda g, a, t1, t2, o, need: (
            g, g * value / t2 if need[1] else None, -g * value * t1 / (t2 * t2) if need[2] else None),
            ("", "2", "12"))
    return output(out, y)


__all__ = public_names(globals())
