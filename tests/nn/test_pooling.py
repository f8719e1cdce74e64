"""Pooling against torch: values, argmax indices and gradients; ties and NaN; errors; gradcheck."""
import numpy as np
import pytest
import torch

import ember
from ember.autograd import gradcheck, gradgradcheck
from tests.oracle import check, rand, layout


def F(lib):
    return lib.nn.functional


MAX2D = [
    dict(kernel_size=2), dict(kernel_size=3), dict(kernel_size=3, stride=2), dict(kernel_size=3, stride=1, padding=1),
    dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 0)), dict(kernel_size=2, dilation=2),
    dict(kernel_size=3, stride=2, padding=1, dilation=2), dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=2, stride=2, padding=1, ceil_mode=True), dict(kernel_size=[2], stride=[]),
]


@pytest.mark.parametrize("kw", MAX2D)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_pool2d(kw, dtype):
    x = rand(2, 3, 9, 8, dtype=dtype)
    check(lambda T, x: F(T).max_pool2d(x, **kw), x)
    check(lambda T, x: F(T).max_pool2d(x, return_indices=True, **kw), x)


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=2, dilation=3, ceil_mode=True), dict(kernel_size=4, stride=3)])
def test_max_pool1d(kw):
    x = rand(2, 3, 13)
    check(lambda T, x: F(T).max_pool1d(x, **kw), x)
    check(lambda T, x: F(T).max_pool1d(x, return_indices=True, **kw), x[0])


def test_max_pool3d():
    x = rand(2, 2, 5, 6, 7)
    check(lambda T, x: F(T).max_pool3d(x, 2), x)
    check(lambda T, x: F(T).max_pool3d(x, (3, 2, 3), stride=(2, 1, 2), padding=1, return_indices=True), x)


def test_max_pool_ties_go_to_the_first():
    """After a relu most windows hold equal zeros: torch gives the gradient to the first one only."""
    x = np.maximum(rand(2, 4, 8, 8), 0)
    x[0, 0] = 1.0
    check(lambda T, x: F(T).max_pool2d(x, 2, return_indices=True), x)
    check(lambda T, x: F(T).max_pool2d(x, 3, stride=1, padding=1, return_indices=True), x)


def test_max_pool_nan_and_inf():
    x = rand(1, 2, 6, 6)
    x[0, 0, 0, 0] = x[0, 0, 1, 1] = np.nan
    x[0, 1, :3, :3] = -np.inf
    check(lambda T, x: F(T).max_pool2d(x, 3, return_indices=True), x)
    check(lambda T, x: F(T).max_pool2d(x, 3, stride=2, padding=1, return_indices=True), x)
    check(lambda T, x: F(T).max_pool2d(x, 2, dilation=2, padding=1, return_indices=True), x)


def test_max_pool_layouts_and_integers():
    for kind in ("T", "sliced"):
        check(lambda T, x: F(T).max_pool2d(x, 2), layout(rand(2, 3, 6, 6), kind))
    check(lambda T, x: F(T).max_pool2d(x, 3, stride=2, padding=1, return_indices=True),
          rand(2, 3, 7, 7, dtype=np.int64, low=-50, high=50), grad=False)


def test_max_pool_mnist_shape():
    x = np.maximum(rand(16, 64, 24, 24), 0)
    check(lambda T, x: F(T).max_pool2d(x, 2), x)


def test_max_pool_empty_batch():
    check(lambda T, x: F(T).max_pool2d(x, 2), rand(0, 3, 4, 6))


# ------------------------------------------------------------------------------------ average
AVG2D = [
    dict(kernel_size=2), dict(kernel_size=3, stride=2), dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False), dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1), divisor_override=5),
]


@pytest.mark.parametrize("kw", AVG2D)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_avg_pool2d(kw, dtype):
    check(lambda T, x: F(T).avg_pool2d(x, **kw), rand(2, 3, 9, 8, dtype=dtype))


def test_avg_pool1d_and_3d():
    x = rand(2, 3, 11)
    check(lambda T, x: F(T).avg_pool1d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), x)
    check(lambda T, x: F(T).avg_pool1d(x, 2), x[0])
    check(lambda T, x: F(T).avg_pool3d(x, 2, stride=(1, 2, 2), padding=1), rand(2, 2, 5, 4, 6))


def test_avg_pool_integers_and_infinities():
    check(lambda T, x: F(T).avg_pool2d(x, 3, stride=2, padding=1), rand(1, 2, 6, 6, dtype=np.int64, low=-9,
                                                                            high=9), grad=False)
    x = rand(1, 1, 6, 6)
    x[0, 0, 0, 0] = np.inf
    check(lambda T, x: F(T).avg_pool2d(x, 2), x, grad=False)


# ------------------------------------------------------------------------------------ adaptive
SIZES = [(6, 4, 3), (6, 4, 4), (6, 4, (2, 3)), (7, 5, (3, None)), (5, 7, 1), (4, 5, 7), (6, 6, (4, 5))]


@pytest.mark.parametrize("h, w, out", SIZES)
def test_adaptive_pool2d(h, w, out):
    x = rand(2, 3, h, w)
    check(lambda T, x: F(T).adaptive_avg_pool2d(x, out), x)
    check(lambda T, x: F(T).adaptive_max_pool2d(x, out), x)
    check(lambda T, x: F(T).adaptive_max_pool2d(x, out, return_indices=True), x[0])


def test_adaptive_pool1d_and_3d():
    x = rand(2, 3, 10)
    for out in (1, 3, 4, 10, 13):
        check(lambda T, x: F(T).adaptive_avg_pool1d(x, out), x)
        check(lambda T, x: F(T).adaptive_max_pool1d(x, out, return_indices=True), x)
    x = rand(1, 2, 5, 4, 6)
    check(lambda T, x: F(T).adaptive_avg_pool3d(x, (2, 3, 4)), x)
    check(lambda T, x: F(T).adaptive_max_pool3d(x, (3, 1, 4), return_indices=True), x)


def test_adaptive_empty_output():
    check(lambda T, x: F(T).adaptive_avg_pool2d(x, 0), rand(2, 3, 5, 5), grad=False)
    check(lambda T, x: F(T).adaptive_max_pool2d(x, (0, 2)), rand(2, 3, 5, 5), grad=False)


# ------------------------------------------------------------------------------------ autograd
def _leaf(arr):
    return ember.from_numpy(arr.astype(np.float64)).requires_grad_()


@pytest.mark.parametrize("fn", [
    lambda x: ember.nn.functional.max_pool2d(x, 2),
    lambda x: ember.nn.functional.max_pool2d(x, 3, stride=2, padding=1),
    lambda x: ember.nn.functional.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False, ceil_mode=True),
    lambda x: ember.nn.functional.adaptive_avg_pool2d(x, (3, 4)),
    lambda x: ember.nn.functional.adaptive_max_pool2d(x, (4, 3)),
    lambda x: ember.nn.functional.max_pool1d(x[0], 2, stride=1),
])
def test_gradcheck(fn):
    x = _leaf(np.random.default_rng(1).permutation(2 * 2 * 5 * 5).reshape(2, 2, 5, 5) / 10.0)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_grad_fn_names():
    x = ember.from_numpy(rand(1, 2, 4, 4)).requires_grad_()
    assert F(ember).max_pool2d(x, 2).grad_fn.name() == "MaxPool2DWithIndicesBackward0"
    assert F(ember).avg_pool2d(x, 2).grad_fn.name() == "AvgPool2DBackward0"
    assert F(ember).adaptive_avg_pool2d(x, 3).grad_fn.name() == "AdaptiveAvgPool2DBackward0"
    assert F(ember).adaptive_max_pool2d(x, 3).grad_fn.name() == "AdaptiveMaxPool2DBackward0"


# ------------------------------------------------------------------------------------ errors
X4, X3 = rand(2, 3, 6, 6), rand(2, 3, 6)


@pytest.mark.parametrize("call, x", [
    (lambda T, x: F(T).max_pool2d(x, 0, 1), X4),
    (lambda T, x: F(T).max_pool2d(x, 0), X4),
    (lambda T, x: F(T).max_pool2d(x, 2, -1), X4),
    (lambda T, x: F(T).max_pool2d(x, 2, padding=-1), X4),
    (lambda T, x: F(T).max_pool2d(x, 2, padding=2), X4),
    (lambda T, x: F(T).max_pool2d(x, 2, dilation=0), X4),
    (lambda T, x: F(T).max_pool2d(x, 7), X4),
    (lambda T, x: F(T).max_pool2d(x, 2), rand(6, 6)),
    (lambda T, x: F(T).max_pool2d(x, 2), rand(2, 3, 0, 6)),
    (lambda T, x: F(T).max_pool2d(x, (2, 2, 2)), X4),
    (lambda T, x: F(T).max_pool2d(x, 2, stride=(1, 1, 1)), X4),
    (lambda T, x: F(T).max_pool2d(x, 2.0), X4),
    (lambda T, x: F(T).max_pool3d(x, 2, -1), rand(2, 3, 6, 6, 6)),
    (lambda T, x: F(T).max_pool1d(x, 7), X3),
    (lambda T, x: F(T).max_pool1d(x, 2, padding=2), X3),
    (lambda T, x: F(T).max_pool1d(x, 0), X3),
    (lambda T, x: F(T).max_pool1d(x, (2, 2)), X3),
    (lambda T, x: F(T).max_pool1d(x, 2), rand(6)),
    (lambda T, x: F(T).avg_pool2d(x, 0), X4),
    (lambda T, x: F(T).avg_pool2d(x, 7), X4),
    (lambda T, x: F(T).avg_pool2d(x, 2, divisor_override=0), X4),
    (lambda T, x: F(T).avg_pool2d(x, 2, padding=(1, 1, 1)), X4),
    (lambda T, x: F(T).avg_pool1d(x, 7), X3),
    (lambda T, x: F(T).avg_pool1d(x, (2, 2)), X3),
    (lambda T, x: F(T).avg_pool1d(x, 2), rand(6)),
    (lambda T, x: F(T).avg_pool3d(x, 7), rand(2, 3, 6, 6, 6)),
    (lambda T, x: F(T).adaptive_avg_pool2d(x, (2, 3, 4)), X4),
    (lambda T, x: F(T).adaptive_max_pool2d(x, (2, 3, 4)), X4),
    (lambda T, x: F(T).adaptive_avg_pool2d(x, 2), rand(6, 6)),
    (lambda T, x: F(T).adaptive_max_pool2d(x, 2), rand(6, 6)),
    (lambda T, x: F(T).adaptive_avg_pool1d(x, (2, 3)), X3),
    (lambda T, x: F(T).adaptive_avg_pool2d(x, -1), X4),
    (lambda T, x: F(T).adaptive_avg_pool2d(x, 2), rand(2, 3, 0, 5)),
    (lambda T, x: F(T).adaptive_avg_pool2d(x, 2), X4.astype(np.int64)),
    (lambda T, x: F(T).adaptive_avg_pool1d(x, 2), rand(6)),
])
def test_errors(call, x):
    with pytest.raises(Exception) as theirs:
        call(torch, torch.from_numpy(x))
    with pytest.raises(type(theirs.value)) as ours:
        call(ember, ember.from_numpy(x))
    if not isinstance(theirs.value, TypeError):
        assert str(ours.value) == str(theirs.value)


# ------------------------------------------------------------------------------------ modules
@pytest.mark.parametrize("make, shape", [
    (lambda nn: nn.MaxPool2d(2), (2, 3, 6, 6)),
    (lambda nn: nn.MaxPool2d(3, stride=2, padding=1, dilation=1, ceil_mode=True), (2, 3, 7, 7)),
    (lambda nn: nn.MaxPool1d(2, return_indices=True), (2, 3, 7)),
    (lambda nn: nn.MaxPool3d(2), (1, 2, 4, 4, 4)),
    (lambda nn: nn.AvgPool1d(3, stride=2, padding=1), (2, 3, 7)),
    (lambda nn: nn.AvgPool2d((2, 3), count_include_pad=False, padding=1), (2, 3, 6, 6)),
    (lambda nn: nn.AvgPool3d(2, divisor_override=3), (1, 2, 4, 4, 4)),
    (lambda nn: nn.AdaptiveAvgPool1d(4), (2, 3, 7)),
    (lambda nn: nn.AdaptiveAvgPool2d((None, 3)), (2, 3, 6, 7)),
    (lambda nn: nn.AdaptiveAvgPool3d(1), (1, 2, 3, 4, 5)),
    (lambda nn: nn.AdaptiveMaxPool1d(3, return_indices=True), (2, 3, 7)),
    (lambda nn: nn.AdaptiveMaxPool2d(3), (2, 3, 7, 5)),
    (lambda nn: nn.AdaptiveMaxPool3d((2, 1, 2)), (1, 2, 3, 4, 5)),
])
def test_modules_match_torch(make, shape):
    ours, theirs = make(ember.nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    check(lambda T, x: (ours if T is ember else theirs)(x), rand(*shape))
