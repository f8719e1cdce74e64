"""softmax and log_softmax against torch: values, gradients, dtypes, layouts, edge values, errors."""
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.autograd import gradcheck, gradgradcheck
from oracle import check, check_raises, rand, layout, FLOATS

OPS = ("softmax", "log_softmax")
CASES = [((5,), 0), ((5,), -1), ((3, 4), 0), ((3, 4), 1), ((3, 4), -1), ((2, 3, 4), 1), ((2, 3, 4), -1),
         ((2, 3, 4, 5), 2), ((), 0), ((), -1), ((1, 4), 0), ((3, 1), 1), ((0, 3), 1), ((0, 3), 0), ((3, 0), 1)]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,dim", CASES)
@pytest.mark.parametrize("op", OPS)
def test_values_and_grads(op, shape, dim, dtype):
    check(lambda T, x: getattr(T, op)(x, dim), rand(*shape, dtype=dtype, low=-10, high=10))


@pytest.mark.parametrize("kind", ["T", "sliced"])
@pytest.mark.parametrize("dim", [0, 1])
@pytest.mark.parametrize("op", OPS)
def test_layouts(op, dim, kind):
    check(lambda T, x: getattr(x, op)(dim), layout(rand(3, 4), kind))


@pytest.mark.parametrize("op", OPS)
def test_method_and_keywords(op):
    check(lambda T, x: getattr(x, op)(dim=1), rand(2, 3))
    check(lambda T, x: getattr(x, op)(1, dtype=T.float64), rand(2, 3))
    check(lambda T, x: getattr(T, op)(x, -1, T.float64), rand(2, 3))


@pytest.mark.parametrize("op", OPS)
def test_dtype_argument(op):
    check(lambda T, x: getattr(T, op)(x, 1, dtype=T.float64), rand(2, 3))
    check(lambda T, x: getattr(T, op)(x, 1, dtype=T.float32), rand(2, 3, dtype=np.int64), grad=False)
    check(lambda T, x: getattr(T, op)(x, 1, dtype=T.float32), rand(2, 3, dtype=np.float16))


@pytest.mark.parametrize("op", OPS)
def test_half(op):
    check(lambda T, x: getattr(T, op)(x, 1), rand(2, 5, dtype=np.float16), grad=False, atol=1e-3, rtol=1e-3)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("row", [[-np.inf, 1.0, 2.0], [-np.inf, -np.inf, -np.inf], [np.inf, 1.0, 2.0],
                                 [np.nan, 1.0, 2.0], [1e30, -1e30, 0.0], [80.0, 90.0, 100.0]])
def test_extreme_values(op, row):
    check(lambda T, x: getattr(T, op)(x, 0), np.array(row, np.float32), grad=False)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 3, 4), (2, 3, 4, 5)])
def test_implicit_dim_warns(op, shape):
    """nn.functional's legacy dim choice, with its deprecation warning pointing at the caller."""
    x = rand(*shape)
    with pytest.warns(UserWarning) as theirs:
        expected = getattr(torch.nn.functional, op)(torch.from_numpy(x))
    with pytest.warns(UserWarning) as ours:
        got = getattr(ember, op)(ember.from_numpy(x))
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-5, atol=1e-6)
    assert str(ours[0].message) == str(theirs[0].message)
    assert ours[0].filename == __file__


@pytest.mark.parametrize("op", OPS)
def test_explicit_dim_does_not_warn(op):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        getattr(ember, op)(ember.from_numpy(rand(2, 3)), 1)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype,dim", [(np.int64, 1), (np.int64, 0), (np.bool_, 1), (np.int32, -1)])
def test_integer_input_errors(op, dtype, dim):
    x = rand(2, 3, dtype=dtype)
    check_raises(lambda T, t: getattr(T, op)(t, dim), x)
    with pytest.raises(NotImplementedError) as theirs:
        getattr(torch, op)(torch.from_numpy(x), dim)
    with pytest.raises(NotImplementedError) as ours:
        getattr(ember, op)(ember.from_numpy(x), dim)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("shape,dim", [((), 1), ((2, 3), 2), ((2, 3), -3)])
def test_dim_out_of_range(op, shape, dim):
    x = rand(*shape)
    with pytest.raises(IndexError) as theirs:
        getattr(torch, op)(torch.from_numpy(x), dim)
    with pytest.raises(IndexError) as ours:
        getattr(ember, op)(ember.from_numpy(x), dim)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("op", OPS)
def test_bad_dim_type(op):
    check_raises(lambda T, x: getattr(T, op)(x, "a"), rand(2, 3))


@pytest.mark.parametrize("op", OPS)
def test_grad_fn_name(op):
    t = getattr(torch, op)(torch.zeros(2, 3, requires_grad=True), 1)
    e = getattr(ember, op)(ember.zeros(2, 3, requires_grad=True), 1)
    assert e.grad_fn.name() == t.grad_fn.name()


@pytest.mark.parametrize("shape,dim", [((5,), 0), ((3, 4), 1), ((2, 3, 4), 0), ((), 0)])
@pytest.mark.parametrize("op", OPS)
def test_gradcheck(op, shape, dim):
    x = ember.from_numpy(rand(*shape, dtype=np.float64)).requires_grad_()
    assert gradcheck(lambda t: getattr(ember, op)(t, dim), [x])
    assert gradgradcheck(lambda t: getattr(ember, op)(t, dim), [x])


@pytest.mark.parametrize("op", OPS)
def test_saved_output_modified_in_place(op):
    """The vjp reads the output: changing it in place must make backward fail, as in torch."""
    def run(T, x):
        y = getattr(T, op)(x.requires_grad_(), 1)
        y.mul_(2)
        y.sum().backward()
    check_raises(run, rand(2, 3))
