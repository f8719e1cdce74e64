"""Hessian-vector products by double backward, against torch's, in float64.

For a scalar loss ``L = sum(w * f(inputs))`` with a fixed random ``w``, take the gradient with
``create_graph=True``, then the gradient of ``sum(grad * v)``: ``H v``. Each backward formula
must itself be differentiable (written in ember ops) for this to match.
"""
import numpy as np
import pytest
import torch

import ember
from oracle import rand, positive

F64 = np.float64


def hvp(lib, fn, arrays, weight, vectors):
    """``H v`` of ``sum(weight * fn(lib, *inputs))`` w.r.t. all inputs, as NumPy arrays."""
    inputs = [lib.from_numpy(a.copy()).requires_grad_() for a in arrays]
    loss = (lib.from_numpy(weight) * fn(lib, *inputs)).sum()
    grads = lib.autograd.grad(loss, inputs, create_graph=True)
    dot = sum((g * lib.from_numpy(v)).sum() for g, v in zip(grads, vectors))
    second = lib.autograd.grad(dot, inputs, allow_unused=True)
    return [g.detach().numpy() if g is not None else np.zeros_like(a) for g, a in zip(second, arrays)], \
        [g.detach().numpy() for g in grads]


def check_hvp(fn, *arrays):
    out = fn(torch, *[torch.from_numpy(a) for a in arrays])
    weight = np.random.default_rng(1).standard_normal(tuple(out.shape))
    vectors = [np.random.default_rng(2 + i).standard_normal(a.shape) for i, a in enumerate(arrays)]
    theirs, their_grads = hvp(torch, fn, arrays, weight, vectors)
    ours, our_grads = hvp(ember, fn, arrays, weight, vectors)
    for k, (o, t) in enumerate(zip(our_grads, their_grads)):
        np.testing.assert_allclose(o, t, rtol=1e-9, atol=1e-11, err_msg=f"gradient of input {k}")
    for k, (o, t) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(o, t, rtol=1e-9, atol=1e-11, err_msg=f"Hessian-vector product, input {k}")


UNARY = {
    "tanh": (lambda T, x: T.tanh(x), rand),
    "sigmoid": (lambda T, x: T.sigmoid(x), rand),
    "exp": (lambda T, x: T.exp(x), rand),
    "log": (lambda T, x: T.log(x), positive),
    "softmax": (lambda T, x: T.softmax(x, -1), rand),
    "log_softmax": (lambda T, x: T.log_softmax(x, -1), rand),
    "softmax_dim0": (lambda T, x: T.softmax(x, 0), rand),
    "log_softmax_dim0": (lambda T, x: T.log_softmax(x, 0), rand),
}


@pytest.mark.parametrize("name", UNARY)
def test_unary(name):
    fn, make = UNARY[name]
    check_hvp(fn, make(3, 4, dtype=F64))


BINARY = {
    "matmul": ((3, 4), (4, 5)),
    "matmul_batched": ((2, 3, 4), (4, 5)),
    "matmul_broadcast": ((2, 1, 3, 4), (3, 4, 2)),
    "matmul_vector": ((3, 4), (4,)),
    "dot": ((4,), (4,)),
}


@pytest.mark.parametrize("name", BINARY)
def test_matmul(name):
    sa, sb = BINARY[name]
    check_hvp(lambda T, a, b: T.matmul(a, b), rand(*sa, dtype=F64), rand(*sb, dtype=F64))


COMPOSED = {
    "tanh_mlp": (lambda T, x, w, b: T.tanh(x @ w + b), ((5, 3), (3, 4), (4,))),
    "sigmoid_mlp": (lambda T, x, w, b: T.sigmoid(T.addmm(b, x, w)), ((5, 3), (3, 4), (4,))),
    "cross_entropy": (lambda T, x, w, b: -T.log_softmax(x @ w + b, 1)[:, 0], ((5, 3), (3, 4), (4,))),
    "attention": (lambda T, q, k, v: T.softmax(q @ k.transpose(-2, -1), -1) @ v, ((2, 3, 4), (2, 5, 4), (2, 5, 4))),
    "einsum_softmax": (lambda T, a, b, c: T.einsum("ij,jk->ik", T.softmax(a, 1), T.exp(b)) * T.log(c),
                       ((3, 4), (4, 2), (3, 2))),
}


@pytest.mark.parametrize("name", COMPOSED)
def test_composed(name):
    fn, shapes = COMPOSED[name]
    arrays = [rand(*s, dtype=F64) for s in shapes]
    if name == "einsum_softmax":
        arrays[2] = positive(*shapes[2], dtype=F64)
    check_hvp(fn, *arrays)
