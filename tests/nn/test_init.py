"""ember.nn.init against torch.nn.init: gains, fans, exact fills, and the distributions of random fills."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember

SHAPE = (300, 400)  # 120k draws: sample moments within about 1% of the truth


@pytest.fixture(autouse=True)
def seeded():
    """Fixed streams: the statistical comparisons are deterministic (their margins hold for any seed)."""
    torch.manual_seed(0)
    ember.manual_seed(0)


def pair(shape=SHAPE, dtype=np.float32):
    return torch.empty(shape, dtype=getattr(torch, np.dtype(dtype).name)), \
        ember.empty(shape, dtype=getattr(ember, np.dtype(dtype).name))


def same_distribution(ours: np.ndarray, theirs: np.ndarray) -> None:
    """Equal quantiles and spread, up to about five standard errors of sampling noise."""
    assert ours.shape == theirs.shape
    scale, root_n = theirs.std(), np.sqrt(theirs.size)
    q = [0.01, 0.1, 0.5, 0.9, 0.99]
    np.testing.assert_allclose(np.quantile(ours, q), np.quantile(theirs, q), atol=17 / root_n * scale)
    assert abs(ours.std() - scale) < 4 / root_n * scale


@pytest.mark.parametrize("nonlinearity,param", [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
                                                ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
                                                ("leaky_relu", 3), ("selu", None), ("conv_transpose3d", None)])
def test_calculate_gain(nonlinearity, param):
    assert ember.nn.init.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(nonlinearity, param)


@pytest.mark.parametrize("args", [("softmax",), ("leaky_relu", "x"), ("leaky_relu", True)])
def test_calculate_gain_errors(args):
    with pytest.raises(ValueError) as theirs:
        torch.nn.init.calculate_gain(*args)
    with pytest.raises(ValueError) as ours:
        ember.nn.init.calculate_gain(*args)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("shape", [(3, 4), (8, 3, 5), (6, 2, 3, 3), (4, 1, 2, 2, 2), (0, 3)])
def test_fans(shape):
    assert ember.nn.init._calculate_fan_in_and_fan_out(ember.empty(shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        ember.nn.init._calculate_fan_in_and_fan_out(ember.empty(3))


@pytest.mark.parametrize("name,kwargs", [
    ("uniform_", {}), ("uniform_", {"a": -2.0, "b": 3.0}), ("normal_", {}), ("normal_", {"mean": 1.5, "std": 0.2}),
    ("trunc_normal_", {}), ("trunc_normal_", {"mean": 0.5, "std": 2.0, "a": -1.0, "b": 1.5}),
    ("trunc_normal_", {"a": 1.0, "b": 3.0}), ("xavier_uniform_", {}), ("xavier_uniform_", {"gain": 2.0}),
    ("xavier_normal_", {}), ("kaiming_uniform_", {}), ("kaiming_uniform_", {"a": math.sqrt(5)}),
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}), ("kaiming_normal_", {}),
    ("kaiming_normal_", {"a": 0.1, "mode": "fan_out", "nonlinearity": "leaky_relu"}),
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_random_fills_match_torch_distribution(name, kwargs, dtype):
    t, e = pair((100, 300) if name == "trunc_normal_" else SHAPE, dtype=dtype)  # torch's sampler is slow
    with torch.no_grad():
        getattr(torch.nn.init, name)(t, **kwargs)
    out = getattr(ember.nn.init, name)(e, **kwargs)
    assert out is e and e.dtype == getattr(ember, np.dtype(dtype).name)
    same_distribution(e.numpy(), t.numpy())


def test_random_fills_respect_bounds():
    e = ember.empty(SHAPE)
    ember.nn.init.kaiming_uniform_(e, a=math.sqrt(5))
    bound = 1 / math.sqrt(SHAPE[1])
    assert np.abs(e.numpy()).max() <= bound
    ember.nn.init.trunc_normal_(e, mean=0.0, std=1.0, a=-0.5, b=0.25)
    assert e.numpy().min() >= -0.5 and e.numpy().max() <= 0.25


@pytest.mark.parametrize("name,args", [("constant_", (0.3,)), ("zeros_", ()), ("ones_", ()), ("eye_", ())])
def test_exact_fills(name, args):
    t, e = pair((4, 6))
    with torch.no_grad():
        getattr(torch.nn.init, name)(t, *args)
    getattr(ember.nn.init, name)(e, *args)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


@pytest.mark.parametrize("shape,groups", [((4, 4, 3), 1), ((6, 3, 3, 3), 2), ((2, 4, 1, 3, 3), 1), ((4, 2, 5), 2)])
def test_dirac(shape, groups):
    t, e = torch.empty(shape), ember.empty(shape)
    torch.nn.init.dirac_(t, groups)
    ember.nn.init.dirac_(e, groups)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


@pytest.mark.parametrize("shape", [(5, 8), (8, 5), (4, 2, 3, 3)])
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal(shape, gain):
    e = ember.nn.init.orthogonal_(ember.empty(shape), gain=gain)
    flat = e.numpy().reshape(shape[0], -1).astype(np.float64) / gain
    small = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
    np.testing.assert_allclose(small, np.eye(small.shape[0]), atol=1e-5)


def test_sparse():
    e = ember.nn.init.sparse_(ember.empty(10, 7), sparsity=0.3, std=0.5)
    zeros_per_column = (e.numpy() == 0).sum(0)
    assert (zeros_per_column == math.ceil(0.3 * 10)).all()


@pytest.mark.parametrize("call", [
    lambda lib, t: lib.nn.init.eye_(t),
    lambda lib, t: lib.nn.init.dirac_(t[0]),
    lambda lib, t: lib.nn.init.dirac_(t, groups=3),
    lambda lib, t: lib.nn.init.orthogonal_(t[0, 0]),
    lambda lib, t: lib.nn.init.kaiming_uniform_(t, mode="fan_avg"),
    lambda lib, t: lib.nn.init.sparse_(t, 0.1),
    lambda lib, t: lib.nn.init.xavier_uniform_(t[0, 0]),
])
def test_errors(call):
    with pytest.raises(Exception) as theirs:
        call(torch, torch.empty(2, 3, 4))
    with pytest.raises(Exception) as ours:
        call(ember, ember.empty(2, 3, 4))
    assert type(ours.value) is type(theirs.value) and str(ours.value) == str(theirs.value)


def test_zero_element_warning_and_deprecated_aliases():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        ember.nn.init.kaiming_normal_(ember.empty(0, 3))
    with pytest.warns(FutureWarning, match="`nn.init.normal` is now deprecated in favor of `nn.init.normal_`"):
        ember.nn.init.normal(ember.empty(2, 2))


def test_init_on_parameters_outside_autograd_and_generator():
    p = ember.nn.Parameter(ember.empty(5, 5))
    for fn in (ember.nn.init.uniform_, ember.nn.init.normal_, ember.nn.init.xavier_normal_, ember.nn.init.zeros_,
               ember.nn.init.orthogonal_, ember.nn.init.trunc_normal_):
        assert fn(p) is p and p.grad_fn is None and p.requires_grad
    g1, g2 = ember.Generator().manual_seed(5), ember.Generator().manual_seed(5)
    a = ember.nn.init.kaiming_uniform_(ember.empty(3, 4), generator=g1)
    b = ember.nn.init.kaiming_uniform_(ember.empty(3, 4), generator=g2)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


# ------------------------------------------------------------------------------------ layers' defaults
@pytest.mark.parametrize("make", [
    lambda nn: nn.Linear(784, 128), lambda nn: nn.Linear(20, 600), lambda nn: nn.Bilinear(30, 20, 200),
    lambda nn: nn.Embedding(500, 64), lambda nn: nn.Embedding(500, 64, padding_idx=3), lambda nn: nn.PReLU(5),
])
def test_fresh_layer_parameters_follow_torch(make):
    torch.manual_seed(0)
    t_mod, e_mod = make(torch.nn), make(ember.nn)
    for (name, p), (_, q) in zip(e_mod.named_parameters(), t_mod.named_parameters()):
        ours, theirs = p.detach().numpy(), q.detach().numpy()
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, name
        if theirs.std() == 0:
            np.testing.assert_array_equal(ours, theirs)
        else:
            same_distribution(ours, theirs)


def test_linear_bounds_are_torchs():
    for fan_in in (1, 7, 784):
        e = ember.nn.Linear(fan_in, 256)
        bound = 1 / math.sqrt(fan_in)
        for p in (e.weight, e.bias):
            vals = p.detach().numpy()
            assert np.abs(vals).max() <= bound and np.abs(vals).max() > 0.9 * bound
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        empty = ember.nn.Linear(0, 3)
    assert not empty.bias.detach().numpy().any()
