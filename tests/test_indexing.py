"""Indexing (``t[i]``, ``t[i] = v``) and the index-driven ops against torch, with gradients."""
import numpy as np
import pytest
import torch

import ember
from oracle import check, check_raises, rand, layout, FLOATS

LAYOUTS = ("C", "T", "sliced")


def _x(dtype, kind, shape=(3, 4, 5)):
    return layout(rand(*shape, dtype=dtype), kind)


def _long(T, values):
    return T.tensor(values, dtype=T.int64)


# ---------------------------------------------------------------------------- t[index]
GET = [
    ("int", lambda T, x: x[0]),
    ("neg_int", lambda T, x: x[-1]),
    ("ints", lambda T, x: x[1, -2]),
    ("all_ints", lambda T, x: x[2, 3, 4]),
    ("slice", lambda T, x: x[1:]),
    ("step", lambda T, x: x[::2]),
    ("slices", lambda T, x: x[1:3, ::2, -3:]),
    ("slice_past_end", lambda T, x: x[2:10, -10:2]),
    ("slice_empty", lambda T, x: x[1:1]),
    ("full_slice", lambda T, x: x[:]),
    ("ellipsis", lambda T, x: x[...]),
    ("ellipsis_int", lambda T, x: x[..., 0]),
    ("ellipsis_mid", lambda T, x: x[1, ..., 1:]),
    ("two_ellipses", lambda T, x: x[..., ...]),
    ("none", lambda T, x: x[None]),
    ("none_mid", lambda T, x: x[:, None, 1]),
    ("none_end", lambda T, x: x[..., None]),
    ("tensor_0d", lambda T, x: x[_long(T, 1)]),
    ("tensor_0d_mixed", lambda T, x: x[_long(T, 1), :, _long(T, -1)]),
    ("list", lambda T, x: x[[0, 2]]),
    ("list_repeats", lambda T, x: x[[1, 1, 0, 1]]),
    ("tensor", lambda T, x: x[_long(T, [2, 0])]),
    ("int32_tensor", lambda T, x: x[T.tensor([2, 0], dtype=T.int32)]),
    ("negative_indices", lambda T, x: x[:, [-1, 0, -4]]),
    ("tensor_2d", lambda T, x: x[_long(T, [[0, 1], [2, 1]])]),
    ("two_tensors", lambda T, x: x[[0, 2], [3, 1]]),
    ("broadcast_tensors", lambda T, x: x[[[0], [2]], [3, 1, 1]]),
    ("adv_after_slice", lambda T, x: x[:, [2, 0]]),
    ("adv_last", lambda T, x: x[..., [4, 0, 4]]),
    ("int_then_adv", lambda T, x: x[0, :, [1, 2]]),
    ("separated_adv", lambda T, x: x[[0, 1], :, [1, 2]]),
    ("adv_none_adv", lambda T, x: x[[0, 1], None, [1, 2]]),
    ("slice_adv_slice", lambda T, x: x[1:, [3, 0, 0], ::2]),
    ("empty_list", lambda T, x: x[[]]),
    ("empty_tensor", lambda T, x: x[:, _long(T, [])]),
    ("mask_full", lambda T, x: x[x > 0]),
    ("mask_leading", lambda T, x: x[x[:, :, 0] > 0]),
    ("mask_dim1", lambda T, x: x[:, T.tensor([True, False, True, True])]),
    ("mask_list", lambda T, x: x[[True, False, True]]),
    ("mask_and_int", lambda T, x: x[1, T.tensor([True, False, True, True])]),
    ("mask_and_adv", lambda T, x: x[[0, 1], T.tensor([False, True, False, True])]),
    ("true", lambda T, x: x[True]),
    ("false", lambda T, x: x[False]),
    ("true_tensor", lambda T, x: x[T.tensor(True)]),
    ("tuple_of_lists", lambda T, x: x[([0, 1], [1, 2])]),
    ("list_of_lists", lambda T, x: x[[[0, 1], [1, 2]]]),
    ("numpy_index", lambda T, x: x[np.array([2, 1])]),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("kind", LAYOUTS)
@pytest.mark.parametrize("case", GET, ids=[c[0] for c in GET])
def test_getitem(case, kind, dtype):
    check(case[1], _x(dtype, kind))


@pytest.mark.parametrize("shape, fn", [
    ((), lambda T, x: x[...]),
    ((), lambda T, x: x[None]),
    ((), lambda T, x: x[True]),
    ((), lambda T, x: x[x > 0]),
    ((1,), lambda T, x: x[0]),
    ((1,), lambda T, x: x[[0, 0, 0]]),
    ((0, 3), lambda T, x: x[:, 1]),
    ((0, 3), lambda T, x: x[x > 0]),
    ((0, 3), lambda T, x: x[[]]),
    ((4,), lambda T, x: x[1:4:2]),
])
def test_getitem_edge_shapes(shape, fn):
    check(fn, rand(*shape, dtype=np.float64))


def test_getitem_integer_and_bool_tensors():
    check(lambda T, x: (x[1], x[:, [0, 2]], x[x > 0], x[..., None]), rand(3, 4, dtype=np.int64, low=-3, high=3))
    check(lambda T, x: (x[1], x[[0, 2]], x[x]), rand(3, 4, dtype=np.bool_))


def test_basic_indexing_returns_views():
    base = ember.zeros(3, 4)
    for index in (0, (slice(1, None), 2), (None, Ellipsis), (Ellipsis, 1), slice(None, None, 2)):
        view = base[index]
        assert view._base is base
        view.add_(1)
    check(lambda T, x: (lambda v: (v, v[0].add_(1), x)[2])(x[1:, None, ::2]), rand(3, 4), grad=False)
    assert base[[0, 1]]._base is None and base[base > 0]._base is None


@pytest.mark.parametrize("index", [0, (1, slice(None)), slice(1, 3), (Ellipsis, 2), None, [0, 2], (0, [1, 2])])
def test_getitem_grad_fn_names(index):
    names = []
    for T in (torch, ember):
        y = T.ones(3, 4, requires_grad=True) * 1
        node = y[index].grad_fn
        names.append([node.name()] + [n.name() for n, _ in node.next_functions if n is not None])
    assert names[0] == names[1]


GET_ERRORS = [
    lambda T, x: x[3],
    lambda T, x: x[-4],
    lambda T, x: x[0, 4],
    lambda T, x: x[0, 0, 0, 0],
    lambda T, x: x[..., 0, 0, 0, 0],
    lambda T, x: x[[3]],
    lambda T, x: x[:, [0, -5]],
    lambda T, x: x[::-1],
    lambda T, x: x[::0],
    lambda T, x: x[1.5],
    lambda T, x: x[T.tensor([1.0])],
    lambda T, x: x[T.tensor([True, False])],
    lambda T, x: x[x[0] > 0],
    lambda T, x: x[[0, 1], [0, 1, 2]],
    lambda T, x: x["a"],
]


@pytest.mark.parametrize("index", range(len(GET_ERRORS)))
def test_getitem_errors(index):
    check_raises(GET_ERRORS[index], rand(3, 4, 5))


def test_getitem_error_messages():
    for T in (torch, ember):
        x = T.zeros(3, 4)
        with pytest.raises(IndexError, match=r"^index 5 is out of bounds for dimension 0 with size 3$"):
            x[5]
        with pytest.raises(IndexError, match=r"^index 5 is out of bounds for dimension 0 with size 3$"):
            x[[0, 5]]
        with pytest.raises(IndexError, match=r"^too many indices for tensor of dimension 2$"):
            x[0, 0, 0]
        with pytest.raises(IndexError, match=r"^The shape of the mask \[2\] at index 0 does not match the "
                                             r"shape of the indexed tensor \[3, 4\] at index 0$"):
            x[T.tensor([True, False])]


# ---------------------------------------------------------------------------- t[index] = value
def _assign(index, value=None):
    """fn(lib, x, v): y = x * 1; y[index] = v (or ``value``); return y."""
    def fn(T, x, v):
        y = x * 1
        y[index(T) if callable(index) else index] = v if value is None else value
        return y
    return fn


SET = [
    ("int", _assign(0), (5,)),
    ("int_broadcast_rows", _assign(1), (1, 5)),
    ("number", _assign((slice(None), 1), 2.5), (1,)),
    ("slices", _assign((slice(1, None), slice(None, None, 2)), None), (5,)),
    ("ellipsis", _assign((Ellipsis, 0)), (4,)),
    ("none", _assign((None, 1)), (4, 5)),
    ("everything", _assign(Ellipsis), (5,)),
    ("scalar_tensor", _assign((0, 1, 2)), ()),
    ("list", _assign([0, 2]), (4, 5)),
    ("list_broadcast", _assign([0, 2]), (5,)),
    ("two_lists", _assign(([0, 2], [1, 3])), (2, 5)),
    ("int_and_list", _assign((1, [0, 3])), (5,)),
    ("slice_and_list", _assign((slice(None), [3, 0])), (3, 2, 5)),
    ("separated_adv", _assign(([0, 1], slice(None), [1, 2])), (2, 4)),
    ("mask", _assign(lambda T: T.tensor([True, False, True])), (4, 5)),
    ("mask_number", _assign(lambda T: T.tensor([[True, False, True, True]] * 3), -1.0), (1,)),
    ("tensor_index", _assign(lambda T: T.tensor([2, 0])), (1, 5)),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("kind", LAYOUTS)
@pytest.mark.parametrize("case", SET, ids=[c[0] for c in SET])
def test_setitem(case, kind, dtype):
    _, fn, vshape = case
    check(fn, _x(dtype, kind), layout(rand(*vshape, dtype=dtype), kind) if vshape else rand(dtype=dtype))


def test_setitem_mask_from_values():
    check(lambda T, x, v: (lambda y: (y.__setitem__(x > 0, v), y)[1])(x * 1), rand(3, 4), rand())


def test_setitem_on_tensor_without_grad():
    """Writing a graphed value into a plain tensor makes it part of the graph (CopySlices / IndexPut)."""
    def fn(T, v):
        z = T.zeros(3, 4)
        z[1] = v * 2
        z[[0, 2], 1:3] = v[:2]
        return z
    check(fn, rand(4))


def test_setitem_without_autograd():
    def fn(T, x, v):
        x = x.clone()
        x[0] = v
        x[:, 1] = 7
        x[[1, 2], [0, 0]] = -1.5
        x[x > 1] = 0
        x[..., -1] = v[:3]
        return x
    check(fn, rand(3, 4), rand(4), grad=False)
    check(lambda T, x: (lambda y: (y.__setitem__(0, 2.7), y.__setitem__((1, [0, 2]), -1.2), y)[2])(x.clone()),
          rand(3, 4, dtype=np.int64, low=0, high=9), grad=False)
    with ember.no_grad():
        leaf = ember.zeros(3, requires_grad=True)
        leaf[0] = 1.0
    assert leaf.tolist() == [1.0, 0.0, 0.0] and leaf._version == 1


SET_ERRORS = [
    lambda T, x: x.__setitem__(0, T.ones(3)),
    lambda T, x: x.__setitem__(0, T.ones(2, 5)),
    lambda T, x: x.__setitem__(slice(1, 2), T.ones(2, 5)),
    lambda T, x: x.__setitem__([0, 1], T.ones(3)),
    lambda T, x: x.__setitem__(x > 0, T.ones(1000)),
    lambda T, x: x.__setitem__(5, 1.0),
    lambda T, x: x.__setitem__((0, 0, 0), 1.0),
    lambda T, x: x[:, :1].expand(4, 5).__setitem__(0, 1.0),
    lambda T, x: x.requires_grad_().__setitem__(0, 1.0),
    lambda T, x: x.requires_grad_().__setitem__([0], 1.0),
]


@pytest.mark.parametrize("index", range(len(SET_ERRORS)))
def test_setitem_errors(index):
    check_raises(SET_ERRORS[index], rand(4, 5))


# ---------------------------------------------------------------------------- index-driven ops
OPS = [
    ("gather", lambda T, x, s: x.gather(1, _long(T, [[0, 2, 2, 1], [1, 1, 0, 0], [2, 0, 1, 0]]))),
    ("gather_smaller", lambda T, x, s: T.gather(x, 0, _long(T, [[2, 0], [1, 1]]))),
    ("gather_neg_dim", lambda T, x, s: x.gather(-1, _long(T, [[3], [0], [3]]))),
    ("scatter_src", lambda T, x, s: x.scatter(1, _long(T, [[0, 2], [3, 1], [1, 0]]), s[:, :2])),
    ("scatter_int32", lambda T, x, s: x.scatter(1, T.tensor([[3], [1], [0]], dtype=T.int32), s[:, :1])),
    ("scatter_value", lambda T, x, s: T.scatter(x, 0, _long(T, [[2, 0, 1, 2]]), 1.5)),
    ("scatter_add", lambda T, x, s: x.scatter_add(1, _long(T, [[0, 0], [3, 1], [1, 1]]), s[:, 1:3])),
    ("scatter_add_dim0",
     lambda T, x, s: T.scatter_add(x, 0, _long(T, [[0, 0, 2, 2], [0, 1, 2, 0]]), s[:2])),
    ("index_select", lambda T, x, s: x.index_select(1, _long(T, [3, 0, 0]))),
    ("index_select_0d", lambda T, x, s: T.index_select(x, 0, _long(T, 2))),
    ("index_select_int32", lambda T, x, s: x.index_select(-1, T.tensor([1, 2], dtype=T.int32))),
    ("index_add", lambda T, x, s: x.index_add(1, _long(T, [3, 0, 3]), s[:, :3])),
    ("index_add_alpha", lambda T, x, s: T.index_add(x, 0, _long(T, [2, 2]), s[:2, :4], alpha=-2)),
    ("index_copy", lambda T, x, s: x.index_copy(1, _long(T, [3, 0]), s[:, :2])),
    ("index_fill", lambda T, x, s: x.index_fill(1, _long(T, [3, 0]), -1.0)),
    ("index_fill_tensor", lambda T, x, s: x.index_fill(0, _long(T, [1]), s[0, 0])),
    ("masked_fill", lambda T, x, s: x.masked_fill(s > 0, 0.5)),
    ("masked_fill_tensor", lambda T, x, s: T.masked_fill(x, s > 0, s[1, 1])),
    ("masked_fill_broadcast", lambda T, x, s: x.masked_fill(s[0] > 0, -2.0)),
    ("masked_fill_bigger_mask", lambda T, x, s: x[0].masked_fill(s > 0, -2.0)),
    ("masked_select", lambda T, x, s: x.masked_select(s > 0)),
    ("masked_select_broadcast", lambda T, x, s: T.masked_select(x[1], s > 0)),
    ("masked_scatter", lambda T, x, s: x.masked_scatter(s > 0, s * 3)),
    ("masked_scatter_bigger", lambda T, x, s: x.masked_scatter(x > 0, T.cat([s, s]).reshape(4, 6))),
    ("take", lambda T, x, s: x.take(_long(T, [[0, 11], [-1, 5]]))),
    ("put", lambda T, x, s: x.put(_long(T, [0, 11, -1]), s[0, :3])),
    ("put_accumulate", lambda T, x, s: x.put(_long(T, [1, 1, 2]), s[1, :3], accumulate=True)),
    ("index_put", lambda T, x, s: T.index_put(x, (_long(T, [0, 2]), _long(T, [1, 1])), s[0, :2])),
    ("index_put_accumulate",
     lambda T, x, s: x.index_put((_long(T, [0, 0, 2]),), s[:3], accumulate=True)),
    ("index_put_mask", lambda T, x, s: x.index_put((s > 0,), s[0, 0])),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("kind", LAYOUTS)
@pytest.mark.parametrize("case", OPS, ids=[c[0] for c in OPS])
def test_index_op(case, kind, dtype):
    check(case[1], _x(dtype, kind, (3, 4)), _x(dtype, kind, (3, 4)))


INPLACE_OPS = [
    lambda T, y, s: y.scatter_(1, _long(T, [[0, 2], [3, 1], [1, 0]]), s[:, :2]),
    lambda T, y, s: y.scatter_(0, _long(T, [[2, 0, 1, 2]]), value=3.0),
    lambda T, y, s: y.scatter_add_(1, _long(T, [[0, 0], [3, 1], [1, 1]]), s[:, 2:]),
    lambda T, y, s: y.index_add_(1, _long(T, [3, 0, 3]), s[:, :3], alpha=0.5),
    lambda T, y, s: y.index_copy_(1, _long(T, [3, 0]), s[:, :2]),
    lambda T, y, s: y.index_fill_(1, _long(T, [3, 0]), s[2, 2]),
    lambda T, y, s: y.masked_fill_(s > 0, 2.0),
    lambda T, y, s: y.masked_fill_(s[1] > 0, s[0, 0]),
    lambda T, y, s: y.masked_scatter_(s > 0, s * 2),
    lambda T, y, s: y.put_(_long(T, [0, 11, 5]), s[0, :3]),
    lambda T, y, s: y.index_put_((_long(T, [0, 2]),), s[1], accumulate=True),
    lambda T, y, s: y[1:].masked_fill_(s[1:] > 0, 0.0),
    lambda T, y, s: y.t().index_fill_(0, _long(T, [1]), 9.0),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("index", range(len(INPLACE_OPS)))
def test_inplace_index_op(index, dtype):
    op = INPLACE_OPS[index]

    def fn(T, x, s):
        y = x * 1
        out = op(T, y, s)
        return y, out
    check(fn, rand(3, 4, dtype=dtype), rand(3, 4, dtype=dtype))


def test_scatter_reduce_argument():
    idx = [[0, 0], [3, 1], [1, 1]]
    check(lambda T, x, s: (x.scatter(1, _long(T, idx), s, reduce="add"),
                           x.scatter(1, _long(T, idx), s, reduce="multiply"),
                           x.scatter(1, _long(T, idx), 2.0, reduce="multiply")),
          rand(3, 4), rand(3, 2), grad=False)
    x = ember.ones(3, 4, requires_grad=True)
    out = x.scatter(1, ember.tensor(idx), 2.0, reduce="add")
    assert out.grad_fn.name() == "torch::autograd::NotImplemented"
    with pytest.raises(RuntimeError):
        out.sum().backward()


def test_nonzero_and_argwhere():
    for arr in (rand(3, 4, dtype=np.int64, low=-1, high=1), rand(5, dtype=np.bool_), np.array(2.0),
                np.array(0.0), np.zeros((0, 2)), rand(2, 2, 2, dtype=np.float32, low=-1, high=1).round()):
        check(lambda T, x: (T.nonzero(x), x.nonzero(as_tuple=True), T.argwhere(x), x.argwhere()),
              arr, grad=False)


def test_index_ops_on_integers():
    check(lambda T, x: (x.gather(0, _long(T, [[1, 0]])), x.index_select(1, _long(T, [1])),
                        x.masked_fill(x > 0, 9), x.take(_long(T, [3])), x.scatter_add(0, _long(T, [[1]]), x),
                        x.index_add(0, _long(T, [0]), x[:1])),
          rand(2, 3, dtype=np.int64, low=-4, high=4))


OP_ERRORS = [
    lambda T, x: x.gather(1, _long(T, [0])),
    lambda T, x: x.gather(1, T.tensor([[0]], dtype=T.int16)),
    lambda T, x: x.gather(1, _long(T, [[5]])),
    lambda T, x: x.gather(1, _long(T, [[-1]])),
    lambda T, x: x.gather(0, T.zeros(1, 5, dtype=T.int64)),
    lambda T, x: x.gather(2, _long(T, [[0]])),
    lambda T, x: x.scatter(1, _long(T, [[7]]), 1.0),
    lambda T, x: x.scatter(0, T.zeros(2, 1, dtype=T.int64), T.ones(1, 1)),
    lambda T, x: x.scatter(1, _long(T, [[0]]), 1.0, reduce="max"),
    lambda T, x: x.scatter_add(1, _long(T, [[4]]), x),
    lambda T, x: x.index_select(1, _long(T, [0, 4])),
    lambda T, x: x.index_select(1, _long(T, [[0]])),
    lambda T, x: x.index_select(1, T.tensor([0.0])),
    lambda T, x: x.index_select(2, _long(T, [0])),
    lambda T, x: x.index_add(1, _long(T, [0, 2]), x),
    lambda T, x: x.index_add(1, _long(T, [0, 9]), x[:, :2]),
    lambda T, x: x.index_add(1, _long(T, [0, -1]), x[:, :2]),
    lambda T, x: x.index_select(1, _long(T, [-1])),
    lambda T, x: x.index_copy(1, _long(T, [-1]), x[:, :1]),
    lambda T, x: x.index_fill(1, _long(T, [-5]), 1.0),
    lambda T, x: x.index_select(1, T.tensor([0], dtype=T.int16)),
    lambda T, x: x.take(T.tensor([0], dtype=T.int32)),
    lambda T, x: x.index_copy(1, _long(T, [0, 2]), x[:, :3]),
    lambda T, x: x.index_fill(1, _long(T, [0]), T.tensor([1.0])),
    lambda T, x: x.masked_fill(x, 0.0),
    lambda T, x: x.masked_fill(x > 0, T.tensor([1.0])),
    lambda T, x: x.masked_fill((x > 0).float(), 1.0),
    lambda T, x: x.masked_select(x[:, :2] > 0),
    lambda T, x: x.masked_scatter(x > -10, T.ones(3)),
    lambda T, x: x.take(_long(T, [12])),
    lambda T, x: x.take(_long(T, [-13])),
    lambda T, x: x.put(_long(T, [0]), T.ones(2)),
    lambda T, x: x.put(_long(T, [30]), T.ones(1)),
    lambda T, x: x.index_put((_long(T, [0, 1]),), T.ones(3)),
]


@pytest.mark.parametrize("index", range(len(OP_ERRORS)))
def test_index_op_errors(index):
    check_raises(OP_ERRORS[index], rand(3, 4))


def test_expanded_tensor_refuses_writes():
    """torch only warns for masked_fill_ / index_fill_ on an expanded tensor; ember refuses
    (see docs/differences.md), as torch itself does for every other in-place op."""
    e = ember.zeros(3, 4).expand(2, 3, 4)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        e.masked_fill_(ember.ones(2, 3, 4, dtype=ember.bool), 1.0)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        e.index_fill_(0, ember.tensor([0]), 1.0)


def test_index_op_grad_fn_names():
    idx = [[0, 1]]
    fns = [lambda T, x: x.gather(0, _long(T, idx)), lambda T, x: x.scatter(0, _long(T, idx), x),
           lambda T, x: x.scatter(0, _long(T, idx), 1.0), lambda T, x: x.scatter_add(0, _long(T, idx), x),
           lambda T, x: x.index_select(0, _long(T, [1])), lambda T, x: x.index_add(0, _long(T, [1]), x[:1]),
           lambda T, x: x.index_copy(0, _long(T, [1]), x[:1]), lambda T, x: x.index_fill(0, _long(T, [1]), 2.),
           lambda T, x: x.index_fill(0, _long(T, [1]), x[0, 0]), lambda T, x: x.masked_fill(x > 0, 1.),
           lambda T, x: x.masked_fill(x > 0, x[0, 0]), lambda T, x: x.masked_select(x > 0),
           lambda T, x: x.masked_scatter(x > 0, x), lambda T, x: x.take(_long(T, [1])),
           lambda T, x: x.put(_long(T, [1]), x[0, :1]), lambda T, x: x.index_put((_long(T, [1]),), x[0])]
    for fn in fns:
        names = [fn(T, T.ones(2, 2, requires_grad=True) * 1).grad_fn.name() for T in (torch, ember)]
        assert names[0] == names[1]


# ---------------------------------------------------------------------------- float64 gradcheck
def _t(values):
    return ember.tensor(values, dtype=ember.int64)


def _set(index, value_fn):
    def fn(x, v):
        y = x * 1
        y[index] = value_fn(v)
        return y
    return fn


GRADCHECK = [
    (lambda x, v: x[1, ::2],),
    (lambda x, v: x[[0, 0, 2], [1, 1, 3]],),
    (lambda x, v: x[..., [2, 2]] * v[0],),
    (lambda x, v: x[x > 0],),
    (lambda x, v: x[None, 1:, [True, False, True, True]],),
    (_set((0, slice(1, 3)), lambda v: v[:2]),),
    (_set(([0, 2], 1), lambda v: v[1:3] * 2),),
    (_set((slice(None), [3, 0]), lambda v: v[:2]),),
    (lambda x, v: x.gather(1, _t([[0, 0], [3, 1], [2, 2]])),),
    (lambda x, v: x.scatter(1, _t([[0], [3], [2]]), v[:3].reshape(3, 1)),),
    (lambda x, v: x.scatter(0, _t([[1, 2]]), v.reshape(2, 2)),),
    (lambda x, v: x.scatter_add(1, _t([[0, 0], [3, 1], [2, 2]]), v.reshape(2, 2).repeat(2, 1)[:3]),),
    (lambda x, v: x.index_select(1, _t([1, 1, 3])),),
    (lambda x, v: x.index_add(0, _t([2, 2]), v.reshape(1, 4).expand(2, 4)),),
    (lambda x, v: x.index_copy(1, _t([1, 0]), v[:3, None].expand(3, 2)),),
    (lambda x, v: x.index_fill(1, _t([1]), v[0]),),
    (lambda x, v: x.masked_fill(x > 0, v[1]),),
    (lambda x, v: x.masked_select(x < 0),),
    (lambda x, v: x.masked_scatter(x > 0, v.repeat(3)),),
    (lambda x, v: x.take(_t([[0, 0], [11, 4]])),),
    (lambda x, v: x.put(_t([0, 5, 5]), v[:3], accumulate=True),),
    (lambda x, v: x.put(_t([0, 5, 6]), v[:3]),),
    (lambda x, v: x.index_put((_t([0, 0]), _t([1, 2])), v[:2]),),
]


@pytest.mark.parametrize("index", range(len(GRADCHECK)))
def test_gradcheck(index):
    fn = GRADCHECK[index][0]
    x = ember.tensor(rand(3, 4, dtype=np.float64), requires_grad=True)
    v = ember.tensor(rand(4, dtype=np.float64), requires_grad=True)
    assert ember.autograd.gradcheck(fn, (x, v))
    assert ember.autograd.gradgradcheck(lambda x, v: fn(x, v) ** 2, (x, v))
