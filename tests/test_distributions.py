"""ember.distributions against torch.distributions: log_prob, cdf, icdf, entropy, moments and their
gradients; sample shapes, dtypes and statistics; rsample gradients; expand; parameter and value
validation (same messages); reprs; constraints; kl_divergence."""
import math

import numpy as np
import pytest
import torch

import ember
from ember.autograd import gradcheck

from oracle import FLOATS, RNG, check, positive, rand


def D(lib):
    return lib.distributions


def same_error(fn):
    """Both libraries raise the same exception type with the same message (``torch.`` read as ``ember.``)."""
    messages = []
    for T in (torch, ember):
        with pytest.raises(Exception) as info:
            fn(T)
        messages.append((type(info.value), str(info.value).replace("torch.", "ember.")))
    assert messages[0] == messages[1]


def probabilities(*shape, dtype=np.float32):
    p = RNG.uniform(0.1, 1.0, shape).astype(dtype)
    return p / p.sum(-1, keepdims=True)


# ---------------------------------------------------------------------------- Normal
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
def test_normal_scores_and_moments(dtype, shape):
    loc, scale, value = rand(*shape, dtype=dtype), positive(*shape, dtype=dtype), rand(4, *shape, dtype=dtype)
    check(lambda T, m, s, v: D(T).Normal(m, s).log_prob(v), loc, scale, value)
    check(lambda T, m, s, v: D(T).Normal(m, s).cdf(v), loc, scale, value)
    check(lambda T, m, s: D(T).Normal(m, s).entropy(), loc, scale)
    check(lambda T, m, s: D(T).Normal(m, s).perplexity(), loc, scale)
    check(lambda T, m, s: (D(T).Normal(m, s).mean, D(T).Normal(m, s).variance, D(T).Normal(m, s).stddev,
                           D(T).Normal(m, s).mode), loc, scale)


@pytest.mark.parametrize("dtype", FLOATS)
def test_normal_icdf(dtype):
    q = np.array([1e-6, 0.001, 0.025, 0.3, 0.5, 0.7, 0.975, 0.999, 1 - 1e-6], dtype)
    check(lambda T, m, s, q: D(T).Normal(m, s).icdf(q), rand(9, dtype=dtype), positive(9, dtype=dtype), q,
          rtol=1e-5 if dtype == np.float32 else 1e-9, atol=1e-5 if dtype == np.float32 else 1e-9)
    check(lambda T, q: D(T).Normal(0.0, 1.0).icdf(q), np.array([0.0, 1.0, -0.5, 1.5], dtype), grad=False)


def test_normal_numbers_and_broadcasting():
    check(lambda T, v: D(T).Normal(0.0, 2.0).log_prob(v), rand(5))
    check(lambda T, m, v: D(T).Normal(m, 1.5).log_prob(v), rand(3), rand(2, 3))
    check(lambda T, s, v: D(T).Normal(1.0, s).cdf(v), positive(2, 1), rand(3))
    for T in (torch, ember):
        assert tuple(D(T).Normal(0.0, 1.0).batch_shape) == ()
        assert tuple(D(T).Normal(T.zeros(3, 1), T.ones(2)).batch_shape) == (3, 2)
        assert D(T).Normal(0.0, 1.0).loc.dtype == T.float32
        assert D(T).Normal(T.zeros(2, dtype=T.float64), 1.0).scale.dtype == T.float64


@pytest.mark.parametrize("sample_shape", [(), (5,), (4, 3)])
def test_normal_sample_shapes(sample_shape):
    for T in (torch, ember):
        n = D(T).Normal(T.zeros(2), T.ones(2))
        s, r = n.sample(sample_shape), n.rsample(sample_shape)
        assert tuple(s.shape) == tuple(sample_shape) + (2,) == tuple(r.shape)
        assert s.dtype == T.float32 and not s.requires_grad


def test_normal_sample_statistics_and_seed():
    n = ember.distributions.Normal(ember.tensor([1.0, -2.0], dtype=ember.float64), ember.tensor([0.5, 3.0],
                                                                                                 dtype=ember.float64))
    ember.manual_seed(3)
    x = n.sample((20000,)).numpy()
    np.testing.assert_allclose(x.mean(0), [1.0, -2.0], atol=0.1)
    np.testing.assert_allclose(x.std(0), [0.5, 3.0], rtol=0.05)
    ember.manual_seed(3)
    np.testing.assert_array_equal(n.sample((20000,)).numpy(), x)


def test_normal_rsample_gradients_flow_to_parameters():
    loc = ember.tensor([0.5, -1.0], requires_grad=True)
    scale = ember.tensor([2.0, 0.5], requires_grad=True)
    x = ember.distributions.Normal(loc, scale).rsample((50,))
    x.sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), [50.0, 50.0])
    eps = (x.detach() - loc.detach()) / scale.detach()
    np.testing.assert_allclose(scale.grad.numpy(), eps.sum(0).numpy(), rtol=1e-5)
    assert not ember.distributions.Normal(loc, scale).sample().requires_grad


def test_normal_gradcheck():
    loc = ember.tensor(rand(3, dtype=np.float64), requires_grad=True)
    scale = ember.tensor(positive(3, dtype=np.float64), requires_grad=True)
    value = ember.tensor(rand(3, dtype=np.float64))
    q = ember.tensor([0.1, 0.5, 0.8], dtype=ember.float64, requires_grad=True)
    assert gradcheck(lambda m, s: ember.distributions.Normal(m, s).log_prob(value), (loc, scale))
    assert gradcheck(lambda m, s, q: ember.distributions.Normal(m, s).icdf(q), (loc, scale, q))
    assert gradcheck(lambda m, s: ember.distributions.Normal(m, s).cdf(value), (loc, scale))


# ---------------------------------------------------------------------------- Categorical
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(4,), (3, 4), (2, 1, 5)])
def test_categorical_from_probs_and_logits(dtype, shape):
    probs, logits = probabilities(*shape, dtype=dtype) * 3, rand(*shape, dtype=dtype)
    value = RNG.integers(0, shape[-1], (2,) + shape[:-1])
    for kw in ("probs", "logits"):
        param = probs if kw == "probs" else logits
        check(lambda T, p, v: D(T).Categorical(**{kw: p}).log_prob(v), param, value)
        check(lambda T, p: D(T).Categorical(**{kw: p}).entropy(), param)
        check(lambda T, p: (D(T).Categorical(**{kw: p}).probs, D(T).Categorical(**{kw: p}).logits), param)
        check(lambda T, p: (D(T).Categorical(**{kw: p}).mode, D(T).Categorical(**{kw: p}).mean,
                            D(T).Categorical(**{kw: p}).variance), param)


def test_categorical_zero_probability_entropy_and_broadcast_values():
    check(lambda T, p: D(T).Categorical(probs=p).entropy(), np.array([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]], np.float32))
    check(lambda T, p, v: D(T).Categorical(logits=p).log_prob(v), rand(3, 4), np.array([[0], [3]]))
    check(lambda T, p, v: D(T).Categorical(logits=p).log_prob(v), rand(4), np.array(2))


@pytest.mark.parametrize("sample_shape", [(), (6,), (2, 3)])
def test_categorical_sample_shapes(sample_shape):
    for T in (torch, ember):
        c = D(T).Categorical(logits=T.zeros(3, 5))
        s = c.sample(sample_shape)
        assert tuple(s.shape) == tuple(sample_shape) + (3,) and s.dtype == T.int64
        assert bool(((s >= 0) & (s < 5)).all())
    assert tuple(ember.distributions.Categorical(ember.ones(4)).sample().shape) == ()


def test_categorical_sample_frequencies():
    p = np.array([0.1, 0.2, 0.7])
    ember.manual_seed(0)
    s = ember.distributions.Categorical(ember.tensor(p)).sample((20000,)).numpy()
    np.testing.assert_allclose(np.bincount(s, minlength=3) / 20000, p, atol=0.02)


def test_categorical_enumerate_support_and_expand():
    for T in (torch, ember):
        c = D(T).Categorical(logits=T.zeros(2, 3))
        assert c.enumerate_support().tolist() == [[0, 0], [1, 1], [2, 2]]
        assert tuple(c.enumerate_support(expand=False).shape) == (3, 1)
        e = c.expand((4, 2))
        assert tuple(e.batch_shape) == (4, 2) and tuple(e.logits.shape) == (4, 2, 3)
        assert tuple(e.sample().shape) == (4, 2)


def test_categorical_gradcheck():
    logits = ember.tensor(rand(2, 4, dtype=np.float64), requires_grad=True)
    value = ember.tensor([1, 3])
    assert gradcheck(lambda l: ember.distributions.Categorical(logits=l).log_prob(value), (logits,))
    assert gradcheck(lambda l: ember.distributions.Categorical(logits=l).entropy(), (logits,))
    probs = ember.tensor(probabilities(2, 4, dtype=np.float64), requires_grad=True)
    assert gradcheck(lambda p: ember.distributions.Categorical(probs=p).entropy(), (probs,))


# ---------------------------------------------------------------------------- Bernoulli, Uniform
@pytest.mark.parametrize("dtype", FLOATS)
def test_bernoulli(dtype):
    probs, logits = RNG.uniform(0.05, 0.95, (2, 3)).astype(dtype), rand(2, 3, dtype=dtype)
    value = (RNG.random((4, 2, 3)) < 0.5).astype(dtype)
    for kw, param in (("probs", probs), ("logits", logits)):
        check(lambda T, p, v: D(T).Bernoulli(**{kw: p}).log_prob(v), param, value)
        check(lambda T, p: D(T).Bernoulli(**{kw: p}).entropy(), param)
        check(lambda T, p: (D(T).Bernoulli(**{kw: p}).mean, D(T).Bernoulli(**{kw: p}).variance,
                            D(T).Bernoulli(**{kw: p}).probs, D(T).Bernoulli(**{kw: p}).logits), param)
    check(lambda T, p: D(T).Bernoulli(probs=p).mode, np.array([0.2, 0.5, 0.9], dtype))
    for T in (torch, ember):
        b = D(T).Bernoulli(0.3)
        assert tuple(b.sample((5,)).shape) == (5,) and b.sample().dtype == T.float32
        assert b.enumerate_support().tolist() == [0.0, 1.0]
    ember.manual_seed(1)
    assert abs(ember.distributions.Bernoulli(0.3).sample((20000,)).mean().item() - 0.3) < 0.02


@pytest.mark.parametrize("dtype", FLOATS)
def test_uniform(dtype):
    low, width = rand(3, dtype=dtype), positive(3, dtype=dtype)
    value = (low + width * RNG.uniform(0.01, 0.99, (4, 3))).astype(dtype)
    check(lambda T, lo, w, v: D(T).Uniform(lo, lo + w).log_prob(v), low, width, value)
    check(lambda T, lo, w, v: D(T).Uniform(lo, lo + w).cdf(v), low, width, value)
    check(lambda T, lo, w, q: D(T).Uniform(lo, lo + w).icdf(q), low, width, RNG.random((2, 3)).astype(dtype))
    check(lambda T, lo, w: (D(T).Uniform(lo, lo + w).entropy(), D(T).Uniform(lo, lo + w).mean,
                            D(T).Uniform(lo, lo + w).variance, D(T).Uniform(lo, lo + w).stddev), low, width)
    check(lambda T, v: D(T).Uniform(0.0, 1.0, validate_args=False).log_prob(v), np.array([-1.0, 0.5, 2.0], dtype))
    u = ember.distributions.Uniform(ember.tensor([1.0], requires_grad=True), 3.0)
    x = u.rsample((10000,))
    assert x.requires_grad and tuple(x.shape) == (10000, 1)
    assert 1.0 <= x.min().item() and x.max().item() < 3.0 and abs(x.mean().item() - 2.0) < 0.05


# ---------------------------------------------------------------------------- validation and reprs
@pytest.mark.parametrize("make", [
    lambda T: D(T).Normal(T.tensor([0.0, 1.0]), T.tensor([1.0, -1.0])),
    lambda T: D(T).Normal(0.0, -1.0),
    lambda T: D(T).Normal(T.tensor(float("nan")), 1.0),
    lambda T: D(T).Categorical(T.tensor([0.5, -0.1])),
    lambda T: D(T).Categorical(),
    lambda T: D(T).Categorical(probs=T.ones(2), logits=T.ones(2)),
    lambda T: D(T).Categorical(T.tensor(1.0)),
    lambda T: D(T).Categorical(logits=T.tensor(1.0)),
    lambda T: D(T).Categorical(T.ones(3)).log_prob(T.tensor([3])),
    lambda T: D(T).Categorical(T.ones(3)).log_prob(T.tensor([0.5])),
    lambda T: D(T).Normal(0.0, 1.0).log_prob(T.tensor(float("nan"))),
    lambda T: D(T).Normal(T.zeros(2), 1.0).log_prob(T.zeros(3)),
    lambda T: D(T).Normal(0.0, 1.0).log_prob(0.5),
    lambda T: D(T).Bernoulli(T.tensor(1.5)),
    lambda T: D(T).Bernoulli(),
    lambda T: D(T).Bernoulli(T.tensor(0.5)).log_prob(T.tensor(0.5)),
    lambda T: D(T).Uniform(1.0, 0.0),
    lambda T: D(T).Uniform(0.0, 1.0).log_prob(T.tensor(2.0)),
    lambda T: D(T).kl_divergence(D(T).Categorical(T.ones(2)), D(T).Uniform(0.0, 1.0)),
])
def test_validation_errors_match_torch(make):
    same_error(make)


def test_parameters_must_be_numbers_or_tensors():
    for T in (torch, ember):
        with pytest.raises(ValueError, match="Input arguments must all be instances of Number"):
            D(T).Normal("a", 1.0)


def test_validation_can_be_switched_off():
    for T in (torch, ember):
        assert math.isnan(D(T).Normal(0.0, 1.0, validate_args=False).log_prob(T.tensor(float("nan"))).item())
        D(T).Distribution.set_default_validate_args(False)
        try:
            D(T).Normal(0.0, -1.0)
        finally:
            D(T).Distribution.set_default_validate_args(True)


@pytest.mark.parametrize("make", [
    lambda T: D(T).Normal(0.0, 1.0), lambda T: D(T).Normal(T.zeros(2), T.ones(2)),
    lambda T: D(T).Categorical(T.ones(3)), lambda T: D(T).Categorical(logits=T.ones(2, 3)),
    lambda T: D(T).Bernoulli(0.3), lambda T: D(T).Bernoulli(logits=T.zeros(4)), lambda T: D(T).Uniform(0.0, 2.0),
    lambda T: D(T).Independent(D(T).Normal(T.zeros(2, 3), 1.0), 1),
])
def test_reprs(make):
    assert repr(make(ember)) == repr(make(torch)).replace("torch.", "ember.")


def test_constraints():
    C = {T: D(T).constraints for T in (torch, ember)}
    for name in ("real", "positive", "simplex", "boolean", "unit_interval", "real_vector", "nonnegative_integer"):
        assert repr(getattr(C[ember], name)) == repr(getattr(C[torch], name))
    assert repr(C[ember].integer_interval(0, 2)) == repr(C[torch].integer_interval(0, 2))
    support = ember.distributions.Categorical(ember.ones(3)).support
    assert repr(support) == "IntegerInterval(lower_bound=0, upper_bound=2)"
    x = np.array([[0.2, 0.8], [0.5, 0.6]], np.float32)
    for name in ("simplex", "real_vector", "positive", "unit_interval"):
        ours = getattr(C[ember], name).check(ember.tensor(x)).numpy()
        theirs = getattr(C[torch], name).check(torch.tensor(x)).numpy()
        np.testing.assert_array_equal(ours, theirs)
    assert C[ember].is_dependent(ember.distributions.Uniform.support)
    with pytest.raises(ValueError, match="Cannot determine validity of dependent constraint"):
        C[ember].dependent.check(ember.ones(1))


# ---------------------------------------------------------------------------- Independent, expand, KL
def test_independent():
    loc, scale, value = rand(2, 3), positive(2, 3), rand(4, 2, 3)
    check(lambda T, m, s, v: D(T).Independent(D(T).Normal(m, s), 1).log_prob(v), loc, scale, value)
    check(lambda T, m, s: D(T).Independent(D(T).Normal(m, s), 2).entropy(), loc, scale)
    for T in (torch, ember):
        ind = D(T).Independent(D(T).Normal(T.zeros(2, 3), 1.0), 1)
        assert tuple(ind.batch_shape) == (2,) and tuple(ind.event_shape) == (3,)
        assert tuple(ind.sample((5,)).shape) == (5, 2, 3)
        assert tuple(ind.expand((4, 2)).batch_shape) == (4, 2)


def test_expand_keeps_parameters_as_views():
    for T in (torch, ember):
        n = D(T).Normal(T.zeros(3), T.ones(3)).expand((2, 3))
        assert tuple(n.batch_shape) == (2, 3) and tuple(n.sample().shape) == (2, 3)
        b = D(T).Bernoulli(logits=T.zeros(3)).expand((4, 3))
        assert tuple(b.logits.shape) == (4, 3)


def test_kl_divergence():
    check(lambda T, m1, s1, m2, s2: D(T).kl_divergence(D(T).Normal(m1, s1), D(T).Normal(m2, s2)),
          rand(3), positive(3), rand(3), positive(3))
    check(lambda T, p, q: D(T).kl_divergence(D(T).Categorical(logits=p), D(T).Categorical(logits=q)),
          rand(2, 4), rand(2, 4))
    check(lambda T, p, q: D(T).kl_divergence(D(T).Categorical(probs=p), D(T).Categorical(probs=q)),
          np.array([[0.0, 0.5, 0.5], [0.2, 0.8, 0.0]], np.float32), np.array([[0.3, 0.7, 0.0]] * 2, np.float32),
          grad=False)
    check(lambda T, p, q: D(T).kl_divergence(D(T).Bernoulli(probs=p), D(T).Bernoulli(probs=q)),
          np.array([0.0, 0.3, 1.0, 0.6], np.float32), np.array([0.5, 0.0, 0.4, 1.0], np.float32), grad=False)
    check(lambda T, p, q: D(T).kl_divergence(D(T).Bernoulli(logits=p), D(T).Bernoulli(logits=q)), rand(4), rand(4))
    check(lambda T, a, b: D(T).kl_divergence(D(T).Uniform(a, a + 1), D(T).Uniform(b, b + 3)),
          np.array([0.0, 0.5, -1.0], np.float32), np.array([-1.0, 0.0, 0.5], np.float32))
    check(lambda T, m, s: D(T).kl_divergence(D(T).Independent(D(T).Normal(m, s), 1),
                                             D(T).Independent(D(T).Normal(0.0 * m, s * 2), 1)),
          rand(2, 3), positive(2, 3))
