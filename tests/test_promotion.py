"""Type promotion against torch: ``result_type``/``promote_types`` and the output dtype (or the
exception) of every elementwise and reduction op over all dtype pairs and operand kinds.

Each test walks a full table (dtype x dtype x operand kinds) and reports every mismatch at once.
"""
import itertools

import numpy as np
import pytest
import torch

import ember

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
SCALARS = {"py_bool": True, "py_int": 2, "py_float": 2.5}
pytestmark = [pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0:UserWarning"),
              pytest.mark.filterwarnings("ignore::RuntimeWarning")]  # torch's own overflow warnings
KIND_PAIRS = [("dim", "dim"), ("dim", "0dim"), ("0dim", "dim"), ("0dim", "0dim")]


def _operand(lib, dtype: str, kind: str):
    """A tensor of small values that every op accepts (no zero divisors, no negative powers)."""
    values = np.array([1, 2, 3]) if dtype != "bool" else np.array([True, True, False])
    if kind == "0dim":
        values = values[1]
    return lib.tensor(values.tolist(), dtype=getattr(lib, dtype))


def _outcome(fn, lib, *operands):
    """The result's dtype name and values, or the exception type."""
    try:
        out = fn(lib, *operands)
    except Exception as err:  # noqa: BLE001 - the exception type is what gets compared
        return type(err).__name__, None
    outs = out if isinstance(out, tuple) else (out,)
    return (tuple(str(o.dtype).split(".")[-1] for o in outs),
            [np.asarray(o.tolist(), dtype=np.float64) for o in outs])


def _compare(fn, build_operands) -> list:
    """Run ``fn`` on torch's and ember's operands; describe each disagreement."""
    theirs = _outcome(fn, torch, *build_operands(torch))
    ours = _outcome(fn, ember, *build_operands(ember))
    if theirs[0] != ours[0]:
        return [f"torch {theirs[0]}, ember {ours[0]}"]
    if theirs[1] is not None:
        for a, b in zip(ours[1], theirs[1]):
            if a.shape != b.shape or not np.allclose(a, b, rtol=1e-3, equal_nan=True):
                return [f"values {a} != torch's {b}"]
    return []


def _pair_cases():
    for (ka, kb), da, db in itertools.product(KIND_PAIRS, DTYPES, DTYPES):
        yield f"{da}[{ka}] {db}[{kb}]", (lambda lib, da=da, ka=ka, db=db, kb=kb: (_operand(lib, da, ka),
                                                                               _operand(lib, db, kb)))
    for (sname, s), d, kind, first in itertools.product(SCALARS.items(), DTYPES, ("dim", "0dim"), (True, False)):
        label = f"{d}[{kind}] {sname}" if first else f"{sname} {d}[{kind}]"
        yield label, (lambda lib, d=d, kind=kind, s=s, first=first: (_operand(lib, d, kind), s) if first
                      else (s, _operand(lib, d, kind)))


PAIR_CASES = list(_pair_cases())


def _walk(fn) -> None:
    failures = []
    for label, build in PAIR_CASES:
        failures += [f"{label}: {m}" for m in _compare(fn, build)]
    assert not failures, f"{len(failures)} of {len(PAIR_CASES)} cases differ:\n" + "\n".join(failures[:40])


# --------------------------------------------------------------------------- result_type, promote_types
def test_result_type():
    def fn(lib, a, b):
        d = lib.result_type(a, b)
        return lib.zeros(1, dtype=d)
    _walk(fn)


def test_promote_types():
    for a, b in itertools.product(DTYPES, DTYPES):
        ours = ember.promote_types(getattr(ember, a), getattr(ember, b))
        assert str(ours).split(".")[-1] == str(torch.promote_types(getattr(torch, a), getattr(torch, b))).split(".")[-1]


# --------------------------------------------------------------------------- binary ops
BINARY = {
    "add": lambda T, a, b: T.add(a, b) if isinstance(a, T.Tensor) else a + b,
    "add_operator": lambda T, a, b: a + b, "sub_operator": lambda T, a, b: a - b,
    "mul_operator": lambda T, a, b: a * b, "truediv_operator": lambda T, a, b: a / b,
    "floordiv_operator": lambda T, a, b: a // b, "mod_operator": lambda T, a, b: a % b,
    "pow_operator": lambda T, a, b: a ** b, "and_operator": lambda T, a, b: a & b,
    "or_operator": lambda T, a, b: a | b, "xor_operator": lambda T, a, b: a ^ b,
    "lshift_operator": lambda T, a, b: a << b,
    "eq_operator": lambda T, a, b: a == b, "lt_operator": lambda T, a, b: a < b, "ge_operator": lambda T, a, b: a >= b,
    "add_alpha": lambda T, a, b: T.add(a, b, alpha=2), "sub": lambda T, a, b: T.sub(a, b),
    "div_trunc": lambda T, a, b: T.div(a, b, rounding_mode="trunc"), "fmod": lambda T, a, b: T.fmod(a, b),
    "atan2": lambda T, a, b: T.atan2(a, b), "maximum": lambda T, a, b: T.maximum(a, b),
    "fmin": lambda T, a, b: T.fmin(a, b), "logical_xor": lambda T, a, b: T.logical_xor(a, b),
    "where": lambda T, a, b: T.where(T.tensor([True, False, True]), a, b),
    "clamp_tensor": lambda T, a, b: T.clamp(a, min=b) if isinstance(b, T.Tensor) else T.clamp(a, b),
    "clamp_both": lambda T, a, b: T.clamp(a, b, b) if isinstance(a, T.Tensor) else T.clamp(b, a, a),
    "addcmul": lambda T, a, b: T.addcmul(a, a, b) if isinstance(a, T.Tensor) else T.addcmul(b, b, b, value=a),
    "lerp": lambda T, a, b: T.lerp(a, a, b) if isinstance(a, T.Tensor) else T.lerp(b, b, a),
    "float_power": lambda T, a, b: T.float_power(a, b),
}


@pytest.mark.parametrize("name", BINARY)
def test_binary_op_dtypes(name):
    _walk(BINARY[name])


# --------------------------------------------------------------------------- in-place ops
INPLACE = {
    "add_": lambda T, a, b: a.add_(b), "sub_": lambda T, a, b: a.sub_(b), "mul_": lambda T, a, b: a.mul_(b),
    "div_": lambda T, a, b: a.div_(b), "iadd": lambda T, a, b: a.__iadd__(b), "pow_": lambda T, a, b: a.pow_(b),
    "remainder_": lambda T, a, b: a.remainder_(b), "clamp_": lambda T, a, b: a.clamp_(b),
    "eq_": lambda T, a, b: a.eq_(b), "bitwise_and_": lambda T, a, b: a.bitwise_and_(b),
}


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_op_dtypes(name):
    """In place, the result must be castable to ``self``'s dtype (torch's can_cast) or it raises."""
    def fn(lib, a, b):
        if not isinstance(a, lib.Tensor):
            raise TypeError("not a tensor")
        return INPLACE[name](lib, a, b)
    _walk(fn)


# --------------------------------------------------------------------------- unary ops and reductions
UNARY = {
    "neg": lambda T, x: -x, "abs": lambda T, x: abs(x), "exp": lambda T, x: T.exp(x), "log": lambda T, x: T.log(x),
    "sqrt": lambda T, x: T.sqrt(x), "rsqrt": lambda T, x: x.rsqrt(), "sin": lambda T, x: T.sin(x),
    "tanh": lambda T, x: T.tanh(x), "sigmoid": lambda T, x: T.sigmoid(x), "erf": lambda T, x: T.erf(x),
    "relu": lambda T, x: T.relu(x), "sign": lambda T, x: T.sign(x), "floor": lambda T, x: T.floor(x),
    "ceil": lambda T, x: x.ceil(), "round": lambda T, x: T.round(x), "trunc": lambda T, x: T.trunc(x),
    "frac": lambda T, x: T.frac(x), "reciprocal": lambda T, x: T.reciprocal(x), "square": lambda T, x: T.square(x),
    "isnan": lambda T, x: T.isnan(x), "isinf": lambda T, x: T.isinf(x), "logical_not": lambda T, x: T.logical_not(x),
    "bitwise_not": lambda T, x: ~x, "positive": lambda T, x: +x, "nan_to_num": lambda T, x: T.nan_to_num(x),
    "clamp_int": lambda T, x: T.clamp(x, 0, 2), "clamp_float": lambda T, x: T.clamp(x, max=1.5),
    "log1p": lambda T, x: T.log1p(x), "expm1": lambda T, x: T.expm1(x), "atan": lambda T, x: T.atan(x),
    "sum": lambda T, x: x.sum(), "sum_dim": lambda T, x: x.sum(0), "sum_dtype": lambda T, x: x.sum(dtype=T.float16),
    "prod": lambda T, x: x.prod(), "mean": lambda T, x: x.mean(), "mean_dtype": lambda T, x: x.mean(dtype=T.float64),
    "cumsum": lambda T, x: x.cumsum(0), "cumprod": lambda T, x: T.cumprod(x, 0), "amax": lambda T, x: x.amax(),
    "max": lambda T, x: x.max(), "max_dim": lambda T, x: x.max(0), "argmax": lambda T, x: x.argmax(),
    "all": lambda T, x: x.all(), "any_dim": lambda T, x: x.any(0), "count_nonzero": lambda T, x: T.count_nonzero(x),
    "std": lambda T, x: x.std(), "var_mean": lambda T, x: T.var_mean(x), "norm": lambda T, x: x.norm(),
    "logsumexp": lambda T, x: x.logsumexp(0), "median": lambda T, x: x.median(),
}


@pytest.mark.parametrize("name", UNARY)
def test_unary_and_reduction_dtypes(name):
    failures = []
    for d, kind in itertools.product(DTYPES, ("dim", "0dim")):
        failures += [f"{d}[{kind}]: {m}" for m in _compare(
            lambda T, x: UNARY[name](T, x), lambda lib, d=d, kind=kind: (_operand(lib, d, kind),))]
    assert not failures, "\n".join(failures)


def test_default_dtype_governs_python_floats_and_integer_lifting():
    """With float64 as the default, int tensors lift to float64 and Python floats are float64."""
    def fn(lib):
        i, f = lib.tensor([1, 2]), lib.tensor([1.0, 2.0], dtype=lib.float16)
        return (i * 1.5, i / 2, lib.sqrt(i), f + 1.5, lib.result_type(i, 2.5), 1.5 * lib.tensor(2))
    outcomes = []
    for lib in (torch, ember):
        old = lib.get_default_dtype()
        lib.set_default_dtype(lib.float64)
        try:
            outcomes.append([str(getattr(o, "dtype", o)).split(".")[-1] for o in fn(lib)])
        finally:
            lib.set_default_dtype(old)
    assert outcomes[0] == outcomes[1]
