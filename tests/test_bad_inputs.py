"""A catalogue of wrong calls: each must fail with torch's exception type and a message naming the problem.

Every ``CASES`` entry is ``call(T)``, a wrong call made with ``T`` = torch or ember, and the key
words ember's message must contain (a regex). torch fixes the exception type; ember's message
must name the problem (shapes, dtype, index, key, ...) in its own words, never NumPy's. File
cases (checkpoints, IDX files) write the same bad bytes for both libraries where torch reads
the format, and otherwise state the expected type.
"""
from __future__ import annotations

import gzip
import io
import re
import struct
import warnings
import zipfile

import numpy as np
import pytest
import torch

import ember
import ember.vision

# Messages NumPy writes: one of these in ember's error means a NumPy error got through unchecked.
NUMPY_WORDS = re.compile(r"operands could not be broadcast|out of bounds for axis|axis -?\d+ is out of "
                         r"bounds for array|cannot reshape array|not aligned|zero-size array|core "
                         r"dimension|all the input array|ufunc|axes don't match|repeated axis|"
                         r"negative dimensions are not allowed|only integer scalar arrays")


def _t(T, values, dtype=None, grad=False):
    return T.tensor(values, dtype=dtype, requires_grad=grad)


def _ones(T, *shape, grad=False):
    return T.ones(shape, requires_grad=grad)


def _backward_twice(T):
    x = _ones(T, 3, grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


def _modified_saved(T):
    x = _ones(T, 3, grad=True)
    y = x * 2
    z = y * y
    y.add_(1)
    z.sum().backward()


def _anomaly(T, make_loss):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with T.autograd.detect_anomaly():
            make_loss(T).backward()


def _set_grad(T):
    x = _ones(T, 2, grad=True)
    x.grad = T.zeros(3)


def _load_state(T, state_fn, strict=True):
    T.manual_seed(0)
    model = T.nn.Linear(3, 2)
    model.load_state_dict(state_fn(T, model.state_dict()), strict=strict)


def _opt_load(T):
    p, q = T.nn.Parameter(T.ones(2)), T.nn.Parameter(T.ones(2))
    a = T.optim.SGD([p], lr=0.1)
    b = T.optim.SGD([{"params": [p]}, {"params": [q]}], lr=0.1)
    a.load_state_dict(b.state_dict())


def _loader(T, items, **kwargs):
    class Items(T.utils.data.Dataset):
        def __len__(self):
            return len(items)

        def __getitem__(self, i):
            return items[i]
    return list(T.utils.data.DataLoader(Items(), **kwargs))


class _Opaque:
    """An item no collate function knows."""


_NLLOSS_INPUT = [[-1.0, -2.0, -0.5], [-0.3, -1.5, -2.5]]

CASES = {
    # ------------------------------------------------------------------------ shapes
    "matmul_inner_dims": (lambda T: _ones(T, 2, 3) @ _ones(T, 4, 5),
                          r"shapes cannot be multiplied \(2x3 and 4x5\)"),
    "matmul_vectors": (lambda T: T.matmul(_ones(T, 3), _ones(T, 4)),
                       r"inconsistent tensor size, expected tensor \[3\] and src \[4\]"),
    "matmul_batched": (lambda T: T.matmul(_ones(T, 2, 2, 3), _ones(T, 3, 4, 5)),
                       r"size of tensor a \(2\) must match the size of tensor b \(3\)"),
    "matmul_0d": (lambda T: T.matmul(_ones(T), _ones(T, 3)), r"at least 1D"),
    "mm_3d": (lambda T: T.mm(_ones(T, 2, 2, 3), _ones(T, 3, 4)), r"must be a matrix"),
    "bmm_2d": (lambda T: T.bmm(_ones(T, 2, 3), _ones(T, 3, 4)), r"batch1 must be a 3D tensor"),
    "bmm_batch": (lambda T: T.bmm(_ones(T, 2, 2, 3), _ones(T, 3, 3, 4)),
                  r"first two dimensions of batch2 tensor to be: \[2, 3\] but got: \[3, 3\]"),
    "mv_sizes": (lambda T: T.mv(_ones(T, 2, 3), _ones(T, 4)),
                 r"size mismatch, got input \(2\), mat \(2x3\), vec \(4\)"),
    "dot_sizes": (lambda T: T.dot(_ones(T, 3), _ones(T, 4)), r"inconsistent tensor size"),
    "add_broadcast": (lambda T: _ones(T, 2, 3) + _ones(T, 4),
                      r"size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton "
                      r"dimension 1"),
    "where_broadcast": (lambda T: T.where(_ones(T, 3) > 0, _ones(T, 2), _ones(T, 3)),
                        r"size of tensor a \(3\) must match the size of tensor b \(2\)"),
    "cat_sizes": (lambda T: T.cat([_ones(T, 2, 3), _ones(T, 2, 4)]),
                  r"Sizes of tensors must match except in dimension 0.*Expected size 3 but got size 4"),
    "cat_ndim": (lambda T: T.cat([_ones(T, 2, 3), _ones(T, 3)]), r"same number of dimensions: got 2 and 1"),
    "cat_non_tensor": (lambda T: T.cat([_ones(T, 2), 3]),
                       r"expected Tensor as element 1 in argument 0, but got int"),
    "cat_empty_list": (lambda T: T.cat([]), r"non-empty"),
    "stack_sizes": (lambda T: T.stack([_ones(T, 2), _ones(T, 3)]), r"equal size.*\[2\].*\[3\]"),
    "reshape_numel": (lambda T: _ones(T, 2, 3).reshape(4, 4),
                      r"shape '\[4, 4\]' is invalid for input of size 6"),
    "reshape_two_inferred": (lambda T: _ones(T, 6).reshape(-1, -1), r"only one dimension can be inferred"),
    "view_strides": (lambda T: _ones(T, 2, 3).t().view(6), r"view size is not compatible"),
    "expand_size": (lambda T: _ones(T, 2).expand(3), r"expanded size of the tensor \(3\) must match the "
                                                    r"existing size \(2\)"),
    "expand_fewer_dims": (lambda T: _ones(T, 2, 3).expand(3),
                          r"number of sizes provided \(1\) must be greater"),
    "permute_length": (lambda T: _ones(T, 2, 3).permute(0),
                       r"number of dimensions in the tensor input does not match the length"),
    "permute_repeat": (lambda T: _ones(T, 2, 3).permute(0, 0), r"duplicate dims are not allowed"),
    "split_zero": (lambda T: _ones(T, 3).split(0), r"split_size can only be 0 if dimension size is 0"),
    "chunk_zero": (lambda T: _ones(T, 3).chunk(0), r"chunks.*greater than 0"),
    "narrow_past_end": (lambda T: _ones(T, 4).narrow(0, 2, 3),
                        r"start \(2\) \+ length \(3\) exceeds dimension size \(4\)"),
    "flatten_order": (lambda T: _ones(T, 2, 3, 4).flatten(2, 1), r"start_dim cannot come after end_dim"),
    "topk_too_big": (lambda T: _ones(T, 3).topk(4), r"selected index k out of range"),
    "zeros_negative": (lambda T: T.zeros(2, -1), r"zeros: Dimension size must be non-negative"),
    "ragged_list": (lambda T: T.tensor([[1, 2], [3]]), r"expected sequence of length 2 at dim 1 \(got 1\)"),
    "linear_weight": (lambda T: T.nn.functional.linear(_ones(T, 2, 3), _ones(T, 4, 5)),
                      r"shapes cannot be multiplied \(2x3 and 5x4\)"),
    "linear_module": (lambda T: T.nn.Linear(3, 4)(_ones(T, 2, 5)),
                      r"shapes cannot be multiplied \(2x5 and 3x4\)"),
    "conv2d_channels": (lambda T: T.nn.functional.conv2d(_ones(T, 1, 2, 5, 5), _ones(T, 4, 3, 3, 3)),
                        r"expected input\[1, 2, 5, 5\] to have 3 channels, but got 2 channels"),
    "conv2d_ndim": (lambda T: T.nn.functional.conv2d(_ones(T, 5, 5), _ones(T, 4, 3, 3, 3)),
                    r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d"),
    "conv2d_kernel_too_big": (lambda T: T.nn.functional.conv2d(_ones(T, 1, 3, 2, 2), _ones(T, 4, 3, 3, 3)),
                              r"Kernel size can't be greater than actual input size"),
    "conv2d_module_channels": (lambda T: T.nn.Conv2d(3, 4, 3)(_ones(T, 1, 1, 8, 8)),
                               r"expected input\[1, 1, 8, 8\] to have 3 channels, but got 1 channels"),
    "max_pool_too_small": (lambda T: T.nn.functional.max_pool2d(_ones(T, 1, 1, 2, 2), 3),
                           r"Output size is too small"),
    "batch_norm_features": (lambda T: T.nn.BatchNorm1d(3)(_ones(T, 4, 5)),
                            r"running_mean should contain 5 elements not 3"),
    "mse_broadcast": (lambda T: T.nn.functional.mse_loss(_ones(T, 2, 3), _ones(T, 4)),
                      r"size of tensor a \(3\) must match the size of tensor b \(4\)"),
    "bce_sizes": (lambda T: T.nn.functional.binary_cross_entropy(_ones(T, 3, 1) / 2, _ones(T, 3)),
                  r"target size .*different to the input size"),
    "bce_weight": (lambda T: T.nn.functional.binary_cross_entropy(_ones(T, 2, 3) / 2, _ones(T, 2, 3),
                                                                  weight=_ones(T, 2)),
                   r"broadcast a dimension of length 2 at -1.*broadcastable to \[2, 3\]"),
    "bce_weight_larger": (lambda T: T.nn.functional.binary_cross_entropy(_ones(T, 2, 3) / 2, _ones(T, 2, 3),
                                                                         weight=_ones(T, 1, 2, 3)),
                          r"output with shape \[2, 3\] doesn't match the broadcast shape \[1, 2, 3\]"),
    "bce_logits_weight": (lambda T: T.nn.functional.binary_cross_entropy_with_logits(
                              _ones(T, 2, 3), _ones(T, 2, 3), weight=_ones(T, 2)),
                          r"size of tensor a \(3\) must match the size of tensor b \(2\)"),
    "bce_logits_pos_weight": (lambda T: T.nn.functional.binary_cross_entropy_with_logits(
                                  _ones(T, 2, 3), _ones(T, 2, 3), pos_weight=_ones(T, 2)),
                              r"size of tensor a \(2\) must match the size of tensor b \(3\)"),
    "unfold_2d": (lambda T: T.nn.functional.unfold(_ones(T, 3, 3), 2), r"Dimension out of range.*got 2"),
    "unfold_5d": (lambda T: T.nn.functional.unfold(_ones(T, 1, 1, 1, 3, 3), 2),
                  r"Expected 3D or 4D \(batch mode\) tensor .* but got: \[1, 1, 1, 3, 3\]"),
    "fold_1d": (lambda T: T.nn.functional.fold(_ones(T, 3), (2, 2), 1),
                r"Expected 2D or 3D \(batch mode\) tensor .* but got: \[3\]"),
    "bce_range": (lambda T: T.nn.functional.binary_cross_entropy(_t(T, [1.5]), _t(T, [1.0])),
                  r"between 0 and 1"),
    # ------------------------------------------------------------------------ dtypes and class indices
    "cross_entropy_batch": (lambda T: T.nn.functional.cross_entropy(_ones(T, 3, 5), _t(T, [0, 1])),
                            r"Expected input batch_size \(3\) to match target batch_size \(2\)"),
    "cross_entropy_0d": (lambda T: T.nn.functional.cross_entropy(_ones(T), _t(T, 0.5)),
                         r"Dimension specified as 1 but tensor has no dimensions"),
    "cross_entropy_int32": (lambda T: T.nn.functional.cross_entropy(_ones(T, 2, 3), _t(T, [0, 1], T.int32)),
                            r"expected target dtype to be Long or Byte, but got Int"),
    "cross_entropy_class": (lambda T: T.nn.functional.cross_entropy(_ones(T, 2, 3), _t(T, [0, 3])),
                            r"Target 3 is out of bounds"),
    "cross_entropy_probs_dtype": (lambda T: T.nn.functional.cross_entropy(_ones(T, 2, 3),
                                                                          _ones(T, 2, 3).long()),
                                  r"floating point type for target with class probabilities"),
    "nll_loss_float_target": (lambda T: T.nn.functional.nll_loss(_t(T, _NLLOSS_INPUT), _t(T, [0.0, 1.0])),
                              r"expected target dtype to be Long or Byte, but got Float"),
    "nll_loss_negative": (lambda T: T.nn.functional.nll_loss(_t(T, _NLLOSS_INPUT), _t(T, [0, -2])),
                          r"Target -2 is out of bounds"),
    "nll_loss_shape": (lambda T: T.nn.functional.nll_loss(_ones(T, 2, 3, 4), _t(T, [[0, 1, 2, 0]] * 3)),
                       r"Expected input batch_size \(2\) to match target batch_size \(3\)"),
    "embedding_index": (lambda T: T.nn.Embedding(4, 2)(_t(T, [1, 4])), r"index out of range"),
    "embedding_float_index": (lambda T: T.nn.functional.embedding(_t(T, [1.0]), _ones(T, 4, 2)),
                              r"'indices' to have one of the following scalar types: "
                              r"Long, Int; but got .*Float"),
    "gather_index": (lambda T: T.gather(_ones(T, 3), 0, _t(T, [0, 5])),
                     r"index 5 is out of bounds for dimension 0 with size 3"),
    "gather_float_index": (lambda T: T.gather(_ones(T, 3), 0, _t(T, [0.0])),
                           r"gather\(\): Expected dtype int32/int64 for index"),
    "gather_ndim": (lambda T: T.gather(_ones(T, 2, 3), 1, _t(T, [0])),
                    r"Index tensor must have the same number of dimensions"),
    "index_fill_int32": (lambda T: _ones(T, 3).index_fill(0, _t(T, [0], T.int32), 1.0),
                         r"index_fill_\(\): Expected dtype int64 for index"),
    "index_copy_int32": (lambda T: _ones(T, 3).index_copy(0, _t(T, [0], T.int32), _ones(T, 1)),
                         r"Expected a long tensor for index, but got Int"),
    "take_index": (lambda T: _ones(T, 2, 2).take(_t(T, [4])),
                   r"tried to access index 4 on a tensor of 4 elements"),
    "scatter_src_dtype": (lambda T: _ones(T, 3).scatter(0, _t(T, [0]), _t(T, [1])),
                          r"Expected self.dtype to be equal to src.dtype"),
    "index_add_dtype": (lambda T: _ones(T, 3).index_add(0, _t(T, [0]), _ones(T, 1).double()),
                        r"self \(Float\) and source \(Double\) must have the same scalar type"),
    "index_copy_dtype": (lambda T: _ones(T, 3).index_copy(0, _t(T, [0]), _ones(T, 1).double()),
                         r"same dtype, but got \(self\) Float and \(source\) Double"),
    "masked_scatter_dtype": (lambda T: _ones(T, 3).masked_scatter(_ones(T, 3) > 0, _ones(T, 3).double()),
                             r"masked_scatter: expected self and source to have same dtypes"),
    "masked_fill_shape": (lambda T: _ones(T, 3).masked_fill(_t(T, [True, False]), 0.0),
                          r"size of tensor a \(2\) must match the size of tensor b \(3\)"),
    "setitem_dtype": (lambda T: _t(T, [1, 2]).__setitem__(_t(T, [0]), _t(T, [1.5])),
                      r"Index put requires the source and destination dtypes match, "
                      r"got Long for the destination and Float for the source"),
    "index_put_accumulate_dtype": (lambda T: _ones(T, 3).index_put_((_ones(T, 3) > 0,), _t(T, 1.0).double(),
                                                                   accumulate=True),
                                   r"dtypes match, got Float for the destination and Double"),
    "setitem_str": (lambda T: _ones(T, 3).__setitem__(0, "a"), r"can't assign a str to a .*FloatTensor"),
    "scatter_index": (lambda T: _ones(T, 3).scatter(0, _t(T, [7]), 2.0), r"index 7 is out of bounds"),
    "index_select_index": (lambda T: _ones(T, 3).index_select(0, _t(T, [3])), r"index out of range in self"),
    "one_hot_class": (lambda T: T.nn.functional.one_hot(_t(T, [0, 3]), 3), r"Class values must be smaller"),
    "where_condition_dtype": (lambda T: T.where(_ones(T, 2), _ones(T, 2), _ones(T, 2)),
                              r"where expected condition to be a boolean tensor, but got .* dtype Float"),
    "alpha_float_int": (lambda T: T.add(_t(T, [1]), _t(T, [1]), alpha=0.5),
                        r"integral input tensors, argument alpha must not be a floating point"),
    "sub_bools": (lambda T: _t(T, [True]) - _t(T, [False]), r"Subtraction.*bool"),
    "int_divide_by_zero": (lambda T: T.div(_t(T, [1]), _t(T, [0]), rounding_mode="floor"),
                           r"ZeroDivisionError"),
    "int_negative_power": (lambda T: _t(T, [2]) ** -1, r"Integers to negative integer powers"),
    "mean_of_ints": (lambda T: _t(T, [1, 2]).mean(), r"mean\(\): could not infer output dtype.*Long"),
    "inplace_cast": (lambda T: _t(T, [1, 2]).add_(1.5),
                     r"result type Float can't be cast to the desired output "
                                                       r"type Long"),
    "inplace_broadcast": (lambda T: _ones(T, 3).add_(_ones(T, 2, 3)),
                          r"output with shape \[3\] doesn't match the broadcast shape \[2, 3\]"),
    "to_bad_dtype": (lambda T: _ones(T, 2).to("float"), r"device type at start of device string: float"),
    "view_as_bad_size": (lambda T: _ones(T, 6).view_as(_ones(T, 4)),
                         r"shape '\[4\]' is invalid for input of size 6"),
    "int_requires_grad": (lambda T: _t(T, [1, 2]).requires_grad_(),
                          r"only Tensors of floating point dtype can require gradients"),
    "clamp_no_bounds": (lambda T: T.clamp(_ones(T, 2)), r"At least one of 'min' or 'max'"),
    "arange_zero_step": (lambda T: T.arange(0, 3, 0), r"step must be nonzero"),
    "randint_empty_range": (lambda T: T.randint(5, 5, (2,)),
                            r"'from' to be less than 'to', but got from=5 >= to=5"),
    "tensor_from_str": (lambda T: T.tensor("abc"), r"invalid data type 'str'"),
    # ------------------------------------------------------------------------ dims and indices
    "sum_dim": (lambda T: _ones(T, 2, 3).sum(3),
                r"Dimension out of range \(expected to be in range of \[-2, 1\], "
                                                 r"but got 3\)"),
    "sum_negative_dim": (lambda T: _ones(T, 2, 3).sum(-3), r"Dimension out of range.*got -3"),
    "softmax_dim": (lambda T: T.softmax(_ones(T, 2, 3), dim=2), r"Dimension out of range.*got 2"),
    "transpose_dim": (lambda T: _ones(T, 2, 3).transpose(0, 5), r"Dimension out of range.*got 5"),
    "unsqueeze_dim": (lambda T: _ones(T, 2, 3).unsqueeze(4),
                      r"Dimension out of range \(expected to be in range "
                                                             r"of \[-3, 2\], but got 4\)"),
    "squeeze_dim": (lambda T: _ones(T, 2, 3).squeeze(2), r"Dimension out of range.*got 2"),
    "argmax_dim": (lambda T: _ones(T, 2, 3).argmax(-4), r"Dimension out of range.*got -4"),
    "sum_str_dim": (lambda T: _ones(T, 2, 3).sum("a"), r"dim.*str|str.*dim|\(str\)"),
    "unsqueeze_float_dim": (lambda T: _ones(T, 2).unsqueeze(0.5), r"'dim'.*must be int, not float"),
    "reshape_float_size": (lambda T: _ones(T, 4).reshape((2.0, 2)), r"ints?.*float|2\.0"),
    "amax_repeated": (lambda T: _ones(T, 2, 3).amax((1, 1)), r"dim 1 appears multiple times"),
    "cat_dim": (lambda T: T.cat([_ones(T, 2), _ones(T, 2)], 1), r"Dimension out of range.*got 1"),
    "index_out_of_range": (lambda T: _ones(T, 3)[5], r"index 5 is out of bounds for dimension 0 with size 3"),
    "index_negative": (lambda T: _ones(T, 2, 3)[:, -4],
                       r"index -4 is out of bounds for dimension 1 with size 3"),
    "index_list_out_of_range": (lambda T: _ones(T, 3)[[0, 3]], r"index 3 is out of bounds for dimension 0"),
    "index_too_many": (lambda T: _ones(T, 2, 3)[0, 0, 0], r"too many indices for tensor of dimension 2"),
    "index_0d": (lambda T: _ones(T)[0], r"invalid index of a 0-dim tensor"),
    "index_mask_shape": (lambda T: _ones(T, 3)[_t(T, [True, False])],
                         r"shape of the mask \[2\] at index 0 "
                         r"does not match the shape of the indexed tensor \[3\]"),
    "index_float_tensor": (lambda T: _ones(T, 3)[_t(T, [0.0])], r"tensors used as indices must be long"),
    "index_tensors_broadcast": (lambda T: _ones(T, 3, 3)[_t(T, [0, 1]), _t(T, [0, 1, 2])],
                                r"shape mismatch: indexing tensors could not be broadcast"),
    "setitem_shape": (lambda T: _ones(T, 3).__setitem__(slice(0, 2), _ones(T, 3)),
                      r"expanded size of the tensor \(2\) must match the existing size \(3\)"),
    "setitem_adv_shape": (lambda T: _ones(T, 3).__setitem__(_t(T, [0, 1]), _ones(T, 3)),
                          r"shape mismatch: value tensor of shape \[3\] "
                          r"cannot be broadcast to indexing result of shape \[2\]"),
    # ------------------------------------------------------------------------ tensors and autograd
    "item_many": (lambda T: _ones(T, 2, 3).item(), r"a Tensor with 6 elements cannot be converted to Scalar"),
    "bool_many": (lambda T: bool(_ones(T, 2)),
                  r"Boolean value of Tensor with more than one value is ambiguous"),
    "numpy_requires_grad": (lambda T: _ones(T, 2, grad=True).numpy(),
                            r"Can't call numpy\(\) on Tensor that requires grad"),
    "backward_twice": (_backward_twice, r"backward through the graph a second time"),
    "inplace_leaf": (lambda T: _ones(T, 2, grad=True).add_(1),
                     r"a leaf Variable that requires grad is being used in an in-place operation"),
    "inplace_saved": (_modified_saved, r"modified by an inplace operation"),
    "backward_non_scalar": (lambda T: (_ones(T, 2, grad=True) * 2).backward(),
                            r"grad can be implicitly created only for scalar outputs"),
    "backward_no_grad": (lambda T: _ones(T, 2).sum().backward(),
                         r"element 0 of tensors does not require grad and does not have a grad_fn"),
    "grad_unused": (lambda T: T.autograd.grad((_ones(T, 2, grad=True) * 2).sum(), [_ones(T, 2, grad=True)]),
                    r"appears to not have been used in the graph"),
    "grad_output_shape": (lambda T: (_ones(T, 2, grad=True) * 2).backward(T.ones(3)),
                          r"Mismatch in shape: grad_output\[0\] has a shape of .*\[3\].* "
                          r"and output\[0\] has a shape of .*\[2\]"),
    "assign_grad_shape": (_set_grad, r"assign a gradient of size '\[3\]' to a tensor of size '\[2\]'"),
    "anomaly_log_nan": (lambda T: _anomaly(T, lambda T: (_t(T, [0.0], grad=True).log() * 0).sum()),
                        r"Function 'LogBackward0' returned nan values in its 0th output"),
    "anomaly_div_nan": (lambda T: _anomaly(T, lambda T: (lambda x: (x / x).sum())(_t(T, [0.0], grad=True))),
                        r"Function 'DivBackward0' returned nan values in its [01]th output"),
    "anomaly_inf_loss": (lambda T: _anomaly(T, lambda T: -(_t(T, [0.0, 1.0], grad=True) ** 2).log().sum()),
                         r"Function 'PowBackward0' returned nan values in its 0th output"),
    "rng_state_dtype": (lambda T: T.set_rng_state(_ones(T, 4)), r"RNG state must be a torch.ByteTensor"),
    "rng_state_garbage": (lambda T: T.Generator().set_state(_ones(T, 4).to(T.uint8)), r"RNG state"),
    "generator_seed_str": (lambda T: T.Generator().manual_seed("x"),
                           r"manual_seed expected a long, but got str"),
    "save_missing_folder": (lambda T: T.save(_ones(T, 2), "/nonexistent-folder/x.pt"),
                            r"Parent directory /nonexistent-folder does not exist"),
    # ------------------------------------------------------------------------ modules and state dicts
    "state_dict_missing": (lambda T: _load_state(T, lambda T, sd: {"weight": sd["weight"]}),
                           r'Missing key\(s\) in state_dict: "bias"'),
    "state_dict_unexpected": (lambda T: _load_state(T, lambda T, sd: {**sd, "scale": T.ones(1)}),
                              r'Unexpected key\(s\) in state_dict: "scale"'),
    "state_dict_shape": (lambda T: _load_state(T, lambda T, sd: {**sd, "weight": T.ones(4, 3)}),
                         r"size mismatch for weight: copying a param with shape .*\[4, 3\].* "
                         r"from checkpoint, the shape in current model is .*\[2, 3\]"),
    "state_dict_shape_not_strict": (lambda T: _load_state(T, lambda T, sd: {"bias": T.ones(5)}, strict=False),
                                    r"size mismatch for bias"),
    "parameter_assignment": (lambda T: T.nn.Linear(2, 2).register_parameter("w", T.ones(2)),
                             r"cannot assign .* object to parameter 'w' \(.*Parameter or None required\)"),
    "module_attribute": (lambda T: T.nn.Linear(2, 2).wieght, r"'Linear' object has no attribute 'wieght'"),
    "sequential_index": (lambda T: T.nn.Sequential(T.nn.ReLU())[3], r"index 3 is out of range"),
    "linear_negative": (lambda T: T.nn.Linear(-1, 2), r"negative dimension -1"),
    # ------------------------------------------------------------------------ optimizers
    "optimizer_empty": (lambda T: T.optim.SGD([], lr=0.1), r"optimizer got an empty parameter list"),
    "optimizer_non_tensor": (lambda T: T.optim.SGD([1.0], lr=0.1),
                             r"optimizer can only optimize Tensors, but one of the params is float"),
    "optimizer_tensor_not_list": (lambda T: T.optim.SGD(T.nn.Parameter(T.ones(2)), lr=0.1),
                                  r"params argument given to the optimizer should be an iterable of Tensors"),
    "optimizer_non_leaf": (lambda T: T.optim.SGD([_ones(T, 2, grad=True) * 2], lr=0.1),
                           r"can't optimize a non-leaf Tensor"),
    "optimizer_lr": (lambda T: T.optim.SGD([T.nn.Parameter(T.ones(2))], lr=-1), r"Invalid learning rate: -1"),
    "optimizer_betas": (lambda T: T.optim.Adam([T.nn.Parameter(T.ones(2))], betas=(1.5, 0.9)),
                        r"Invalid beta parameter at index 0: 1.5"),
    "optimizer_duplicate": (lambda T: (lambda p: T.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1))(
                                T.nn.Parameter(T.ones(2))),
                            r"some parameters appear in more than one parameter group"),
    "optimizer_nesterov": (lambda T: T.optim.SGD([T.nn.Parameter(T.ones(2))], lr=0.1, nesterov=True),
                           r"Nesterov momentum requires a momentum and zero dampening"),
    "optimizer_load_groups": (_opt_load, r"different number of parameter groups"),
    # ------------------------------------------------------------------------ data
    "collate_opaque": (lambda T: _loader(T, [_Opaque(), _Opaque()], batch_size=2),
                       r"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                       r"found .*_Opaque"),
    "collate_sizes": (lambda T: _loader(T, [T.ones(3), T.ones(4)], batch_size=2),
                      r"stack expects each tensor to be equal size, but got \[3\] at entry 0 and \[4\]"),
    "collate_arrays": (lambda T: _loader(T, [np.ones(3), np.ones(4)], batch_size=2),
                       r"stack expects each tensor to be equal size, but got \[3\] at entry 0 and \[4\]"),
    "collate_dict_keys": (lambda T: _loader(T, [{"a": 1}, {"b": 2}], batch_size=2), r"'a'"),
    "loader_batch_size": (lambda T: T.utils.data.DataLoader([1, 2], batch_size=0),
                          r"batch_size should be a positive integer value, but got batch_size=0"),
    "loader_sampler_shuffle": (lambda T: T.utils.data.DataLoader([1, 2], sampler=[0, 1], shuffle=True),
                               r"sampler option is mutually exclusive with shuffle"),
    "loader_workers": (lambda T: T.utils.data.DataLoader([1, 2], num_workers=-1),
                       r"num_workers option should be non-negative"),
    "sampler_negative_weight": (lambda T: list(T.utils.data.WeightedRandomSampler([-1.0, 1.0], 2)),
                                r"invalid multinomial distribution \(encountering probability entry < 0\)"),
    "sampler_zero_weights": (lambda T: list(T.utils.data.WeightedRandomSampler([0.0, 0.0], 2)),
                             r"invalid multinomial distribution \(sum of probabilities <= 0\)"),
    "random_split_lengths": (lambda T: T.utils.data.random_split(range(5), [2, 2]),
                             r"Sum of input lengths does not equal the length of the input dataset"),
    "tensor_dataset_sizes": (lambda T: T.utils.data.TensorDataset(T.ones(3), T.ones(4)),
                             r"Size mismatch between tensors"),
    # ------------------------------------------------------------------------ dtype arguments, non-tensors
    "mean_int_dtype": (lambda T: _t(T, [1, 2]).mean(dtype=T.int64),
                       r"mean\(\): could not infer output dtype. Optional dtype must be either a floating "
                       r"point or complex dtype. Got: Long"),
    "mean_float_to_bool": (lambda T: T.mean(_t(T, [1.0, 2.0]), 0, dtype=T.bool), r"Optional dtype.*Got: Bool"),
    "zeros_like_list": (lambda T: T.zeros_like([1]),
                        r"zeros_like\(\): argument 'input' \(position 1\) must be Tensor, not list"),
    "ones_like_number": (lambda T: T.ones_like(5), r"ones_like\(\): argument 'input'.*must be Tensor, not int"),
    "empty_like_none": (lambda T: T.empty_like(None), r"empty_like\(\): .*must be Tensor, not NoneType"),
    "full_like_list": (lambda T: T.full_like([1], 2.0), r"full_like\(\): .*must be Tensor, not list"),
    "rand_like_list": (lambda T: T.rand_like([1.0]), r"rand_like\(\): .*must be Tensor, not list"),
    "randn_like_number": (lambda T: T.randn_like(2.0), r"randn_like\(\): .*must be Tensor, not float"),
    "randint_like_list": (lambda T: T.randint_like([1.0], 3), r"randint_like\(\).*(Tensor|list)"),
    "type_as_number": (lambda T: _ones(T, 2).type_as(5),
                       r"type_as\(\): argument 'other' \(position 1\) must be Tensor, not int"),
}


def _outcome(call, lib):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            call(lib)
        except Exception as err:  # noqa: BLE001 - any exception is the outcome under test
            return err
    return None


def assert_clear(err: BaseException, words: str) -> None:
    """``err`` names the problem (``words``) and is not a NumPy message passed through."""
    message = str(err)
    assert re.search(words, message, re.S), f"message {message!r} does not name the problem ({words!r})"
    assert not NUMPY_WORDS.search(message), f"NumPy's message leaked: {message!r}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_call(name):
    call, words = CASES[name]
    expected = _outcome(call, torch)
    assert expected is not None, "torch accepts this call: the case is wrong"
    err = _outcome(call, ember)
    assert err is not None, f"ember accepts it; torch raises {type(expected).__name__}: {expected}"
    assert isinstance(err, type(expected)), \
        f"ember raises {type(err).__name__}: {err}; torch raises {type(expected).__name__}: {expected}"
    assert_clear(err, words)


# ---------------------------------------------------------------------------- files
def _checkpoint_bytes(lib) -> bytes:
    buf = io.BytesIO()
    lib.save({"w": lib.arange(16, dtype=lib.float32), "step": 3}, buf)
    return buf.getvalue()


def _rezip(data: bytes, edit) -> bytes:
    """The archive ``data`` with each member ``(name, bytes)`` replaced by ``edit(name, bytes)``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            dst.writestr(*edit(info.filename, src.read(info)))
    return out.getvalue()


CORRUPTIONS = {
    "truncated": (lambda data: data[: len(data) // 2], r"zip archive|central directory|truncated"),
    "storage_cut": (lambda data: _rezip(data, lambda n, b: (n, b[:8] if "/data/" in n else b)),
                    r"truncated|size|storage|bytes|elements"),
    "pickle_garbled": (lambda data: _rezip(data, lambda n, b: (n, b[:3] + b"\xff\xfe" + b[5:]
                                                               if n.endswith("data.pkl") else b)),
                       r"pickle|load|opcode|key|invalid"),
    "storage_missing": (lambda data: _rezip(data, lambda n, b: (n.replace("/data/0", "/data/9"), b)),
                        r"data/0|record|not found|missing"),
}


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_corrupt_checkpoint(name, tmp_path):
    """torch and ember read the same damaged bytes (each its own archive): the same error type."""
    corrupt, words = CORRUPTIONS[name]
    errors = {}
    for lib in (torch, ember):
        path = tmp_path / f"{lib.__name__}.pt"
        path.write_bytes(corrupt(_checkpoint_bytes(lib)))
        errors[lib] = _outcome(lambda T: T.load(path), lib)
    expected, err = errors[torch], errors[ember]
    assert expected is not None and err is not None, f"torch: {expected!r}, ember: {err!r}"
    assert isinstance(err, type(expected)), f"ember raises {err!r}; torch raises {expected!r}"
    assert_clear(err, words)


# Not zip archives at all: torch falls back to its legacy format and fails there (EOFError for an
# empty file, "Invalid magic number", an unpickling error); ember reads no legacy files and says so.
NOT_ARCHIVES = {
    "empty": (b"", RuntimeError, r"zip archive.*(not a checkpoint|truncated)"),
    "garbage": (b"not a checkpoint at all" * 10, RuntimeError, r"zip archive.*(not a checkpoint|truncated)"),
    "bare_pickle": (b"\x80\x02}q\x00.", ember.serialization.UnpicklingError, r"bare pickle, not a torch zip"),
}


@pytest.mark.parametrize("name", sorted(NOT_ARCHIVES))
def test_not_a_checkpoint(name, tmp_path):
    data, expected, words = NOT_ARCHIVES[name]
    path = tmp_path / "bad.pt"
    path.write_bytes(data)
    with pytest.raises(expected) as info:
        ember.load(path)
    assert_clear(info.value, words)


def test_missing_checkpoint(tmp_path):
    with pytest.raises(FileNotFoundError, match="no-such.pt"):
        ember.load(tmp_path / "no-such.pt")


def _idx(shape, payload=None, magic=b"\x00\x00\x08") -> bytes:
    header = magic + bytes([len(shape)]) + b"".join(struct.pack(">I", n) for n in shape)
    return header + (bytes(int(np.prod(shape))) if payload is None else payload)


IDX_FILES = {
    "images_truncated": ({"images": _idx((3, 28, 28))[:-100]}, r"truncated or corrupt.*expected"),
    "labels_truncated": ({"labels": _idx((3,))[:-1]}, r"truncated"),
    "header_truncated": ({"images": _idx((3, 28, 28))[:9]}, r"truncated.*header"),
    "bad_magic": ({"labels": _idx((3,), magic=b"\x01\x02\x03")}, r"not an IDX file.*magic"),
    "extra_bytes": ({"labels": _idx((3,)) + b"\x00\x00"}, r"truncated or corrupt"),
    "count_mismatch": ({"labels": _idx((2,))}, r"3 images but .* 2 labels"),
    "gzip_truncated": ({"images.gz": gzip.compress(_idx((3, 28, 28)))[:-20]},
                       r"images.*(ended|truncated|corrupt)"),
    "gzip_garbage": ({"labels.gz": b"\x1f\x8bthis is no gzip stream"}, r"labels.*(gzip|corrupt)"),
}


@pytest.mark.parametrize("name", sorted(IDX_FILES))
def test_corrupt_idx(name, tmp_path):
    """A damaged MNIST file fails with a RuntimeError naming the file and the problem."""
    damaged, words = IDX_FILES[name]
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    files = {"images": _idx((3, 28, 28)), "labels": _idx((3,))}
    for key, data in damaged.items():
        files.pop(key.split(".")[0])
        files[key] = data
    for key, data in files.items():
        stem = "train-images-idx3-ubyte" if key.startswith("images") else "train-labels-idx1-ubyte"
        (raw / (stem + (".gz" if key.endswith(".gz") else ""))).write_bytes(data)
    with pytest.raises(RuntimeError) as info:
        ember.vision.datasets.MNIST(str(tmp_path), train=True)
    assert_clear(info.value, words)
