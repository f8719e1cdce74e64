"""Tensor.copy_: broadcasting, casting, and the gradient to the source, against torch."""
import numpy as np
import pytest

from oracle import check, check_raises, rand


@pytest.mark.parametrize("dst_shape,src_shape", [((2, 3), (3,)), ((2, 3), (2, 3)), ((4, 1, 3), (1, 3)), ((), ())])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_copy_broadcasts_and_passes_the_gradient_to_src(dst_shape, src_shape, dtype):
    check(lambda T, d, s: (d * 1).copy_(s) * 2, rand(*dst_shape, dtype=dtype), rand(*src_shape, dtype=dtype))


def test_copy_casts_to_the_destination_dtype():
    check(lambda T, d, s: d.copy_(s), rand(3, dtype=np.int64), rand(3, dtype=np.float64), grad=False)
    check(lambda T, d, s: (d * 1).copy_(s), rand(3, dtype=np.float32), rand(3, dtype=np.float64))


def test_copy_shape_mismatch_raises_like_torch():
    check_raises(lambda T, d, s: d.copy_(s), rand(2, 3), rand(4))
