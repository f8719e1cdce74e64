"""ember.nn.utils against torch.nn.utils: gradient clipping and parameter/vector conversion."""
import warnings

import numpy as np
import pytest
import torch

import ember

RNG = np.random.default_rng(5)
SHAPES = [(3, 4), (5,), (2, 2, 2), ()]


def with_grads(lib, scale=1.0, dtype=np.float32, rng_seed=0):
    """Parameters of several shapes with gradients, the same values in both libraries."""
    rng = np.random.default_rng(rng_seed)
    params = []
    for shape in SHAPES:
        p = lib.nn.Parameter(lib.tensor(rng.standard_normal(shape).astype(dtype)))
        p.grad = lib.tensor((scale * rng.standard_normal(shape)).astype(dtype))
        params.append(p)
    no_grad = lib.nn.Parameter(lib.zeros(2, dtype=getattr(lib, np.dtype(dtype).name)))
    return params + [no_grad]


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, float("inf"), 0.5])
@pytest.mark.parametrize("max_norm", [0.1, 1.0, 100.0])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_clip_grad_norm(norm_type, max_norm, dtype):
    t_params, e_params = with_grads(torch, dtype=dtype), with_grads(ember, dtype=dtype)
    t_total = torch.nn.utils.clip_grad_norm_(t_params, max_norm, norm_type)
    e_total = ember.nn.utils.clip_grad_norm_(e_params, max_norm, norm_type)
    assert isinstance(e_total, ember.Tensor) and e_total.shape == () and str(e_total.dtype) == \
        str(t_total.dtype).replace("torch", "ember")
    tol = dict(rtol=2e-6 if dtype == np.float32 else 1e-12)
    np.testing.assert_allclose(e_total.item(), t_total.item(), **tol)
    for p, q in zip(e_params, t_params):
        if q.grad is None:
            assert p.grad is None
        else:
            np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), **tol)


def test_clip_grad_norm_single_tensor_generator_and_empty():
    t = torch.nn.Parameter(torch.ones(3))
    t.grad = torch.full((3,), 4.0)
    e = ember.nn.Parameter(ember.ones(3))
    e.grad = ember.full((3,), 4.0)
    np.testing.assert_allclose(ember.nn.utils.clip_grad_norm_(e, 1.0).item(),
                               torch.nn.utils.clip_grad_norm_(t, 1.0).item(), rtol=1e-6)
    np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-6)
    with pytest.warns(UserWarning, match="empty generator"):
        total = ember.nn.utils.clip_grad_norm_((p for p in []), 1.0)
    assert total.item() == 0.0
    m = ember.nn.Linear(3, 2)
    m(ember.ones(4, 3)).sum().backward()
    norm = ember.nn.utils.clip_grad_norm_(m.parameters(), 0.5)
    assert norm.item() > 0.5
    clipped = np.sqrt(sum((p.grad.numpy().astype(np.float64) ** 2).sum() for p in m.parameters()))
    np.testing.assert_allclose(clipped, 0.5, rtol=1e-5)


def test_clip_grad_norm_nonfinite():
    e_params = with_grads(ember)
    e_params[0].grad = ember.tensor(np.full((3, 4), np.inf, np.float32))
    with pytest.raises(RuntimeError) as ours:
        ember.nn.utils.clip_grad_norm_(e_params, 1.0, error_if_nonfinite=True)
    t_params = with_grads(torch)
    t_params[0].grad = torch.full((3, 4), float("inf"))
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.utils.clip_grad_norm_(t_params, 1.0, error_if_nonfinite=True)
    assert str(ours.value) == str(theirs.value)
    assert np.isinf(ember.nn.utils.clip_grad_norm_(e_params, 1.0).item())


def test_deprecated_clip_grad_norm_and_total_norm():
    with pytest.warns(FutureWarning, match="clip_grad_norm_"):
        ember.nn.utils.clip_grad_norm(with_grads(ember), 1.0)
    grads_t = [p.grad for p in with_grads(torch) if p.grad is not None]
    grads_e = [p.grad for p in with_grads(ember) if p.grad is not None]
    np.testing.assert_allclose(ember.nn.utils.get_total_norm(grads_e, 3.0).item(),
                               torch.nn.utils.get_total_norm(grads_t, 3.0).item(), rtol=1e-6)


@pytest.mark.parametrize("clip_value", [0.0, 0.3, 5.0])
def test_clip_grad_value(clip_value):
    t_params, e_params = with_grads(torch, scale=2.0), with_grads(ember, scale=2.0)
    assert ember.nn.utils.clip_grad_value_(e_params, clip_value) is None
    torch.nn.utils.clip_grad_value_(t_params, clip_value)
    for p, q in zip(e_params, t_params):
        if q.grad is not None:
            np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())


def test_parameters_to_vector_and_back():
    t_mod = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    e_mod = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.Linear(4, 2))
    e_mod.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t_mod.state_dict().items()})
    t_vec = torch.nn.utils.parameters_to_vector(t_mod.parameters())
    e_vec = ember.nn.utils.parameters_to_vector(e_mod.parameters())
    np.testing.assert_array_equal(e_vec.detach().numpy(), t_vec.detach().numpy())
    assert e_vec.requires_grad
    (e_vec * ember.arange(e_vec.numel()).float()).sum().backward()
    np.testing.assert_array_equal(e_mod[0].weight.grad.numpy().ravel(), np.arange(12, dtype=np.float32))

    new = ember.arange(float(e_vec.numel()))
    weight = e_mod[0].weight
    ember.nn.utils.vector_to_parameters(new, e_mod.parameters())
    assert e_mod[0].weight is weight
    np.testing.assert_array_equal(e_mod[1].bias.detach().numpy(), new.numpy()[-2:])
    np.testing.assert_array_equal(e_mod[0].weight.detach().numpy(), new.numpy()[:12].reshape(4, 3))
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        ember.nn.utils.vector_to_parameters([1.0], e_mod.parameters())


def test_clipping_does_not_record_graph():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        params = with_grads(ember)
        ember.nn.utils.clip_grad_norm_(params, 0.1)
        ember.nn.utils.clip_grad_value_(params, 0.01)
    assert all(p.grad is None or p.grad.grad_fn is None for p in params)
