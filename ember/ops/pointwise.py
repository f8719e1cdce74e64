"""Elementwise ops on tensors and numbers: arithmetic, comparison, logic, clamp, where, lerp.

Binary ops broadcast and follow torch's type promotion (``dtypes.result_type``); their
vjps see the operands as given and ``record_binary`` fits each gradient to its input.
Two tensors of one dtype take a short path straight to the NumPy ufunc. Unary math lives
in ``_unary``, clamp/where/lerp/addcmul/addcdiv in ``_ternary``; both are re-exported here.
Every op's in-place form (``add_``, ...) is at the bottom.
"""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np

from .. import dtypes
from ..autograd import grad_mode
from ..tensor import Tensor
from . import _unary, _ternary
from ._unary import *  # noqa: F401,F403  (re-exported as part of this family)
from ._ternary import *  # noqa: F401,F403
from ._elementwise import (capital, check_operand, operands, broadcast_error, recording, record_binary,
                           output, make_inplace, tensors_only)
from ._record import wrap, public_names


def _binary(name: str, a, b, forward: Callable, vjp: Optional[Callable], saves=("", ""),
            to_float: bool = False, op: Optional[str] = None) -> Tensor:
    """``forward(x, y)`` on the operands' arrays in torch's result dtype; record ``vjp`` if needed.

    ``name`` is the node's name; ``op`` the op's, for error messages (default: from ``name``).
    ``vjp(g, a, b, out, need) -> (grad_a, grad_b)``; ``saves`` as in ``record_broadcast``.
    Two tensors of one dtype, or a floating tensor and a Python number, skip the promotion.
    """
    x = None
    if isinstance(a, Tensor) and (a._data.dtype.kind == "f" or not to_float):
        if isinstance(b, Tensor) and b._data.dtype is a._data.dtype:
            x, y = a._data, b._data
        elif (type(b) is float or type(b) is int) and a._data.dtype.kind == "f":
            x = a._data
            y, b = x.dtype.type(b), None
    if x is None:
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
    for an integer division by zero (none when the result is empty: no element divides)."""
    def forward(x, y):
        if x.dtype.kind == "b":
            raise NotImplementedError(f'"{name}" not implemented for \'Bool\'')
        if divides and x.dtype.kind in "iu" and x.size and not np.all(y):
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
    _unary._check_input("fmod", input)
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
    """``x ** e`` for a number ``e``: exponents 0 and 1 need no kernel (so they work for bool too);
    -0.5 is torch's rsqrt (``1 / sqrt(-0.0)`` is -inf where C's pow gives inf)."""
    if e == 0:
        return lambda x, y: np.ones_like(x)
    if e == 1:
        return lambda x, y: x.copy()
    if e == -0.5:
        return lambda x, y: np.reciprocal(np.sqrt(x))
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
    """d(base ** e)/de = out * log(base), zero where base is 0 and e >= 0 (not where e is nan)."""
    if isinstance(base, Tensor):
        base = base.to(out.dtype)  # the log in the result's precision, as torch does
        return (g * (out * base.log())).where(~((base == 0) & (e >= 0)), 0.0)
    grad = g * (out * float(np.log(np.float64(base))))
    return grad.where(~(e >= 0), 0.0) if base == 0 else grad


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
    tensors_only("atan2", input, other)
    result = _binary("Atan2Backward0", input, other, np.arctan2, _atan2_vjp, ("01", "01"),
                     to_float=True)
    return result if out is None else output(out, result)


arctan2 = atan2


# ---------------------------------------------------------------------------- maximum, minimum
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
    tensors_only("maximum", input, other)
    return output(out, _binary("MaximumBackward0", input, other, np.maximum, _MAXIMUM_VJP, ("01", "01")))


def minimum(input: Tensor, other: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
    """Elementwise minimum; NaN wins."""
    tensors_only("minimum", input, other)
    return output(out, _binary("MinimumBackward0", input, other, np.minimum, _MINIMUM_VJP, ("01", "01")))


def fmax(input: Tensor, other: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
    """Elementwise maximum ignoring NaN."""
    tensors_only("fmax", input, other)
    return output(out, _binary("FmaxBackward0", input, other, np.fmax, _FMAX_VJP, ("01", "01")))


def fmin(input: Tensor, other: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
    """Elementwise minimum ignoring NaN."""
    tensors_only("fmin", input, other)
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
        tensors_only(name, input, other)
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


# ---------------------------------------------------------------------------- closeness
def _same_dtype(input: Tensor, other: Tensor) -> None:
    tensors_only("isclose", input, other)
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
    tensors_only("equal", input, other)
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

__all__ = [n for n in public_names(globals()) if not n.endswith("_")] + _unary.__all__ + _ternary.__all__
METHODS = tuple(n for n in __all__ if n != "rsub") + tuple(INPLACE)
