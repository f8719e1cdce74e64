"""Elementwise ops on tensors and numbers: arithmetic, comparison, logic, clamp, where, lerp.

Binary ops broadcast and follow torch's type promotion (``dtypes.result_type``); their
vjps see the operands as given and ``record_broadcast`` fits each gradient to its input.
Two tensors of one dtype take a short path straight to the NumPy ufunc. Unary math lives
in ``_unary`` and is re-exported here; every op's in-place form (``add_``, ...) is below.
"""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np

from .. import dtypes
from ..autograd import grad_mode
from ..tensor import Tensor
from . import _unary
from ._unary import *  # noqa: F401,F403  (re-exported as part of this family)
from ._elementwise import (capital, check_operand, operands, broadcast_error, recording,
                           record_broadcast, record_binary, output, make_inplace)
from ._record import wrap, record, public_names


def _binary(name: str, a, b, forward: Callable, vjp: Optional[Callable], saves=("", ""),
            to_float: bool = False, op: Optional[str] = None) -> Tensor:
    """``forward(x, y)`` on the operands' arrays in torch's result dtype; record ``vjp`` if needed.

    ``name`` is the node's name; ``op`` the op's, for error messages (default: from ``name``).
    ``vjp(g, a, b, out, need) -> (grad_a, grad_b)``; ``saves`` as in ``record_broadcast``.
    Two tensors of one dtype, or a floating tensor and a Python number, skip the promotion.
    """
    if isinstance(a, Tensor) and (a._data.dtype.kind == "f" or not to_float):
        x = a._data
        if isinstance(b, Tensor) and b._data.dtype is x.dtype:
            y = b._data
        elif (type(b) is float or type(b) is int) and x.dtype.kind == "f":
            y = x.dtype.type(b)
            b = None
        else:
            (a, b), (x, y) = operands(op or name.split("Backward")[0].lower(), (a, b), to_float)
    else:
        (a, b), (x, y) = operands(op or name.split("Backward")[0].lower(), (a, b), to_float)
    try:
        out = wrap(forward(x, y))
    except ValueError:
        raise broadcast_error(x.shape, y.shape) from None
    if vjp is not None and (a._rg or b is not None and b._rg) and grad_mode._state.enabled:
        record_binary(out, name, a, wrap(np.asarray(y)) if b is None else b, vjp, saves)
    return out


def _is_bool(x) -> bool:
    return isinstance(x, (bool, np.bool_)) or isinstance(x, Tensor) and x._data.dtype.kind == "b"


def _check_alpha(alpha, a, b, what: str = "alpha") -> None:
    """torch's rules for ``alpha``/``value``: no float for integer results, bool only for bool."""
    result = dtypes.result_type(a, b)
    if isinstance(alpha, (bool, np.bool_)):
        if result is not dtypes.bool_:
            raise RuntimeError(f"Boolean {what} only supported for Boolean results.")
    elif isinstance(alpha, (float, np.floating)) and not result.is_floating_point:
        raise RuntimeError(f"For integral input tensors, argument {what} must not be a floating point "
                           "number.")


def _scaled(np_fn: Callable, alpha) -> Callable:
    """``x (op) alpha * y`` in the dtype of x and y."""
    def forward(x, y):
        return np_fn(x, (y * alpha).astype(y.dtype, copy=False))
    return forward


# ---------------------------------------------------------------------------- add, sub, mul, div
def _add_vjp(g, a, b, o, need):
    return g, g


def _sub_vjp(g, a, b, o, need):
    return g, (-g if need[1] else None)


def add(input, other, *, alpha=1, out: Optional[Tensor] = None) -> Tensor:
    """``input + alpha * other``."""
    if alpha == 1 and not isinstance(alpha, (bool, np.bool_)):
        result = _binary("AddBackward0", input, other, np.add, _add_vjp)
    else:
        _check_alpha(alpha, input, other)
        result = _binary("AddBackward0", input, other, _scaled(np.add, alpha),
                         lambda g, a, b, o, need: (g, g * alpha if need[1] else None))
    return result if out is None else output(out, result)


def _check_sub(input, other) -> None:
    if _is_bool(input) or _is_bool(other):
        if _is_bool(input) and _is_bool(other):
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                               "Use the `^` or `logical_xor()` operator instead.")
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you "
                           "are trying to invert a mask, use the `~` or `logical_not()` operator instead.")


def sub(input, other, *, alpha=1, out: Optional[Tensor] = None) -> Tensor:
    """``input - alpha * other``."""
    _check_sub(input, other)
    if alpha == 1 and not isinstance(alpha, (bool, np.bool_)):
        result = _binary("SubBackward0", input, other, np.subtract, _sub_vjp)
    else:
        _check_alpha(alpha, input, other)
        result = _binary("SubBackward0", input, other, _scaled(np.subtract, alpha),
                         lambda g, a, b, o, need: (g, -g * alpha if need[1] else None))
    return result if out is None else output(out, result)


subtract = sub


def rsub(input, other, *, alpha=1) -> Tensor:
    """``other - alpha * input`` (what ``number - tensor`` computes)."""
    _check_sub(input, other)
    if alpha != 1 or isinstance(alpha, (bool, np.bool_)):
        _check_alpha(alpha, input, other)
    name = "RsubBackward0" if isinstance(other, Tensor) else "RsubBackward1"
    return _binary(name, input, other, lambda x, y: _scaled(np.subtract, alpha)(y, x),
                   lambda g, a, b, o, need: (-g * alpha if need[0] else None, g))


def _mul_vjp(g, a, b, o, need):
    return (g * b if need[0] else None), (g * a if need[1] else None)


def mul(input, other, *, out: Optional[Tensor] = None) -> Tensor:
    result = _binary("MulBackward0", input, other, np.multiply, _mul_vjp, ("1", "0"))
    return result if out is None else output(out, result)


multiply = mul


def _div_vjp(g, a, b, o, need):
    return (g / b if need[0] else None), (-g * ((a / b) / b) if need[1] else None)


def _zero_vjp(g, a, b, o, need):
    return (g * 0 if need[0] else None), (g * 0 if need[1] else None)


def div(input, other, *, rounding_mode: Optional[str] = None, out: Optional[Tensor] = None) -> Tensor:
    """True division (integers give floats), or rounded with ``rounding_mode`` "trunc"/"floor"."""
    if rounding_mode is None:
        result = _binary("DivBackward0", input, other, np.true_divide, _div_vjp, ("1", "01"),
                         to_float=True)
    elif rounding_mode in ("trunc", "floor"):
        result = _binary("DivBackward2", input, other, _ROUNDED_DIV[rounding_mode], _zero_vjp)
    else:
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                           f"found '{rounding_mode}'")
    return result if out is None else output(out, result)


divide = div


def _kernel(fn: Callable, name: str, divides: bool = False) -> Callable:
    """``fn`` as a torch kernel called ``name``: none for bool, and (``divides``) torch's error
    for an integer division by zero."""
    def forward(x, y):
        if x.dtype.kind == "b":
            raise NotImplementedError(f'"{name}" not implemented for \'Bool\'')
        if divides and x.dtype.kind in "iu" and not np.all(y):
            raise RuntimeError("ZeroDivisionError")
        return fn(x, y)
    return forward


def _trunc_div(x, y):
    if x.dtype.kind == "f":
        return np.trunc(np.true_divide(x, y))
    return np.floor_divide(x - np.fmod(x, y), y)


_ROUNDED_DIV = {"trunc": _kernel(_trunc_div, "div_trunc_cpu", divides=True),
                "floor": _kernel(np.floor_divide, "div_floor_cpu", divides=True)}


def true_divide(input, other, *, out: Optional[Tensor] = None) -> Tensor:
    return div(input, other, out=out)


def _not_differentiable(op: str) -> Callable:
    def vjp(g, a, b, o, need):
        raise RuntimeError(f"derivative for aten::{op} is not implemented")
    return vjp


def floor_divide(input, other, *, out: Optional[Tensor] = None) -> Tensor:
    """Division rounded down; like torch it has no derivative (backward raises)."""
    result = _binary("NotImplemented", input, other, _ROUNDED_DIV["floor"],
                     _not_differentiable("floor_divide"), op="floor_divide")
    return result if out is None else output(out, result)


def remainder(input, other, *, out: Optional[Tensor] = None) -> Tensor:
    """Python's modulus: the result has the sign of ``other``."""
    name = "RemainderBackward1" if isinstance(other, Tensor) else "RemainderBackward0"
    result = _binary(name, input, other, _kernel(np.remainder, "remainder_cpu", divides=True),
                     lambda g, a, b, o, need: (g, -g * a.div(b, rounding_mode="floor")
                                               if need[1] else None), ("", "01"))
    return result if out is None else output(out, result)


def fmod(input, other, *, out: Optional[Tensor] = None) -> Tensor:
    """C's modulus: the result has the sign of ``input``."""
    check_operand("fmod", input, "input", 1)
    if not isinstance(input, Tensor):
        raise TypeError(f"fmod(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    name = "FmodBackward1" if isinstance(other, Tensor) else "FmodBackward0"
    result = _binary(name, input, other, _kernel(np.fmod, "fmod_cpu", divides=True),
                     lambda g, a, b, o, need: (g, -g * a.div(b, rounding_mode="trunc")
                                               if need[1] else None), ("", "01"))
    return result if out is None else output(out, result)


# ---------------------------------------------------------------------------- pow, atan2
def _power(x, y):
    """torch's pow kernel; integer bases to negative exponents give 1 / x ** -y truncated."""
    if x.dtype.kind not in "iu" or not np.any(y < 0):
        return np.power(x, y)
    neg = y < 0
    safe = np.power(x, np.where(neg, 0, y))
    odd = (y % 2) != 0
    by_neg = np.where(x == 1, 1, np.where(x == -1, np.where(odd, -1, 1), 0)).astype(x.dtype)
    return np.where(neg, by_neg, safe)


_POWER = _kernel(_power, "pow")


def _pow_scalar(e) -> Callable:
    """``x ** e`` for a number ``e``: exponents 0 and 1 need no kernel (so they work for bool too)."""
    if e == 0:
        return lambda x, y: np.ones_like(x)
    if e == 1:
        return lambda x, y: x.copy()
    return _POWER


def _pow_self_grad(g, a, e):
    """d(a ** e)/da, zero where the exponent is 0."""
    return (g * (e * a.pow(e - 1))).where(e != 0, 0.0) if isinstance(e, Tensor) \
        else (g * 0 if e == 0 else g * (e * a.pow(e - 1)))


def pow(input, exponent, *, out: Optional[Tensor] = None) -> Tensor:
    """``input ** exponent``; either may be a number. Integers to negative integer powers raise."""
    if isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        check_operand("pow", exponent, "exponent", 2)
        if input._data.dtype.kind in "iub" and isinstance(exponent, (int, np.integer)) \
                and not isinstance(exponent, bool) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        e = exponent
        result = _binary("PowBackward0", input, exponent, _pow_scalar(exponent),
                         lambda g, a, b, o, need: (_pow_self_grad(g, a, e), None), ("0", ""))
    elif isinstance(exponent, Tensor) and not isinstance(input, Tensor):
        check_operand("pow", input, "self", 1)
        base = input
        result = _binary("PowBackward2", input, exponent, _POWER,
                         lambda g, a, b, o, need: (None, _pow_exponent_grad(g, base, b, o)),
                         ("", "1o"))
    else:
        result = _binary("PowBackward1", input, exponent, _POWER, _pow_vjp, ("01", "01o"))
    return result if out is None else output(out, result)


def _pow_exponent_grad(g, base, e, out):
    """d(base ** e)/de = out * log(base), zero where base is 0 and e >= 0."""
    if isinstance(base, Tensor):
        base = base.to(out.dtype)  # the log in the result's precision, as torch does
        return (g * (out * base.log())).where(~((base == 0) & (e >= 0)), 0.0)
    grad = g * (out * float(np.log(np.float64(base))))
    return grad.where(e < 0, 0.0) if base == 0 else grad


def _pow_vjp(g, a, b, o, need):
    return (_pow_self_grad(g, a, b) if need[0] else None,
            _pow_exponent_grad(g, a, b, o) if need[1] else None)


def float_power(input, exponent, *, out: Optional[Tensor] = None) -> Tensor:
    """``pow`` computed in float64."""
    a = input.double() if isinstance(input, Tensor) else float(input)
    e = exponent.double() if isinstance(exponent, Tensor) else float(exponent)
    return pow(a, e, out=out)


def _atan2_vjp(g, a, b, o, need):
    """``(g b, -g a) / (a^2 + b^2)``, zero where the denominator is 0 (as torch does)."""
    denom = a * a + b * b
    recip = denom.reciprocal().where(denom != 0, 0.0)
    return (g * b * recip if need[0] else None), (g * -a * recip if need[1] else None)


def atan2(input: Tensor, other: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
    _tensors_only("atan2", input, other)
    result = _binary("Atan2Backward0", input, other, np.arctan2, _atan2_vjp, ("01", "01"),
                     to_float=True)
    return result if out is None else output(out, result)


arctan2 = atan2


# ---------------------------------------------------------------------------- maximum, minimum
def _tensors_only(op: str, a, b) -> None:
    for arg, pos, v in (("input", 1, a), ("other", 2, b)):
        if not isinstance(v, Tensor):
            raise TypeError(f"{op}(): argument '{arg}' (position {pos}) must be Tensor, not "
                            f"{type(v).__name__}")


def _extremum_vjp(loses_a: Callable, loses_b: Callable) -> Callable:
    """Gradient to the chosen operand; an exact tie splits it in half (NaN sends it to both)."""
    def vjp(g, a, b, o, need):
        share = (g / 2).where(a == b, g)
        return (share.where(~loses_a(a, b), 0.0) if need[0] else None,
                share.where(~loses_b(a, b), 0.0) if need[1] else None)
    return vjp


def _fextremum_vjp(wins: Callable) -> Callable:
    """fmax/fmin: ties and NaN ``other`` give the whole gradient to ``input``."""
    def vjp(g, a, b, o, need):
        a_wins = wins(a, b) | b.isnan()
        return (g.where(a_wins, 0.0) if need[0] else None, g.where(~a_wins, 0.0) if need[1] else None)
    return vjp


_MAXIMUM_VJP = _extremum_vjp(lambda a, b: a < b, lambda a, b: a > b)
_MINIMUM_VJP = _extremum_vjp(lambda a, b: a > b, lambda a, b: a < b)
_FMAX_VJP = _fextremum_vjp(lambda a, b: a >= b)
_FMIN_VJP = _fextremum_vjp(lambda a, b: a <= b)


def maximum(input: Tensor, other: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
    """Elementwise maximum; NaN wins."""
    _tensors_only("maximum", input, other)
    return output(out, _binary("MaximumBackward0", input, other, np.maximum, _MAXIMUM_VJP, ("01", "01")))


def minimum(input: Tensor, other: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
    """Elementwise minimum; NaN wins."""
    _tensors_only("minimum", input, other)
    return output(out, _binary("MinimumBackward0", input, other, np.minimum, _MINIMUM_VJP, ("01", "01")))


def fmax(input: Tensor, other: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
    """Elementwise maximum ignoring NaN."""
    _tensors_only("fmax", input, other)
    return output(out, _binary("FmaxBackward0", input, other, np.fmax, _FMAX_VJP, ("01", "01")))


def fmin(input: Tensor, other: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
    """Elementwise minimum ignoring NaN."""
    _tensors_only("fmin", input, other)
    return output(out, _binary("FminBackward0", input, other, np.fmin, _FMIN_VJP, ("01", "01")))


# ---------------------------------------------------------------------------- comparison, logic, bits
def _comparison(np_fn: Callable, name: str) -> Callable:
    def compare(input, other, *, out: Optional[Tensor] = None) -> Tensor:
        return output(out, _binary(name, input, other, np_fn, None))
    compare.__name__ = compare.__qualname__ = name
    compare.__doc__ = f"Elementwise ``{np_fn.__name__}`` in the operands' common dtype: a bool tensor."
    return compare


eq = _comparison(np.equal, "eq")
ne = _comparison(np.not_equal, "ne")
lt = _comparison(np.less, "lt")
le = _comparison(np.less_equal, "le")
gt = _comparison(np.greater, "gt")
ge = _comparison(np.greater_equal, "ge")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _logical(np_fn: Callable, name: str) -> Callable:
    def logical(input: Tensor, other: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
        _tensors_only(name, input, other)
        try:
            return output(out, wrap(np_fn(input._data, other._data)))
        except ValueError:
            raise broadcast_error(input._data.shape, other._data.shape) from None
    logical.__name__ = logical.__qualname__ = name
    logical.__doc__ = f"Elementwise ``{np_fn.__name__}`` of the operands' truth values."
    return logical


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")


def _bitwise(np_fn: Callable, name: str, kernel: str) -> Callable:
    def bitwise(input, other, *, out: Optional[Tensor] = None) -> Tensor:
        check_operand(name, input, "input", 1)
        check_operand(name, other, "other", 2)
        result = dtypes.result_type(input, other)
        if result.is_floating_point:
            raise NotImplementedError(f'"{kernel}" not implemented for \'{capital(result.np)}\'')
        return output(out, _binary(name, input, other, np_fn, None))
    bitwise.__name__ = bitwise.__qualname__ = name
    bitwise.__doc__ = f"Elementwise ``{name}`` of integer or bool tensors."
    return bitwise


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and", "bitwise_and_cpu")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or", "bitwise_or_cpu")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor", "bitwise_xor_cpu")
bitwise_left_shift = _bitwise(_kernel(np.left_shift, "lshift_cpu"), "bitwise_left_shift", "lshift_cpu")
bitwise_right_shift = _bitwise(_kernel(np.right_shift, "rshift_cpu"), "bitwise_right_shift", "rshift_cpu")


def bitwise_not(input: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
    x = _unary._check_input("bitwise_not", input)
    if x.dtype.kind == "f":
        raise NotImplementedError(f'"bitwise_not_cpu" not implemented for \'{capital(x.dtype)}\'')
    return output(out, wrap(np.invert(x)))


# ---------------------------------------------------------------------------- clamp, where
def clamp(input: Tensor, min=None, max=None, *, out: Optional[Tensor] = None) -> Tensor:
    """Clip to [min, max] (numbers or tensors); min > max gives max everywhere.

    The gradient passes where the input lies within the bounds, bounds included.
    """
    _unary._check_input("clamp", input)
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


def where(condition: Tensor, input=None, other=None, *, out: Optional[Tensor] = None):
    """``input`` where ``condition`` holds, else ``other`` (all three broadcast).

    With only a condition it is ``nonzero(condition, as_tuple=True)``.
    """
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        raise TypeError(f"where(): argument 'condition' (position 1) must be Tensor, not "
                        f"{type(condition).__name__}")
    cond = condition._data
    if cond.dtype != np.bool_:
        if cond.dtype != np.uint8:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with "
                               f"dtype {capital(cond.dtype)}")
        import warnings
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated and will be "
                      "removed in a future version of PyTorch. Use a boolean condition instead.",
                      UserWarning, stacklevel=2)
        cond = cond.astype(bool)
    (a, b), (x, y) = operands("where", (input, other))
    try:
        result = wrap(np.where(cond, x, y))
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
        if not isinstance(v, Tensor):
            raise TypeError(f"{op}(): argument '{arg}' (position {pos}) must be Tensor, not {type(v).__name__}")


_C10_NAMES = {"bool": "bool", "uint8": "unsigned char", "int8": "signed char", "int16": "short int",
              "int32": "int", "int64": "long int", "float16": "c10::Half", "float32": "float", "float64": "double"}


def lerp(input: Tensor, end: Tensor, weight, *, out: Optional[Tensor] = None) -> Tensor:
    """``input + weight * (end - input)``, computed as torch does for weights of 0.5 and above.

    ``end`` and a dimensioned ``weight`` must have ``input``'s dtype; a 0-dim ``weight`` joins
    the type promotion and a number does not.
    """
    _tensors_only("lerp", input, end)
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


# ---------------------------------------------------------------------------- closeness
def _same_dtype(input: Tensor, other: Tensor) -> None:
    _tensors_only("isclose", input, other)
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"{capital(input._data.dtype)} did not match {capital(other._data.dtype)}")


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """``|input - other| <= atol + rtol * |other|`` elementwise (same dtypes only)."""
    _same_dtype(input, other)
    return wrap(np.isclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input: Tensor, other: Tensor) -> bool:
    """Same shape and same values."""
    _tensors_only("equal", input, other)
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


# ---------------------------------------------------------------------------- in-place forms
def _fast_inplace(np_fn: Callable, op: Callable, name: str, scaled: bool = False) -> Callable:
    """``op``'s in-place form, writing straight into ``self`` when nothing is recorded, ``self`` is
    floating and ``other`` a tensor of its dtype or a Python number (the optimizers' case);
    else the generic form."""
    generic = make_inplace(op, name)

    def method(self: Tensor, other, **kwargs) -> Tensor:
        x = self._data
        alpha = kwargs.get("alpha", 1) if scaled else 1
        if len(kwargs) == (scaled and "alpha" in kwargs) and type(alpha) in (int, float) and \
                x.dtype.kind == "f" and not recording(self):
            if isinstance(other, Tensor):
                if other._data.dtype is not x.dtype or other._rg and grad_mode._state.enabled:
                    return generic(self, other, **kwargs)
                y = other._data if alpha == 1 else other._data * alpha
            elif type(other) in (int, float):
                y = x.dtype.type(other * alpha)
            else:
                return generic(self, other, **kwargs)
            try:
                np_fn(x, y, out=x)
            except ValueError:
                raise RuntimeError(f"output with shape {list(x.shape)} doesn't match the broadcast "
                                   f"shape {list(np.broadcast_shapes(x.shape, y.shape))}") from None
            self._vbox[0] += 1
            return self
        return generic(self, other, **kwargs)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place :func:`{op.__name__}`."
    return method


add_ = _fast_inplace(np.add, add, "add_", scaled=True)
sub_ = _fast_inplace(np.subtract, sub, "sub_", scaled=True)
mul_ = _fast_inplace(np.multiply, mul, "mul_")
div_ = _fast_inplace(np.true_divide, div, "div_")

_INPLACE = ("true_divide", "floor_divide", "remainder", "fmod", "pow", "float_power", "atan2", "neg",
            "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "sin", "cos",
            "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid",
            "reciprocal", "erf", "erfc", "abs", "sign", "floor", "ceil", "trunc", "frac", "round",
            "relu", "square", "clamp", "clip", "clamp_min", "clamp_max", "lerp", "addcmul", "addcdiv",
            "nan_to_num", "logical_not", "logical_and", "logical_or", "logical_xor", "eq", "ne", "lt",
            "le", "gt", "ge", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
            "bitwise_left_shift", "bitwise_right_shift", "subtract", "multiply", "divide", "negative",
            "absolute", "sgn", "fix", "arctan2", "arcsin", "arccos", "arctan", "arcsinh", "arccosh",
            "arctanh", "greater", "greater_equal", "less", "less_equal", "not_equal")
INPLACE = {"add_": add_, "sub_": sub_, "mul_": mul_, "div_": div_}
_NO_PROMOTION = {"nan_to_num", "logical_not", "logical_and", "logical_or", "logical_xor", "eq", "ne", "lt", "le",
                 "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal"}
INPLACE.update({n + "_": make_inplace(globals()[n], n + "_", promotes=n not in _NO_PROMOTION) for n in _INPLACE})
globals().update(INPLACE)

__all__ = [n for n in public_names(globals()) if not n.endswith("_")] + _unary.__all__
METHODS = tuple(n for n in __all__ if n != "rsub") + tuple(INPLACE)
