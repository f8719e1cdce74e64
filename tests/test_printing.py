"""Tensor reprs against torch's: the same text, with ``ember.`` where torch prints ``torch.``."""
import math

import numpy as np
import pytest
import torch

import ember

RNG = np.random.default_rng(1234)


def same_repr(arr: np.ndarray, requires_grad: bool = False):
    """Print the same array through both libraries and compare the text."""
    t, e = torch.from_numpy(arr), ember.from_numpy(arr)
    if requires_grad:
        t.requires_grad_(True)
        e.requires_grad_(True)
    expected = repr(t).replace("torch.", "ember.")
    assert repr(e) == expected, f"\nember:\n{e!r}\ntorch:\n{expected}"
    assert str(e) == expected


@pytest.fixture
def options():
    """Set print options on both libraries; restore the defaults afterwards."""
    def both(**kwargs):
        torch.set_printoptions(**kwargs)
        ember.set_printoptions(**kwargs)
    yield both
    torch.set_printoptions(profile="default")
    ember.set_printoptions(profile="default")


@pytest.fixture
def default_float64():
    torch.set_default_dtype(torch.float64)
    ember.set_default_dtype(ember.float64)
    yield
    torch.set_default_dtype(torch.float32)
    ember.set_default_dtype(ember.float32)


NAN, INF = math.nan, math.inf

SPECIAL = {
    "ints": np.array([1, -22, 333, 0]),
    "int_big": np.array([10 ** 12, -5]),
    "int_neg_widest": np.array([-1000, 5, 99]),
    "int32": np.array([[1, 2], [3, 40]], np.int32),
    "int8": np.array([-128, 127], np.int8),
    "uint8": np.array([0, 255, 7], np.uint8),
    "int16_0d": np.array(-7, np.int16),
    "int64_0d": np.array(42),
    "bool": np.array([True, False, True]),
    "bool_true": np.array([[True, True]]),
    "bool_0d": np.array(False),
    "float_ints": np.array([1.0, -2.0, 30.0], np.float32),
    "float_fixed": np.array([1.5, -2.25, 3.125], np.float32),
    "float_round_up": np.array([9.99996, 0.5], np.float32),
    "float_sci_small": np.array([1e-5, 1.0], np.float32),
    "float_sci_large": np.array([1e9, 1.0], np.float32),
    "float_sci_ratio": np.array([0.01, 11.0], np.float32),
    "float_sci_neg": np.array([-1e-7, 3e5, -2.5], np.float64),
    "float_sci_exp3": np.array([1e-200, 1e200, -1.0], np.float64),
    "float_sci_ints": np.array([1e10, 3.0], np.float64),
    "float_zeros": np.zeros(3, np.float32),
    "float_neg_zero": np.array([-0.0, 0.0], np.float32),
    "float_nan": np.array([NAN, 1.5, -2.0], np.float32),
    "float_all_nan": np.array([NAN, NAN], np.float32),
    "float_inf": np.array([INF, -INF, 2.0], np.float32),
    "float_inf_only": np.array([INF, -INF, NAN], np.float64),
    "float_inf_fixed": np.array([INF, 0.5, -1.25], np.float32),
    "float_0d": np.array(3.14159, np.float32),
    "float_0d_int": np.array(-2.0, np.float32),
    "float_0d_nan": np.array(NAN, np.float32),
    "float_0d_sci": np.array(1.5e-9, np.float64),
    "float64": np.array([[0.1, 0.2], [0.3, 0.4]]),
    "float16": np.array([1.5, -0.00012, 65504], np.float16),
    "float16_ints": np.array([[1, 2], [3, 4]], np.float16),
    "precision_edge": np.array([0.00015, 0.99994], np.float32),
    "empty_1d": np.zeros(0, np.float32),
    "empty_1d_int": np.zeros(0, np.int64),
    "empty_1d_bool": np.zeros(0, np.bool_),
    "empty_2d": np.zeros((0, 3), np.float32),
    "empty_3d_f64": np.zeros((2, 0, 1), np.float64),
    "empty_int32": np.zeros((3, 0), np.int32),
    "row_wraps": np.arange(40, dtype=np.float32) / 7,
    "int_row_wraps": np.arange(100) * 1234567,
    "matrix": np.arange(12, dtype=np.float32).reshape(3, 4) / 3,
    "tensor3d": np.arange(24).reshape(2, 3, 4),
    "tensor4d": (np.arange(48, dtype=np.float32).reshape(2, 2, 3, 4) - 20) / 4,
    "summarized_1d": np.arange(2000, dtype=np.float32),
    "summarized_2d": np.arange(10000).reshape(100, 100),
    "summarized_3d": np.linspace(-1, 1, 1331, dtype=np.float32).reshape(11, 11, 11),
    "summarized_narrow": np.arange(3 * 500, dtype=np.float64).reshape(3, 500) * 1e-3,
    "summarized_bool": np.arange(1500) % 3 == 0,
    "summarized_4d": np.arange(2 * 8 * 8 * 8, dtype=np.float32).reshape(2, 8, 8, 8),
    "threshold_exact": np.arange(1000, dtype=np.float32),
    "threshold_plus_one": np.arange(1001, dtype=np.float32),
    "summary_hides_extremes": np.concatenate([[1.0], np.full(1500, 2.0), [1e-9]]).astype(np.float32)[::-1].copy(),
    "summary_middle_sci": np.concatenate([np.ones(600), [1e-9], np.ones(600)]).astype(np.float32),
    "noncontiguous": np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3) / 4),
}


@pytest.mark.parametrize("name", list(SPECIAL))
def test_special(name):
    same_repr(SPECIAL[name])


def _random_array(rng: np.random.Generator) -> np.ndarray:
    ndim = int(rng.integers(0, 5))
    shape = tuple(int(rng.integers(0 if rng.random() < 0.1 else 1, 7)) for _ in range(ndim))
    dtype = rng.choice(["float32", "float64", "float16", "int64", "int32", "uint8", "bool"])
    if dtype == "bool":
        return np.asarray(rng.random(shape) < 0.5)
    if dtype in ("int64", "int32", "uint8"):
        high = {"int64": 10 ** int(rng.integers(1, 15)), "int32": 10 ** 6, "uint8": 255}[dtype]
        low = 0 if dtype == "uint8" else -high
        return np.asarray(rng.integers(low, high, shape).astype(dtype))
    kind = rng.integers(0, 4)
    scale = 10.0 ** float(rng.integers(-9, 11))
    if kind == 0:  # one magnitude, fixed or sci by scale
        values = rng.standard_normal(shape) * scale
    elif kind == 1:  # magnitudes spread over decades
        values = rng.standard_normal(shape) * 10.0 ** rng.uniform(-6, 6, shape)
    elif kind == 2:  # whole numbers
        values = np.round(rng.standard_normal(shape) * scale)
    else:  # specials mixed in
        values = rng.standard_normal(shape) * scale
        specials = rng.choice([NAN, INF, -INF, 0.0, -0.0], shape)
        values = np.where(rng.random(shape) < 0.3, specials, values)
    with np.errstate(over="ignore"):
        return np.asarray(values).astype(dtype)


@pytest.mark.parametrize("seed", range(300))
def test_random_tensors(seed):
    same_repr(_random_array(np.random.default_rng(seed)))


@pytest.mark.parametrize("shape", [(1500,), (40, 40), (3, 400), (12, 12, 12), (2, 7, 7, 7)])
@pytest.mark.parametrize("scale", [1.0, 1e-6, 1e9])
def test_large_summarized(shape, scale):
    same_repr((RNG.standard_normal(shape) * scale).astype(np.float32))


def test_requires_grad_suffix():
    same_repr(np.array([1.0, 2.0], np.float32), requires_grad=True)
    same_repr(np.array(1.5, np.float64), requires_grad=True)
    same_repr(np.zeros((0, 2), np.float64), requires_grad=True)


@pytest.mark.parametrize("shape", [(3,), (2, 3), (19,), (), (5, 9)])
def test_grad_fn_suffix(shape):
    arr = RNG.standard_normal(shape).astype(np.float64)
    t = torch.from_numpy(arr).requires_grad_(True) + 1
    e = ember.from_numpy(arr).requires_grad_(True) + 1
    assert repr(e) == repr(t).replace("torch.", "ember.")


def test_suffix_wraps_to_new_line():
    arr = (np.arange(8, dtype=np.float64) - 3.123456) * 1000
    t = torch.from_numpy(arr).requires_grad_(True) * 2
    e = ember.from_numpy(arr).requires_grad_(True) * 2
    assert "\n" in repr(t).splitlines()[-1] or "grad_fn" in repr(t).splitlines()[-1]
    assert repr(e) == repr(t).replace("torch.", "ember.")


@pytest.mark.parametrize("kwargs", [
    dict(precision=2), dict(precision=0), dict(precision=8), dict(threshold=5), dict(edgeitems=1, threshold=10),
    dict(edgeitems=0, threshold=10), dict(linewidth=30), dict(linewidth=200), dict(sci_mode=True),
    dict(sci_mode=False), dict(profile="short"), dict(profile="full"), dict(profile="short", precision=6),
])
@pytest.mark.parametrize("name", ["float_fixed", "float_sci_small", "ints", "row_wraps", "tensor3d",
                                  "summarized_2d", "float_nan", "float_0d", "tensor4d", "bool",
                                  "summarized_1d", "empty_2d"])
def test_print_options(options, kwargs, name):
    options(**kwargs)
    same_repr(SPECIAL[name])


def test_print_options_profile_resets(options):
    options(precision=1, threshold=3, edgeitems=1, linewidth=20)
    options(profile="default")
    assert ember._printing.get_printoptions() == torch._tensor_str.get_printoptions()
    same_repr(SPECIAL["summarized_1d"])


def test_printoptions_context_restores():
    with ember._printing.printoptions(precision=1):
        assert repr(ember.tensor([1.25])) == "tensor([1.2])"
    assert repr(ember.tensor([1.25])) == "tensor([1.2500])"


@pytest.mark.parametrize("name", ["float_fixed", "float64", "float16", "ints", "bool", "empty_1d",
                                  "empty_1d_int", "empty_2d", "float_0d", "empty_3d_f64"])
def test_default_dtype_float64(default_float64, name):
    same_repr(SPECIAL[name])


def test_parameter_repr():
    arr = np.array([1.0, 2.0], np.float32)
    t = torch.nn.Parameter(torch.from_numpy(arr))
    e = ember.nn.Parameter(ember.from_numpy(arr))
    assert repr(e) == repr(t).replace("torch.", "ember.")


def test_subclass_prefix():
    class Special(ember.Tensor):
        pass
    assert repr(Special([1.0, 2.0])) == "Special([1., 2.])"


def test_tensor_contents_override():
    e = ember.tensor([1.0], requires_grad=True)
    t = torch.tensor([1.0], requires_grad=True)
    assert e.__repr__(tensor_contents="[...]") == t.__repr__(tensor_contents="[...]")


def test_format_and_str_of_0d():
    for value in (3.14159, -2.0, 7):
        t, e = torch.tensor(value), ember.tensor(value)
        assert f"{e}" == f"{t}" and str(e) == str(t)
        spec = ".2f" if isinstance(value, float) else ">5"
        assert format(e, spec) == format(t, spec)
