"""Normalization against torch: outputs, gradients, running statistics; errors; gradcheck."""
import numpy as np
import pytest
import torch

import ember
from ember.autograd import gradcheck, gradgradcheck
from tests.oracle import check, rand, positive, layout

TOL = dict(atol=1e-5, rtol=1e-4)


def F(lib):
    return lib.nn.functional


def _pair(arr):
    """The same array as a torch tensor and an ember tensor (each its own copy)."""
    return torch.from_numpy(arr.copy()), ember.from_numpy(arr.copy())


# ------------------------------------------------------------------------------------ batch norm
@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 5), (3, 3, 4, 5), (2, 3, 2, 2, 3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batch_norm_training(shape, dtype):
    c = shape[1]
    x, w, b = rand(*shape, dtype=dtype), rand(c, dtype=dtype), rand(c, dtype=dtype)
    rm_t, rm_e = _pair(rand(c, dtype=dtype))
    rv_t, rv_e = _pair(positive(c, dtype=dtype))
    run = {torch: (rm_t, rv_t), ember: (rm_e, rv_e)}
    check(lambda T, x, w, b: F(T).batch_norm(x, *run[T], w, b, training=True, momentum=0.3), x, w, b, **TOL)
    np.testing.assert_allclose(rm_e.numpy(), rm_t.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(rv_e.numpy(), rv_t.numpy(), rtol=1e-5, atol=1e-6)


def test_batch_norm_eval_and_without_affine_or_running_stats():
    x, rm, rv, w, b = rand(4, 3, 5), rand(3), positive(3), rand(3), rand(3)
    check(lambda T, x, rm, rv, w, b: F(T).batch_norm(x, rm, rv, w, b), x, rm, rv, w, b,
          requires_grad=[True, False, False, True, True], **TOL)
    check(lambda T, x: F(T).batch_norm(x, None, None, training=True), x, **TOL)
    check(lambda T, x: F(T).batch_norm(x, None, None, training=True, eps=0.1), layout(x, "T"), **TOL)


def test_batch_norm_double_backward():
    x = ember.from_numpy(rand(4, 2, 3).astype(np.float64)).requires_grad_()
    w = ember.from_numpy(rand(2).astype(np.float64)).requires_grad_()
    b = ember.from_numpy(rand(2).astype(np.float64)).requires_grad_()
    fn = lambda x, w, b: F(ember).batch_norm(x, None, None, w, b, training=True)  # noqa: E731
    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))
    rm, rv = ember.from_numpy(rand(2).astype(np.float64)), ember.from_numpy(positive(2).astype(np.float64))
    assert gradgradcheck(lambda x, w, b: F(ember).batch_norm(x, rm, rv, w, b), (x, w, b))


# ------------------------------------------------------------------------------------ layer / group / instance
@pytest.mark.parametrize("shape, normalized", [((4, 5), (5,)), ((2, 3, 4), (4,)), ((2, 3, 4), (3, 4)),
                                               ((2, 3, 1, 4), (3, 1, 4))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_layer_norm(shape, normalized, dtype):
    x, w, b = rand(*shape, dtype=dtype), rand(*normalized, dtype=dtype), rand(*normalized, dtype=dtype)
    check(lambda T, x, w, b: F(T).layer_norm(x, normalized, w, b, eps=1e-3), x, w, b, **TOL)
    check(lambda T, x: F(T).layer_norm(x, list(normalized)), x, **TOL)


@pytest.mark.parametrize("shape, groups", [((2, 6, 5), 3), ((2, 4, 3, 3), 2), ((3, 8), 2), ((2, 6, 2, 2, 2), 1)])
def test_group_norm(shape, groups):
    c = shape[1]
    x, w, b = rand(*shape), rand(c), rand(c)
    check(lambda T, x, w, b: F(T).group_norm(x, groups, w, b), x, w, b, **TOL)
    check(lambda T, x: F(T).group_norm(x, groups, eps=0.01), x, **TOL)


def test_instance_norm():
    x, w, b = rand(3, 4, 5, 6), rand(4), rand(4)
    rm_t, rm_e = _pair(rand(4))
    rv_t, rv_e = _pair(positive(4))
    run = {torch: (rm_t, rv_t), ember: (rm_e, rv_e)}
    check(lambda T, x, w, b: F(T).instance_norm(x, *run[T], w, b, momentum=0.2), x, w, b, **TOL)
    np.testing.assert_allclose(rm_e.numpy(), rm_t.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(rv_e.numpy(), rv_t.numpy(), rtol=1e-5, atol=1e-6)
    check(lambda T, x: F(T).instance_norm(x, *run[T], use_input_stats=False), x, **TOL)
    check(lambda T, x: F(T).instance_norm(x), x[0], **TOL)


@pytest.mark.parametrize("fn", [
    lambda x, w, b: F(ember).layer_norm(x, (3, 2), w.reshape(3, 2), b.reshape(3, 2)),
    lambda x, w, b: F(ember).group_norm(x, 3, w, b),
    lambda x, w, b: F(ember).instance_norm(x, weight=w, bias=b),
])
def test_gradcheck(fn):
    x = ember.from_numpy(rand(2, 6, 3, 2).astype(np.float64)).requires_grad_()
    w = ember.from_numpy(rand(6).astype(np.float64)).requires_grad_()
    b = ember.from_numpy(rand(6).astype(np.float64)).requires_grad_()
    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))


def test_grad_fn_names():
    x = ember.from_numpy(rand(2, 4, 3)).requires_grad_()
    assert F(ember).batch_norm(x, None, None, training=True).grad_fn.name() == "NativeBatchNormBackward0"
    assert F(ember).layer_norm(x, (3,)).grad_fn.name() == "NativeLayerNormBackward0"
    assert F(ember).group_norm(x, 2).grad_fn.name() == "NativeGroupNormBackward0"


# ------------------------------------------------------------------------------------ errors
@pytest.mark.parametrize("call, x", [
    (lambda T, x: F(T).batch_norm(x, T.zeros(3), T.ones(3), training=True), rand(1, 3)),
    (lambda T, x: F(T).batch_norm(x, T.zeros(4), T.ones(4), training=True), rand(4, 3)),
    (lambda T, x: F(T).batch_norm(x, T.zeros(3), T.ones(3), T.ones(4), training=True), rand(4, 3)),
    (lambda T, x: F(T).batch_norm(x, None, None), rand(4, 3)),
    (lambda T, x: F(T).batch_norm(x, T.zeros(3), T.ones(3), training=True), rand(4, 3).astype(np.float64)),
    (lambda T, x: F(T).batch_norm(x, T.zeros(3, dtype=T.float64), T.ones(3), training=True), rand(4, 3)),
    (lambda T, x: F(T).layer_norm(x, (5,)), rand(2, 3, 4)),
    (lambda T, x: F(T).layer_norm(x, (3, 4), T.ones(4)), rand(2, 3, 4)),
    (lambda T, x: F(T).layer_norm(x, []), rand(2, 3, 4)),
    (lambda T, x: F(T).layer_norm(x, 4), rand(2, 3, 4)),
    (lambda T, x: F(T).group_norm(x, 2), rand(2, 3, 4)),
    (lambda T, x: F(T).group_norm(x, 2, T.ones(3)), rand(2, 4, 4)),
    (lambda T, x: F(T).group_norm(x, 2), rand(4)),
    (lambda T, x: F(T).instance_norm(x), rand(2, 4, 1)),
    (lambda T, x: F(T).instance_norm(x, use_input_stats=False), rand(2, 4, 3)),
])
def test_errors(call, x):
    with pytest.raises(Exception) as theirs:
        call(torch, torch.from_numpy(x))
    with pytest.raises(type(theirs.value)) as ours:
        call(ember, ember.from_numpy(x))
    if not isinstance(theirs.value, TypeError):
        assert str(ours.value) == str(theirs.value).replace("torch.Size", "ember.Size")


# ------------------------------------------------------------------------------------ modules
def _twin(torch_module, ember_module):
    ember_module.load_state_dict({name: ember.from_numpy(value.numpy().copy())
                                  for name, value in torch_module.state_dict().items()})
    return ember_module


def _same_state(ours, theirs):
    t_state = theirs.state_dict()
    e_state = ours.state_dict()
    assert list(e_state) == list(t_state)
    for name, value in t_state.items():
        np.testing.assert_allclose(e_state[name].numpy(), value.numpy(), rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("make, shape", [
    (lambda nn: nn.BatchNorm1d(3), (5, 3)),
    (lambda nn: nn.BatchNorm1d(3, momentum=None), (5, 3, 4)),
    (lambda nn: nn.BatchNorm2d(3, affine=False, momentum=0.5), (4, 3, 2, 3)),
    (lambda nn: nn.BatchNorm2d(3, track_running_stats=False), (4, 3, 2, 3)),
    (lambda nn: nn.BatchNorm3d(2, eps=1e-3, bias=False), (2, 2, 2, 3, 2)),
    (lambda nn: nn.InstanceNorm2d(3, affine=True, track_running_stats=True), (4, 3, 2, 3)),
    (lambda nn: nn.InstanceNorm1d(3), (3, 5)),
])
def test_running_stat_modules_train_then_eval(make, shape):
    """Three training steps (grads and running stats as torch's), then eval mode."""
    ours, theirs = make(ember.nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    if theirs.affine:
        with torch.no_grad():
            theirs.weight.uniform_(0.5, 1.5)
            if theirs.bias is not None:
                theirs.bias.uniform_(-0.5, 0.5)
    _twin(theirs, ours)
    for _ in range(3):
        check(lambda T, x: (ours if T is ember else theirs)(x), rand(*shape), **TOL)
        _same_state(ours, theirs)
    ours.eval()
    theirs.eval()
    check(lambda T, x: (ours if T is ember else theirs)(x), rand(*shape), **TOL)
    _same_state(ours, theirs)


@pytest.mark.parametrize("make, shape", [
    (lambda nn: nn.LayerNorm(5), (2, 3, 5)),
    (lambda nn: nn.LayerNorm((3, 5), elementwise_affine=False), (2, 3, 5)),
    (lambda nn: nn.LayerNorm([5], bias=False), (4, 5)),
    (lambda nn: nn.GroupNorm(2, 4), (2, 4, 3)),
    (lambda nn: nn.GroupNorm(1, 4, affine=False), (2, 4, 3, 3)),
])
def test_layer_and_group_norm_modules(make, shape):
    ours, theirs = make(ember.nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    if getattr(theirs, "weight", None) is not None:
        with torch.no_grad():
            theirs.weight.uniform_(0.5, 1.5)
    _twin(theirs, ours)
    check(lambda T, x: (ours if T is ember else theirs)(x), rand(*shape), **TOL)


@pytest.mark.parametrize("make, shape", [
    (lambda nn: nn.BatchNorm2d(3), (2, 3, 4)),
    (lambda nn: nn.BatchNorm1d(3), (3,)),
    (lambda nn: nn.InstanceNorm2d(3, affine=True), (2, 4, 3, 3)),
])
def test_module_input_errors(make, shape):
    with pytest.raises(ValueError) as theirs:
        make(torch.nn)(torch.from_numpy(rand(*shape)))
    with pytest.raises(ValueError) as ours:
        make(ember.nn)(ember.from_numpy(rand(*shape)))
    assert str(ours.value) == str(theirs.value)


def test_group_norm_module_error():
    with pytest.raises(ValueError) as theirs:
        torch.nn.GroupNorm(3, 4)
    with pytest.raises(ValueError) as ours:
        ember.nn.GroupNorm(3, 4)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("shape", [(2, 6, 5), (2, 6, 3, 4), (1, 5, 2, 3, 2)])
def test_local_response_norm(shape):
    x = rand(*shape)
    check(lambda T, x: F(T).local_response_norm(x, 3, alpha=0.1, beta=0.6, k=2.0), x, **TOL)
    ours, theirs = ember.nn.LocalResponseNorm(4), torch.nn.LocalResponseNorm(4)
    assert repr(ours) == repr(theirs)
    check(lambda T, x: (ours if T is ember else theirs)(x), x, **TOL)
    with pytest.raises(ValueError) as err_t:
        torch.nn.functional.local_response_norm(torch.zeros(2, 3), 2)
    with pytest.raises(ValueError) as err_e:
        F(ember).local_response_norm(ember.zeros(2, 3), 2)
    assert str(err_e.value) == str(err_t.value)
