"""In-place ops on views under autograd (torch's CopySlices): values, gradients and errors vs torch."""
import numpy as np
import pytest
import torch

import ember
from oracle import check, rand, layout, FLOATS


def _sliced_mul(T, x, w):
    a = x.clone()
    a[1:].mul_(2)
    return a


def _flat_add(T, x, w):
    y = x * 1
    v = y.view(-1)
    v.add_(1)
    return y, v


def _chain(T, x, w):
    y = x * 1
    v = y[1:]
    v.mul_(2)
    v.add_(w[1:])
    return y, v


def _view_of_view(T, x, w):
    y = x * 1
    y[1:][:, 0].mul_(3)
    return y


def _graph_into_plain(T, x, w):
    z = T.zeros(3, 4, dtype=x.dtype)
    z[1:].add_(w[1:])
    return z * x


def _transposed(T, x, w):
    y = x * 1
    y.t()[1].mul_(w[0, :3])
    return y


def _diagonal(T, x, w):
    y = x * 1
    y.diagonal().mul_(w[0, :3])
    return y


def _as_strided(T, x, w):
    y = x * 1
    y.as_strided((2, 2), (4, 1), 5).sin_()
    return y


def _overlapping(T, x, w):
    y = x * 1
    y[:2].mul_(2)
    y[1:].add_(w[1:])
    return y * y


def _setitem_view(T, x, w):
    y = x * 1
    y[1:][0] = w[0]
    y[:, 2:][[0, 2]] = w[1:, :2]
    return y


def _after_inplace_use(T, x, w):
    y = x * 1
    s = y.sum()
    y[0].exp_()
    return (y * y).sum(), s


def _unsqueezed(T, x, w):
    y = x * 1
    y.unsqueeze(0)[0, :, 1].div_(w[0, :3])
    return y


def _broadcast_other(T, x, w):
    y = x * 1
    y[::2].sub_(w[0])
    return y


def _promoting_other(T, x, w):
    y = x * 1
    y[0].add_(w[0].double())
    return y


def _select_then_base(T, x, w):
    y = x * 1
    v = y[2]
    v.mul_(w[1])
    return y.sum(0) * 2, v


def _sibling_view(T, x, w):
    h = x.clone()
    row, top = h[0], h[:2]
    top.mul_(w[:2])
    return row * 2, h


def _view_then_base_inplace(T, x, w):
    h = x * 1
    col = h[:, 1]
    h.mul_(w)
    return col.sin()


def _loop_writes(T, x, w):
    out = T.zeros(3, 4, dtype=x.dtype)
    for i in range(3):
        out[i] = x[i] * w[2 - i]
    return out * out


CASES = [_sibling_view, _view_then_base_inplace, _loop_writes, _sliced_mul, _flat_add, _chain, _view_of_view, _graph_into_plain, _transposed, _diagonal,
         _as_strided, _overlapping, _setitem_view, _after_inplace_use, _unsqueezed, _broadcast_other,
         _promoting_other, _select_then_base]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("case", CASES, ids=[c.__name__.strip("_") for c in CASES])
def test_inplace_on_view(case, dtype):
    check(case, rand(3, 4, dtype=dtype), rand(3, 4, dtype=dtype))


@pytest.mark.parametrize("kind", ("T", "sliced"))
@pytest.mark.parametrize("dtype", FLOATS)
def test_strided_base(kind, dtype):
    """The base has a non-contiguous layout of its own: the view's region is found in its memory."""
    values = rand(3, 4, dtype=dtype)

    def fn(T, w):
        base = T.from_numpy(layout(values.copy(), kind))  # each library writes into its own copy
        base[1:, ::2].mul_(w)
        base.t()[0].add_(w[0, 0])
        return base * 1
    check(fn, rand(2, 2, dtype=dtype))


def test_grad_fn_names_and_edges():
    for T in (torch, ember):
        x = T.ones(3, 4, requires_grad=True)
        a = x.clone()
        v = a[1:]
        v.mul_(2)
        assert a.grad_fn.name() == "torch::autograd::CopySlices"
        assert v.grad_fn.name() == "AsStridedBackward0"
        assert v.grad_fn.next_functions[0][0] is a.grad_fn
        assert a.grad_fn.next_functions[0][0].name() == "CloneBackward0"
        assert a._version == v._version == 1
        a[[0]] = 5.0
        assert a.grad_fn.name() == "IndexPutBackward0"


def test_plain_base_joins_the_graph():
    for T in (torch, ember):
        w = T.ones(4, requires_grad=True)
        z = T.zeros(3, 4)
        z[1].copy_(w) if T is torch else z.__setitem__(1, w)
        assert z.requires_grad and z.grad_fn.name() == "torch::autograd::CopySlices"
        z.sum().backward()
        assert w.grad.tolist() == [1.0] * 4


def _both_raise(fn):
    """``fn(lib)`` raises RuntimeError with torch and with ember."""
    for T in (torch, ember):
        with pytest.raises(RuntimeError):
            fn(T)


def test_view_of_leaf_refuses_inplace():
    _both_raise(lambda T: T.ones(3, requires_grad=True)[1:].mul_(2))
    _both_raise(lambda T: T.ones(3, 2, requires_grad=True).t().add_(1))
    _both_raise(lambda T: T.ones(3, requires_grad=True).__setitem__(0, 2.0))


def test_modified_saved_tensor_is_detected():
    def fn(T):
        y = T.ones(3, 4, requires_grad=True) * 2
        z = y.sin()
        y[0].mul_(2)
        z.sum().backward()
    _both_raise(fn)


def test_inplace_views_without_grad_mode():
    for T in (torch, ember):
        x = T.ones(3, requires_grad=True)
        with T.no_grad():
            x[1:].mul_(3)
        assert x.grad_fn is None and x.tolist() == [1.0, 3.0, 3.0]


def test_detached_view_keeps_base_history():
    """``detach()`` shares memory but not history: an in-place op on it leaves the base's graph alone."""
    for T in (torch, ember):
        x = T.ones(2, 3, requires_grad=True)
        y = x * 2
        d = y.detach()
        d.mul_(T.full((2, 3), 3.0, requires_grad=True))
        assert y.grad_fn.name() == "MulBackward0" and y.tolist() == [[6.0] * 3] * 2
        x.detach()[0].add_(1)
        assert x.grad_fn is None and x.tolist()[0] == [2.0] * 3


GRADCHECK = [_sibling_view, _view_then_base_inplace, _loop_writes, _sliced_mul, _chain, _view_of_view, _graph_into_plain, _transposed, _diagonal, _as_strided,
             _overlapping, _setitem_view, _unsqueezed, _broadcast_other, _select_then_base]


@pytest.mark.parametrize("case", GRADCHECK, ids=[c.__name__.strip("_") for c in GRADCHECK])
def test_gradcheck(case):
    x = ember.tensor(rand(3, 4, dtype=np.float64), requires_grad=True)
    w = ember.tensor(rand(3, 4, dtype=np.float64, low=0.5, high=2.0), requires_grad=True)

    def fn(x, w):
        out = case(ember, x, w)
        return out if isinstance(out, ember.Tensor) else out[0]
    assert ember.autograd.gradcheck(fn, (x, w))
    assert ember.autograd.gradgradcheck(lambda x, w: fn(x, w) ** 2, (x, w))
