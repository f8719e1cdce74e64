"""``linear`` (one fused matmul-plus-bias op, the MLP's hot path) and ``bilinear``."""
from __future__ import annotations

from typing import Optional

import numpy as np

from ... import ops
from ...ops._record import needs_grad, record, sum_to, wrap
from ...tensor import Tensor

__all__ = ["linear", "bilinear"]

# torch's C++ names for the dtypes in its matmul dtype-mismatch message
_C10_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
              "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
              "bool": "bool"}

_CAPITAL = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
            "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}

# the grad_fn torch shows for linear, by (input is 2-D or 1-D or N-D, has bias)
_NODE_NAMES = {(2, True): "AddmmBackward0", (2, False): "MmBackward0",
               (1, True): "ViewBackward0", (1, False): "SqueezeBackward4",
               (3, True): "ViewBackward0", (3, False): "UnsafeViewBackward0"}


def linear(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None) -> Tensor:
    """``input @ weight.T + bias`` over the last dim of ``input`` (any leading dims).

    One recorded op: the forward is a single BLAS matmul on the (rows, in_features) view of
    the input with the bias added in place (torch's addmm, the bias expanded to (rows, out));
    the backward computes only the gradients whose inputs require grad (the first layer's
    input usually does not). A bias of 2 or more dims on an N-D input is broadcast instead.
    """
    x, w = input._data, weight._data
    if x.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are 0D and {w.ndim}D")
    if w.ndim != 2:
        out = ops.matmul(input, weight.t())  # a 1-D weight: a dot product per row (t() rejects > 2-D)
        return out if bias is None else out + bias
    in_features, out_features = w.shape[1], w.shape[0]
    rows = x.size // x.shape[-1] if x.shape[-1] else int(np.prod(x.shape[:-1]))
    if x.shape[-1] != in_features:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} and "
                           f"{in_features}x{out_features})")
    if x.dtype != w.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_C10_NAMES[x.dtype.name]} "
                           f"!= {_C10_NAMES[w.dtype.name]}")
    x2 = x.reshape(rows, in_features)
    out2 = np.dot(w, x2[0])[None] if rows == 1 else x2 @ w.T  # one row: BLAS's matrix-vector product
    out_shape = x.shape[:-1] + (out_features,)
    addmm = True
    if bias is not None:
        b = bias._data
        if b.dtype != w.dtype:
            raise RuntimeError(f"self and mat2 must have the same dtype, but got {_CAPITAL[b.dtype.name]} and "
                               f"{_CAPITAL[w.dtype.name]}")
        addmm = b.ndim <= 1 or x.ndim <= 2
        if addmm:
            try:
                np.add(out2, b, out=out2)
            except ValueError:
                bias.expand(rows, out_features)  # raises torch's expand error
                raise
        else:
            out2 = out2.reshape(out_shape) + b
    out = wrap(out2.reshape(out_shape) if addmm else out2)
    if needs_grad(input, weight, bias):
        x_rg, w_rg, b_rg = input._rg, weight._rg, bias is not None and bias._rg
        x_shape, b_shape = x.shape, bias.shape if bias is not None else None
        flat = len(x_shape) != 2  # 1-D and N-D inputs go through their (rows, in_features) view

        def vjp(g: Tensor):
            g2 = g.reshape(rows, out_features) if flat else g
            gx = gw = gb = None
            if x_rg:
                gx = g2.mm(weight)
                gx = gx.reshape(x_shape) if flat else gx
            if w_rg:
                gw = g2.t().mm(input.reshape(rows, in_features) if flat else input)
            if b_rg:
                gb = sum_to(g2 if addmm else g, b_shape)
            return gx, gw, gb
        record(out, _NODE_NAMES[(min(x.ndim, 3), bias is not None)], (input, weight, bias), vjp,
               (input, weight))
    return out


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Optional[Tensor] = None) -> Tensor:
    """``y[..., o] = x1[..., i] * weight[o, i, j] * x2[..., j] + bias[o]``."""
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got {list(input1.shape[:-1])} "
                           f"and {list(input2.shape[:-1])}")
    if weight.dim() != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-dimensional, but got {weight.dim()} dimension(s)")
    out_features, in1, in2 = weight.shape
    if input1.shape[-1] != in1:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
                           f"expected {in1}")
    if input2.shape[-1] != in2:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
                           f"expected {in2}")
    lead = input1.shape[:-1]
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    # (n, i) @ (i, o * j) -> (n, o, j), then contract j against x2
    left = x1.mm(weight.permute(1, 0, 2).reshape(in1, out_features * in2)).reshape(-1, out_features, in2)
    out = (left * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        out = out + bias
    return out.reshape(tuple(lead) + (out_features,))
