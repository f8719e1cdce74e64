"""Convolutions against torch: values and gradients of input, weight and bias; errors; gradcheck."""
import re

import numpy as np
import pytest
import torch

import ember
from ember.autograd import gradcheck, gradgradcheck
from ember.nn._functional import _im2col
from tests.oracle import check, rand, layout

TOL = dict(atol=1e-4, rtol=1e-4)
pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")


def F(lib):
    return lib.nn.functional


# ------------------------------------------------------------------------------------ conv2d
@pytest.mark.parametrize("kw", [
    {}, {"stride": 2}, {"stride": (2, 1)}, {"padding": 1}, {"padding": (2, 0)}, {"padding": "same"},
    {"padding": "valid"}, {"dilation": 2}, {"dilation": (1, 2), "padding": (1, 2)},
    {"stride": 3, "padding": 2, "dilation": 2}, {"groups": 2}, {"groups": 4, "stride": 2, "padding": 1},
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d(kw, dtype):
    groups = kw.get("groups", 1)
    x, w, b = rand(3, 4, 9, 8, dtype=dtype), rand(8, 4 // groups, 3, 2, dtype=dtype), rand(8, dtype=dtype)
    check(lambda T, x, w, b: F(T).conv2d(x, w, b, **kw), x, w, b, **TOL)


@pytest.mark.parametrize("shape", [(5, 5), (4, 5), (2, 3), (3, 2)])
def test_conv2d_same_even_kernels(shape):
    x, w = rand(2, 3, 7, 6), rand(4, 3, *shape)
    check(lambda T, x, w: F(T).conv2d(x, w, padding="same"), x, w, **TOL)
    check(lambda T, x, w: F(T).conv2d(x, w, padding="same", dilation=(2, 3)), x, w, **TOL)


def test_conv2d_without_bias_unbatched_and_layouts():
    w = rand(5, 3, 3, 3)
    check(lambda T, x, w: F(T).conv2d(x, w), rand(3, 7, 7), w, **TOL)
    for kind in ("T", "sliced"):
        x = layout(rand(2, 3, 7, 8), kind)
        check(lambda T, x, w: F(T).conv2d(x, w, padding=1), x, layout(w, kind), **TOL)


def test_conv2d_depthwise_and_pointwise():
    x = rand(2, 6, 8, 8)
    check(lambda T, x, w, b: F(T).conv2d(x, w, b, groups=6, padding=1), x, rand(12, 1, 3, 3), rand(12), **TOL)
    check(lambda T, x, w: F(T).conv2d(x, w), x, rand(4, 6, 1, 1), **TOL)


def test_conv2d_grad_of_some_inputs_only():
    x, w, b = rand(2, 3, 6, 6), rand(4, 3, 3, 3), rand(4)
    check(lambda T, x, w, b: F(T).conv2d(x, w, b), x, w, b, requires_grad=[False, True, True], **TOL)
    check(lambda T, x, w, b: F(T).conv2d(x, w, b), x, w, b, requires_grad=[True, False, False], **TOL)


def test_conv2d_in_chunks(monkeypatch):
    """Batches larger than one GEMM chunk (the last chunk smaller) give the same result."""
    monkeypatch.setattr(_im2col, "_CHUNK_BYTES", 3 * 6 * 6 * 27 * 4)
    x, w, b = rand(7, 3, 8, 8), rand(4, 3, 3, 3), rand(4)
    check(lambda T, x, w, b: F(T).conv2d(x, w, b), x, w, b, **TOL)
    check(lambda T, x, w, b: F(T).conv2d(x, w, b, groups=1, stride=2, padding=1), x, w, b, **TOL)
    check(lambda T, y, w, b: F(T).conv_transpose2d(y, w, b, stride=2), rand(7, 3, 5, 5), rand(3, 2, 3, 3),
          rand(2), **TOL)


@pytest.mark.parametrize("rows", [0, 10 ** 9], ids=["tapwise", "windows"])
def test_conv2d_one_channel_per_group(monkeypatch, rows):
    """Grayscale and depthwise convs, forward and both gradients, through both ways of building
    the columns (tap by tap, window by window), in one chunk and in several."""
    monkeypatch.setattr(_im2col, "_TAPWISE_ROWS", rows)
    x1, x6 = rand(3, 1, 9, 8), rand(3, 6, 8, 8)
    for chunk in (_im2col._CHUNK_BYTES, 8 * 8 * 9 * 6 * 4):
        monkeypatch.setattr(_im2col, "_CHUNK_BYTES", chunk)
        check(lambda T, x, w, b: F(T).conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2)),
              x1, rand(4, 1, 3, 2), rand(4), **TOL)
        check(lambda T, x, w, b: F(T).conv2d(x, w, b, groups=6, padding=1), x6, rand(12, 1, 3, 3), rand(12), **TOL)


def test_conv2d_mnist_shapes():
    """The MNIST CNN's two convs in float32; conv1's weight gradient sums 8 x 676 products of values
    that passed through both convs, in another order than torch's: rtol 1e-3 covers that rounding."""
    x, w1, b1, w2, b2 = rand(8, 1, 28, 28), rand(32, 1, 3, 3), rand(32), rand(64, 32, 3, 3), rand(64)
    check(lambda T, x, w1, b1, w2, b2: F(T).conv2d(T.relu(F(T).conv2d(x, w1, b1)), w2, b2),
          x, w1, b1, w2, b2, atol=2e-3, rtol=1e-3)


def test_conv2d_empty_batch():
    check(lambda T, x, w, b: F(T).conv2d(x, w, b), rand(0, 3, 5, 5), rand(2, 3, 3, 3), rand(2), **TOL)


def test_conv2d_integer_input():
    x, w = rand(1, 2, 5, 5, dtype=np.int64), rand(3, 2, 3, 3, dtype=np.int64)
    check(lambda T, x, w: F(T).conv2d(x, w, padding=1), x, w, grad=False)


# ------------------------------------------------------------------------------------ conv1d / conv3d
@pytest.mark.parametrize("kw", [{}, {"stride": 2, "padding": 1}, {"dilation": 3, "padding": "same"},
                                {"groups": 3, "padding": 2}])
def test_conv1d(kw):
    x, w, b = rand(2, 6, 11), rand(9, 6 // kw.get("groups", 1), 3), rand(9)
    check(lambda T, x, w, b: F(T).conv1d(x, w, b, **kw), x, w, b, **TOL)
    check(lambda T, x, w, b: F(T).conv1d(x, w, b, **kw), x[0], w, b, **TOL)


def test_conv3d():
    x, w, b = rand(2, 2, 5, 6, 4), rand(3, 2, 2, 3, 2), rand(3)
    check(lambda T, x, w, b: F(T).conv3d(x, w, b, stride=(1, 2, 1), padding=1), x, w, b, **TOL)


# ------------------------------------------------------------------------------------ transposed
@pytest.mark.parametrize("kw", [
    {}, {"stride": 2}, {"stride": 2, "output_padding": 1}, {"stride": (3, 2), "padding": (1, 2),
                                                            "output_padding": (2, 0)},
    {"dilation": 2, "padding": 1}, {"dilation": 2, "output_padding": 1}, {"groups": 2, "stride": 2},
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv_transpose2d(kw, dtype):
    y, w, b = rand(2, 4, 5, 6, dtype=dtype), rand(4, 3, 3, 2, dtype=dtype), rand(3 * kw.get("groups", 1), dtype=dtype)
    check(lambda T, y, w, b: F(T).conv_transpose2d(y, w, b, **kw), y, w, b, **TOL)


def test_conv_transpose1d():
    y, w, b = rand(2, 4, 7), rand(4, 3, 4), rand(6)
    check(lambda T, y, w, b: F(T).conv_transpose1d(y, w, b, stride=3, padding=1, output_padding=2, groups=2),
          y, w, b, **TOL)
    check(lambda T, y, w: F(T).conv_transpose1d(y, w, dilation=2), y[0], w, **TOL)


def test_conv_transpose_is_conv_input_gradient():
    x, w = rand(2, 3, 9, 9), rand(4, 3, 3, 3)
    xt, wt = ember.from_numpy(x).requires_grad_(), ember.from_numpy(w)
    y = ember.nn.functional.conv2d(xt, wt, stride=2, padding=1)
    g = ember.from_numpy(rand(*y.shape))
    (gx,) = ember.autograd.grad(y, xt, g)
    ref = ember.nn.functional.conv_transpose2d(g, wt, stride=2, padding=1, output_padding=0)
    np.testing.assert_allclose(gx.numpy(), ref.numpy(), rtol=1e-5, atol=1e-5)


def test_grad_fn_names():
    x = ember.from_numpy(rand(1, 2, 5, 5)).requires_grad_()
    w = ember.from_numpy(rand(2, 2, 3, 3)).requires_grad_()
    assert ember.nn.functional.conv2d(x, w).grad_fn.name() == "ConvolutionBackward0"
    assert ember.nn.functional.conv_transpose2d(x, w).grad_fn.name() == "ConvolutionBackward0"


# ------------------------------------------------------------------------------------ gradcheck
def _leaf(arr):
    return ember.from_numpy(arr.astype(np.float64)).requires_grad_()


def test_gradcheck_conv2d():
    x, w, b = _leaf(rand(2, 2, 5, 4)), _leaf(rand(4, 1, 2, 3)), _leaf(rand(4))
    fn = lambda x, w, b: ember.nn.functional.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2),  # noqa
                                                    groups=2)
    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))


def test_gradcheck_conv_transpose2d():
    y, w, b = _leaf(rand(1, 2, 3, 3)), _leaf(rand(2, 2, 2, 3)), _leaf(rand(2))
    fn = lambda y, w, b: ember.nn.functional.conv_transpose2d(y, w, b, stride=2, padding=(0, 1),  # noqa
                                                              output_padding=1)
    assert gradcheck(fn, (y, w, b))
    assert gradgradcheck(fn, (y, w, b))


def test_gradcheck_conv1d_same():
    x, w = _leaf(rand(2, 2, 6)), _leaf(rand(2, 2, 4))
    fn = lambda x, w: ember.nn.functional.conv1d(x, w, padding="same", dilation=1)  # noqa
    assert gradcheck(fn, (x, w))
    assert gradgradcheck(fn, (x, w))


# ------------------------------------------------------------------------------------ errors
def _same_error(fn, *arrays):
    """ember raises what torch raises, with the same message."""
    with pytest.raises(Exception) as theirs:
        fn(torch, *[torch.from_numpy(a) if isinstance(a, np.ndarray) else a for a in arrays])
    with pytest.raises(type(theirs.value)) as ours:
        fn(ember, *[ember.from_numpy(a) if isinstance(a, np.ndarray) else a for a in arrays])
    if not isinstance(theirs.value, TypeError):
        assert str(ours.value) == str(theirs.value)


X4, X3, X1 = rand(2, 3, 6, 6), rand(3, 6, 6), rand(6)


@pytest.mark.parametrize("call, x", [
    (lambda T, x: F(T).conv2d(x, T.zeros(32, 1, 3, 3)), X4),
    (lambda T, x: F(T).conv2d(x, T.zeros(1, 3, 3, 3)), rand(2, 3, 2, 2)),
    (lambda T, x: F(T).conv2d(x, T.zeros(4, 3, 7, 7), dilation=2), X4),
    (lambda T, x: F(T).conv2d(x, T.zeros(1, 3, 3, 3), stride=0), X4),
    (lambda T, x: F(T).conv2d(x, T.zeros(1, 3, 3, 3), padding=-1), X4),
    (lambda T, x: F(T).conv2d(x, T.zeros(1, 3, 3, 3), dilation=0), X4),
    (lambda T, x: F(T).conv2d(x, T.zeros(1, 3, 3, 3), padding="same", stride=2), X4),
    (lambda T, x: F(T).conv2d(x, T.zeros(1, 3, 3, 3), padding="foo"), X4),
    (lambda T, x: F(T).conv2d(x, T.zeros(3, 1, 3, 3), groups=2), X4),
    (lambda T, x: F(T).conv2d(x, T.zeros(3, 1, 3, 3), groups=0), X4),
    (lambda T, x: F(T).conv2d(x, T.zeros(3, 3, 3, 3), T.zeros(2)), X4),
    (lambda T, x: F(T).conv2d(x, T.zeros(3, 3, 3)), X4),
    (lambda T, x: F(T).conv2d(x, T.zeros(3, 3, 3, 3), stride=(1, 1, 1)), X4),
    (lambda T, x: F(T).conv2d(x, T.zeros(3, 3, 3, 3)), X1),
    (lambda T, x: F(T).conv2d(x, T.zeros(3, 3, 3, 3)), X4.astype(np.float64)),
    (lambda T, x: F(T).conv2d(x, T.zeros(3, 3, 3, 3), T.zeros(3, dtype=T.float64)), X4),
    (lambda T, x: F(T).conv2d(x, "w"), X4),
    (lambda T, x: F(T).conv1d(x, T.zeros(3, 3, 3), dilation=(0,)), rand(2, 3, 6)),
    (lambda T, x: F(T).conv_transpose2d(x, T.zeros(3, 2, 3, 3), stride=2, output_padding=2), X4),
    (lambda T, x: F(T).conv_transpose1d(x, T.zeros(3, 2, 3), stride=2, output_padding=2), rand(2, 3, 6)),
    (lambda T, x: F(T).conv_transpose2d(x, T.zeros(4, 2, 3, 3), stride=2, output_padding=2), X4),
    (lambda T, x: F(T).conv_transpose2d(x, T.zeros(4, 2, 3, 3)), X4),
    (lambda T, x: F(T).conv_transpose2d(x, T.zeros(3, 2, 3, 3), T.zeros(3)), X4),
    (lambda T, x: F(T).conv_transpose2d(x, T.zeros(3, 2, 3, 3).double(), padding=9), X4.astype(np.float64)),
    (lambda T, x: F(T).conv_transpose2d(x, T.zeros(3, 2, 3, 3), padding="same"), X4),
    (lambda T, x: F(T).conv_transpose2d(x, T.zeros(3, 2, 3, 3), output_padding=-1), X4),
])
def test_errors(call, x):
    _same_error(call, x)


@pytest.mark.parametrize("bad", [dict(stride=True), dict(stride=[1.5]), dict(groups=0), dict(padding=-1),
                                 dict(stride=[1, 1, 1])], ids=str)
def test_errors_after_a_valid_call_with_the_same_shapes(bad):
    """Arguments are validated once per signature: a cached valid call must not let a bad one through."""
    x, w = rand(1, 1, 5, 5), rand(2, 1, 3, 3)
    check(lambda T, x, w: F(T).conv2d(x, w, stride=1, padding=0), x, w)
    _same_error(lambda T, x: F(T).conv2d(x, T.from_numpy(w), **bad), x)


# ------------------------------------------------------------------------------------ modules
def _twin(torch_module, ember_module):
    """Give the ember module the torch module's parameters and buffers."""
    ember_module.load_state_dict({name: ember.from_numpy(value.numpy().copy())
                                  for name, value in torch_module.state_dict().items()})
    return ember_module


@pytest.mark.parametrize("make", [
    lambda nn: nn.Conv2d(1, 32, 3),
    lambda nn: nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=1, dilation=(1, 2), groups=2, bias=False),
    lambda nn: nn.Conv2d(4, 6, 4, padding="same"),
    lambda nn: nn.Conv1d(4, 6, 3, padding="valid"),
    lambda nn: nn.Conv3d(4, 2, 2, stride=2),
    lambda nn: nn.ConvTranspose2d(4, 6, 3, stride=2, output_padding=1, groups=2),
    lambda nn: nn.ConvTranspose1d(4, 2, 5, padding=2, bias=False),
    lambda nn: nn.Conv2d(4, 3, 3, padding=1, padding_mode="reflect"),
    lambda nn: nn.Conv2d(4, 3, (3, 2), padding="same", padding_mode="replicate"),
    lambda nn: nn.Conv1d(4, 3, 3, padding=2, padding_mode="circular"),
])
def test_modules_match_torch(make):
    ours, theirs = make(ember.nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    assert [(k, tuple(v.shape)) for k, v in ours.named_parameters()] == \
        [(k, tuple(v.shape)) for k, v in theirs.named_parameters()]
    _twin(theirs, ours)
    x = rand(2, theirs.in_channels, *(6,) * len(theirs.kernel_size))
    check(lambda T, x: (ours if T is ember else theirs)(x), x, **TOL)


def test_conv_default_init_bounds():
    """kaiming_uniform_(a=sqrt(5)) and the bias both draw from U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    ember.manual_seed(0)
    conv = ember.nn.Conv2d(8, 64, 3)
    bound = 1 / np.sqrt(8 * 9)
    for p in (conv.weight, conv.bias):
        values = p.detach().numpy()
        assert np.abs(values).max() <= bound and np.abs(values).max() > 0.9 * bound
        assert abs(values.mean()) < 0.1 * bound


def test_conv_transpose_output_size():
    ours, theirs = ember.nn.ConvTranspose2d(2, 3, 3, stride=2), torch.nn.ConvTranspose2d(2, 3, 3, stride=2)
    _twin(theirs, ours)
    x = rand(1, 2, 4, 4)
    check(lambda T, x: (ours if T is ember else theirs)(x, output_size=[10, 9]), x, **TOL)
    for size in ([12, 12], [1, 2, 3]):
        with pytest.raises(ValueError) as err_t:
            theirs(torch.from_numpy(x), output_size=size)
        with pytest.raises(ValueError) as err_e:
            ours(ember.from_numpy(x), output_size=size)
        assert str(err_e.value) == str(err_t.value).replace("torch.Size", "ember.Size")


@pytest.mark.parametrize("kwargs", [dict(groups=0), dict(groups=3), dict(padding="full"),
                                    dict(padding="same", stride=2), dict(padding_mode="mirror")])
def test_module_argument_errors(kwargs):
    with pytest.raises(ValueError) as theirs:
        torch.nn.Conv2d(4, 6, 3, **kwargs)
    with pytest.raises(ValueError) as ours:
        ember.nn.Conv2d(4, 6, 3, **kwargs)
    assert _sorted_sets(str(ours.value)) == _sorted_sets(str(theirs.value))


def _sorted_sets(message: str) -> str:
    """Messages listing a set's items, in an order that depends on how Python built the set."""
    return re.sub(r"\{[^}]*\}", lambda m: str(sorted(m.group(0)[1:-1].split(", "))), message)
