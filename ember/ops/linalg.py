"""Tensor products: ``matmul`` in every form torch documents, its fixed-rank kernels (mm, bmm,
mv, dot, vdot), the fused ``beta * input + alpha * product`` forms (addmm, addmv, baddbmm,
addbmm), and the products built from them (inner, outer, tensordot, kron; einsum is in
``_einsum``).

Forwards hand the arrays to ``np.matmul`` as they are: BLAS reads transposed views without a
copy. Each backward is two matmuls with transposed views, written in ember ops so it can be
differentiated again, and summed over the batch dims the forward broadcast.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence, Union

import numpy as np

from ..tensor import Tensor
from ._record import wrap, needs_grad, record, sum_to, inplace, wrap_dim, check_tensor, _CAPITAL
from ._einsum import einsum
from ._elementwise import output
from .pointwise import mul

# The C++ type names torch's mm/matmul dtype-mismatch message uses.
_C_NAME = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
           "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
           "bool": "bool"}


def _cap(x: np.ndarray) -> str:
    return _CAPITAL[x.dtype.name]


def _tensor_arg(value, op: str, arg: str, position: int) -> Tensor:
    return check_tensor(value, op, arg, position)


def _not_bool(x: np.ndarray, kernel: str) -> None:
    if x.dtype.kind == "b":
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


# ---------------------------------------------------------------------------- kernel checks
# Each takes the operands' arrays and raises what the torch kernel raises, in its order: shape,
# then dtype, then type support. The messages count rows after folding leading dims, as torch.
def _check_dot(x: np.ndarray, y: np.ndarray) -> None:
    if x.ndim != 1 or y.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {x.ndim}D and {y.ndim}D tensors")
    if x.dtype != y.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {_cap(x)} and "
                           f"{_cap(y)}")
    if x.shape[0] != y.shape[0]:
        n, m = x.shape[0], y.shape[0]
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the "
                           f"same number of elements, but got {n} and {m} elements respectively")
    _not_bool(x, "dot")


def _check_mv(x: np.ndarray, y: np.ndarray) -> None:
    if x.shape[-1] != y.shape[0]:
        rows = math.prod(x.shape[:-1])
        raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{x.shape[-1]}), vec "
                           f"({y.shape[0]})")
    if x.dtype != y.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_cap(y)}, {_cap(x)}, "
                           f"and {_cap(y)}")
    _not_bool(x, "addmv_impl_cpu")


def _check_mm(x: np.ndarray, y: np.ndarray) -> None:
    if x.shape[-1] != y.shape[0]:
        rows = math.prod(x.shape[:-1])
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} and "
                           f"{y.shape[0]}x{y.shape[1]})")
    if x.dtype != y.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_C_NAME[x.dtype.name]} "
                           f"!= {_C_NAME[y.dtype.name]}")
    _not_bool(x, "addmm_impl_cpu_")


def _check_bmm(batch: int, x: np.ndarray, batch2: int, y: np.ndarray) -> None:
    if batch2 != batch or y.shape[-2] != x.shape[-1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{batch}, {x.shape[-1]}] but got: [{batch2}, {y.shape[-2]}].")
    if x.dtype != y.dtype:
        raise RuntimeError(f"expected scalar type {_cap(x)} but found {_cap(y)}")
    _not_bool(x, "bmm")


def _broadcast_batch(sa: tuple, sb: tuple) -> tuple:
    """The broadcast of two batch shapes, with torch's error when they don't broadcast."""
    try:
        return np.broadcast_shapes(sa, sb)
    except ValueError:
        n = max(len(sa), len(sb))
        for i in range(1, min(len(sa), len(sb)) + 1):
            if sa[-i] != sb[-i] and sa[-i] != 1 and sb[-i] != 1:
                raise RuntimeError(f"The size of tensor a ({sa[-i]}) must match the size of tensor b "
                                   f"({sb[-i]}) at non-singleton dimension {n - i}") from None
        raise


def _check_matmul(x: np.ndarray, y: np.ndarray) -> None:
    """Raise what torch's matmul raises: it dispatches to dot, mv, mm or bmm by the ranks."""
    da, db = x.ndim, y.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D")
    if da == 1 and db == 1:
        _check_dot(x, y)
    elif db == 1:
        _check_mv(x, y)
    elif db == 2:
        _check_mm(x, y)
    else:
        batch = math.prod(_broadcast_batch(x.shape[:-2], y.shape[:-2]))
        _check_bmm(batch, x, batch, y)


# ---------------------------------------------------------------------------- forward and backward
def _blas_ready(x: np.ndarray) -> np.ndarray:
    """``x`` when BLAS can read it (unit stride along one of its last two dims), else a C copy."""
    if x.ndim >= 2:
        item, strides = x.itemsize, x.strides
        if strides[-1] != item and strides[-2] != item:
            return np.ascontiguousarray(x)
    return x


def _product_array(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``np.matmul(x, y)``; a contiguous stack of matrices times one matrix is one GEMM."""
    x, y = _blas_ready(x), _blas_ready(y)
    if x.ndim > 2 and y.ndim == 2 and x.flags.c_contiguous:
        rows = math.prod(x.shape[:-1])
        return np.matmul(x.reshape(rows, x.shape[-1]), y).reshape(x.shape[:-1] + y.shape[1:])
    return np.matmul(x, y)


def _matmul_grads(g: Tensor, a_shape: tuple, b_shape: tuple, a: Optional[Tensor],
                  b: Optional[Tensor]) -> tuple:
    """Gradients of ``matmul(A, B)`` (operands of shapes ``a_shape``, ``b_shape``) for output grad ``g``.

    Each gradient reads only the other operand: A's is computed when ``b`` is given, B's when
    ``a`` is. A vector operand is treated as matmul treats it (a row on the left, a column on
    the right), and each gradient is summed over the batch dims its operand was broadcast along.
    """
    a_vec, b_vec = len(a_shape) == 1, len(b_shape) == 1
    if a_vec and b_vec:
        return (g * b if b is not None else None), (g * a if a is not None else None)
    if a_vec:
        g = g.unsqueeze(-2)
    if b_vec:
        g = g.unsqueeze(-1)
    ga = gb = None
    if b is not None:
        bt = b.unsqueeze(-2) if b_vec else b.transpose(-2, -1)
        ga = matmul(g, bt)
        ga = sum_to(ga, (1,) + a_shape).reshape(a_shape) if a_vec else sum_to(ga, a_shape)
    if a is not None:
        if len(b_shape) == 2 and len(a_shape) > 2:  # fold the batch into one GEMM
            rows = math.prod(a_shape[:-1])
            gb = matmul(a.reshape(rows, a_shape[-1]).transpose(-2, -1), g.reshape(rows, g.shape[-1]))
        else:
            at = a.unsqueeze(-1) if a_vec else a.transpose(-2, -1)
            gb = matmul(at, g)
            gb = sum_to(gb, b_shape + (1,)).reshape(b_shape) if b_vec else sum_to(gb, b_shape)
    return ga, gb


def _product(name: str, a: Tensor, b: Tensor) -> Tensor:
    """``a @ b`` (shapes already checked), recorded as node ``name``."""
    out = wrap(_product_array(a._data, b._data))
    if needs_grad(a, b):
        a_shape, b_shape = a._data.shape, b._data.shape
        sa, sb = (a if b._rg else None), (b if a._rg else None)
        record(out, name, (a, b), lambda g: _matmul_grads(g, a_shape, b_shape, sa, sb),
               saved=[t for t in (sa, sb) if t is not None])
    return out


# The grad_fn name torch shows for matmul by operand ranks (3: any higher), its decomposition's last op.
_MATMUL_NODE = {(1, 1): "DotBackward0", (2, 1): "MvBackward0", (1, 2): "SqueezeBackward4",
                (2, 2): "MmBackward0", (2, 3): "CloneBackward0"}


# ---------------------------------------------------------------------------- matmul and kernels
def matmul(input: Tensor, other: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
    """Matrix product with torch's rank rules.

    1-D x 1-D is a dot product; a 1-D operand is a row vector on the left (a column on the
    right) whose added dim is removed from the result; higher ranks are stacks of matrices
    whose batch dims broadcast.
    """
    _tensor_arg(input, "matmul", "input", 1)
    _tensor_arg(other, "matmul", "other", 2)
    _check_matmul(input._data, other._data)
    name = _MATMUL_NODE.get((min(input._data.ndim, 3), min(other._data.ndim, 3)), "UnsafeViewBackward0")
    result = _product(name, input, other)
    return output(out, result)


def mm(input: Tensor, mat2: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
    """Product of two matrices (no broadcasting)."""
    x, y = _tensor_arg(input, "mm", "input", 1)._data, _tensor_arg(mat2, "mm", "mat2", 2)._data
    if x.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if y.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _check_mm(x, y)
    result = _product("MmBackward0", input, mat2)
    return output(out, result)


def bmm(input: Tensor, mat2: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
    """Batched product of two stacks of matrices of the same batch size (no broadcasting)."""
    x, y = _tensor_arg(input, "bmm", "input", 1)._data, _tensor_arg(mat2, "bmm", "mat2", 2)._data
    _check_batches(x, y)
    _check_bmm(x.shape[0], x, y.shape[0], y)
    result = _product("BmmBackward0", input, mat2)
    return output(out, result)


def _check_batches(x: np.ndarray, y: np.ndarray) -> None:
    if x.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if y.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")


def mv(input: Tensor, vec: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
    """Matrix-vector product."""
    x, y = _tensor_arg(input, "mv", "input", 1)._data, _tensor_arg(vec, "mv", "vec", 2)._data
    if x.ndim != 2 or y.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {x.ndim}, {y.ndim}")
    _check_mv(x, y)
    result = _product("MvBackward0", input, vec)
    return output(out, result)


def dot(input: Tensor, tensor: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
    """Inner product of two 1-D tensors of the same size and dtype."""
    _check_dot(_tensor_arg(input, "dot", "input", 1)._data, _tensor_arg(tensor, "dot", "tensor", 2)._data)
    result = _product("DotBackward0", input, tensor)
    return output(out, result)


def vdot(input: Tensor, other: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
    """``dot`` with the first operand conjugated: the same thing for real tensors."""
    _check_dot(_tensor_arg(input, "vdot", "input", 1)._data, _tensor_arg(other, "vdot", "other", 2)._data)
    result = _product("VdotBackward0", input, other)
    return output(out, result)


# ---------------------------------------------------------------------------- beta * input + alpha * product
def _fused(name: str, input: Tensor, a: Tensor, b: Tensor, beta, alpha, batch_sum: bool = False) -> Tensor:
    """``beta * input + alpha * (a @ b)`` (checked operands), ``input`` broadcast to the product.

    With ``batch_sum`` (addbmm) the product of the two stacks is summed over the batch. As in
    torch, ``input`` is ignored when ``beta`` is 0, and integer tensors take integer scalars.
    """
    x, xa, xb = input._data, a._data, b._data
    if x.dtype.kind != "f":
        beta, alpha = int(beta), int(alpha)
    if batch_sum:  # sum_i A_i @ B_i as one GEMM: [A_1 ... A_n] @ [B_1; ...; B_n]
        n, k, m = xa.shape[0], xa.shape[2], xb.shape[2]
        prod = _product_array(xa.transpose(1, 0, 2).reshape(xa.shape[1], n * k), xb.reshape(n * k, m))
    else:
        prod = _product_array(xa, xb)
    try:
        bias = np.broadcast_to(x, prod.shape)
    except ValueError:
        input.expand(prod.shape)  # raises torch's message
        raise
    if alpha != 1:
        np.multiply(prod, alpha, out=prod)
    if beta != 0:
        np.add(prod, bias if beta == 1 else bias * beta, out=prod)
    out = wrap(prod)
    if needs_grad(input, a, b):
        in_shape, a_shape, b_shape, in_rg = x.shape, xa.shape, xb.shape, input._rg
        sa, sb = (a if b._rg else None), (b if a._rg else None)

        def vjp(g):
            g_in = sum_to(g if beta == 1 else g * beta, in_shape) if in_rg else None
            g_prod = g if alpha == 1 else g * alpha
            ga, gb = _matmul_grads(g_prod.unsqueeze(0) if batch_sum else g_prod, a_shape, b_shape, sa, sb)
            return g_in, ga, gb
        record(out, name, (input, a, b), vjp, saved=[t for t in (sa, sb) if t is not None])
    return out


def _check_same_dtype(input: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
    """addmm's and addbmm's dtype check: ``input`` against ``mat2`` first, then ``mat1``."""
    if input.dtype != y.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_cap(input)} and {_cap(y)}")
    if x.dtype != y.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_cap(x)} and {_cap(y)}")


def _fused_args(op: str, input, a, b, names: Sequence[str]) -> tuple:
    return tuple(_tensor_arg(t, op, n, i + 1)._data for i, (t, n) in enumerate(zip((input, a, b), names)))


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1,
          out: Optional[Tensor] = None) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``."""
    x, x1, x2 = _fused_args("addmm", input, mat1, mat2, ("input", "mat1", "mat2"))
    for arg, t in (("mat1", x1), ("mat2", x2)):
        if t.ndim != 2:
            raise RuntimeError(f"{arg} must be a matrix, got {t.ndim}-D tensor")
    _check_same_dtype(x, x1, x2)
    _check_mm(x1, x2)
    result = _fused("AddmmBackward0", input, mat1, mat2, beta, alpha)
    return output(out, result)


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta=1, alpha=1,
          out: Optional[Tensor] = None) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``."""
    x, xm, xv = _fused_args("addmv", input, mat, vec, ("input", "mat", "vec"))
    if xm.ndim != 2 or xv.ndim != 1 or x.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {x.ndim}, {xm.ndim}, {xv.ndim}")
    if not x.dtype == xm.dtype == xv.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_cap(x)}, {_cap(xm)}, "
                           f"and {_cap(xv)}")
    if x.size not in (1, xm.shape[0]):
        raise RuntimeError(f"size mismatch, got input ({x.size}), mat ({xm.shape[0]}x{xm.shape[1]}), vec "
                           f"({xv.shape[0]})")
    _check_mv(xm, xv)
    result = _fused("AddmvBackward0", input, mat, vec, beta, alpha)
    return output(out, result)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1,
            out: Optional[Tensor] = None) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``."""
    x, x1, x2 = _fused_args("baddbmm", input, batch1, batch2, ("input", "batch1", "batch2"))
    _check_batches(x1, x2)
    if not x.dtype == x1.dtype == x2.dtype:
        raise RuntimeError(f"Input dtypes must be the same, got: input {_C_NAME[x.dtype.name]}, batch1: "
                           f"{_C_NAME[x1.dtype.name]}, batch2: {_C_NAME[x2.dtype.name]}")
    _check_bmm(x1.shape[0], x1, x2.shape[0], x2)
    result = _fused("BaddbmmBackward0", input, batch1, batch2, beta, alpha)
    return output(out, result)


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1,
           out: Optional[Tensor] = None) -> Tensor:
    """``beta * input + alpha * sum_i batch1[i] @ batch2[i]``."""
    x, x1, x2 = _fused_args("addbmm", input, batch1, batch2, ("input", "batch1", "batch2"))
    _check_batches(x1, x2)
    if x1.shape[0] != x2.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {x1.shape[0]} and "
                           f"{x2.shape[0]}")
    if x1.shape[2] != x2.shape[1]:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({x1.shape[1]}x{x1.shape[2]} and "
                           f"{x2.shape[1]}x{x2.shape[2]})")
    _check_same_dtype(x, x1, x2)
    _not_bool(x1, "addmm_impl_cpu_")
    result = _fused("AddbmmBackward0", input, batch1, batch2, beta, alpha, batch_sum=True)
    return output(out, result)


# ---------------------------------------------------------------------------- composite products
def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """Outer product of two vectors (their dtypes promote, as for ``mul``)."""
    x, y = _tensor_arg(input, "outer", "input", 1)._data, _tensor_arg(vec2, "outer", "vec2", 2)._data
    for arg, t in (("self", x), ("vec2", y)):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {arg}, but got {t.ndim}-D")
    return mul(input.reshape(-1, 1), vec2)


ger = outer


def _check_same(x: np.ndarray, y: np.ndarray) -> None:
    if x.dtype != y.dtype:
        raise RuntimeError("both inputs should have same dtype")


def tensordot(a: Tensor, b: Tensor, dims: Union[int, Sequence, Tensor] = 2,
              out: Optional[Tensor] = None) -> Tensor:
    """Contract ``a``'s dims ``dims[0]`` with ``b``'s ``dims[1]`` (an int n: a's last n with b's first n).

    As in torch, this is permute + reshape + ``mm``; a contracted dim of size 1 broadcasts
    against the other operand's (which is summed over it).
    """
    x, y = _tensor_arg(a, "tensordot", "a", 1)._data, _tensor_arg(b, "tensordot", "b", 2)._data
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, (int, np.integer)):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > x.ndim or dims > y.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims_a, dims_b = list(range(x.ndim - dims, x.ndim)), list(range(dims))
    else:
        dims_a, dims_b = dims
        for arg, position, d in (("dims_self", 3, dims_a), ("dims_other", 4, dims_b)):
            if not isinstance(d, (list, tuple)):
                raise TypeError(f"tensordot(): argument '{arg}' (position {position}) must be tuple of ints, "
                                f"not {type(d).__name__}")
        if len(dims_a) != len(dims_b):
            raise RuntimeError("both dimension lists should have same length")
    _check_same(x, y)
    dims_a = [wrap_dim(d, x.ndim) for d in dims_a]
    dims_b = [wrap_dim(d, y.ndim) for d in dims_b]
    for da, db in zip(dims_a, dims_b):
        sa, sb = x.shape[da], y.shape[db]
        if sa != sb:
            if sa == 1:
                b = b.sum(db, keepdim=True)
            elif sb == 1:
                a = a.sum(da, keepdim=True)
            else:
                raise RuntimeError(f"contracted dimensions need to match, but first has size {sa} in dim "
                                   f"{da} and second has size {sb} in dim {db}")
    free_a = [d for d in range(x.ndim) if d not in dims_a]
    free_b = [d for d in range(y.ndim) if d not in dims_b]
    shape_a, shape_b = [x.shape[d] for d in free_a], [y.shape[d] for d in free_b]
    size = math.prod(a.shape[d] for d in dims_a)
    left = a.permute(free_a + dims_a).reshape(math.prod(shape_a), size)
    right = b.permute(dims_b + free_b).reshape(size, math.prod(shape_b))
    result = mm(left, right).reshape(shape_a + shape_b)
    return output(out, result)


def inner(input: Tensor, other: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
    """Sum of products over the last dims of both; a 0-d operand just multiplies."""
    x, y = _tensor_arg(input, "inner", "input", 1)._data, _tensor_arg(other, "inner", "other", 2)._data
    if x.ndim == 0 or y.ndim == 0:
        result = mul(input, other)
    else:
        _check_same(x, y)
        if x.shape[-1] != y.shape[-1]:
            raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                               f"{list(x.shape)} and {list(y.shape)}")
        _not_bool(x, "dot")
        result = tensordot(input, other, ([-1], [-1]))
    return output(out, result)


def kron(input: Tensor, other: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
    """Kronecker product: block (i, j, ...) is ``input[i, j, ...] * other`` (ranks padded to match)."""
    x, y = _tensor_arg(input, "kron", "input", 1)._data, _tensor_arg(other, "kron", "other", 2)._data
    nd = max(x.ndim, y.ndim)
    sa = (1,) * (nd - x.ndim) + x.shape
    sb = (1,) * (nd - y.ndim) + y.shape
    spread_a = [s for d in sa for s in (d, 1)]
    spread_b = [s for d in sb for s in (1, d)]
    result = mul(input.reshape(spread_a), other.reshape(spread_b)).reshape([p * q for p, q in zip(sa, sb)])
    return output(out, result)


# ---------------------------------------------------------------------------- in-place forms
def addmm_(self: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:
    return inplace(self, lambda s: addmm(s, mat1, mat2, beta=beta, alpha=alpha), mat1, mat2)


def addmv_(self: Tensor, mat: Tensor, vec: Tensor, *, beta=1, alpha=1) -> Tensor:
    return inplace(self, lambda s: addmv(s, mat, vec, beta=beta, alpha=alpha), mat, vec)


def baddbmm_(self: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    return inplace(self, lambda s: baddbmm(s, batch1, batch2, beta=beta, alpha=alpha), batch1, batch2)


def addbmm_(self: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    return inplace(self, lambda s: addbmm(s, batch1, batch2, beta=beta, alpha=alpha), batch1, batch2)


__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "addmm", "addmv", "baddbmm", "addbmm", "outer",
           "ger", "tensordot", "inner", "kron", "einsum", "addmv_"]
METHODS = ("matmul", "mm", "bmm", "mv", "dot", "vdot", "addmm", "addmv", "baddbmm", "addbmm", "outer",
           "ger", "inner", "kron", "addmm_", "addmv_", "baddbmm_", "addbmm_")
