"""Elementwise ops: binary arithmetic with broadcasting and torch's type promotion, unary math.

Each op is its NumPy forward plus its vjp in ember ops; broadcasting is undone in one
place (``_binary``), which reduces every gradient to its input's shape and dtype.
"""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from ._record import wrap, needs_grad, record, sum_to, inplace, to_tensor, public_names


class _Quiet:
    """Silence NumPy's divide/overflow/invalid warnings: torch gives inf and nan silently."""

    __slots__ = ("_old",)

    def __enter__(self):
        self._old = np.seterr(all="ignore")

    def __exit__(self, *exc):
        np.seterr(**self._old)


class _Loud:
    __slots__ = ()

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        pass


_QUIET, _LOUD = _Quiet(), _Loud()


def _arrays(a, b, dtype: Optional[dtypes.dtype] = None):
    """Both operands as arrays of torch's result dtype (or ``dtype``)."""
    if dtype is None:
        if type(b) is Tensor and type(a) is Tensor and a._data.dtype == b._data.dtype:
            return a._data, b._data
        dtype = dtypes.result_type(a, b)
    npd = dtype.np
    x = a._data if isinstance(a, Tensor) else a
    y = b._data if isinstance(b, Tensor) else b
    x = x.astype(npd, copy=False) if isinstance(x, np.ndarray) else np.array(x, dtype=npd)
    y = y.astype(npd, copy=False) if isinstance(y, np.ndarray) else np.array(y, dtype=npd)
    return x, y


def _broadcast_error(a, b):
    sa = a.shape if isinstance(a, Tensor) else ()
    sb = b.shape if isinstance(b, Tensor) else ()
    for i in range(1, min(len(sa), len(sb)) + 1):
        if sa[-i] != sb[-i] and sa[-i] != 1 and sb[-i] != 1:
            dim = max(len(sa), len(sb)) - i
            return RuntimeError(f"The size of tensor a ({sa[-i]}) must match the size of tensor b "
                                f"({sb[-i]}) at non-singleton dimension {dim}")
    return RuntimeError(f"shapes {list(sa)} and {list(sb)} cannot be broadcast together")


def _binary(name: str, a, b, forward: Callable, vjp: Optional[Callable], saves: str = "",
            dtype: Optional[dtypes.dtype] = None, quiet: bool = False) -> Tensor:
    """Apply ``forward(x, y)`` to two operands; record ``vjp(g, a, b, out) -> (ga, gb)``.

    ``saves`` names what the vjp reads ("a", "b", "out") so backward can check their versions.
    """
    if not isinstance(a, Tensor):
        if not isinstance(b, Tensor):
            raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(a).__name__}")
        a = to_tensor(a, b)
    elif not isinstance(b, Tensor):
        if not isinstance(b, (int, float, bool, np.number, np.bool_)):
            raise TypeError(f"{name}(): argument 'other' (position 1) must be Tensor, not "
                            f"{type(b).__name__}")
    x, y = _arrays(a, b, dtype)
    try:
        with _Quiet() if quiet else _LOUD:
            out = wrap(forward(x, y))
    except ValueError:
        raise _broadcast_error(a, b) from None
    if vjp is None or not needs_grad(a, b):
        return out
    b_t = b if isinstance(b, Tensor) else None
    saved = [t for key, t in (("a", a), ("b", b_t), ("out", out)) if key in saves and t is not None]
    a_shape, a_dt = a._data.shape, a._data.dtype
    b_shape, b_dt = (b._data.shape, b._data.dtype) if b_t is not None else (None, None)
    b_val = b if b_t is not None else wrap(y)

    def backward(g):
        ga, gb = vjp(g, a, b_val, out)
        if ga is not None:
            ga = _reduce(ga, a_shape, a_dt) if a._rg else None
        if gb is not None and b_t is not None:
            gb = _reduce(gb, b_shape, b_dt)
        return ga, gb
    return record(out, name, (a, b_t), backward, saved)


def _reduce(g: Tensor, shape: tuple, np_dtype) -> Tensor:
    g = sum_to(g, shape)
    return g if g._data.dtype == np_dtype else g.to(dtypes._BY_NP[np_dtype])


def _float(a: Tensor) -> np.ndarray:
    """Integer and bool inputs of float-valued ops compute in the default float dtype."""
    x = a._data
    return x if x.dtype.kind == "f" else x.astype(dtypes.get_default_dtype().np)


# ---------------------------------------------------------------------------- binary arithmetic
def add(input, other, *, alpha=1, out=None) -> Tensor:
    if alpha != 1:
        other = mul(other, alpha)
    return _out(out, _binary("AddBackward0", input, other, np.add, lambda g, a, b, o: (g, g)))


def sub(input, other, *, alpha=1, out=None) -> Tensor:
    if _is_bool(input) or _is_bool(other):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if alpha != 1:
        other = mul(other, alpha)
    return _out(out, _binary("SubBackward0", input, other, np.subtract, lambda g, a, b, o: (g, -g)))


def rsub(input, other, *, alpha=1) -> Tensor:
    return sub(other, input, alpha=alpha) if isinstance(other, Tensor) else \
        sub(to_tensor(other, input), input, alpha=alpha)


def mul(input, other, *, out=None) -> Tensor:
    return _out(out, _binary("MulBackward0", input, other, np.multiply,
                             lambda g, a, b, o: (g * b, g * a), saves="ab"))


def div(input, other, *, rounding_mode: Optional[str] = None, out=None) -> Tensor:
    if rounding_mode is None:
        dt = dtypes.result_type(input, other)
        if not dt.is_floating_point:
            dt = dtypes.get_default_dtype()
        return _out(out, _binary("DivBackward0", input, other, np.true_divide,
                                 lambda g, a, b, o: (g / b, -g * a / (b * b)), saves="ab", dtype=dt,
                                 quiet=True))
    if rounding_mode == "trunc":
        fn = lambda x, y: _int_div(x, y, np.trunc)  # noqa: E731
    elif rounding_mode == "floor":
        fn = lambda x, y: _int_div(x, y, np.floor)  # noqa: E731
    else:
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                           f"found '{rounding_mode}'")
    return _out(out, _binary("DivBackward0", input, other, fn, lambda g, a, b, o: (g * 0, g * 0),
                             quiet=True))


def _int_div(x, y, rounding):
    if x.dtype.kind in "iu":
        if np.any(y == 0):
            raise RuntimeError("ZeroDivisionError")
        q = np.floor_divide(x, y)
        if rounding is np.trunc:
            q = np.where((q < 0) & (q * y != x), q + 1, q).astype(x.dtype)
        return q
    return rounding(x / y)


def true_divide(input, other, *, out=None) -> Tensor:
    return div(input, other, out=out)


def floor_divide(input, other, *, out=None) -> Tensor:
    return div(input, other, rounding_mode="floor", out=out)


def remainder(input, other, *, out=None) -> Tensor:
    return _out(out, _binary("RemainderBackward0", input, other, _checked_int_op(np.remainder),
                             lambda g, a, b, o: (g, -g * (a / b).floor()), saves="ab", quiet=True))


def fmod(input, other, *, out=None) -> Tensor:
    return _out(out, _binary("FmodBackward0", input, other, _checked_int_op(np.fmod),
                             lambda g, a, b, o: (g, -g * (a / b).trunc()), saves="ab", quiet=True))


def _checked_int_op(fn):
    def forward(x, y):
        if x.dtype.kind in "iu" and np.any(y == 0):
            raise RuntimeError("ZeroDivisionError")
        return fn(x, y)
    return forward


def pow(input, exponent, *, out=None) -> Tensor:
    if not isinstance(input, Tensor):
        return _out(out, _binary("PowBackward1", input, exponent, np.power,
                                 lambda g, a, b, o: (None, g * o * a.log()), saves="out", quiet=True))
    if not isinstance(exponent, Tensor):
        if input._data.dtype.kind in "iu" and isinstance(exponent, (int, np.integer)) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        e = exponent
        return _out(out, _binary("PowBackward0", input, exponent, np.power,
                                 lambda g, a, b, o: (g * e * a ** (e - 1) if e != 0 else g * 0, None),
                                 saves="a", quiet=True))

    def vjp(g, a, b, o):
        ga = g * b * a ** (b - 1)
        gb = g * o * a.log().masked_fill((a == 0) & (b >= 0), 0)
        return ga, gb
    return _out(out, _binary("PowBackward1", input, exponent, np.power, vjp, saves="abo", quiet=True))


def float_power(input, exponent) -> Tensor:
    a = input.double() if isinstance(input, Tensor) else input
    e = exponent.double() if isinstance(exponent, Tensor) else float(exponent)
    return pow(a, e)


def atan2(input, other, *, out=None) -> Tensor:
    dt = dtypes.result_type(input, other)
    dt = dt if dt.is_floating_point else dtypes.get_default_dtype()

    def vjp(g, a, b, o):
        r = a * a + b * b
        return g * b / r, -g * a / r
    return _out(out, _binary("Atan2Backward0", input, other, np.arctan2, vjp, saves="ab", dtype=dt, quiet=True))


arctan2 = atan2


def maximum(input, other, *, out=None) -> Tensor:
    _check_both_tensors("maximum", input, other)
    return _out(out, _binary("MaximumBackward0", input, other, np.maximum, _minmax_vjp, saves="ab"))


def minimum(input, other, *, out=None) -> Tensor:
    _check_both_tensors("minimum", input, other)
    return _out(out, _binary("MinimumBackward0", input, other, np.minimum, _minmax_vjp, saves="ab"))


def fmax(input, other, *, out=None) -> Tensor:
    return _out(out, _binary("FmaxBackward0", input, other, np.fmax, _minmax_vjp, saves="ab"))


def fmin(input, other, *, out=None) -> Tensor:
    return _out(out, _binary("FminBackward0", input, other, np.fmin, _minmax_vjp, saves="ab"))


def _minmax_vjp(g, a, b, o):
    """Gradient goes to the chosen operand; ties split it evenly, as torch does."""
    pick_a = (a == o).to(g.dtype)
    pick_b = (b == o).to(g.dtype)
    share = g / (pick_a + pick_b)
    return share * pick_a, share * pick_b


def _check_both_tensors(name, a, b):
    for arg, v in (("input", a), ("other", b)):
        if not isinstance(v, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' must be Tensor, not {type(v).__name__}")


def _is_bool(x) -> bool:
    return isinstance(x, Tensor) and x._data.dtype == np.bool_ or isinstance(x, bool)


def _out(out: Optional[Tensor], result: Tensor) -> Tensor:
    """Honour an ``out=`` argument: copy the result into it (resizing like torch)."""
    if out is None:
        return result
    if out._data.shape != result._data.shape:
        out._data = np.empty(result._data.shape, out._data.dtype)
    np.copyto(out._data, result._data, casting="unsafe")
    out._vbox[0] += 1
    return out


# ---------------------------------------------------------------------------- comparisons, logic
def _compare(np_fn: Callable, name: str):
    def compare(input, other, *, out=None) -> Tensor:
        if other is None:  # ``t == None`` is a Python identity question, not an op
            return np_fn is np.not_equal
        return _out(out, _binary(name, input, other, np_fn, None))
    compare.__name__ = name
    compare.__doc__ = f"Elementwise ``{np_fn.__name__}`` with broadcasting; gives a bool tensor."
    return compare


eq = _compare(np.equal, "eq")
ne = _compare(np.not_equal, "ne")
lt = _compare(np.less, "lt")
le = _compare(np.less_equal, "le")
gt = _compare(np.greater, "gt")
ge = _compare(np.greater_equal, "ge")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


_logical = _compare

logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")


def logical_not(input, *, out=None) -> Tensor:
    return _out(out, wrap(np.logical_not(input._data)))


def _bitwise(np_fn: Callable, name: str):
    def bitwise(input, other, *, out=None) -> Tensor:
        for v in (input, other):
            if isinstance(v, Tensor) and v._data.dtype.kind == "f" or isinstance(v, float):
                raise RuntimeError(f'"{name}_cpu" not implemented for \'Float\'')
        return _out(out, _binary(name, input, other, np_fn, None))
    bitwise.__name__ = name
    return bitwise


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")


def bitwise_not(input, *, out=None) -> Tensor:
    if input._data.dtype.kind == "f":
        raise RuntimeError("\"bitwise_not_cpu\" not implemented for 'Float'")
    return _out(out, wrap(np.invert(input._data)))


# ---------------------------------------------------------------------------- unary math
def _unary(name: str, np_fn: Callable, vjp: Optional[Callable], uses: str = "x",
           float_only: bool = True):
    """Define a unary op: ``vjp(g, t)`` gets the input (``uses="x"``) or the output (``"out"``)."""
    node_name = name.capitalize() + "Backward0"

    def op(input: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                            f"{type(input).__name__}")
        with _Quiet():
            result = wrap(np_fn(_float(input) if float_only else input._data))
        if vjp is not None and needs_grad(input):
            saved = result if uses == "out" else input
            record(result, node_name, (input,), lambda g: (vjp(g, saved),), (saved,))
        return _out(out, result)
    op.__name__ = name
    op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}``."
    return op


def _sigmoid_np(x):
    return np.exp(-np.logaddexp(0, -x)).astype(x.dtype, copy=False)


neg = _unary("neg", np.negative, lambda g, x: -g, float_only=False)
negative = neg
exp = _unary("exp", np.exp, lambda g, y: g * y, uses="out")
exp2 = _unary("exp2", np.exp2, lambda g, y: g * y * np.log(2.0), uses="out")
expm1 = _unary("expm1", np.expm1, lambda g, y: g * (y + 1), uses="out")
log = _unary("log", np.log, lambda g, x: g / x)
log2 = _unary("log2", np.log2, lambda g, x: g / (x * np.log(2.0)))
log10 = _unary("log10", np.log10, lambda g, x: g / (x * np.log(10.0)))
log1p = _unary("log1p", np.log1p, lambda g, x: g / (x + 1))
sqrt = _unary("sqrt", np.sqrt, lambda g, y: g / (2 * y), uses="out")
rsqrt = _unary("rsqrt", lambda x: 1 / np.sqrt(x), lambda g, y: -0.5 * g * y * y * y, uses="out")
sin = _unary("sin", np.sin, lambda g, x: g * x.cos())
cos = _unary("cos", np.cos, lambda g, x: -g * x.sin())
tan = _unary("tan", np.tan, lambda g, y: g * (1 + y * y), uses="out")
asin = _unary("asin", np.arcsin, lambda g, x: g * (1 - x * x).rsqrt())
acos = _unary("acos", np.arccos, lambda g, x: -g * (1 - x * x).rsqrt())
atan = _unary("atan", np.arctan, lambda g, x: g / (1 + x * x))
sinh = _unary("sinh", np.sinh, lambda g, x: g * x.cosh())
cosh = _unary("cosh", np.cosh, lambda g, x: g * x.sinh())
tanh = _unary("tanh", np.tanh, lambda g, y: g * (1 - y * y), uses="out")
asinh = _unary("asinh", np.arcsinh, lambda g, x: g * (x * x + 1).rsqrt())
acosh = _unary("acosh", np.arccosh, lambda g, x: g * (x * x - 1).rsqrt())
atanh = _unary("atanh", np.arctanh, lambda g, x: g / (1 - x * x))
arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh
sigmoid = _unary("sigmoid", _sigmoid_np, lambda g, y: g * y * (1 - y), uses="out")
reciprocal = _unary("reciprocal", np.reciprocal, lambda g, y: -g * y * y, uses="out")
abs = _unary("abs", np.abs, lambda g, x: g * x.sign(), float_only=False)
absolute = abs
sign = _unary("sign", np.sign, lambda g, x: g * 0, float_only=False)
sgn = sign
floor = _unary("floor", np.floor, lambda g, x: g * 0, float_only=False)
ceil = _unary("ceil", np.ceil, lambda g, x: g * 0, float_only=False)
trunc = _unary("trunc", np.trunc, lambda g, x: g * 0, float_only=False)
fix = trunc
frac = _unary("frac", lambda x: x - np.trunc(x), lambda g, x: g)
square = _unary("square", np.square, lambda g, x: 2 * g * x, float_only=False)


def _erf_np(x):
    """Abramowitz-Stegun 7.1.26 is too coarse; use the float64 series via math.erf, vectorised."""
    import math
    return np.vectorize(math.erf, otypes=[x.dtype])(x) if x.size else x.copy()


erf = _unary("erf", _erf_np, lambda g, x: g * (2 / np.sqrt(np.pi)) * (-(x * x)).exp())
erfc = _unary("erfc", lambda x: 1 - _erf_np(x), lambda g, x: -g * (2 / np.sqrt(np.pi)) * (-(x * x)).exp())
relu = _unary("relu", lambda x: np.maximum(x, 0, dtype=x.dtype), lambda g, y: g * (y > 0), uses="out",
              float_only=False)
isnan = _unary("isnan", np.isnan, None, float_only=False)
isinf = _unary("isinf", np.isinf, None, float_only=False)
isfinite = _unary("isfinite", np.isfinite, None, float_only=False)
isposinf = _unary("isposinf", np.isposinf, None, float_only=False)
isneginf = _unary("isneginf", np.isneginf, None, float_only=False)


def round(input: Tensor, *, decimals: int = 0, out=None) -> Tensor:
    fn = _unary("round", lambda x: np.round(x, decimals), lambda g, x: g * 0, float_only=False)
    return fn(input, out=out)


def positive(input: Tensor) -> Tensor:
    return input


def clamp(input: Tensor, min=None, max=None, *, out=None) -> Tensor:
    """Clip to [min, max]; the gradient passes where the input was inside the bounds."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    result = input
    if min is not None:
        result = _binary("ClampMinBackward0", result, min, np.maximum,
                         lambda g, a, b, o: (g * (a >= b), g * (a < b)), saves="ab")
    if max is not None:
        result = _binary("ClampMaxBackward0", result, max, np.minimum,
                         lambda g, a, b, o: (g * (a <= b), g * (a > b)), saves="ab")
    return _out(out, result)


clip = clamp


def clamp_min(input: Tensor, min) -> Tensor:
    return clamp(input, min=min)


def clamp_max(input: Tensor, max) -> Tensor:
    return clamp(input, max=max)


def where(condition: Tensor, input=None, other=None) -> Tensor:
    """Pick ``input`` where ``condition`` holds, else ``other`` (all three broadcast)."""
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    if condition._data.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with "
                           f"dtype {_CAP[condition._data.dtype.name]}")
    cond = condition._data

    def forward(x, y):
        return np.where(cond, x, y)

    def vjp(g, a, b, o):
        zero = wrap(np.zeros((), g._data.dtype))
        return where(condition, g, zero), where(condition, zero, g)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = to_tensor(input)
    try:
        np.broadcast_shapes(cond.shape, np.shape(getattr(input, "_data", input)),
                            np.shape(getattr(other, "_data", other)))
    except ValueError:
        raise RuntimeError(f"The size of tensor a must match the size of tensor b: shapes "
                           f"{list(cond.shape)}, {list(np.shape(getattr(input, '_data', input)))} and "
                           f"{list(np.shape(getattr(other, '_data', other)))} cannot be broadcast") from None
    return _binary("WhereBackward0", input, other, forward, vjp)


_CAP = {"float16": "Half", "float32": "Float", "float64": "Double", "int8": "Char", "int16": "Short",
        "int32": "Int", "int64": "Long", "uint8": "Byte", "bool": "Bool"}


def lerp(input: Tensor, end: Tensor, weight) -> Tensor:
    return input + weight * (end - input)


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1) -> Tensor:
    return input + value * tensor1 * tensor2


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1) -> Tensor:
    return input + value * tensor1 / tensor2


def nan_to_num(input: Tensor, nan: float = 0.0, posinf=None, neginf=None) -> Tensor:
    return wrap(np.nan_to_num(input._data, nan=nan, posinf=posinf, neginf=neginf))


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    return wrap(np.isclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input: Tensor, other: Tensor) -> bool:
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


# ---------------------------------------------------------------------------- in-place forms
def _inplace(op: Callable, name: str):
    def method(self: Tensor, *args, **kwargs) -> Tensor:
        others = [a for a in args if isinstance(a, Tensor)]
        return inplace(self, lambda s: op(s, *args, **kwargs), *others)
    method.__name__ = name
    method.__doc__ = f"In-place ``{op.__name__}``."
    return method


INPLACE = {name + "_": _inplace(globals()[name], name + "_") for name in (
    "add", "sub", "mul", "div", "true_divide", "floor_divide", "remainder", "fmod", "pow", "atan2",
    "neg", "exp", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "sin", "cos", "tan",
    "asin", "acos", "atan", "sinh", "cosh", "tanh", "sigmoid", "reciprocal", "abs", "sign", "floor",
    "ceil", "trunc", "frac", "square", "erf", "relu", "round", "clamp", "clip", "clamp_min",
    "clamp_max", "lerp", "addcmul", "addcdiv", "logical_not", "logical_and", "logical_or", "eq",
    "ne", "lt", "le", "gt", "ge", "bitwise_and", "bitwise_or", "bitwise_xor", "nan_to_num")}
globals().update(INPLACE)

__all__ = public_names(globals())
