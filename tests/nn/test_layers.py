"""Layers against torch.nn: the same weights (through load_state_dict) give the same outputs and gradients."""
import numpy as np
import pytest
import torch

import ember
from tests.oracle import check, check_raises, rand

RNG = np.random.default_rng(7)


def load_from_torch(t_mod, e_mod):
    """Copy a torch module's parameters and buffers into its ember twin."""
    e_mod.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t_mod.state_dict().items()})


def compare_module(make, *arrays, train=True, atol=1e-5, rtol=1e-4, dtype=np.float32, grad_inputs=True):
    """Build ``make(lib.nn)`` in both libraries with torch's weights, run both on ``arrays`` and
    compare outputs, input gradients and parameter gradients."""
    t_mod, e_mod = make(torch.nn), make(ember.nn)
    if dtype == np.float64:
        t_mod.double(), e_mod.double()
    load_from_torch(t_mod, e_mod)
    t_mod.train(train), e_mod.train(train)
    t_in = [torch.tensor(a, requires_grad=grad_inputs and a.dtype.kind == "f") for a in arrays]
    e_in = [ember.tensor(a, requires_grad=grad_inputs and a.dtype.kind == "f") for a in arrays]
    t_out, e_out = t_mod(*t_in), e_mod(*e_in)
    assert tuple(e_out.shape) == tuple(t_out.shape)
    assert str(e_out.dtype).split(".")[-1] == str(t_out.dtype).split(".")[-1]
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), atol=atol, rtol=rtol)
    if not t_out.requires_grad:
        return t_mod, e_mod
    cot = RNG.standard_normal(tuple(t_out.shape)).astype(arrays[0].dtype if arrays[0].dtype.kind == "f" else dtype)
    t_out.backward(torch.tensor(cot))
    e_out.backward(ember.tensor(cot))
    for k, (a, b) in enumerate(zip(e_in, t_in)):
        if b.grad is not None:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=atol, rtol=rtol, err_msg=f"input {k}")
    for (name, p), (_, q) in zip(e_mod.named_parameters(), t_mod.named_parameters()):
        if q.grad is None:
            assert p.grad is None, name
        else:
            np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), atol=atol, rtol=rtol, err_msg=name)
    return t_mod, e_mod


# ------------------------------------------------------------------------------------ linear layers
@pytest.mark.parametrize("shape", [(5, 4), (4,), (2, 3, 4), (0, 4)])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linear(shape, bias, dtype):
    t, e = compare_module(lambda nn: nn.Linear(4, 3, bias=bias), rand(*shape, dtype=dtype), dtype=dtype)
    x = ember.tensor(rand(*shape, dtype=dtype), requires_grad=True)
    assert e(x).grad_fn.name() == t(torch.tensor(rand(*shape, dtype=dtype), requires_grad=True)).grad_fn.name()


def test_linear_noncontiguous_and_frozen_input():
    x = np.asfortranarray(rand(6, 4))
    compare_module(lambda nn: nn.Linear(4, 2), x)
    compare_module(lambda nn: nn.Linear(4, 2), rand(3, 8)[:, ::2], grad_inputs=False)


def test_functional_linear_oracle():
    check(lambda T, x, w, b: T.nn.functional.linear(x, w, b), rand(3, 5), rand(2, 5), rand(2))
    check(lambda T, x, w: T.nn.functional.linear(x, w), rand(2, 3, 5), rand(4, 5))


@pytest.mark.parametrize("shapes", [
    ((64, 784), (10, 128), None), ((784,), (10, 128), None), ((2, 3, 784), (10, 128), None),
    ((2, 3), (10, 3), (9,)), ((5, 2, 3), (4, 3), (9,)), ((3,), (4, 3), (9,)), ((2, 3), (4, 3), (3, 2, 4)),
    ((), (4, 3), None), ((2, 3), (4, 3, 1), None),
])
def test_linear_error_messages(shapes):
    x_shape, w_shape, b_shape = shapes

    def call(T):
        bias = None if b_shape is None else T.zeros(b_shape)
        return T.nn.functional.linear(T.zeros(x_shape), T.zeros(w_shape), bias)
    with pytest.raises(RuntimeError) as theirs:
        call(torch)
    with pytest.raises(RuntimeError) as ours:
        call(ember)
    assert str(ours.value) == str(theirs.value).replace("torch.", "ember.").replace("ember.FloatTensor",
                                                                                    "torch.FloatTensor")


def test_linear_dtype_error_messages():
    for x_dt, w_dt, b_dt in ((np.float32, np.float64, None), (np.float32, np.float32, np.float64)):
        def call(T):
            bias = None if b_dt is None else T.zeros(4, dtype=getattr(T, np.dtype(b_dt).name))
            return T.nn.functional.linear(T.zeros(2, 3, dtype=getattr(T, np.dtype(x_dt).name)),
                                          T.zeros(4, 3, dtype=getattr(T, np.dtype(w_dt).name)), bias)
        with pytest.raises(RuntimeError) as theirs:
            call(torch)
        with pytest.raises(RuntimeError) as ours:
            call(ember)
        assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("x_shape,b_shape", [((2, 3), (1,)), ((2, 3), (2, 4)), ((2, 3), (1, 1)), ((5, 2, 3), (5, 1, 4)),
                                             ((3,), (1, 4)), ((3,), ()), ((2, 3), ())])
def test_linear_bias_broadcasting(x_shape, b_shape):
    check(lambda T, x, w, b: T.nn.functional.linear(x, w, b), rand(*x_shape), rand(4, 3), rand(*b_shape))
    check(lambda T, x, w: T.nn.functional.linear(x, w), rand(2, 3), rand(3))


def test_linear_double_backward():
    check(lambda T, x, w, b: T.autograd.grad(T.nn.functional.linear(x, w, b).pow(2).sum(), (x, w),
                                             create_graph=True),
          rand(3, 4, dtype=np.float64), rand(2, 4, dtype=np.float64), rand(2, dtype=np.float64))


def test_bilinear_and_identity():
    compare_module(lambda nn: nn.Bilinear(3, 4, 2), rand(5, 3), rand(5, 4))
    compare_module(lambda nn: nn.Bilinear(3, 4, 2, bias=False), rand(2, 5, 3), rand(2, 5, 4))
    x = ember.ones(2)
    assert ember.nn.Identity(54, unused="x")(x) is x


# ------------------------------------------------------------------------------------ activations
ACTIVATIONS = [
    lambda nn: nn.ReLU(), lambda nn: nn.LeakyReLU(), lambda nn: nn.LeakyReLU(0.2), lambda nn: nn.ELU(),
    lambda nn: nn.ELU(0.5), lambda nn: nn.SELU(), lambda nn: nn.CELU(1.5), lambda nn: nn.GELU(),
    lambda nn: nn.GELU("tanh"), lambda nn: nn.SiLU(), lambda nn: nn.Sigmoid(), lambda nn: nn.Tanh(),
    lambda nn: nn.Softmax(dim=1), lambda nn: nn.Softmax(dim=0), lambda nn: nn.LogSoftmax(dim=1),
    lambda nn: nn.Softmin(dim=1), lambda nn: nn.Softplus(), lambda nn: nn.Softplus(beta=2, threshold=1),
    lambda nn: nn.Hardtanh(), lambda nn: nn.Hardtanh(-0.5, 1.5), lambda nn: nn.ReLU6(), lambda nn: nn.PReLU(),
    lambda nn: nn.PReLU(4, init=0.1), lambda nn: nn.Mish(), lambda nn: nn.Softsign(), lambda nn: nn.Hardsigmoid(),
    lambda nn: nn.Hardswish(), lambda nn: nn.LogSigmoid(), lambda nn: nn.Threshold(0.1, 20.0),
    lambda nn: nn.Hardshrink(), lambda nn: nn.Softshrink(0.3), lambda nn: nn.Tanhshrink(), lambda nn: nn.GLU(1),
]


@pytest.mark.parametrize("make", ACTIVATIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_modules(make, dtype):
    x = rand(3, 4, 2, dtype=dtype, low=-4, high=4)
    x[0, 0, 0] = 0.0  # the kink of the piecewise functions
    compare_module(make, x, dtype=dtype)


@pytest.mark.parametrize("name,kwargs", [("relu", {}), ("leaky_relu", {"negative_slope": 0.1}), ("elu", {}),
                                         ("selu", {}), ("celu", {}), ("silu", {}), ("mish", {}),
                                         ("hardtanh", {}), ("relu6", {}), ("hardsigmoid", {}), ("hardswish", {}),
                                         ("threshold", {"threshold": 0.5, "value": -1.0})])
def test_inplace_activations(name, kwargs):
    def fn(T, x):
        y = x * 1
        out = getattr(T.nn.functional, name)(y, inplace=True, **kwargs)
        assert out is y
        return out
    check(fn, rand(4, 3, low=-5, high=5))


@pytest.mark.parametrize("name", ["elu", "selu", "celu", "gelu", "silu", "mish", "softplus", "logsigmoid",
                                  "hardswish", "leaky_relu"])
def test_activation_double_backward(name):
    fn = getattr(torch.nn.functional, name)
    check(lambda T, x: T.autograd.grad(getattr(T.nn.functional, name)(x).pow(2).sum(), x, create_graph=True),
          rand(3, 4, dtype=np.float64, low=-3, high=3))
    assert fn is not None


@pytest.mark.parametrize("shape,num", [((2, 3, 4), 3), ((2, 3), 3), ((5,), 1), ((), 1), ((4, 2, 3, 3), 1),
                                       ((4, 2, 3, 3), 2)])
def test_prelu_shapes(shape, num):
    check(lambda T, x, w: T.nn.functional.prelu(x, w), rand(*shape), rand(num))


def test_softmax_implicit_dim_warns():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        ember.nn.Softmax()(ember.ones(2, 3))
    check(lambda T, x: T.nn.Softmax2d()(x), rand(2, 3, 4, 4))


def test_activation_errors():
    check_raises(lambda T, x: T.nn.functional.hardtanh(x, 2.0, 1.0), rand(3))
    check_raises(lambda T, x: T.nn.functional.gelu(x, approximate="fast"), rand(3))
    check_raises(lambda T, x: T.nn.functional.glu(x, 0), rand(3))
    check_raises(lambda T, x, w: T.nn.functional.prelu(x, w), rand(2, 3), rand(2))
    check_raises(lambda T, x, w: T.nn.functional.prelu(x, w), rand(5), rand(5))
    with pytest.raises(AssertionError):
        ember.nn.Hardtanh(1.0, 1.0)


# ------------------------------------------------------------------------------------ reshaping
def test_flatten_unflatten():
    compare_module(lambda nn: nn.Flatten(), rand(2, 3, 4, 5))
    compare_module(lambda nn: nn.Flatten(0, 2), rand(2, 3, 4))
    compare_module(lambda nn: nn.Unflatten(1, (3, 4)), rand(2, 12))
    compare_module(lambda nn: nn.Sequential(nn.Flatten(), nn.Linear(12, 2)), rand(2, 3, 4))
    with pytest.raises(TypeError, match="unflattened_size must be tuple of ints"):
        ember.nn.Unflatten(1, (2, 2.0))


# ------------------------------------------------------------------------------------ dropout
def test_dropout_train_statistics_and_gradient():
    ember.manual_seed(0)
    drop = ember.nn.Dropout(0.3)
    x = ember.ones(200, 500, requires_grad=True)
    out = drop(x)
    vals = out.detach().numpy()
    kept = vals != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(vals[kept], 1 / 0.7, rtol=1e-6)
    out.backward(ember.ones(200, 500) * 2)
    np.testing.assert_allclose(x.grad.numpy(), 2 * vals, rtol=1e-6)
    assert out.grad_fn.name() == "MulBackward0"


def test_dropout_eval_and_edge_probabilities():
    x = ember.randn(4, 5)
    assert ember.nn.Dropout(0.5).eval()(x) is x
    assert ember.nn.functional.dropout(x, 0.0) is x
    assert not ember.nn.functional.dropout(x, 1.0).numpy().any()
    for p in (-0.1, 1.5):
        check_raises(lambda T, t: T.nn.functional.dropout(t, p), rand(3))
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
            ember.nn.Dropout(p)
    y = x.clone()
    ember.nn.functional.dropout(y, 0.5, inplace=True)
    assert ((y.numpy() == 0) | np.isclose(y.numpy(), 2 * x.numpy())).all()


def test_dropout_reproducible_under_seed():
    ember.manual_seed(3)
    a = ember.nn.functional.dropout(ember.ones(50))
    ember.manual_seed(3)
    b = ember.nn.functional.dropout(ember.ones(50))
    np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("cls,shape,channel_dims", [("Dropout2d", (8, 16, 5, 5), 2), ("Dropout1d", (8, 16, 7), 2),
                                                    ("Dropout1d", (16, 7), 1), ("Dropout3d", (4, 8, 2, 3, 3), 2),
                                                    ("Dropout3d", (8, 2, 3, 3), 1)])
def test_channel_dropout(cls, shape, channel_dims):
    ember.manual_seed(1)
    out = getattr(ember.nn, cls)(0.5)(ember.ones(*shape)).numpy()
    per_channel = out.reshape(shape[:channel_dims] + (-1,))
    assert (per_channel == per_channel[..., :1]).all()  # a channel is dropped or kept as a whole
    assert 0.3 < (per_channel[..., 0] != 0).mean() < 0.7
    assert set(np.unique(out)) <= {0.0, 2.0}


def test_alpha_dropout_keeps_moments():
    ember.manual_seed(2)
    x = ember.randn(400, 400)
    out = ember.nn.AlphaDropout(0.2).train()(x).numpy()
    assert abs(out.mean()) < 0.02 and abs(out.std() - 1) < 0.02
    assert ember.nn.AlphaDropout(0.2).eval()(x) is x


# ------------------------------------------------------------------------------------ embedding
@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 2}, {"padding_idx": -1}, {"scale_grad_by_freq": True},
                                    {"padding_idx": 0, "scale_grad_by_freq": True}])
def test_embedding(kwargs):
    idx = np.array([[1, 2, 4], [4, 2, 9], [0, 0, 1]])
    t, e = compare_module(lambda nn: nn.Embedding(10, 3, **kwargs), idx)
    if "padding_idx" in kwargs:
        assert not e.weight.grad.numpy()[e.padding_idx].any()
        fresh = ember.nn.Embedding(10, 3, **kwargs)
        assert not fresh.weight.detach().numpy()[fresh.padding_idx].any()


def test_embedding_max_norm():
    idx = np.array([1, 3, 3, 7])
    t, e = compare_module(lambda nn: nn.Embedding(10, 4, max_norm=1.0), idx)
    np.testing.assert_allclose(e.weight.detach().numpy(), t.weight.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_embedding_from_pretrained_and_errors():
    w = rand(5, 3)
    e = ember.nn.Embedding.from_pretrained(ember.tensor(w))
    t = torch.nn.Embedding.from_pretrained(torch.tensor(w))
    assert not e.weight.requires_grad and repr(e) == repr(t)
    np.testing.assert_array_equal(e(ember.tensor([4, 0])).numpy(), t(torch.tensor([4, 0])).numpy())
    assert ember.nn.Embedding.from_pretrained(ember.tensor(w), freeze=False).weight.requires_grad
    check_raises(lambda T, i, w: T.nn.functional.embedding(i, w), np.array([5]), w)
    check_raises(lambda T, i, w: T.nn.functional.embedding(i, w), np.array([1.0]), w)
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        ember.nn.Embedding(3, 2, padding_idx=3)


def test_embedding_double_backward():
    check(lambda T, w: T.autograd.grad(T.nn.functional.embedding(T.tensor([0, 2, 2]), w).pow(2).sum(), w,
                                       create_graph=True), rand(4, 3, dtype=np.float64))


def test_one_hot():
    idx = np.array([[0, 3], [2, 1]])
    check(lambda T, i: T.nn.functional.one_hot(i), idx)
    check(lambda T, i: T.nn.functional.one_hot(i, 6), idx)
    for bad in (lambda T, i: T.nn.functional.one_hot(i, 2), lambda T, i: T.nn.functional.one_hot(i - 1)):
        check_raises(bad, idx)
    check_raises(lambda T, i: T.nn.functional.one_hot(i), idx.astype(np.int32))


# ------------------------------------------------------------------------------------ a whole model
def test_mlp_training_step_matches_torch():
    def make(nn):
        return nn.Sequential(nn.Flatten(), nn.Linear(12, 8), nn.ReLU(), nn.Linear(8, 3))
    x = rand(5, 3, 4)
    target = np.array([0, 2, 1, 1, 0])
    t_mod, e_mod = make(torch.nn), make(ember.nn)
    load_from_torch(t_mod, e_mod)
    t_loss = torch.nn.functional.cross_entropy(t_mod(torch.tensor(x)), torch.tensor(target))
    e_loss = ember.nn.functional.cross_entropy(e_mod(ember.tensor(x)), ember.tensor(target))
    t_loss.backward(), e_loss.backward()
    np.testing.assert_allclose(e_loss.item(), t_loss.item(), rtol=1e-6)
    for (n, p), (_, q) in zip(e_mod.named_parameters(), t_mod.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-4, atol=1e-6, err_msg=n)


# ------------------------------------------------------------------------------------ float64 gradcheck
def _away_from_kinks(*shape):
    """float64 inputs that keep a finite-difference step away from every activation's kink."""
    x = RNG.uniform(0.2, 2.5, shape) * RNG.choice([-1.0, 1.0], shape)
    return ember.tensor(x, requires_grad=True)


@pytest.mark.parametrize("fn", [
    lambda F, x: F.leaky_relu(x, 0.2), lambda F, x: F.elu(x), lambda F, x: F.selu(x), lambda F, x: F.celu(x, 0.7),
    lambda F, x: F.gelu(x), lambda F, x: F.gelu(x, approximate="tanh"), lambda F, x: F.silu(x),
    lambda F, x: F.mish(x), lambda F, x: F.softplus(x, 2.0), lambda F, x: F.hardtanh(x, -1.5, 1.5),
    lambda F, x: F.hardsigmoid(x * 2), lambda F, x: F.hardswish(x * 2), lambda F, x: F.logsigmoid(x),
    lambda F, x: F.softsign(x), lambda F, x: F.tanhshrink(x), lambda F, x: F.softshrink(x, 0.1),
    lambda F, x: F.threshold(x, 0.1, 3.0), lambda F, x: F.glu(x, 1),
])
def test_activation_gradcheck(fn):
    from ember.autograd import gradcheck, gradgradcheck
    F = ember.nn.functional
    x = _away_from_kinks(3, 4)
    assert gradcheck(lambda t: fn(F, t), (x,))
    assert gradgradcheck(lambda t: fn(F, t), (x,))


def test_linear_prelu_embedding_gradcheck():
    from ember.autograd import gradcheck, gradgradcheck
    F = ember.nn.functional
    x, w, b = (ember.tensor(RNG.standard_normal(s), requires_grad=True) for s in ((2, 3, 4), (5, 4), (5,)))
    assert gradcheck(F.linear, (x, w, b)) and gradgradcheck(F.linear, (x, w, b))
    slope = ember.tensor(RNG.uniform(0.1, 0.5, 3), requires_grad=True)
    assert gradcheck(F.prelu, (_away_from_kinks(2, 3, 2), slope))
    table = ember.tensor(RNG.standard_normal((6, 3)), requires_grad=True)
    idx = ember.tensor([[0, 5], [5, 2]])
    assert gradcheck(lambda t: F.embedding(idx, t), (table,))  # padding and frequency scaling alter the gradient
    assert gradgradcheck(lambda t: F.embedding(idx, t) ** 2, (table,))
