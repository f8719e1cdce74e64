"""Activation functions of ``ember.nn.functional``.

Each is one recorded op named as torch names it (``LeakyReluBackward0``, ``GeluBackward0``, ...):
the forward runs on NumPy arrays, the vjp in ember ops. Where the derivative is piecewise
constant (relu-like functions) the vjp multiplies by a constant mask, which is exact at every
order; smooth derivatives are written in ember ops of the saved input so that double
backward works.
"""
from __future__ import annotations

import math
import warnings
from typing import Callable, Optional

import numpy as np

from ... import ops
from ...ops._record import inplace as _inplace, check_tensor, needs_grad, record, sum_to, wrap
from ...tensor import Tensor

__all__ = ["relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "hardtanh", "hardtanh_", "threshold",
           "threshold_", "elu", "elu_", "selu", "selu_", "celu", "celu_", "gelu", "silu", "mish",
           "softplus", "hardsigmoid", "hardswish", "logsigmoid", "softsign", "tanhshrink", "hardshrink",
           "softshrink", "prelu", "glu", "sigmoid", "tanh", "softmax", "log_softmax", "softmin"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _op(name: str, input: Tensor, out_arr: np.ndarray, vjp: Callable[[Tensor], Tensor]) -> Tensor:
    """Wrap ``out_arr`` as the result and, when needed, record ``vjp(grad)`` (which reads ``input``)."""
    out = wrap(out_arr)
    if needs_grad(input):
        record(out, name, (input,), lambda g: (vjp(g),), (input,))
    return out


def _maybe_inplace(fn: Callable[[Tensor], Tensor], input: Tensor, inplace: bool) -> Tensor:
    return _inplace(input, fn) if inplace else fn(input)


def _float_array(input: Tensor, name: str) -> np.ndarray:
    x = check_tensor(input, name)._data
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"{name}" not implemented for \'{input.type()[6:-6]}\'')
    return x


def _sigmoid_np(x: np.ndarray) -> np.ndarray:
    """The logistic function, without overflow and accurate in both tails."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1, e) / (1 + e)


# ---------------------------------------------------------------------------- relu family
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(0, x)."""
    return input.relu_() if inplace else ops.relu(input)


def relu_(input: Tensor) -> Tensor:
    return input.relu_()


def _leaky_relu(input: Tensor, negative_slope: float) -> Tensor:
    x = _float_array(input, "leaky_relu")
    positive = x > 0
    scale = np.where(positive, 1, negative_slope).astype(x.dtype)
    return _op("LeakyReluBackward0", input, x * scale, lambda g: g * wrap(scale))


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0, else negative_slope * x."""
    return _maybe_inplace(lambda t: _leaky_relu(t, negative_slope), input, inplace)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return leaky_relu(input, negative_slope, True)


def _hardtanh(input: Tensor, min_val: float, max_val: float) -> Tensor:
    x = input._data
    inside = (x > min_val) & (x < max_val)
    return _op("HardtanhBackward0", input, np.clip(x, min_val, max_val).astype(x.dtype, copy=False),
               lambda g: g * wrap(inside))


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """x clipped to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _maybe_inplace(lambda t: _hardtanh(t, min_val, max_val), input, inplace)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(0, x), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def _threshold(input: Tensor, threshold: float, value: float) -> Tensor:
    x = input._data
    keep = x > threshold
    return _op("ThresholdBackward0", input, np.where(keep, x, np.asarray(value, x.dtype)),
               lambda g: g * wrap(keep))


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else value."""
    return _maybe_inplace(lambda t: _threshold(t, threshold, value), input, inplace)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return _inplace(input, lambda t: _threshold(t, threshold, value))


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0."""
    x = _float_array(input, "hardshrink_cpu")
    keep = (x < -lambd) | (x > lambd)
    return _op("HardshrinkBackward0", input, np.where(keep, x, 0).astype(x.dtype, copy=False),
               lambda g: g * wrap(keep))


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd above lambd, x + lambd below -lambd, else 0."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    x = _float_array(input, "softshrink_cpu")
    keep = (x < -lambd) | (x > lambd)
    out = np.where(keep, x - np.sign(x) * np.asarray(lambd, x.dtype), 0).astype(x.dtype, copy=False)
    return _op("SoftshrinkBackward0", input, out, lambda g: g * wrap(keep))


# ---------------------------------------------------------------------------- exponential family
def _elu(input: Tensor, name: str, alpha: float, scale: float, input_scale: float) -> Tensor:
    x = _float_array(input, "elu")
    positive = x > 0
    neg = np.expm1(np.minimum(x, 0) * input_scale) * (alpha * scale)
    out = np.where(positive, x * scale, neg).astype(x.dtype, copy=False)
    k = alpha * scale * input_scale

    def vjp(g: Tensor) -> Tensor:
        return ops.where(wrap(positive), g * scale, g * k * (input * input_scale).exp())
    return _op(name, input, out, vjp)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else alpha * (exp(x) - 1)."""
    return _maybe_inplace(lambda t: _elu(t, "EluBackward0", alpha, 1.0, 1.0), input, inplace)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return elu(input, alpha, True)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with the self-normalising constants."""
    return _maybe_inplace(lambda t: _elu(t, "EluBackward0", _SELU_ALPHA, _SELU_SCALE, 1.0), input, inplace)


def selu_(input: Tensor) -> Tensor:
    return selu(input, True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else alpha * (exp(x / alpha) - 1)."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _maybe_inplace(lambda t: _elu(t, "CeluBackward0", alpha, 1.0, 1.0 / alpha), input, inplace)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return celu(input, alpha, True)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta * x)) / beta, or x where beta * x > threshold (for stability)."""
    x = _float_array(input, "softplus")
    bx = x * beta
    linear = bx > threshold
    out = np.where(linear, x, np.logaddexp(0, bx) / beta).astype(x.dtype, copy=False)
    return _op("SoftplusBackward0", input, out,
               lambda g: ops.where(wrap(linear), g, g * (input * beta).sigmoid()))


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), computed stably."""
    x = _float_array(input, "log_sigmoid_forward")
    return _op("LogSigmoidBackward0", input, -np.logaddexp(0, -x).astype(x.dtype, copy=False),
               lambda g: g * (-input).sigmoid())


# ---------------------------------------------------------------------------- smooth gates
def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x) (``approximate='tanh'``: Hendrycks and Gimpel's tanh approximation)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    x = _float_array(input, "GeluKernelImpl")
    if approximate == "tanh":
        c = math.sqrt(2.0 / math.pi)
        out = 0.5 * x * (1 + np.tanh(c * (x + 0.044715 * x * x * x)))

        def vjp(g: Tensor) -> Tensor:
            inner = (input + 0.044715 * input * input * input) * c
            t = inner.tanh()
            d_inner = c * (1 + 3 * 0.044715 * input * input)
            return g * (0.5 * (1 + t) + 0.5 * input * (1 - t * t) * d_inner)
    else:
        with np.errstate(all="ignore"):
            out = 0.5 * x * (1 + ops.erf(wrap(x * np.asarray(1 / math.sqrt(2.0), x.dtype)))._data)

        def vjp(g: Tensor) -> Tensor:
            cdf = 0.5 * (1 + (input * (1 / math.sqrt(2.0))).erf())
            pdf = (-0.5 * input * input).exp() * (1 / math.sqrt(2 * math.pi))
            return g * (cdf + input * pdf)
    return _op("GeluBackward0", input, out.astype(x.dtype, copy=False), vjp)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x)."""
    def fn(t: Tensor) -> Tensor:
        x = _float_array(t, "silu")

        def vjp(g: Tensor) -> Tensor:
            s = t.sigmoid()
            return g * s * (1 + t * (1 - s))
        return _op("SiluBackward0", t, x * _sigmoid_np(x), vjp)
    return _maybe_inplace(fn, input, inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    def fn(t: Tensor) -> Tensor:
        x = _float_array(t, "mish")

        def vjp(g: Tensor) -> Tensor:
            th = ops.tanh(softplus(t))
            return g * (th + t * t.sigmoid() * (1 - th * th))
        return _op("MishBackward0", t, (x * np.tanh(np.logaddexp(0, x))).astype(x.dtype, copy=False), vjp)
    return _maybe_inplace(fn, input, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6."""
    def fn(t: Tensor) -> Tensor:
        x = _float_array(t, "hardsigmoid_cpu")
        inside = ((x > -3) & (x < 3)).astype(x.dtype) / 6
        out = (np.clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False)
        return _op("HardsigmoidBackward0", t, out, lambda g: g * wrap(inside))
    return _maybe_inplace(fn, input, inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6."""
    def fn(t: Tensor) -> Tensor:
        x = _float_array(t, "hardswish_cpu")
        middle = (x >= -3) & (x <= 3)
        above = x > 3
        out = (x * np.clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False)
        return _op("HardswishBackward0", t, out,
                   lambda g: g * ((t / 3 + 0.5) * wrap(middle) + wrap(above)))
    return _maybe_inplace(fn, input, inplace)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    return input - input.tanh()


def sigmoid(input: Tensor) -> Tensor:
    return ops.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    return ops.tanh(input)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x where x > 0, else weight * x, with one learnt slope per channel (dim 1) or one for all."""
    x = _float_array(input, "prelu_cpu")
    w = weight._data
    if w.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {w.ndim}")
    channels = x.shape[1] if x.ndim >= 2 else 1
    if w.size != 1 and w.size != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers "
                           f"= {w.size} and channel size = {channels}.")
    # the slopes as they broadcast against the input: a scalar, or (C, 1, ..., 1) along dim 1
    shape = () if w.size == 1 else (w.size,) + (1,) * (x.ndim - 2)
    positive = x > 0
    out = wrap(np.where(positive, x, x * w.reshape(shape)).astype(x.dtype, copy=False))
    if needs_grad(input, weight):
        w_shape = w.shape
        pos = wrap(positive)

        def vjp(g: Tensor):
            gx = ops.where(pos, g, g * weight.reshape(shape)) if input._rg else None
            gw = sum_to(ops.where(pos, 0.0, g * input), shape).reshape(w_shape) if weight._rg else None
            return gx, gw
        record(out, "PreluKernelBackward0", (input, weight), vjp, (input, weight))
    return out


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a * sigmoid(b), where a and b are the two halves of ``input`` along ``dim``."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    size = input.shape[dim]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim % input.dim()} is size {size}")
    a, b = input.chunk(2, dim)
    return a * b.sigmoid()


# ---------------------------------------------------------------------------- softmax family
def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
                  "dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: Optional[int] = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``."""
    if dim is None:
        dim = _softmax_dim("softmax", input.dim(), _stacklevel)
    return ops.softmax(input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: Optional[int] = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """x - logsumexp(x) along ``dim``."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim(), _stacklevel)
    return ops.log_softmax(input, dim, dtype=dtype)


def softmin(input: Tensor, dim: Optional[int] = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """softmax(-x) along ``dim``."""
    if dim is None:
        dim = _softmax_dim("softmin", input.dim(), _stacklevel)
    return ops.softmax(-input, dim, dtype=dtype)
