"""Shape ops (views and copies) against torch: values, dtypes, shapes, gradients, view semantics, errors."""
import numpy as np
import pytest
import torch

import ember
from oracle import check, check_raises, rand, layout, FLOATS

LAYOUTS = ("C", "T", "sliced")

# (id, fn(lib, x), input shape): each runs on every dtype and layout, with gradients.
UNARY = [
    ("t", lambda T, x: x.t(), (3, 4)),
    ("t_1d", lambda T, x: T.t(x), (4,)),
    ("t_0d", lambda T, x: x.t(), ()),
    ("transpose", lambda T, x: x.transpose(0, 2), (2, 3, 4)),
    ("transpose_neg", lambda T, x: T.transpose(x, -1, -3), (2, 3, 4)),
    ("transpose_0d", lambda T, x: x.transpose(0, -1), ()),
    ("swapaxes", lambda T, x: T.swapaxes(x, 0, 1), (2, 3, 4)),
    ("swapdims", lambda T, x: x.swapdims(1, 2), (2, 3, 4)),
    ("permute", lambda T, x: x.permute(2, 0, 1), (2, 3, 4)),
    ("permute_tuple", lambda T, x: T.permute(x, (1, -1, 0)), (2, 3, 4)),
    ("permute_0d", lambda T, x: x.permute(()), ()),
    ("movedim", lambda T, x: T.movedim(x, 0, -1), (2, 3, 4)),
    ("movedim_many", lambda T, x: x.movedim((0, 1), (2, 0)), (2, 3, 4)),
    ("moveaxis", lambda T, x: T.moveaxis(x, -1, 0), (2, 3, 4)),
    ("T", lambda T, x: x.T, (3, 4)),
    ("mT", lambda T, x: x.mT, (2, 3, 4)),
    ("adjoint", lambda T, x: T.adjoint(x), (2, 3, 4)),
    ("reshape", lambda T, x: x.reshape(6, 4), (2, 3, 4)),
    ("reshape_infer", lambda T, x: T.reshape(x, (-1, 2)), (2, 3, 4)),
    ("reshape_flat", lambda T, x: x.reshape(-1), (2, 3, 4)),
    ("reshape_0d", lambda T, x: x.reshape(1, 1), ()),
    ("reshape_to_0d", lambda T, x: x.reshape(()), (1, 1)),
    ("reshape_empty", lambda T, x: x.reshape(3, 0), (0, 3)),
    ("reshape_as", lambda T, x: x.reshape_as(T.zeros(4, 6)), (2, 3, 4)),
    ("view_contig", lambda T, x: x.contiguous().view(4, 6), (2, 3, 4)),
    ("view_infer", lambda T, x: x.contiguous().view(-1, 4), (2, 3, 4)),
    ("view_split_dim", lambda T, x: x.view(2, 3, 2, 2), (2, 3, 4)),
    ("view_as", lambda T, x: x.contiguous().view_as(T.zeros(12, 2)), (2, 3, 4)),
    ("flatten", lambda T, x: x.flatten(), (2, 3, 4)),
    ("flatten_from1", lambda T, x: T.flatten(x, 1), (2, 3, 4)),
    ("flatten_mid", lambda T, x: x.flatten(0, 1), (2, 3, 4)),
    ("flatten_neg", lambda T, x: x.flatten(-2, -1), (2, 3, 4)),
    ("flatten_same", lambda T, x: x.flatten(1, 1), (2, 3, 4)),
    ("flatten_0d", lambda T, x: x.flatten(), ()),
    ("unflatten", lambda T, x: x.unflatten(1, (3, 1)), (2, 3, 4)),
    ("unflatten_infer", lambda T, x: T.unflatten(x, -1, (2, -1)), (2, 3, 4)),
    ("squeeze_all", lambda T, x: x.squeeze(), (2, 1, 3, 1)),
    ("squeeze_dim", lambda T, x: T.squeeze(x, 1), (2, 1, 3, 1)),
    ("squeeze_not1", lambda T, x: x.squeeze(0), (2, 1, 3, 1)),
    ("squeeze_neg", lambda T, x: x.squeeze(-1), (2, 1, 3, 1)),
    ("squeeze_tuple", lambda T, x: x.squeeze((1, -1, 0)), (2, 1, 3, 1)),
    ("squeeze_0d", lambda T, x: x.squeeze(0), ()),
    ("squeeze_all_ones", lambda T, x: x.squeeze(), (1, 1)),
    ("unsqueeze0", lambda T, x: x.unsqueeze(0), (2, 3)),
    ("unsqueeze_end", lambda T, x: T.unsqueeze(x, -1), (2, 3)),
    ("unsqueeze_mid", lambda T, x: x.unsqueeze(1), (2, 3)),
    ("unsqueeze_0d", lambda T, x: x.unsqueeze(0), ()),
    ("expand", lambda T, x: x.expand(2, 3, 4), (3, 1)),
    ("expand_keep", lambda T, x: x.expand(-1, 5), (3, 1)),
    ("expand_same", lambda T, x: x.expand(3, 1), (3, 1)),
    ("expand_0d", lambda T, x: x.expand(2, 2), ()),
    ("expand_as", lambda T, x: x.expand_as(T.zeros(4, 3, 2)), (3, 1)),
    ("repeat", lambda T, x: x.repeat(2, 1, 3), (3, 2)),
    ("repeat_same", lambda T, x: x.repeat(1, 1), (3, 2)),
    ("repeat_zero", lambda T, x: x.repeat(0, 2), (3, 2)),
    ("repeat_0d", lambda T, x: x.repeat(3), ()),
    ("tile", lambda T, x: x.tile((2,)), (3, 2)),
    ("tile_more", lambda T, x: T.tile(x, (2, 1, 2)), (3, 2)),
    ("narrow", lambda T, x: x.narrow(1, 1, 2), (2, 3, 4)),
    ("narrow_neg", lambda T, x: T.narrow(x, -1, -3, 2), (2, 3, 4)),
    ("narrow_empty", lambda T, x: x.narrow(0, 2, 0), (2, 3, 4)),
    ("select", lambda T, x: x.select(1, -1), (2, 3, 4)),
    ("select_1d", lambda T, x: T.select(x, 0, 2), (4,)),
    ("split", lambda T, x: x.split(2, 1), (2, 3, 4)),
    ("split_sizes", lambda T, x: T.split(x, [1, 0, 3], -1), (2, 3, 4)),
    ("split_big", lambda T, x: x.split(5), (2, 3, 4)),
    ("split_empty", lambda T, x: x.split(2), (0, 3)),
    ("chunk", lambda T, x: x.chunk(2, -1), (2, 3, 4)),
    ("chunk_uneven", lambda T, x: T.chunk(x, 3, 0), (5, 2)),
    ("chunk_fewer", lambda T, x: x.chunk(4, 0), (5, 2)),
    ("chunk_empty", lambda T, x: x.chunk(2, 0), (0, 2)),
    ("unbind", lambda T, x: x.unbind(1), (2, 3, 4)),
    ("unbind_neg", lambda T, x: T.unbind(x, -1), (2, 3)),
    ("flip", lambda T, x: x.flip(0), (2, 3, 4)),
    ("flip_many", lambda T, x: T.flip(x, (0, 2)), (2, 3, 4)),
    ("flip_0d", lambda T, x: x.flip(()), ()),
    ("fliplr", lambda T, x: T.fliplr(x), (2, 3)),
    ("flipud", lambda T, x: x.flipud(), (2, 3)),
    ("roll", lambda T, x: x.roll(1, 0), (2, 3, 4)),
    ("roll_many", lambda T, x: T.roll(x, (1, -2), (0, 2)), (2, 3, 4)),
    ("roll_flat", lambda T, x: x.roll(5), (2, 3, 4)),
    ("roll_big", lambda T, x: x.roll(7, -1), (2, 3)),
    ("as_strided", lambda T, x: x.contiguous().as_strided((2, 2), (1, 2), 1), (2, 3, 4)),
    ("as_strided_overlap", lambda T, x: T.as_strided(x, (3, 3), (1, 1)), (2, 3)),
    ("as_strided_view", lambda T, x: x[1:].as_strided((2, 2), (2, 1)), (5,)),
    ("tril", lambda T, x: x.tril(), (3, 4)),
    ("tril_k", lambda T, x: T.tril(x, -1), (2, 3, 4)),
    ("triu", lambda T, x: x.triu(), (3, 4)),
    ("triu_k", lambda T, x: T.triu(x, 2), (2, 4, 3)),
    ("diagonal", lambda T, x: x.diagonal(), (3, 4)),
    ("diagonal_offset", lambda T, x: T.diagonal(x, 1), (3, 4)),
    ("diagonal_neg", lambda T, x: x.diagonal(-1, 1, 2), (2, 3, 4)),
    ("diagonal_swapped", lambda T, x: x.diagonal(1, -1, 0), (3, 2, 4)),
    ("diagonal_past", lambda T, x: x.diagonal(5), (3, 4)),
    ("diag_1d", lambda T, x: T.diag(x), (3,)),
    ("diag_1d_k", lambda T, x: x.diag(-2), (3,)),
    ("diag_2d", lambda T, x: T.diag(x, 1), (3, 4)),
    ("diag_embed", lambda T, x: T.diag_embed(x), (2, 3)),
    ("diag_embed_dims", lambda T, x: T.diag_embed(x, 1, 0, 2), (2, 3)),
    ("atleast_1d", lambda T, x: T.atleast_1d(x), ()),
    ("atleast_2d", lambda T, x: T.atleast_2d(x), (3,)),
    ("atleast_3d_1d", lambda T, x: T.atleast_3d(x), (3,)),
    ("atleast_3d_2d", lambda T, x: T.atleast_3d(x), (2, 3)),
]

# (id, fn(lib, a, b), shape of a, shape of b)
BINARY = [
    ("cat0", lambda T, a, b: T.cat([a, b]), (2, 3), (1, 3)),
    ("cat1", lambda T, a, b: T.cat((a, b), 1), (2, 3), (2, 1)),
    ("cat_neg", lambda T, a, b: T.cat([a, b, a], dim=-1), (2, 3), (2, 2)),
    ("cat_legacy_empty", lambda T, a, b: T.cat([a, b]), (2, 3), (0,)),
    ("cat_empty_dim", lambda T, a, b: T.concat([a, b], 0), (2, 3), (0, 3)),
    ("concatenate", lambda T, a, b: T.concatenate([a, b], 1), (2, 3), (2, 3)),
    ("cat_1d", lambda T, a, b: T.cat([a, b]), (3,), (2,)),
    ("stack0", lambda T, a, b: T.stack([a, b]), (2, 3), (2, 3)),
    ("stack_neg", lambda T, a, b: T.stack((a, b), -1), (2, 3), (2, 3)),
    ("stack_0d", lambda T, a, b: T.stack([a, b, a]), (), ()),
    ("hstack", lambda T, a, b: T.hstack([a, b]), (2, 3), (2, 1)),
    ("hstack_1d", lambda T, a, b: T.hstack([a, b]), (3,), (2,)),
    ("vstack", lambda T, a, b: T.vstack([a, b]), (3,), (3,)),
    ("row_stack", lambda T, a, b: T.row_stack([a, b]), (2, 3), (1, 3)),
    ("dstack", lambda T, a, b: T.dstack([a, b]), (2, 3), (2, 3)),
    ("column_stack", lambda T, a, b: T.column_stack([a, b]), (3,), (3, 2)),
    ("expand_add", lambda T, a, b: a.expand(2, 3) * b, (3,), (2, 3)),
]


def _array(shape, dtype, kind):
    return layout(rand(*shape, dtype=dtype), kind) if shape else rand(*shape, dtype=dtype)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("kind", LAYOUTS)
@pytest.mark.parametrize("case", UNARY, ids=[c[0] for c in UNARY])
def test_unary_shape_op(case, kind, dtype):
    _, fn, shape = case
    check(fn, _array(shape, dtype, kind))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("kind", LAYOUTS)
@pytest.mark.parametrize("case", BINARY, ids=[c[0] for c in BINARY])
def test_binary_shape_op(case, kind, dtype):
    _, fn, sa, sb = case
    check(fn, _array(sa, dtype, kind), _array(sb, dtype, kind))


@pytest.mark.parametrize("case", [
    ("cat_promote", lambda T, a, b: T.cat([a, b]), np.float32, np.float64),
    ("cat_int_float", lambda T, a, b: T.cat([a, b], 1), np.int64, np.float32),
    ("stack_promote", lambda T, a, b: T.stack([a, b], 1), np.float64, np.float32),
], ids=lambda c: c[0])
def test_join_promotes(case):
    _, fn, da, db = case
    check(fn, rand(2, 3, dtype=da), rand(2, 3, dtype=db))


def test_shape_ops_on_integers_and_bools():
    check(lambda T, x: (x.t(), x.reshape(-1), x.flip(0), x.roll(1), x.tril(), x.repeat(2, 1),
                        x.unsqueeze(0).expand(2, 3, 4), T.cat([x, x]), x.diagonal()),
          rand(3, 4, dtype=np.int64, low=-5, high=5))
    check(lambda T, x: (x.permute(1, 0), x.split(1), T.stack([x, x]), x.triu()), rand(3, 4, dtype=np.bool_))


# ---------------------------------------------------------------------------- view semantics
VIEWS = [
    lambda T, y: y.t(),
    lambda T, y: y.transpose(0, 1),
    lambda T, y: y.permute(1, 0),
    lambda T, y: y.view(-1),
    lambda T, y: y.reshape(3, 2, 2),
    lambda T, y: y.flatten(),
    lambda T, y: y.unflatten(1, (2, 2)),
    lambda T, y: y.unsqueeze(1),
    lambda T, y: y[:1].squeeze(0),
    lambda T, y: y.narrow(1, 1, 2),
    lambda T, y: y.select(0, 1),
    lambda T, y: y.diagonal(1),
    lambda T, y: y.movedim(0, 1),
    lambda T, y: y.as_strided((2, 2), (4, 1), 1),
    lambda T, y: y.mT,
    lambda T, y: T.atleast_3d(y),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("index", range(len(VIEWS)))
def test_views_share_memory(index, dtype):
    """Writing through a view changes its base (and the base's gradient is torch's)."""
    make = VIEWS[index]

    def fn(T, x):
        y = x * 1
        v = make(T, y)
        v.mul_(3)
        return y, v
    check(fn, rand(3, 4, dtype=dtype))
    base = ember.from_numpy(rand(3, 4, dtype=dtype))
    view = make(ember, base)
    assert view._base is base and view._version == base._version
    view.add_(1)
    assert base._version == view._version == 1


@pytest.mark.parametrize("make", [
    lambda T, y: y.reshape(-1), lambda T, y: y.flip(0), lambda T, y: y.repeat(1, 1),
    lambda T, y: T.cat([y]), lambda T, y: y.roll(1), lambda T, y: y.tril(), lambda T, y: T.stack([y]),
    lambda T, y: T.diag(y)])
def test_copies_do_not_share_memory(make):
    """Ops that copy in torch copy here: a write to the result leaves the input alone."""
    arr = np.asfortranarray(rand(3, 3))
    before = arr.copy()
    make(ember, ember.from_numpy(arr)).zero_()
    np.testing.assert_array_equal(arr, before)


@pytest.mark.parametrize("make", [lambda y: y.split(2, 1)[1], lambda y: y.chunk(3)[2],
                                  lambda y: y.unbind(1)[3], lambda y: y.split([1, 3], 1)[0]])
def test_multi_output_views_refuse_inplace(make):
    """torch forbids in-place ops on the views split/chunk/unbind return (when graphed)."""
    check_raises(lambda T, x: make(x.requires_grad_() * 1).mul_(2), rand(3, 4))
    y = ember.zeros(3, 4)
    make(y).add_(1)  # without autograd it is a plain write through the view
    assert y.sum().item() > 0


def test_view_of_noncontiguous_raises_and_reshape_copies():
    check_raises(lambda T, x: x.t().view(-1), rand(3, 4))
    with pytest.raises(RuntimeError, match="view size is not compatible with input tensor's size and "
                                           r"stride \(at least one dimension spans across two "
                                           r"contiguous subspaces\). Use .reshape\(...\) instead."):
        ember.zeros(3, 4).t().view(12)
    x = ember.zeros(3, 4, requires_grad=True)
    r = x.t().reshape(-1)
    assert r._base is None and r.grad_fn.name() == "UnsafeViewBackward0"
    assert x.reshape(4, 3)._base is x and x.reshape(4, 3).grad_fn.name() == "ViewBackward0"


def test_view_dtype():
    check(lambda T, x: (x.view(T.int32), x.view(T.float32)), rand(2, 4), grad=False)
    check(lambda T, x: x.view(T.int16), rand(2, 4), grad=False)
    check_raises(lambda T, x: x.t().view(T.int16), rand(2, 4))


def test_expanded_tensor_rejects_inplace_write():
    check_raises(lambda T, x: x.expand(3, 4).add_(1), rand(1, 4))
    check_raises(lambda T, x: x.expand(3, 4).mul_(T.ones(3, 4, requires_grad=True)), rand(1, 4))


@pytest.mark.parametrize("fn", [
    lambda T, y: y.t(), lambda T, y: y.permute(1, 0), lambda T, y: y.view(-1), lambda T, y: y.expand(2, 3, 4),
    lambda T, y: y.squeeze(), lambda T, y: y.unsqueeze(0), lambda T, y: y.split(2, 1), lambda T, y: y.unbind(),
    lambda T, y: y.diagonal(), lambda T, y: y.narrow(0, 1, 1), lambda T, y: y.select(1, 0),
    lambda T, y: y.as_strided((2,), (2,)), lambda T, y: y.flip(0), lambda T, y: y.roll(1, 1),
    lambda T, y: y.tril(), lambda T, y: y.repeat(2, 2), lambda T, y: T.cat([y, y]), lambda T, y: T.stack([y, y]),
    lambda T, y: y.flatten(), lambda T, y: y.reshape(4, 3), lambda T, y: y.chunk(2)])
def test_grad_fn_names(fn):
    def names(T):
        x = T.ones(3, 4, requires_grad=True) * 1
        out = fn(T, x)
        outs = out if isinstance(out, tuple) else (out,)
        return [o.grad_fn.name() for o in outs]
    assert names(ember) == names(torch)


# ---------------------------------------------------------------------------- errors
ERRORS = [
    lambda T, x: x.t(),
    lambda T, x: x.transpose(0, 3),
    lambda T, x: x.permute(0, 1),
    lambda T, x: x.permute(0, 0, 1),
    lambda T, x: x.permute(0, 1, 3),
    lambda T, x: x.reshape(5, 5),
    lambda T, x: x.reshape(-1, -1),
    lambda T, x: x.reshape(-2, 12),
    lambda T, x: x.view(7, -1),
    lambda T, x: T.zeros(0, 3).view(-1, 0),
    lambda T, x: x.flatten(2, 1),
    lambda T, x: x.flatten(0, 3),
    lambda T, x: x.unflatten(1, (2, 2)),
    lambda T, x: x.unflatten(1, ()),
    lambda T, x: x.squeeze(3),
    lambda T, x: x.squeeze((0, 0)),
    lambda T, x: x.unsqueeze(4),
    lambda T, x: x.unsqueeze(-5),
    lambda T, x: x.expand(3, 3, 4),
    lambda T, x: x.expand(3, 4),
    lambda T, x: x.expand(-1, 2, 3, 4),
    lambda T, x: x.repeat(2, 1),
    lambda T, x: x.repeat(-1, 1, 1),
    lambda T, x: T.cat([x, x[:, :2]], 0),
    lambda T, x: T.cat([x, x[0]]),
    lambda T, x: T.cat([x, x], 3),
    lambda T, x: T.cat([]),
    lambda T, x: T.cat([x[0, 0, 0]]),
    lambda T, x: T.cat(x),
    lambda T, x: T.stack([x, x[:, :2]]),
    lambda T, x: T.stack([]),
    lambda T, x: T.stack([x], 4),
    lambda T, x: x.split(0, 1),
    lambda T, x: x.split([1, 1], 1),
    lambda T, x: x.split(2, 3),
    lambda T, x: x.chunk(0),
    lambda T, x: x.unbind(3),
    lambda T, x: x.narrow(1, 2, 2),
    lambda T, x: x.narrow(1, 4, 1),
    lambda T, x: x.narrow(3, 0, 1),
    lambda T, x: x.narrow(1, 0, -1),
    lambda T, x: x.select(1, 3),
    lambda T, x: x.select(3, 0),
    lambda T, x: x.flip(0, 0),
    lambda T, x: x.flip(3),
    lambda T, x: x.roll(1, (0, 1)),
    lambda T, x: x.roll((1, 2)),
    lambda T, x: x.roll(1, 3),
    lambda T, x: x.movedim((0, 1), 2),
    lambda T, x: x.movedim((0, 0), (1, 2)),
    lambda T, x: x.as_strided((5, 5), (5, 1)),
    lambda T, x: x[0, 0].tril(),
    lambda T, x: x[0, 0].triu(),
    lambda T, x: x.diagonal(0, 1, 1),
    lambda T, x: x.diagonal(0, 0, 3),
    lambda T, x: x.diag(),
    lambda T, x: x[0, 0].mT,
    lambda T, x: x[0, 0].fliplr(),
    lambda T, x: T.diag_embed(x, 0, 1, 1),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_errors(index):
    check_raises(ERRORS[index], rand(2, 3, 4))


@pytest.mark.parametrize("fn, shape, message", [
    (lambda T, x: T.cat([x, x[:1, :2]], 1), (2, 3), "Sizes of tensors must match except in dimension 1. "
     "Expected size 2 but got size 1 for tensor number 1 in the list."),
    (lambda T, x: x.reshape(5, 5), (2, 3, 4), "shape '[5, 5]' is invalid for input of size 24"),
    (lambda T, x: x.expand(3, 3, 4), (2, 3, 4), "The expanded size of the tensor (3) must match the "
     "existing size (2) at non-singleton dimension 0.  Target sizes: [3, 3, 4].  Tensor sizes: [2, 3, 4]"),
    (lambda T, x: x.split([1, 1], 1), (2, 3), "split_with_sizes expects split_sizes to sum exactly to 3 "
     "(input tensor's size at dimension 1), but got split_sizes=[1, 1]"),
    (lambda T, x: x.transpose(0, 5), (2, 3), "Dimension out of range (expected to be in range of "
     "[-2, 1], but got 5)"),
    (lambda T, x: T.stack([x, x[:1]]), (2, 3), "stack expects each tensor to be equal size, but got "
     "[2, 3] at entry 0 and [1, 3] at entry 1"),
])
def test_error_messages(fn, shape, message):
    """The messages are torch's, word for word."""
    for T in (torch, ember):
        with pytest.raises(Exception) as info:
            fn(T, T.zeros(*shape))
        assert str(info.value).split("\n")[0] == message


# ---------------------------------------------------------------------------- float64 gradcheck
GRADCHECK = [
    (lambda x: x.t(), (3, 4)),
    (lambda x: x.transpose(0, 2), (2, 3, 4)),
    (lambda x: x.permute(2, 0, 1), (2, 3, 4)),
    (lambda x: x.reshape(4, 6), (2, 3, 4)),
    (lambda x: x.t().reshape(-1), (3, 4)),
    (lambda x: x.squeeze(1), (2, 1, 3)),
    (lambda x: x.unsqueeze(1), (2, 3)),
    (lambda x: x.expand(2, 3, 4), (3, 1)),
    (lambda x: x.repeat(2, 1, 2), (3, 2)),
    (lambda x: ember.cat([x, x * 2], 1), (2, 3)),
    (lambda x: ember.stack([x, x * x], -1), (2, 3)),
    (lambda x: x.split([1, 2], 1)[1] * x.split([1, 2], 1)[0], (2, 3)),
    (lambda x: x.unbind(0)[1], (2, 3)),
    (lambda x: x.narrow(1, 1, 2), (2, 3)),
    (lambda x: x.select(0, -1), (2, 3)),
    (lambda x: x.flip((0, 1)), (2, 3)),
    (lambda x: x.roll((1, 2), (0, 1)), (2, 3)),
    (lambda x: x.as_strided((3, 3), (1, 1)), (2, 3)),
    (lambda x: x.tril(-1) + x.triu(1), (3, 4)),
    (lambda x: x.diagonal(1, 0, 2), (3, 2, 4)),
    (lambda x: ember.diag(x), (3,)),
    (lambda x: ember.diag_embed(x, -1), (2, 3)),
    (lambda x: x.movedim(0, -1), (2, 3, 4)),
]


@pytest.mark.parametrize("index", range(len(GRADCHECK)))
def test_gradcheck(index):
    fn, shape = GRADCHECK[index]
    x = ember.tensor(rand(*shape, dtype=np.float64), requires_grad=True)
    assert ember.autograd.gradcheck(fn, (x,))
    assert ember.autograd.gradgradcheck(lambda x: fn(x) * fn(x), (x,))
