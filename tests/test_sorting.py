"""sort / argsort / msort / topk / kthvalue / unique / unique_consecutive against torch: values,
indices, dtypes and shapes over dims, directions, layouts and edge shapes; NaN ordering; stable
ties; gradients (and float64 gradcheck) of the selected values; errors; return types."""
import numpy as np
import pytest
import torch

import ember
from ember.autograd import gradcheck, gradgradcheck

from oracle import FLOATS, RNG, check, check_raises, layout


def distinct(*shape, dtype=np.float32) -> np.ndarray:
    """Values without ties (so every library must pick the same indices)."""
    n = int(np.prod(shape))
    return (RNG.permutation(n).astype(dtype) - n / 2).reshape(shape)


def tied(*shape, dtype=np.float32) -> np.ndarray:
    return RNG.integers(-2, 3, shape).astype(dtype)


SHAPES_DIMS = [((), 0), ((), -1), ((7,), 0), ((3, 5), 1), ((3, 5), 0), ((2, 3, 4), 1), ((2, 3, 4), -1),
               ((4, 1), 1), ((2, 0, 3), 2), ((2, 0, 3), 1)]


# ---------------------------------------------------------------------------- sort
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,dim", SHAPES_DIMS)
@pytest.mark.parametrize("descending", [False, True])
def test_sort_values_indices_and_grad(dtype, shape, dim, descending):
    check(lambda T, x: T.sort(x, dim, descending), distinct(*shape, dtype=dtype))


@pytest.mark.parametrize("kind", ["T", "sliced"])
def test_sort_non_contiguous(kind):
    check(lambda T, x: x.sort(0, descending=True), layout(distinct(4, 6), kind))


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.int32, np.uint8, np.int8])
def test_stable_sort_keeps_ties_in_index_order(descending, dtype):
    x = tied(6, 9, dtype=dtype) if dtype != np.uint8 else RNG.integers(0, 4, (6, 9)).astype(dtype)
    check(lambda T, x: T.sort(x, dim=1, descending=descending, stable=True), x)
    check(lambda T, x: T.argsort(x, dim=0, descending=descending, stable=True), x)


@pytest.mark.parametrize("descending", [False, True])
def test_sort_puts_nan_above_everything(descending):
    x = np.array([3.0, np.nan, -np.inf, 1.0, np.inf, -2.0], np.float32)
    check(lambda T, x: T.sort(x, descending=descending), x)


def test_sort_bool():
    check(lambda T, x: T.sort(x, stable=True), np.array([True, False, True, False]))


def test_sort_return_type_and_grad_fn():
    x = ember.tensor([2.0, 1.0], requires_grad=True)
    result = ember.sort(x)
    assert type(result).__name__ == "sort" and result._fields == ("values", "indices")
    values, indices = result
    assert values is result.values and indices.dtype == ember.int64
    assert values.grad_fn.name() == "SortBackward0"
    assert ember.sort(x, stable=True).values.grad_fn.name() == "SortBackward1"
    assert not indices.requires_grad


def test_argsort_and_msort():
    check(lambda T, x: T.argsort(x, dim=1, descending=True), distinct(3, 5))
    check(lambda T, x: x.argsort(), distinct(3, 5, dtype=np.float64))
    check(lambda T, x: T.msort(x), distinct(4, 3))
    check(lambda T, x: x.msort(), distinct(5))


@pytest.mark.parametrize("fn", [lambda T, x: T.sort(x, 2), lambda T, x: T.argsort(x, -3),
                                lambda T, x: T.sort(x, dim=1)])
def test_sort_dim_errors(fn):
    check_raises(fn, distinct(3))


# ---------------------------------------------------------------------------- topk
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,dim,k", [((7,), 0, 3), ((7,), 0, 7), ((7,), 0, 0), ((7,), -1, 1),
                                         ((3, 5), 1, 2), ((3, 5), 0, 3), ((2, 3, 4), 1, 2), ((), 0, 1),
                                         ((), 0, 0), ((2, 0), 1, 0)])
@pytest.mark.parametrize("largest", [True, False])
def test_topk(dtype, shape, dim, k, largest):
    check(lambda T, x: T.topk(x, k, dim, largest=largest), distinct(*shape, dtype=dtype))


def test_topk_method_keywords_layouts_and_nan():
    check(lambda T, x: x.topk(k=2, dim=0, largest=False, sorted=True), layout(distinct(5, 4), "T"))
    check(lambda T, x: x.topk(3), layout(distinct(3, 6), "sliced"))
    check(lambda T, x: T.topk(x, 2), np.array([1.0, np.nan, 3.0, 2.0], np.float32))
    check(lambda T, x: T.topk(x, 2, largest=False), np.array([1.0, np.nan, 3.0, 2.0], np.float32))
    check(lambda T, x: T.topk(x, 2), np.array([4, -1, 9, 3], np.int64))


def test_topk_unsorted_selects_the_same_set():
    x = distinct(4, 9)
    values, indices = ember.topk(ember.tensor(x), 4, sorted=False)
    t_values, t_indices = torch.topk(torch.tensor(x), 4, sorted=False)
    np.testing.assert_array_equal(np.sort(values.numpy(), 1), np.sort(t_values.numpy(), 1))
    np.testing.assert_array_equal(np.sort(indices.numpy(), 1), np.sort(t_indices.numpy(), 1))


@pytest.mark.parametrize("k", [-1, 6])
def test_topk_k_out_of_range(k):
    check_raises(lambda T, x: T.topk(x, k), distinct(5))
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        ember.topk(ember.zeros(5), k)


def test_topk_grad_fn_name():
    x = ember.tensor([2.0, 1.0, 3.0], requires_grad=True)
    assert x.topk(2).values.grad_fn.name() == "TopkBackward0"


# ---------------------------------------------------------------------------- kthvalue
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,dim,k", [((7,), 0, 1), ((7,), 0, 7), ((7,), -1, 4), ((3, 5), 1, 2),
                                         ((3, 5), 0, 3), ((2, 3, 4), 1, 2), ((), 0, 1)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_kthvalue(dtype, shape, dim, k, keepdim):
    check(lambda T, x: T.kthvalue(x, k, dim, keepdim), distinct(*shape, dtype=dtype))


def test_kthvalue_method_and_errors():
    check(lambda T, x: x.kthvalue(2, dim=0, keepdim=True), layout(distinct(4, 3), "T"))
    for k in (0, 6):
        check_raises(lambda T, x: T.kthvalue(x, k), distinct(5))
    with pytest.raises(RuntimeError, match=r"kthvalue\(\): selected number k out of range for dimension 0"):
        ember.kthvalue(ember.zeros(5), 6)
    x = ember.tensor([2.0, 1.0], requires_grad=True)
    result = ember.kthvalue(x, 1)
    assert type(result).__name__ == "kthvalue"
    assert result.values.grad_fn.name() == "KthvalueBackward0"


# ---------------------------------------------------------------------------- gradcheck
@pytest.mark.parametrize("fn", [
    lambda x: ember.sort(x, 1).values,
    lambda x: ember.sort(x, 0, descending=True).values,
    lambda x: ember.topk(x, 2, 1).values,
    lambda x: ember.topk(x, 2, 0, largest=False).values,
    lambda x: ember.kthvalue(x, 2, 1).values,
    lambda x: ember.kthvalue(x, 3, 0, keepdim=True).values,
    lambda x: ember.msort(x),
])
def test_gradcheck(fn):
    x = ember.tensor(distinct(3, 4, dtype=np.float64) / 3, requires_grad=True)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


# ---------------------------------------------------------------------------- unique
UNIQUE_FLAGS = [dict(), dict(return_inverse=True), dict(return_counts=True),
                dict(return_inverse=True, return_counts=True), dict(sorted=False, return_inverse=True)]


@pytest.mark.parametrize("flags", UNIQUE_FLAGS)
@pytest.mark.parametrize("arr", [tied(12), tied(3, 4, dtype=np.float64), tied(2, 3, 2, dtype=np.int64),
                                 np.array(5, np.int64), np.zeros((0,), np.float32),
                                 np.array([True, False, True])], ids=["1d", "2d", "3d", "0d", "empty", "bool"])
def test_unique(flags, arr):
    check(lambda T, x: T.unique(x, **flags), arr, grad=False)
    check(lambda T, x: x.unique(**flags), arr, grad=False)


@pytest.mark.parametrize("flags", UNIQUE_FLAGS)
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_unique_dim(flags, dim):
    x = RNG.integers(0, 2, (6, 3)).astype(np.int64)
    x[3] = x[1]
    check(lambda T, x: T.unique(x, dim=dim, **flags), x, grad=False)


def test_unique_nan_each_distinct():
    check(lambda T, x: T.unique(x, return_counts=True), np.array([1.0, np.nan, 1.0, np.nan], np.float32),
          grad=False)


def test_unique_marks_output_but_has_no_derivative():
    for T in (torch, ember):
        x = T.tensor([3.0, 1.0, 3.0], requires_grad=True)
        out, inverse = T.unique(x, return_inverse=True)
        assert out.requires_grad and not inverse.requires_grad
        assert out.grad_fn.name() == "Unique2Backward0"
        with pytest.raises(NotImplementedError, match="the derivative for '_unique2' is not implemented"):
            out.sum().backward()


@pytest.mark.parametrize("flags", UNIQUE_FLAGS[:4])
@pytest.mark.parametrize("arr,dim", [(np.array([1, 1, 2, 2, 3, 1, 1, 2]), None),
                                     (np.array([[1, 1, 2], [1, 1, 2], [0, 1, 2]]), None),
                                     (np.array([[1, 1, 2], [1, 1, 2], [0, 1, 2]]), 0),
                                     (np.array([[1, 1, 2], [1, 1, 2], [0, 1, 2]]), 1),
                                     (np.array([4.0, 4.0, 1.0], np.float32), None),
                                     (np.array(3), None)])
def test_unique_consecutive(flags, arr, dim):
    check(lambda T, x: T.unique_consecutive(x, dim=dim, **flags), arr, grad=False)
    check(lambda T, x: x.unique_consecutive(dim=dim, **flags), arr, grad=False)
