"""Reductions against torch: values, dtypes, shapes and gradients over dims and keepdim, edge shapes,
ties and zeros, errors, return types, grad_fn names, and float64 gradcheck of every backward."""
import numpy as np
import pytest
import torch

import ember
from ember.autograd import gradcheck, gradgradcheck

from oracle import FLOATS, check, check_raises, rand, layout

pytestmark = [pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0:UserWarning"),
              pytest.mark.filterwarnings("ignore::RuntimeWarning")]  # see test_pointwise

# name -> (fn(T, x, dim, keepdim), which dims it takes: "tuple", "int" or "none")
REDUCTIONS = {
    "sum": (lambda T, x, d, k: x.sum(d, keepdim=k), "tuple"),
    "mean": (lambda T, x, d, k: T.mean(x, d, keepdim=k), "tuple"),
    "prod": (lambda T, x, d, k: x.prod(d, keepdim=k), "int"),
    "amax": (lambda T, x, d, k: x.amax(d, keepdim=k), "tuple"),
    "amin": (lambda T, x, d, k: T.amin(x, d, keepdim=k), "tuple"),
    "max": (lambda T, x, d, k: x.max(d, keepdim=k), "int"),
    "min": (lambda T, x, d, k: T.min(x, dim=d, keepdim=k), "int"),
    "argmax": (lambda T, x, d, k: x.argmax(d, keepdim=k), "int"),
    "argmin": (lambda T, x, d, k: T.argmin(x, d, keepdim=k), "int"),
    "var": (lambda T, x, d, k: x.var(d, keepdim=k), "tuple"),
    "var_biased": (lambda T, x, d, k: T.var(x, d, unbiased=False, keepdim=k), "tuple"),
    "std": (lambda T, x, d, k: x.std(d, keepdim=k), "tuple"),
    "std_correction": (lambda T, x, d, k: T.std(x, d, correction=0, keepdim=k), "tuple"),
    "var_mean": (lambda T, x, d, k: T.var_mean(x, d, keepdim=k), "tuple"),
    "std_mean": (lambda T, x, d, k: T.std_mean(x, d, correction=2, keepdim=k), "tuple"),
    "logsumexp": (lambda T, x, d, k: x.logsumexp(d, keepdim=k), "tuple"),
    "norm": (lambda T, x, d, k: x.norm(dim=d, keepdim=k), "tuple"),
    "norm1": (lambda T, x, d, k: x.norm(1, d, keepdim=k), "tuple"),
    "norm_inf": (lambda T, x, d, k: x.norm(float("inf"), d, keepdim=k), "tuple"),
    "norm_neg_inf": (lambda T, x, d, k: T.norm(x, float("-inf"), d, keepdim=k), "tuple"),
    "norm3": (lambda T, x, d, k: x.norm(3, d, keepdim=k), "tuple"),
    "norm_half": (lambda T, x, d, k: x.norm(0.5, d, keepdim=k), "tuple"),
    "norm1_5": (lambda T, x, d, k: x.norm(1.5, d, keepdim=k), "tuple"),
    "norm0": (lambda T, x, d, k: x.norm(0, d, keepdim=k), "tuple"),
    "norm_fro": (lambda T, x, d, k: x.norm("fro", d, keepdim=k), "tuple"),
    "all": (lambda T, x, d, k: (x > 0).all(d, keepdim=k), "tuple"),
    "any": (lambda T, x, d, k: T.any(x > 1, d, keepdim=k), "tuple"),
    "count_nonzero": (lambda T, x, d, k: T.count_nonzero(x > 0, d), "tuple"),
    "cumsum": (lambda T, x, d, k: x.cumsum(d), "int"),
    "cumprod": (lambda T, x, d, k: T.cumprod(x, d), "int"),
    "median": (lambda T, x, d, k: x.median(d, keepdim=k), "int"),
}
NEEDS_DIM = {"logsumexp", "cumsum", "cumprod"}
SHAPES = [(), (5,), (3, 4), (2, 3, 4), (0, 3), (1, 4)]
DIMS = [None, 0, -1, (0, -1)]


def _torch_raises(fn, *arrays) -> bool:
    try:
        fn(torch, *(torch.from_numpy(a.copy()) for a in arrays))
    except Exception:  # noqa: BLE001 - whether torch raises decides what to compare
        return True
    return False


def _cases():
    for name, (_, dims) in REDUCTIONS.items():
        for shape in SHAPES:
            for dim in DIMS:
                if dim is None and name in NEEDS_DIM or isinstance(dim, tuple) and dims != "tuple":
                    continue
                if isinstance(dim, tuple) and len(shape) < 2:
                    continue
                yield name, shape, dim


def _call(name, dim, keepdim):
    fn = REDUCTIONS[name][0]
    if dim is None:
        full = {"max": lambda T, x: x.max(), "min": lambda T, x: x.min(), "median": lambda T, x: x.median(),
                "argmax": lambda T, x: x.argmax(keepdim=keepdim), "argmin": lambda T, x: x.argmin(),
                "prod": lambda T, x: x.prod(), "count_nonzero": lambda T, x: T.count_nonzero(x)}
        return full.get(name, lambda T, x: fn(T, x, None, keepdim))
    return lambda T, x: fn(T, x, dim, keepdim)


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name, shape, dim", list(_cases()), ids=str)
def test_reduction(name, shape, dim, dtype, keepdim):
    x = np.asarray(rand(*shape, dtype=dtype, low=0.2 if name.startswith(("norm_half", "prod", "cumprod")) else -2))
    fn = _call(name, dim, keepdim)
    if _torch_raises(fn, x):
        check_raises(fn, x)
    else:
        check(fn, x)


@pytest.mark.parametrize("kind", ["T", "sliced"])
@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_noncontiguous(name, kind):
    x = layout(rand(3, 4, low=0.2 if name in ("prod", "cumprod", "norm_half") else -2), kind)
    check(_call(name, 0, False), x)
    check(_call(name, -1, True), x)
    if name not in NEEDS_DIM:
        check(_call(name, None, False), x)


# --------------------------------------------------------------------------- dtypes of integer reductions
INT_REDUCTIONS = {
    "sum": lambda T, x: (x.sum(), x.sum(0), x.sum(dtype=T.float64)), "prod": lambda T, x: (x.prod(), x.prod(1)),
    "cumsum": lambda T, x: (x.cumsum(0), x.cumsum(1, dtype=T.float32)), "cumprod": lambda T, x: x.cumprod(1),
    "max": lambda T, x: (x.max(), x.max(1), x.amax(0), x.argmax(), x.argmin(1)), "min": lambda T, x: (x.min(), x.amin()),
    "all_any": lambda T, x: (x.all(), x.any(1), x.all((0, 1))), "count_nonzero": lambda T, x: T.count_nonzero(x, 1),
    "mean_dtype": lambda T, x: x.mean(dtype=T.float64), "median": lambda T, x: (x.median(), x.median(0).values),
    "logsumexp": lambda T, x: T.logsumexp(x, 1),
}


@pytest.mark.parametrize("dtype", [np.bool_, np.uint8, np.int8, np.int32, np.int64])
@pytest.mark.parametrize("name", INT_REDUCTIONS)
def test_integer_reductions(name, dtype):
    x = rand(3, 5, dtype=dtype, low=0 if dtype in (np.bool_, np.uint8) else -4, high=4)
    if name == "median":
        x = np.arange(15).reshape(3, 5).astype(dtype)[:, ::-1].copy() if dtype != np.bool_ else x
    fn = INT_REDUCTIONS[name]
    if _torch_raises(fn, x):
        check_raises(fn, x)
    else:
        check(fn, x)


# --------------------------------------------------------------------------- ties, zeros, NaN
SPECIAL = {
    "max_ties": (lambda T, x: x.max(), [1.0, 3.0, 3.0, 2.0, 3.0]),
    "min_ties": (lambda T, x: x.min(), [1.0, 3.0, 1.0]),
    "amax_ties_dim": (lambda T, x: x.reshape(2, 3).amax(1), [1.0, 3.0, 3.0, 2.0, 2.0, 0.0]),
    "amin_ties_tuple": (lambda T, x: x.reshape(2, 3).amin((0, 1)), [1.0, 3.0, 1.0, 2.0, 1.0, 4.0]),
    "max_dim_ties": (lambda T, x: x.reshape(2, 3).max(1), [1.0, 3.0, 3.0, 2.0, 2.0, 0.0]),
    "max_nan": (lambda T, x: (x.max(), x.max(0), x.argmax(), x.amax()), [1.0, float("nan"), 3.0]),
    "min_nan_dim": (lambda T, x: x.reshape(2, 2).min(0), [1.0, float("nan"), float("nan"), 0.0]),
    "median_ties": (lambda T, x: x.median(), [2.0, 1.0, 2.0, 5.0, 2.0]),
    "median_even": (lambda T, x: (x.median(), x.median(0)), [4.0, 1.0, 3.0, 2.0]),
    "median_nan": (lambda T, x: (x.median(), x.reshape(2, 2).median(1)), [1.0, float("nan"), 0.0, 2.0]),
    "prod_one_zero": (lambda T, x: (x.prod(), x.reshape(2, 3).prod(1)), [1.5, 0.0, 2.0, 3.0, -1.0, 2.0]),
    "prod_two_zeros": (lambda T, x: (x.prod(), x.reshape(2, 3).prod(0)), [0.0, 0.0, 2.0, 3.0, 0.0, 2.0]),
    "prod_zero_first_last": (lambda T, x: x.reshape(2, 3).prod(1, keepdim=True), [0.0, 2.0, 3.0, 4.0, 5.0, 0.0]),
    "cumprod_zeros": (lambda T, x: x.reshape(2, 4).cumprod(1), [2.0, 0.0, 3.0, 4.0, 0.0, 2.0, 0.0, 5.0]),
    "cumprod_zero_last": (lambda T, x: x.cumprod(0), [2.0, 3.0, 0.0]),
    "std_constant": (lambda T, x: (x.std(), x.reshape(2, 2).std(1)), [3.0, 3.0, 3.0, 3.0]),
    "norm_zero": (lambda T, x: (x.norm(), x.norm(1), x.norm(3), x.norm(0.5), x.norm(float("inf"))), [0.0, 0.0]),
    "norm_zero_entries": (lambda T, x: (x.norm(0.5), x.norm(1.5), x.norm(3)), [0.0, 2.0, -1.0]),
    "norm_inf_ties": (lambda T, x: (x.norm(float("inf")), x.norm(float("-inf"))), [2.0, -2.0, 1.0, -1.0]),
    "logsumexp_inf": (lambda T, x: (x.logsumexp(0), x.reshape(2, 2).logsumexp(1)), [-float("inf")] * 2 + [1.0, 2.0]),
    "logsumexp_large": (lambda T, x: x.logsumexp(0), [1000.0, 1000.0, -1000.0]),
    "var_single": (lambda T, x: (x.var(), x.var(correction=0), x.std(0)), [2.0]),
    "mean_empty": (lambda T, x: (x.mean(), x.sum(), x.prod(), x.logsumexp(0), x.norm()), []),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", SPECIAL)
def test_special_inputs(name, dtype):
    fn, values = SPECIAL[name]
    check(fn, np.array(values, dtype=dtype))


# --------------------------------------------------------------------------- float64 gradcheck
GRADCHECK = {
    "sum": lambda T, x: x.sum((0, 2), keepdim=True), "mean": lambda T, x: x.mean(1),
    "prod": lambda T, x: x.prod(), "prod_dim": lambda T, x: x.prod(1),
    "prod_zero": lambda T, x: (x * T.tensor([1.0, 0.0, 1.0, 1.0], dtype=T.float64)).prod(2),
    "amax": lambda T, x: x.amax((1, 2)), "amin": lambda T, x: x.amin(0), "max": lambda T, x: x.max(),
    "max_dim": lambda T, x: x.max(1).values, "min_dim": lambda T, x: x.min(-1, keepdim=True)[0],
    "var": lambda T, x: x.var(1), "std": lambda T, x: x.std((0, 2), correction=0),
    "var_mean": lambda T, x: T.var_mean(x, 1), "std_mean": lambda T, x: T.std_mean(x, -1, keepdim=True),
    "logsumexp": lambda T, x: x.logsumexp((0, 1)), "norm": lambda T, x: x.norm(dim=1), "norm1": lambda T, x: x.norm(1),
    "norm_inf": lambda T, x: x.norm(float("inf"), dim=2), "norm3": lambda T, x: x.norm(3, dim=(0, 2)),
    "norm_half": lambda T, x: x.norm(0.5), "norm1_5": lambda T, x: x.norm(1.5, dim=0),
    "cumsum": lambda T, x: x.cumsum(1), "cumprod": lambda T, x: x.cumprod(2),
    "cumprod_zero": lambda T, x: (x * T.tensor([1.0, 0.0, 1.0, 0.0], dtype=T.float64)).cumprod(2),
    "median": lambda T, x: x.median(), "median_dim": lambda T, x: x.median(1).values,
}
SECOND_ORDER = {"sum", "mean", "prod_dim", "var", "std", "logsumexp", "norm", "cumsum", "cumprod", "max_dim"}


@pytest.mark.parametrize("name", GRADCHECK)
def test_gradcheck(name):
    x = ember.tensor(rand(2, 3, 4, dtype=np.float64, low=0.5, high=2.0) * np.where(
        np.arange(24).reshape(2, 3, 4) % 3 == 0, -1, 1), requires_grad=True)
    fn = GRADCHECK[name]
    assert gradcheck(lambda t: fn(ember, t), (x,))
    if name in SECOND_ORDER:
        assert gradgradcheck(lambda t: fn(ember, t), (x,))


# --------------------------------------------------------------------------- errors
ERRORS = {
    "dim_out_of_range": lambda T, x: x.sum(2),
    "dim_out_of_range_negative": lambda T, x: x.max(-3),
    "scalar_dim_out_of_range": lambda T, x: x.sum().sum(1),
    "duplicate_dims": lambda T, x: x.sum((0, 0)),
    "mean_int": lambda T, x: x.long().mean(),
    "mean_bool": lambda T, x: (x > 0).mean(1),
    "max_empty": lambda T, x: T.zeros(0).max(),
    "max_empty_dim": lambda T, x: T.zeros(0, 3).max(0),
    "amax_empty_dim": lambda T, x: T.zeros(0, 3).amax(0),
    "argmax_empty": lambda T, x: T.zeros(0).argmax(),
    "var_int": lambda T, x: x.long().var(),
    "std_int": lambda T, x: T.std(x.int(), 0),
    "norm_int": lambda T, x: x.long().norm(),
    "norm_inf_empty": lambda T, x: T.zeros(0).norm(float("inf")),
    "prod_tuple": lambda T, x: x.prod((0, 1)),
    "logsumexp_no_dim": lambda T, x: T.logsumexp(x),
    "cumsum_no_dim": lambda T, x: x.cumsum(),
    "cumsum_out_of_range": lambda T, x: x.cumsum(5),
    "median_empty_dim": lambda T, x: T.zeros(0, 2).median(0),
}
SAME_MESSAGE = {"dim_out_of_range", "dim_out_of_range_negative", "scalar_dim_out_of_range", "duplicate_dims",
                "mean_int", "mean_bool", "max_empty", "max_empty_dim", "amax_empty_dim", "argmax_empty", "var_int",
                "std_int", "norm_int", "norm_inf_empty", "cumsum_out_of_range", "median_empty_dim"}


@pytest.mark.parametrize("name", ERRORS)
def test_errors(name):
    x = rand(2, 3)
    check_raises(ERRORS[name], x)
    if name in SAME_MESSAGE:
        with pytest.raises(Exception) as theirs:
            ERRORS[name](torch, torch.from_numpy(x))
        with pytest.raises(Exception) as ours:
            ERRORS[name](ember, ember.from_numpy(x))
        assert str(ours.value) == str(theirs.value)


def test_var_correction_beyond_sample_size():
    """Dividing by max(n - correction, 0): inf (torch's gradient there is not a formula worth matching)."""
    check(lambda T, x: (x.var(correction=3), x.std(correction=2)), np.array([1.0, 2.0]), grad=False)


def test_std_warns_without_degrees_of_freedom():
    for lib in (torch, ember):
        with pytest.warns(UserWarning, match=r"std\(\): degrees of freedom is <= 0"):
            lib.ones(1).std()


# --------------------------------------------------------------------------- return types, names
def test_return_types():
    x = rand(3, 4)
    ours, theirs = ember.from_numpy(x).max(1), torch.from_numpy(x).max(1)
    assert type(ours).__name__ == type(theirs).__name__ == "max" and isinstance(ours, tuple)
    values, indices = ours
    assert values is ours.values is ours[0] and indices is ours.indices is ours[1]
    assert repr(ours) == repr(theirs).replace("torch.", "ember.")
    for name in ("min", "median"):
        assert type(getattr(ember.from_numpy(x), name)(0)).__name__ == name
    assert type(ember.return_types.max(values, indices)) is ember.return_types.max


NAMED = {
    "SumBackward0": lambda x: x.sum(), "SumBackward1": lambda x: x.sum(0), "MeanBackward0": lambda x: x.mean(),
    "MeanBackward1": lambda x: x.mean((0, 1)), "ProdBackward0": lambda x: x.prod(), "ProdBackward1": lambda x: x.prod(1),
    "MaxBackward1": lambda x: x.max(), "MaxBackward0": lambda x: x.max(0).values, "MinBackward1": lambda x: x.min(),
    "MinBackward0": lambda x: x.min(1)[0], "AmaxBackward0": lambda x: x.amax(0), "AminBackward0": lambda x: x.amin(),
    "VarBackward0": lambda x: x.var(0), "StdBackward0": lambda x: x.std(), "VarMeanBackward0": lambda x: _lib(x).var_mean(x)[1],
    "StdMeanBackward0": lambda x: _lib(x).std_mean(x, 0)[0], "LogsumexpBackward0": lambda x: x.logsumexp(1),
    "LinalgVectorNormBackward0": lambda x: x.norm(), "CumsumBackward0": lambda x: x.cumsum(0),
    "CumprodBackward0": lambda x: x.cumprod(1), "MedianBackward0": lambda x: x.median(),
    "MedianBackward1": lambda x: x.median(0).values,
}


def _lib(x):
    return torch if isinstance(x, torch.Tensor) else ember


@pytest.mark.parametrize("name", NAMED)
def test_grad_fn_names(name):
    for lib in (torch, ember):
        x = lib.tensor([[1.0, 2.0], [3.0, 5.0]], requires_grad=True)
        assert NAMED[name](x).grad_fn.name() == name


def test_var_mean_outputs_share_one_node():
    """Gradients from both outputs of var_mean meet in one node, or come from either alone."""
    check(lambda T, x: T.var_mean(x, 1), rand(3, 4))
    check(lambda T, x: T.var_mean(x, 0)[0] * 2, rand(3, 4))
    check(lambda T, x: T.std_mean(x)[1] + 1, rand(3, 4))
