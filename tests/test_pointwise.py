"""Elementwise ops against torch: values, dtypes, shapes, gradients (special points included),
in-place forms, errors, grad_fn names, and float64 gradcheck of every backward formula."""
import math
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.autograd import gradcheck, gradgradcheck

from oracle import RNG, FLOATS, check, check_raises, rand, layout

# ember silences NumPy's floating-point warnings when it is imported (as torch is silent), but
# pytest imports it inside a warnings context that discards the filter; test_numpy_warnings_silenced
# checks the real behaviour in a fresh interpreter.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _domain(kind: str, shape, dtype) -> np.ndarray:
    """Inputs where an op is smooth: any value, positive, inside (-1, 1), above 1, or away from 0."""
    return np.asarray(_values(kind, shape, dtype))


def _values(kind: str, shape, dtype):
    if kind == "pos":
        return rand(*shape, dtype=dtype, low=0.5, high=3.0)
    if kind == "unit":
        return rand(*shape, dtype=dtype, low=-0.9, high=0.9)
    if kind == "gt1":
        return rand(*shape, dtype=dtype, low=1.2, high=3.0)
    if kind == "nonzero":
        mag = rand(*shape, dtype=dtype, low=0.5, high=2.0)
        return np.where(RNG.random(shape) < 0.5, -mag, mag).astype(dtype)
    if kind == "noint":  # away from rounding and integer boundaries
        return (np.floor(rand(*shape, dtype=np.float64, low=-3, high=3)) + 0.3 +
                0.4 * RNG.random(shape)).astype(dtype)
    return rand(*shape, dtype=dtype)


# --------------------------------------------------------------------------- unary ops
UNARY = {
    "neg": ("any", lambda T, x: -x), "abs": ("nonzero", lambda T, x: T.abs(x)),
    "exp": ("any", lambda T, x: T.exp(x)), "exp2": ("any", lambda T, x: T.exp2(x)),
    "expm1": ("any", lambda T, x: T.expm1(x)), "log": ("pos", lambda T, x: T.log(x)),
    "log2": ("pos", lambda T, x: T.log2(x)), "log10": ("pos", lambda T, x: T.log10(x)),
    "log1p": ("pos", lambda T, x: T.log1p(x)), "sqrt": ("pos", lambda T, x: T.sqrt(x)),
    "rsqrt": ("pos", lambda T, x: T.rsqrt(x)), "sin": ("any", lambda T, x: T.sin(x)),
    "cos": ("any", lambda T, x: x.cos()), "tan": ("unit", lambda T, x: T.tan(x)),
    "asin": ("unit", lambda T, x: T.asin(x)), "acos": ("unit", lambda T, x: T.acos(x)),
    "atan": ("any", lambda T, x: T.atan(x)), "sinh": ("any", lambda T, x: T.sinh(x)),
    "cosh": ("any", lambda T, x: T.cosh(x)), "tanh": ("any", lambda T, x: T.tanh(x)),
    "asinh": ("any", lambda T, x: T.asinh(x)), "acosh": ("gt1", lambda T, x: T.acosh(x)),
    "atanh": ("unit", lambda T, x: T.atanh(x)), "sigmoid": ("any", lambda T, x: T.sigmoid(x)),
    "reciprocal": ("nonzero", lambda T, x: T.reciprocal(x)), "erf": ("any", lambda T, x: T.erf(x)),
    "erfc": ("any", lambda T, x: T.erfc(x)), "relu": ("nonzero", lambda T, x: T.relu(x)),
    "sign": ("nonzero", lambda T, x: T.sign(x)), "floor": ("noint", lambda T, x: T.floor(x)),
    "ceil": ("noint", lambda T, x: T.ceil(x)), "round": ("noint", lambda T, x: T.round(x)),
    "round_decimals": ("noint", lambda T, x: T.round(x, decimals=2)),
    "trunc": ("noint", lambda T, x: T.trunc(x)), "frac": ("noint", lambda T, x: T.frac(x)),
    "square": ("any", lambda T, x: T.square(x)), "positive": ("any", lambda T, x: +x * 1),
    "clamp": ("any", lambda T, x: T.clamp(x, -0.5, 0.7)), "clamp_min": ("any", lambda T, x: x.clamp(min=0.1)),
    "clamp_max": ("any", lambda T, x: T.clamp(x, max=-0.2)), "clip": ("any", lambda T, x: T.clip(x, 0, 1)),
    "nan_to_num": ("any", lambda T, x: T.nan_to_num(x)), "isnan": ("any", lambda T, x: T.isnan(x)),
    "isfinite": ("any", lambda T, x: T.isfinite(x)), "logical_not": ("any", lambda T, x: T.logical_not(x)),
    "pow_scalar": ("pos", lambda T, x: x ** 2.5), "pow_int": ("any", lambda T, x: T.pow(x, 3)),
    "rpow": ("any", lambda T, x: 2 ** x), "rsub": ("any", lambda T, x: 1.5 - x),
    "rdiv": ("nonzero", lambda T, x: 3 / x), "mul_scalar": ("any", lambda T, x: x * 2.5),
    "add_alpha_scalar": ("any", lambda T, x: T.add(x, 2, alpha=1.5)), "div_scalar": ("any", lambda T, x: x / 4),
    "float_power": ("pos", lambda T, x: T.float_power(x, 2)),
}
UNARY_SHAPES = [(), (0,), (5,), (3, 4), (1, 4, 1)]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", UNARY_SHAPES, ids=str)
@pytest.mark.parametrize("name", UNARY)
def test_unary(name, shape, dtype):
    kind, fn = UNARY[name]
    check(fn, _domain(kind, shape, dtype))


@pytest.mark.parametrize("kind", ["T", "sliced"])
@pytest.mark.parametrize("name", UNARY)
def test_unary_noncontiguous(name, kind):
    domain, fn = UNARY[name]
    check(fn, layout(_domain(domain, (3, 4), np.float32), kind))


# --------------------------------------------------------------------------- binary ops
BINARY = {
    "add": ("any", "any", lambda T, x, y: x + y), "add_alpha": ("any", "any", lambda T, x, y: T.add(x, y, alpha=-2)),
    "sub": ("any", "any", lambda T, x, y: x - y), "sub_alpha": ("any", "any", lambda T, x, y: x.sub(y, alpha=0.5)),
    "mul": ("any", "any", lambda T, x, y: x * y), "div": ("any", "nonzero", lambda T, x, y: x / y),
    "div_floor": ("any", "nonzero", lambda T, x, y: T.div(x, y, rounding_mode="floor")),
    "div_trunc": ("any", "nonzero", lambda T, x, y: T.div(x, y, rounding_mode="trunc")),
    "remainder": ("any", "nonzero", lambda T, x, y: x % y), "fmod": ("any", "nonzero", lambda T, x, y: T.fmod(x, y)),
    "pow": ("pos", "any", lambda T, x, y: x ** y), "atan2": ("nonzero", "nonzero", lambda T, x, y: T.atan2(x, y)),
    "maximum": ("any", "any", lambda T, x, y: T.maximum(x, y)), "minimum": ("any", "any", lambda T, x, y: T.minimum(x, y)),
    "fmax": ("any", "any", lambda T, x, y: T.fmax(x, y)), "fmin": ("any", "any", lambda T, x, y: T.fmin(x, y)),
    "max_binary": ("any", "any", lambda T, x, y: T.max(x, y)),
    "eq": ("any", "any", lambda T, x, y: x == y), "ne": ("any", "any", lambda T, x, y: x != y),
    "lt": ("any", "any", lambda T, x, y: x < y), "le": ("any", "any", lambda T, x, y: x <= y),
    "gt": ("any", "any", lambda T, x, y: T.gt(x, y)), "ge": ("any", "any", lambda T, x, y: x.ge(y)),
    "logical_and": ("any", "any", lambda T, x, y: T.logical_and(x > 0, y)),
    "logical_or": ("any", "any", lambda T, x, y: T.logical_or(x > 0, y > 1)),
    "logical_xor": ("any", "any", lambda T, x, y: T.logical_xor(x > 0, y > 0)),
    "where": ("any", "any", lambda T, x, y: T.where(x > y, x, y)),
    "clamp_tensor": ("any", "any", lambda T, x, y: T.clamp(x, min=y, max=y + 1)),
    "clamp_min_tensor": ("any", "any", lambda T, x, y: T.clamp_min(x, y)),
    "lerp": ("any", "any", lambda T, x, y: T.lerp(x, y, 0.3)),
    "lerp_high": ("any", "any", lambda T, x, y: T.lerp(x, y, 0.8)),
    "lerp_tensor": ("any", "any", lambda T, x, y: T.lerp(x, y, T.sigmoid(x * y))),
    "addcmul": ("any", "any", lambda T, x, y: T.addcmul(x, x, y, value=-0.5)),
    "addcdiv": ("any", "nonzero", lambda T, x, y: T.addcdiv(x, x, y, value=2)),
    "hypot_like": ("any", "any", lambda T, x, y: (x * x + y * y).sqrt()),
}
PAIRS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (1, 4)), ((2, 3, 4), (3, 1)), ((), (3,)), ((3,), ()),
         ((), ()), ((0, 3), (3,)), ((1,), (5,)), ((2, 1, 3), (4, 1))]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shapes", PAIRS, ids=str)
@pytest.mark.parametrize("name", BINARY)
def test_binary(name, shapes, dtype):
    kx, ky, fn = BINARY[name]
    check(fn, _domain(kx, shapes[0], dtype), _domain(ky, shapes[1], dtype))


@pytest.mark.parametrize("kinds", [("T", "T"), ("T", "sliced"), ("sliced", "contiguous")], ids=str)
@pytest.mark.parametrize("name", BINARY)
def test_binary_noncontiguous(name, kinds):
    kx, ky, fn = BINARY[name]
    check(fn, layout(_domain(kx, (3, 4), np.float32), kinds[0]),
          layout(_domain(ky, (3, 4), np.float32), kinds[1]))


@pytest.mark.parametrize("name", [n for n in BINARY if not n.startswith("lerp")])
def test_binary_mixed_float_dtypes(name):
    """float32 with float64 (dimensioned and 0-dim): promoted values, grads in each input's dtype."""
    kx, ky, fn = BINARY[name]
    tol = dict(grad_atol=1e-5, grad_rtol=1e-5)  # float64 grads summed from float32 ones
    check(fn, _domain(kx, (3, 4), np.float32), _domain(ky, (4,), np.float64))
    check(fn, _domain(kx, (3, 4), np.float32), _domain(ky, (), np.float64), **tol)


# --------------------------------------------------------------------------- integer arithmetic
INT_OPS = {
    "floor_divide": lambda T, x, y: x // y, "div_trunc": lambda T, x, y: T.div(x, y, rounding_mode="trunc"),
    "true_div": lambda T, x, y: x / y, "remainder": lambda T, x, y: x % y, "fmod": lambda T, x, y: T.fmod(x, y),
    "pow": lambda T, x, y: x ** y.abs(), "pow_negative_tensor": lambda T, x, y: x ** -y.abs(),
    "bitwise_and": lambda T, x, y: x & y, "bitwise_or": lambda T, x, y: x | y, "bitwise_xor": lambda T, x, y: x ^ y,
    "shifts": lambda T, x, y: (x << 2) >> y.abs(), "invert": lambda T, x, y: ~x,
    "maximum": lambda T, x, y: T.maximum(x, y), "mul": lambda T, x, y: x * y - y,
    "clamp": lambda T, x, y: T.clamp(x, -2, 3), "abs_neg_sign": lambda T, x, y: (-x).abs() * x.sign(),
    "relu": lambda T, x, y: T.relu(x), "square": lambda T, x, y: x.square(), "round": lambda T, x, y: x.round(),
}


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int8, np.uint8])
@pytest.mark.parametrize("name", INT_OPS)
def test_integer_ops(name, dtype):
    x = rand(4, 5, dtype=dtype, low=-9 if dtype != np.uint8 else 0, high=9)
    y = rand(5, dtype=dtype, low=1, high=4)
    if dtype != np.uint8:
        y = y * np.array([1, -1, 1, -1, 1], dtype=dtype)
    check(INT_OPS[name], x, y)


def test_integer_special_values():
    check(lambda T, x: (x + 300, x * 1.5, x - (-1), x == 300, x < -1, x / 0), rand(6, dtype=np.uint8, high=250))
    check(lambda T, x: (2 ** x, x ** 2, (-x) ** 3), rand(6, dtype=np.int64, low=-3, high=3).clip(0, None))
    check(lambda T, x: T.tensor([-1, 1, 2, -2, 0]) ** x, np.array([-1, -3, -1, 2, 0]))


# --------------------------------------------------------------------------- ternary ops
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), (3, 1)), ((2, 3, 4), (3, 1), ()),
                                    ((), (), ()), ((0, 4), (4,), (1,))], ids=str)
@pytest.mark.parametrize("name", ["where", "clamp", "lerp", "addcmul", "addcdiv"])
def test_ternary(name, shapes, dtype):
    a, b, c = (_domain("nonzero" if name == "addcdiv" else "any", s, dtype) for s in shapes)
    fns = {"where": lambda T, x, y, z: T.where(z > 0, x, y), "clamp": lambda T, x, y, z: T.clamp(x, y, z),
           "lerp": lambda T, x, y, z: T.lerp(x, y, z),
           "addcmul": lambda T, x, y, z: T.addcmul(x, y, z, value=0.5),
           "addcdiv": lambda T, x, y, z: T.addcdiv(x, y, z, value=-1.5)}
    check(fns[name], a, b, c)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("kind", ["C", "T", "sliced"])
def test_where_with_zero_keeps_every_bit(dtype, kind):
    """Masking with zero (the gradient of relu and of every mask) gives torch's bits: NaN kept, -0 kept."""
    x = np.array([[np.nan, -np.nan, -0.0, 0.0], [-np.inf, np.inf, -1.5, 2.0], [3.0, -4.0, 5.0, -6.0]], dtype)
    mask = np.array([[1, 0, 1, 1], [0, 1, 1, 0], [0, 1, 0, 1]], bool)
    xs, ms = (layout(v, kind) for v in (x, mask))
    ours = ember.where(ember.from_numpy(ms), ember.from_numpy(xs), 0.0).numpy()
    theirs = torch.where(torch.from_numpy(ms), torch.from_numpy(xs), 0.0).numpy()
    assert ours.dtype == theirs.dtype and ours.tobytes() == theirs.tobytes()
    check(lambda T, v: (T.where(v > 0, v, 0.0), T.where(v > 0, v, -0.0), T.where(v > 0, 0.0, v)), xs)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int64, np.int8])
@pytest.mark.parametrize("kind", ["C", "T", "sliced"])
def test_relu_gives_torchs_bits(dtype, kind):
    """relu(-0.0) is -0.0 and NaN keeps its sign, in every dtype and layout."""
    x = np.array([[-0.0, 0.0, np.nan, -np.nan], [-1.5, 2.0, -np.inf, np.inf], [3.0, -4.0, 5.0, -6.0]])
    x = layout(x.astype(dtype) if np.dtype(dtype).kind == "f" else np.nan_to_num(x, posinf=9, neginf=-9).astype(dtype), kind)
    ours, theirs = ember.relu(ember.from_numpy(x)).numpy(), torch.relu(torch.from_numpy(x)).numpy()
    assert ours.dtype == theirs.dtype and ours.tobytes() == theirs.tobytes()


def test_relu_gradient_at_nan_and_zeros_and_its_own_gradient():
    """threshold_backward: the gradient passes where the output is NaN or positive, not at +-0;
    differentiated again (create_graph) it is the same mask."""
    x = np.array([-1.0, -0.0, 0.0, 2.0, np.nan, np.inf, -np.inf])

    def grads(T):
        t = T.tensor(x, requires_grad=True)
        g = T.tensor(np.linspace(-2, 2, x.size), requires_grad=True)
        gx, = T.autograd.grad(t.relu(), t, g, create_graph=True)
        gg, = T.autograd.grad((gx * gx).sum(), g)
        return gx.detach().numpy(), gg.numpy(), gx.grad_fn.name()
    ours, theirs = grads(ember), grads(torch)
    np.testing.assert_array_equal(ours[0], theirs[0])
    np.testing.assert_array_equal(ours[1], theirs[1])
    assert ours[2] == theirs[2]


def test_where_scalars_and_uint8_condition():
    x = rand(3, 4)
    check(lambda T, x: (T.where(x > 0, x, 0.0), T.where(x > 0, 1, 2.5), T.where(x > 0, 2, x)), x)
    check(lambda T, x: T.where(x > 0, x, T.tensor(1.0, dtype=T.float64)), x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda T, x: T.where((x > 0).to(T.uint8), x, -x), x)


# --------------------------------------------------------------------------- gradients at special points
SPECIAL = {
    "relu_at_0": (lambda T, x: T.relu(x), [0.0, -0.0, 1.0, -1.0]),
    "abs_at_0": (lambda T, x: T.abs(x), [0.0, -0.0, 2.0, -2.0]),
    "sqrt_at_0": (lambda T, x: T.sqrt(x), [0.0, 1.0, 4.0]),
    "rsqrt_at_0": (lambda T, x: T.rsqrt(x), [0.0, 1.0]),
    "clamp_at_bounds": (lambda T, x: T.clamp(x, -1.0, 1.0), [-1.0, 1.0, 0.5, 2.0, -2.0]),
    "clamp_min_above_max": (lambda T, x: T.clamp(x, 1.0, -1.0), [-2.0, 0.0, 2.0]),
    "clamp_min_only_at_bound": (lambda T, x: T.clamp(x, min=0.5), [0.5, 0.4, 0.6]),
    "pow_zero_base": (lambda T, x: x ** 2, [0.0, 1.0]),
    "pow_zero_base_half": (lambda T, x: x ** 0.5, [0.0, 1.0]),
    "pow_zero_exponent": (lambda T, x: x ** 0, [0.0, 2.0]),
    "scalar_zero_base": (lambda T, x: 0.0 ** x, [0.0, 1.0, -1.0, 2.0]),
    "scalar_zero_base_odd_exponents": (lambda T, x: 0.0 ** x, [float("nan"), -0.5, 0.5, float("inf")]),
    "pow_half_at_signed_zero": (lambda T, x: (x ** -0.5, x ** 0.5), [-0.0, 0.0, 4.0]),
    "sign_at_0": (lambda T, x: T.sign(x), [0.0, 1.0, float("nan")]),
    "sigmoid_saturated": (lambda T, x: T.sigmoid(x), [-100.0, 100.0, 0.0]),
    "tanh_saturated": (lambda T, x: T.tanh(x), [-30.0, 30.0]),
    "exp_overflow": (lambda T, x: T.exp(x), [1000.0, -1000.0]),
    "log_at_0": (lambda T, x: T.log(x), [0.0, 1.0]),
    "erf_tails": (lambda T, x: (T.erf(x), T.erfc(x)), [-7.0, -3.0, -1.0, -0.3, 0.0, 0.9, 2.5, 5.9, 27.0, 30.0]),
    "nan_to_num": (lambda T, x: T.nan_to_num(x, nan=1.0, posinf=2.0), [float("nan"), float("inf"), -float("inf"), 1.0]),
    "div_by_zero": (lambda T, x: (x / 0.0, 1.0 / x), [0.0, 1.0, -1.0]),
    "remainder_by_zero": (lambda T, x: (x % 0.0, T.fmod(x, 0.0)), [1.0, -1.0]),
    "floor_div_by_zero": (lambda T, x: (T.div(x, 0.0, rounding_mode="floor"), T.div(x, 0.0, rounding_mode="trunc")),
                          [1.0, -1.0, 0.0]),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", SPECIAL)
def test_special_points(name, dtype):
    fn, values = SPECIAL[name]
    check(fn, np.array(values, dtype=dtype))


@pytest.mark.parametrize("fn", [lambda T, x, y: T.maximum(x, y), lambda T, x, y: T.minimum(x, y),
                                lambda T, x, y: T.fmax(x, y), lambda T, x, y: T.fmin(x, y),
                                lambda T, x, y: T.clamp(x, y, y + 1), lambda T, x, y: T.clamp(x, y, y - 1),
                                lambda T, x, y: x ** y, lambda T, x, y: T.atan2(x, y), lambda T, x, y: T.where(x == y, x, y)],
                         ids=["maximum", "minimum", "fmax", "fmin", "clamp", "clamp_crossed", "pow", "atan2", "where"])
def test_binary_ties_and_nan(fn):
    """Equal operands, NaN on either side, zeros: the gradient goes where torch sends it."""
    nan = float("nan")
    x = np.array([1.0, 2.0, 0.0, nan, 3.0, nan, 0.0, -1.0])
    y = np.array([1.0, 3.0, 0.0, 1.0, nan, nan, 2.0, 0.0])
    check(fn, x, y)


# --------------------------------------------------------------------------- float64 gradcheck
def _gradcheck(fn, *arrays, second_order=False):
    inputs = tuple(ember.tensor(a, dtype=ember.float64, requires_grad=True) for a in arrays)
    assert gradcheck(lambda *t: fn(ember, *t), inputs)
    if second_order:
        assert gradgradcheck(lambda *t: fn(ember, *t), inputs)


SMOOTH_UNARY = [n for n in UNARY if n not in ("sign", "floor", "ceil", "round", "round_decimals", "trunc",
                                              "isnan", "isfinite", "logical_not")]


@pytest.mark.parametrize("name", SMOOTH_UNARY)
def test_gradcheck_unary(name):
    kind, fn = UNARY[name]
    _gradcheck(fn, _domain(kind, (2, 3), np.float64), second_order=name in ("exp", "tanh", "sigmoid", "erf",
                                                                           "sqrt", "pow_scalar", "rdiv"))


@pytest.mark.parametrize("name", [n for n in BINARY if n not in ("eq", "ne", "lt", "le", "gt", "ge", "logical_and",
                                                                  "logical_or", "logical_xor", "div_floor",
                                                                  "div_trunc")])
def test_gradcheck_binary(name):
    kx, ky, fn = BINARY[name]
    x, y = _domain(kx, (2, 3), np.float64), _domain(ky, (3,), np.float64)
    if name in ("maximum", "minimum", "fmax", "fmin", "max_binary", "where", "clamp_tensor", "clamp_min_tensor"):
        y = x[0] + np.array([0.3, -0.4, 0.5])  # keep clear of ties, where the derivative jumps
    if name in ("remainder", "fmod"):
        x = np.floor(x / y) * y + 0.3 * y  # away from the jumps
    _gradcheck(fn, x, y, second_order=name in ("mul", "div", "pow", "atan2"))


# --------------------------------------------------------------------------- in-place forms
INPLACE = {
    "add_": lambda T, x, y: x.add_(y), "add_alpha_": lambda T, x, y: x.add_(y, alpha=-3),
    "sub_": lambda T, x, y: x.sub_(y), "mul_": lambda T, x, y: x.mul_(y), "div_": lambda T, x, y: x.div_(y),
    "iadd": lambda T, x, y: x.__iadd__(y), "isub": lambda T, x, y: x.__isub__(2.0),
    "imul": lambda T, x, y: x.__imul__(y), "itruediv": lambda T, x, y: x.__itruediv__(y),
    "ipow": lambda T, x, y: x.abs_().__ipow__(y), "imod": lambda T, x, y: x.__imod__(y),
    "ifloordiv": lambda T, x, y: x.__ifloordiv__(y), "pow_": lambda T, x, y: x.abs_().pow_(2),
    "clamp_": lambda T, x, y: x.clamp_(-0.5, 0.5), "clamp_tensor_": lambda T, x, y: x.clamp_(min=y),
    "exp_": lambda T, x, y: x.exp_(), "sqrt_": lambda T, x, y: x.abs_().sqrt_(), "neg_": lambda T, x, y: x.neg_(),
    "sigmoid_": lambda T, x, y: x.sigmoid_(), "tanh_": lambda T, x, y: x.tanh_(), "relu_": lambda T, x, y: x.relu_(),
    "lerp_": lambda T, x, y: x.lerp_(y, 0.25), "addcmul_": lambda T, x, y: x.addcmul_(y, y, value=2),
    "addcdiv_": lambda T, x, y: x.addcdiv_(y, y.exp()), "eq_": lambda T, x, y: x.eq_(y),
    "lt_": lambda T, x, y: x.lt_(y), "erf_": lambda T, x, y: x.erf_(), "round_": lambda T, x, y: x.round_(),
    "floor_": lambda T, x, y: x.floor_(), "mixed_dtype_": lambda T, x, y: x.add_(y.double()),
    "copy_back_": lambda T, x, y: x.mul_(y.double().sum()),
}


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_values(name):
    """Without autograd: ``self`` changes in place, keeps its dtype and is returned."""
    x, y = rand(3, 4), rand(4)
    for lib in (torch, ember):
        t = (torch.from_numpy if lib is torch else ember.from_numpy)(x.copy())
        s = (torch.from_numpy if lib is torch else ember.from_numpy)(y.copy())
        out = INPLACE[name](lib, t, s)
        assert out is t
        if lib is torch:
            expected = t.numpy().copy()
        else:
            np.testing.assert_allclose(t.numpy(), expected, rtol=1e-5, atol=1e-6)
            assert t.dtype == ember.float32


@pytest.mark.parametrize("name", [n for n in INPLACE if n != "ifloordiv"])
def test_inplace_autograd(name):
    """On a non-leaf: the gradient flows through the in-place op to the leaves, as in torch."""
    check(lambda T, x, y: INPLACE[name](T, x * 1, y), rand(3, 4), rand(4))


def test_inplace_version_counter_and_saved_tensors():
    """An in-place change to a tensor a backward reads is an error; to one it does not read, fine."""
    for lib in (torch, ember):
        x = lib.ones(3, requires_grad=True)
        y = x * 2
        z, w = y.sin(), y.exp()  # sin saves its input, exp its output
        v = y._version
        y.add_(1)
        assert y._version == v + 1
        w.sum().backward()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.sum().backward()


def test_inplace_fast_path_matches_generic():
    x = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    x.add_(ember.tensor([1.0, 1.0]), alpha=0.5).mul_(ember.tensor([2.0, 3.0])).sub_(ember.ones(2)).div_(
        ember.tensor(2.0))
    t = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    t.add_(torch.tensor([1.0, 1.0]), alpha=0.5).mul_(torch.tensor([2.0, 3.0])).sub_(torch.ones(2)).div_(
        torch.tensor(2.0))
    np.testing.assert_allclose(x.numpy(), t.numpy())


INPLACE_ERRORS = {
    "int_add_float": lambda T: T.tensor([1, 2]).add_(1.5),
    "int_iadd_float_tensor": lambda T: T.tensor([1, 2]).__iadd__(T.tensor([0.5, 1.0])),
    "int_div_": lambda T: T.tensor([1, 2]).div_(2),
    "bool_add_int": lambda T: T.tensor([True]).add_(1),
    "int_clamp_float": lambda T: T.tensor([1, 2]).clamp_(0.5),
    "int_sqrt_": lambda T: T.tensor([1, 4]).sqrt_(),
    "broadcast_shape": lambda T: T.ones(3).add_(T.ones(2, 3)),
    "broadcast_shape_fast": lambda T: T.ones(3).mul_(T.ones(2, 3)),
    "leaf_requires_grad": lambda T: T.ones(3, requires_grad=True).add_(1),
    "leaf_requires_grad_fast": lambda T: T.ones(3, requires_grad=True).mul_(T.ones(3)),
    "bool_sub_": lambda T: T.tensor([True]).sub_(T.tensor([False])),
}


@pytest.mark.parametrize("name", INPLACE_ERRORS)
def test_inplace_errors(name):
    """Same exception type and message as torch."""
    with pytest.raises(Exception) as theirs:
        INPLACE_ERRORS[name](torch)
    with pytest.raises(type(theirs.value)) as ours:
        INPLACE_ERRORS[name](ember)
    assert str(ours.value) == str(theirs.value).replace("long int", "Long")


def test_inplace_casts_allowed_by_torch():
    check(lambda T, x, y: x.add_(y), rand(4, dtype=np.uint8, low=0, high=5), rand(4, dtype=np.int64, low=0, high=5))
    check(lambda T, x, y: x.mul_(y), rand(4, dtype=np.float32), rand(4, dtype=np.int64), grad=False)
    check(lambda T, x, y: x.add_(y, alpha=2), rand(4, dtype=np.float32), rand(4, dtype=np.float64), grad=False)
    check(lambda T, x, y: x.eq_(y), rand(4, dtype=np.int32), rand(4, dtype=np.int32))
    check(lambda T, x, y: (x * 1).lt_(y), rand(4, dtype=np.float32), rand(4, dtype=np.float32))


def test_out_argument():
    check(lambda T, x, y: T.add(x, y, out=T.empty(0, dtype=T.float64)), rand(3, 4), rand(4), grad=False)
    check(lambda T, x, y: T.mul(x, y, out=T.empty(3, 4)), rand(3, 4), rand(4), grad=False)
    check_raises(lambda T, x, y: T.add(x, y, out=T.empty(3, 4, dtype=T.int64)), rand(3, 4), rand(4))


# --------------------------------------------------------------------------- errors
ERRORS = {
    "bool_sub": lambda T, x: T.tensor([True]) - T.tensor([False]),
    "bool_sub_int": lambda T, x: T.tensor([True]) - 1,
    "int_sub_bool": lambda T, x: 1 - T.tensor([True]),
    "python_bool_sub": lambda T, x: True - T.tensor([True]),
    "bool_neg": lambda T, x: -T.tensor([True]),
    "bool_pos": lambda T, x: +T.tensor([True]),
    "bool_abs": lambda T, x: T.abs(T.tensor([True])),
    "bool_relu": lambda T, x: T.relu(T.tensor([True])),
    "bool_floor": lambda T, x: T.floor(T.tensor([True])),
    "int_frac": lambda T, x: T.frac(T.tensor([1])),
    "int_round_decimals": lambda T, x: T.round(T.tensor([1]), decimals=1),
    "float_and": lambda T, x: x & x,
    "float_xor_bool": lambda T, x: x ^ (x > 0),
    "float_invert": lambda T, x: T.bitwise_not(x),
    "float_shift": lambda T, x: x << 1,
    "int_pow_negative": lambda T, x: T.tensor([2]) ** -1,
    "int_div_zero_floor": lambda T, x: T.tensor([2]) // 0,
    "int_remainder_zero": lambda T, x: T.tensor([2]) % T.tensor([0]),
    "int_fmod_zero": lambda T, x: T.fmod(T.tensor([2]), 0),
    "bad_rounding_mode": lambda T, x: T.div(x, x, rounding_mode="round"),
    "broadcast": lambda T, x: x + T.ones(5),
    "broadcast_3d": lambda T, x: T.ones(2, 3, 4) * T.ones(5, 1, 4),
    "where_broadcast": lambda T, x: T.where(T.ones(2, dtype=T.bool), T.ones(3), 0.0),
    "where_float_condition": lambda T, x: T.where(x, x, x),
    "clamp_no_bounds": lambda T, x: T.clamp(x),
    "maximum_number": lambda T, x: T.maximum(x, 1),
    "add_string": lambda T, x: T.add(x, "a"),
    "add_none": lambda T, x: T.add(x, None),
    "operator_string": lambda T, x: x + "a",
    "operator_list": lambda T, x: x * [1, 2],
    "int_alpha_float": lambda T, x: T.add(T.tensor([1]), 1, alpha=0.5),
    "bool_alpha": lambda T, x: T.add(x, x, alpha=True),
    "lerp_int": lambda T, x: T.lerp(T.tensor([1]), T.tensor([2]), 0.5),
    "lerp_dtype": lambda T, x: T.lerp(x, x.double(), 0.5),
    "lerp_weight_dtype": lambda T, x: T.lerp(x.half(), x.half(), x),
    "addcdiv_int": lambda T, x: T.addcdiv(T.tensor([1]), T.tensor([1]), T.tensor([2])),
    "addcmul_bool": lambda T, x: T.addcmul(T.tensor([True]), T.tensor([True]), T.tensor([True])),
    "logical_and_number": lambda T, x: T.logical_and(x, 1),
    "fmod_number_first": lambda T, x: T.fmod(2, x),
    "isclose_dtypes": lambda T, x: T.isclose(x, x.double()),
    "int_overflow_scalar": lambda T, x: T.tensor([1]) + 2 ** 70,
    "floor_divide_backward": lambda T, x: (x.requires_grad_() // 2).sum().backward(),
}
SAME_MESSAGE = {"bool_sub", "bool_sub_int", "int_sub_bool", "python_bool_sub", "bool_neg", "bool_pos", "bool_abs",
                "bool_relu", "bool_floor", "int_frac", "int_round_decimals", "float_and", "float_xor_bool",
                "float_invert", "float_shift", "int_pow_negative", "int_div_zero_floor", "int_remainder_zero",
                "int_fmod_zero", "bad_rounding_mode", "broadcast", "broadcast_3d", "where_float_condition",
                "clamp_no_bounds", "operator_string", "int_alpha_float", "bool_alpha", "lerp_int",
                "lerp_dtype", "lerp_weight_dtype", "addcdiv_int", "addcmul_bool", "isclose_dtypes", "floor_divide_backward",
                "where_broadcast", "maximum_number", "add_none", "logical_and_number"}


@pytest.mark.parametrize("name", ERRORS)
def test_errors(name):
    x = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    check_raises(ERRORS[name], x)
    if name in SAME_MESSAGE:
        with pytest.raises(Exception) as theirs:
            ERRORS[name](torch, torch.from_numpy(x.copy()))
        with pytest.raises(Exception) as ours:
            ERRORS[name](ember, ember.from_numpy(x.copy()))
        assert str(ours.value) == str(theirs.value)


def test_eq_with_other_objects():
    for lib in (torch, ember):
        t = lib.ones(2)
        assert (t == None) is False and (t != None) is True  # noqa: E711
        assert (t == "a") is False
        assert t not in [None, "a"]


# --------------------------------------------------------------------------- grad_fn names
NAMED = {
    "AddBackward0": lambda T, x, y: x + y, "SubBackward0": lambda T, x, y: x - 1,
    "RsubBackward1": lambda T, x, y: 1 - x, "RsubBackward0": lambda T, x, y: T.rsub(x, y),
    "MulBackward0": lambda T, x, y: 2 / x, "DivBackward0": lambda T, x, y: x / y,
    "DivBackward2": lambda T, x, y: T.div(x, y, rounding_mode="floor"), "PowBackward0": lambda T, x, y: x.square(),
    "PowBackward1": lambda T, x, y: x ** y, "PowBackward2": lambda T, x, y: 2 ** x,
    "RemainderBackward0": lambda T, x, y: x % 2, "RemainderBackward1": lambda T, x, y: x % y,
    "FmodBackward0": lambda T, x, y: T.fmod(x, 2), "FmodBackward1": lambda T, x, y: T.fmod(x, y),
    "Atan2Backward0": lambda T, x, y: T.atan2(x, y), "MaximumBackward0": lambda T, x, y: T.max(x, y),
    "MinimumBackward0": lambda T, x, y: T.minimum(x, y), "FmaxBackward0": lambda T, x, y: T.fmax(x, y),
    "FminBackward0": lambda T, x, y: T.fmin(x, y), "ClampBackward1": lambda T, x, y: x.clamp(min=0),
    "ClampBackward0": lambda T, x, y: x.clamp(y), "ClampMinBackward0": lambda T, x, y: T.clamp_min(x, 0),
    "ClampMinBackward1": lambda T, x, y: T.clamp_min(x, y), "ClampMaxBackward0": lambda T, x, y: T.clamp_max(x, 0),
    "WhereBackward0": lambda T, x, y: T.where(x > 0, x, y), "LerpBackward0": lambda T, x, y: T.lerp(x, y, 0.5),
    "LerpBackward1": lambda T, x, y: T.lerp(x, y, y), "AddcmulBackward0": lambda T, x, y: T.addcmul(x, x, y),
    "AddcdivBackward0": lambda T, x, y: T.addcdiv(x, x, y), "Log1PBackward0": lambda T, x, y: x.log1p(),
    "Expm1Backward0": lambda T, x, y: x.expm1(), "RsqrtBackward0": lambda T, x, y: x.rsqrt(),
    "ErfBackward0": lambda T, x, y: x.erf(), "ErfcBackward0": lambda T, x, y: x.erfc(),
    "ReluBackward0": lambda T, x, y: x.relu(), "SigmoidBackward0": lambda T, x, y: x.sigmoid(),
    "AbsBackward0": lambda T, x, y: x.abs(), "SignBackward0": lambda T, x, y: x.sign(),
    "RoundBackward0": lambda T, x, y: x.round(), "RoundBackward1": lambda T, x, y: x.round(decimals=1),
    "NanToNumBackward0": lambda T, x, y: x.nan_to_num(), "NegBackward0": lambda T, x, y: -x,
    "Exp2Backward0": lambda T, x, y: x.exp2(), "ReciprocalBackward0": lambda T, x, y: x.reciprocal(),
    "FracBackward0": lambda T, x, y: x.frac(), "AsinhBackward0": lambda T, x, y: x.asinh(),
}


@pytest.mark.parametrize("name", NAMED)
def test_grad_fn_names(name):
    for lib in (torch, ember):
        x = lib.tensor([0.5, 1.5], requires_grad=True)
        y = lib.tensor([1.0, 2.0], requires_grad=True)
        assert NAMED[name](lib, x, y).grad_fn.name() == name


# --------------------------------------------------------------------------- erf accuracy
def test_erf_matches_float64_reference():
    """erf/erfc to ~1e-15 relative over the whole line (torch's float64 as the reference)."""
    x = np.concatenate([RNG.normal(0, 3, 20000), np.linspace(-6, 6, 2001), np.geomspace(1e-300, 1e-2, 50),
                        np.linspace(0.999, 1.001, 21), np.linspace(2.999, 3.001, 21)])
    ours = ember.erf(ember.from_numpy(x)).numpy()
    ref = torch.erf(torch.from_numpy(x)).numpy()
    assert np.max(np.abs(ours - ref) / np.maximum(np.abs(ref), 1e-300)) < 1e-15
    tail = np.concatenate([x, np.linspace(5, 26, 500)])
    ours = ember.erfc(ember.from_numpy(tail)).numpy()
    ref = torch.erfc(torch.from_numpy(tail)).numpy()
    ok = ref > 1e-300
    assert np.max(np.abs(ours - ref)[ok] / ref[ok]) < 2e-15
    specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan])
    for fn in ("erf", "erfc"):
        np.testing.assert_array_equal(getattr(ember, fn)(ember.from_numpy(specials)).numpy(),
                                      getattr(torch, fn)(torch.from_numpy(specials)).numpy())


def test_isclose_allclose_equal():
    x, y = rand(4), rand(4)
    check(lambda T, x, y: (T.isclose(x, y), T.isclose(x, x + 1e-6), T.isclose(x, y, atol=3)), x, y, grad=False)
    for lib in (torch, ember):
        a = lib.tensor([1.0, float("nan")])
        assert lib.allclose(a, a, equal_nan=True) and not lib.allclose(a, a)
        assert lib.equal(a[:1], a[:1]) and not lib.equal(a, a[:1])


def test_math_constants_in_backward_are_python_floats():
    """Backward works under create_graph (vjps are ember ops), e.g. a second derivative of erf."""
    for lib in (torch, ember):
        x = lib.tensor([0.3, -1.2], dtype=lib.float64, requires_grad=True)
        (g,) = lib.autograd.grad(lib.erf(x).sum(), x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x)
        expected = -2 * x.detach() * 2 / math.sqrt(math.pi) * lib.exp(-x.detach() ** 2)
        np.testing.assert_allclose(np.asarray(h.tolist()), np.asarray(expected.tolist()), rtol=1e-12)


def test_numpy_warnings_silenced():
    """inf and nan come silently, as in torch, even with warnings turned into errors."""
    code = ("import ember; t = ember.tensor([0.0, 1.0, -1.0]); big = ember.tensor([3e38]);"
            "r = (t / 0, t.log(), t.sqrt(), big * 10, big.exp(), t - ember.tensor(float('inf')) * 0,"
            " ember.zeros(0).mean(), t.erf(), t.erfc(), t.var(correction=5), t.logsumexp(0) - ember.tensor([-1e39]),"
            " t % 0.0, ember.tensor([2.0], dtype=ember.float16) * 1e10)")
    result = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c", code], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("zero", [0.0, -0.0])
def test_pow_gradients_at_zero_base(zero, dtype):
    """Both gradients of ``base ** exponent`` at a zero base, for every kind of exponent."""
    exponents = np.array([np.nan, 0.0, -1.0, -0.5, -2.0, 0.5, 1.0, 2.0, 3.0, np.inf, -np.inf], dtype=dtype)
    check(lambda T, b, e: b ** e, np.full_like(exponents, zero), exponents)


@pytest.mark.parametrize("fn", [
    lambda T, x: T.div(x, 0, rounding_mode="floor"), lambda T, x: T.div(x, 0, rounding_mode="trunc"),
    lambda T, x: x // 0, lambda T, x: x % 0, lambda T, x: T.fmod(x, 0),
    lambda T, x: T.div(x, T.zeros(3, dtype=x.dtype), rounding_mode="floor")],
    ids=["floor", "trunc", "floordiv", "remainder", "fmod", "floor_tensor"])
def test_integer_division_by_zero_of_empty_tensors(fn):
    """No element is divided, so no ZeroDivisionError: an empty result, as in torch."""
    check(fn, np.zeros((0, 3), np.int32), grad=False)
