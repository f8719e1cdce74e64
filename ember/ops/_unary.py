"""Unary elementwise math: exp, log, trigonometric, rounding, relu, erf, isnan, ...

Ops that give real values (exp, sqrt, sin, ...) compute integer and bool inputs in the
default float dtype; the others (abs, neg, floor, sign, ...) keep the input's dtype, with
torch's errors for the dtypes torch has no kernel for. Gradients follow torch's formulas,
including at special points (relu and abs at 0 give 0, sqrt at 0 gives inf).
"""
from __future__ import annotations

import math
from typing import Callable, Optional

import numpy as np

from .. import dtypes
from ..autograd import grad_mode
from ..tensor import Tensor
from . import _erf
from ._elementwise import capital, output, zero_where
from ._record import wrap, record, check_tensor, public_names

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
_LN2, _LN10 = math.log(2.0), math.log(10.0)


def _no_kernel(kernel: str, kinds: str) -> Callable:
    """A dtype check raising torch's NotImplementedError for dtype kinds without a kernel."""
    def check(np_dtype) -> None:
        if np_dtype.kind in kinds:
            raise NotImplementedError(f'"{kernel}" not implemented for \'{capital(np_dtype)}\'')
    return check


def _bool_error(message: str) -> Callable:
    def check(np_dtype) -> None:
        if np_dtype.kind == "b":
            raise RuntimeError(message)
    return check


def _check_input(name: str, input) -> np.ndarray:
    return check_tensor(input, name)._data


def _unary(name: str, forward: Callable, vjp: Optional[Callable], saves: str = "x", *,
           real: bool = True, check: Optional[Callable] = None, node: Optional[str] = None):
    """Define ``name(input, *, out=None)``.

    ``forward`` maps an array to an array; ``real`` ops first lift integer and bool inputs to
    the default float dtype. ``vjp(g, t)`` gets the input (``saves="x"``) or the output
    (``saves="o"``), which is what the node saves. ``check(np_dtype)`` may reject a dtype.
    """
    node = node or name[0].upper() + name[1:] + "Backward0"

    def op(input: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
        x = _check_input(name, input)
        if check is not None:
            check(x.dtype)
        if real and x.dtype.kind != "f":
            x = x.astype(dtypes.get_default_dtype().np)
        result = wrap(forward(x))
        if vjp is not None and input._rg and grad_mode._state.enabled:
            saved = result if saves == "o" else input
            record(result, node, (input,), lambda g: (vjp(g, saved),), (saved,))
        return result if out is None else output(out, result)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}``."
    return op


def _zero_grad(g: Tensor, x: Tensor) -> Tensor:
    return g * 0


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))`` in one buffer."""
    e = np.negative(x, out=np.empty_like(x))
    np.exp(e, out=e)
    e += 1
    return np.reciprocal(e, out=e)


def _sign(x: np.ndarray) -> np.ndarray:
    """torch's sign: NaN gives 0 (NumPy's gives NaN)."""
    if x.dtype.kind != "f":
        return np.sign(x) if x.dtype.kind == "i" else (x != 0).astype(x.dtype)
    return (np.greater(x, 0).astype(x.dtype) - np.less(x, 0))


def _on_floats(fn: Callable) -> Callable:
    """A rounding function that leaves integer arrays as they are (copied, in their dtype)."""
    return lambda x: fn(x) if x.dtype.kind == "f" else x.copy()


def _frac(x: np.ndarray) -> np.ndarray:
    return x - np.trunc(x)


def _relu(x: np.ndarray) -> np.ndarray:
    """``max(0, x)`` against an array of zeros: NumPy's same-shape loop is vectorised where its
    loop against a scalar is not (2-3x slower), and zeros first give torch's bits (relu(-0.0) = -0.0;
    NumPy's half-precision maximum drops that sign, so halves select instead)."""
    if x.dtype == np.float16:
        return np.where(x < 0, x.dtype.type(0), x)
    out = np.empty_like(x)
    out.fill(0)
    return np.maximum(out, x, out=out)


def _relu_grad(g: Tensor, y: Tensor) -> Tensor:
    """torch's ``threshold_backward``: +0 where relu's output ``y`` is <= 0, else ``g`` (a NaN output
    passes it); one recorded op (its own gradient is the same mask), without ``where``'s machinery."""
    out = wrap(zero_where(y._data <= 0, g._data))
    if g._rg and grad_mode._state.enabled:
        record(out, "ThresholdBackwardBackward0", (g,), lambda gg: (_relu_grad(gg, y),), (y,))
    return out


neg = _unary("neg", np.negative, lambda g, x: -g, None, real=False, check=_bool_error(
    "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a "
    "mask, use the `~` or `logical_not()` operator instead."))
exp = _unary("exp", np.exp, lambda g, y: g * y, "o")
exp2 = _unary("exp2", np.exp2, lambda g, y: g * y * _LN2, "o")
expm1 = _unary("expm1", np.expm1, lambda g, y: g * (y + 1), "o")
log = _unary("log", np.log, lambda g, x: g / x)
log2 = _unary("log2", np.log2, lambda g, x: g / (x * _LN2))
log10 = _unary("log10", np.log10, lambda g, x: g / (x * _LN10))
log1p = _unary("log1p", np.log1p, lambda g, x: g / (x + 1), node="Log1PBackward0")
sqrt = _unary("sqrt", np.sqrt, lambda g, y: g / (2 * y), "o")
rsqrt = _unary("rsqrt", lambda x: np.reciprocal(np.sqrt(x)), lambda g, y: -0.5 * g * y.pow(3), "o")
sin = _unary("sin", np.sin, lambda g, x: g * x.cos())
cos = _unary("cos", np.cos, lambda g, x: g * -x.sin())
tan = _unary("tan", np.tan, lambda g, y: g * (1 + y * y), "o")
asin = _unary("asin", np.arcsin, lambda g, x: g * (-x * x + 1).rsqrt())
acos = _unary("acos", np.arccos, lambda g, x: -g * (-x * x + 1).rsqrt())
atan = _unary("atan", np.arctan, lambda g, x: g / (x * x + 1))
sinh = _unary("sinh", np.sinh, lambda g, x: g * x.cosh())
cosh = _unary("cosh", np.cosh, lambda g, x: g * x.sinh())
tanh = _unary("tanh", np.tanh, lambda g, y: g * (1 - y * y), "o")
asinh = _unary("asinh", np.arcsinh, lambda g, x: g * (x * x + 1).rsqrt())
acosh = _unary("acosh", np.arccosh, lambda g, x: g * (x * x - 1).rsqrt())
atanh = _unary("atanh", np.arctanh, lambda g, x: g / (1 - x * x))
sigmoid = _unary("sigmoid", _sigmoid, lambda g, y: g * ((1 - y) * y), "o")
reciprocal = _unary("reciprocal", np.reciprocal, lambda g, y: -g * (y * y), "o")
erf = _unary("erf", _erf.erf, lambda g, x: _TWO_OVER_SQRT_PI * (-x * x).exp() * g)
erfc = _unary("erfc", _erf.erfc, lambda g, x: -_TWO_OVER_SQRT_PI * (-x * x).exp() * g)
abs = _unary("abs", np.abs, lambda g, x: g * x.sign(), real=False,
             check=_no_kernel("abs_cpu", "b"))
sign = _unary("sign", _sign, _zero_grad, real=False)
floor = _unary("floor", _on_floats(np.floor), _zero_grad, real=False, check=_no_kernel("floor_vml_cpu", "b"))
ceil = _unary("ceil", _on_floats(np.ceil), _zero_grad, real=False, check=_no_kernel("ceil_vml_cpu", "b"))
trunc = _unary("trunc", _on_floats(np.trunc), _zero_grad, real=False, check=_no_kernel("trunc_vml_cpu", "b"))
frac = _unary("frac", _frac, lambda g, x: g, real=False, check=_no_kernel("frac_cpu", "biu"))
relu = _unary("relu", _relu, _relu_grad, "o", real=False,
              check=_bool_error("Boolean inputs not supported for relu"))
isnan = _unary("isnan", np.isnan, None, real=False)
isinf = _unary("isinf", np.isinf, None, real=False)
isfinite = _unary("isfinite", np.isfinite, None, real=False)
isposinf = _unary("isposinf", np.isposinf, None, real=False)
isneginf = _unary("isneginf", np.isneginf, None, real=False)
signbit = _unary("signbit", np.signbit, None, real=False)
logical_not = _unary("logical_not", np.logical_not, None, real=False)
negative, absolute, sgn, fix = neg, abs, sign, trunc
arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh


def _round_decimals(x: np.ndarray, decimals: int) -> np.ndarray:
    """torch's round with decimals: scale, round half to even, unscale, in ``x``'s dtype."""
    if decimals >= 0:
        scale = x.dtype.type(10.0 ** decimals)
        return np.rint(x * scale) / scale
    scale = x.dtype.type(10.0 ** -decimals)
    return np.rint(x / scale) * scale


def round(input: Tensor, *, decimals: int = 0, out: Optional[Tensor] = None) -> Tensor:
    """Round half to even (to ``decimals`` places); integer tensors are returned as they are."""
    x = _check_input("round", input)
    _no_kernel("round_vml_cpu" if not decimals else "round_cpu", "b" if not decimals else "biu")(x.dtype)
    result = wrap(_round_decimals(x, decimals) if decimals else _on_floats(np.rint)(x))
    if input._rg and grad_mode._state.enabled:
        record(result, "RoundBackward1" if decimals else "RoundBackward0", (input,),
               lambda g: (g * 0,))
    return output(out, result)


def positive(input: Tensor) -> Tensor:
    """``+input``: the input itself."""
    if _check_input("positive", input).dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: Optional[float] = None,
               neginf: Optional[float] = None, *, out: Optional[Tensor] = None) -> Tensor:
    """NaN to ``nan``, infinities to ``posinf``/``neginf`` (the dtype's extremes by default)."""
    x = _check_input("nan_to_num", input)
    if x.dtype.kind != "f":
        return output(out, wrap(x.copy()))
    info = np.finfo(x.dtype)
    result = wrap(np.nan_to_num(x, nan=nan, posinf=info.max if posinf is None else posinf,
                                neginf=info.min if neginf is None else neginf))
    if input._rg and grad_mode._state.enabled:
        record(result, "NanToNumBackward0", (input,), lambda g: (g * input.isfinite(),), (input,))
    return output(out, result)


def square(input: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
    """``input ** 2`` (so integer and bool inputs give torch's integer result)."""
    from .pointwise import pow
    return pow(input, 2, out=out)



__all__ = public_names(globals())
