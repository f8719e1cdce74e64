"""Regression, binary and divergence losses of ``ember.nn.functional``, with torch's reductions,
checks and messages (the classification losses are in ``classification``).

The elementwise losses are each one recorded op (named as torch names them): the forward
and its reduction run in NumPy, the vjp in ember ops of the saved inputs.
"""
from __future__ import annotations

import warnings
from typing import Callable, Optional

import numpy as np

from ... import ops
from ...autograd import grad_mode
from ...ops._elementwise import broadcast_error, capital
from ...ops._record import needs_grad, record, sum_to, wrap
from ...tensor import Tensor
from .activation import softplus

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "kl_div"]

_REDUCTIONS = ("none", "mean", "sum")


# ---------------------------------------------------------------------------- reduction arguments
def _legacy_reduction(size_average: Optional[bool], reduce: Optional[bool]) -> str:
    """The ``reduction`` the deprecated ``size_average``/``reduce`` pair means (with torch's warning)."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                  stacklevel=3)
    return ret


def _reduction_arg(reduction: str, size_average: Optional[bool] = None, reduce: Optional[bool] = None) -> str:
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce)
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
                      stacklevel=3)
        return "mean"
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    return loss if reduction == "none" else loss.sum() if reduction == "sum" else loss.mean()


def _warn_size(input: Tensor, target: Tensor) -> None:
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size "
                      f"({input.size()}). This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", stacklevel=3)


def _not_differentiable(fn: str, arg: str, t: Optional[Tensor]) -> None:
    if t is not None and t._rg and grad_mode.is_grad_enabled():
        raise RuntimeError(f"The function '{fn}' is not differentiable with respect to argument '{arg}'. "
                           "This input cannot have requires_grad True.")


# ---------------------------------------------------------------------------- elementwise losses
def _broadcasts_to(a: tuple, b: tuple, out: tuple) -> None:
    """torch's errors where shapes ``a`` and ``b`` do not broadcast, or broadcast past ``out``
    (the shape its in-place ops write into)."""
    try:
        full = np.broadcast_shapes(a, b)
    except ValueError:
        raise broadcast_error(a, b) from None
    if full != out:
        raise RuntimeError(f"output with shape {list(out)} doesn't match the broadcast shape {list(full)}")


def _elementwise(name: str, input: Tensor, target: Tensor, loss_arr: np.ndarray, reduction: str,
                 d_input: Callable[[], Tensor], d_target: Optional[Callable[[], Tensor]] = None) -> Tensor:
    """Reduce the elementwise ``loss_arr`` and record one node.

    ``d_input()``/``d_target()`` build, in ember ops of the saved inputs, the derivative of each
    element's loss; ``d_target`` defaults to ``-d_input`` (losses of ``input - target``).
    """
    n = loss_arr.size
    if reduction == "none":
        out = wrap(loss_arr)
    else:
        total = loss_arr.sum(dtype=loss_arr.dtype)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = wrap(np.asarray(total if reduction == "sum" else total / loss_arr.dtype.type(n)))
    if needs_grad(input, target):
        x_shape, t_shape = input.shape, target.shape
        x_rg, t_rg = input._rg, target._rg

        def vjp(g: Tensor):
            if reduction == "mean":
                g = g / n
            gx = _as(sum_to(g * d_input(), x_shape), input) if x_rg else None
            gt = None
            if t_rg:
                d = d_target() if d_target is not None else -d_input()
                gt = _as(sum_to(g * d, t_shape), target)
            return gx, gt
        record(out, name, (input, target), vjp, (input, target))
    return out


def _difference(input: Tensor, target: Tensor) -> np.ndarray:
    """``input - target`` as an array (broadcast and promoted, with torch's error on a shape clash)."""
    with grad_mode.no_grad():
        return ops.sub(input, target)._data


def _as(grad: Tensor, like: Tensor) -> Tensor:
    """``grad`` in ``like``'s dtype (a promoted loss sends back promoted gradients)."""
    return grad if grad.dtype == like.dtype else grad.to(like.dtype)


def _weighted(loss: Tensor, weight: Tensor, input: Tensor, reduction: str, by_weight_sum: bool = True) -> Tensor:
    """torch's optional elementwise ``weight`` of mse/l1 (whose mean divides by the weights' sum) and
    of huber (whose mean is a plain mean)."""
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    weighted = loss * weight
    if reduction == "mean" and by_weight_sum:
        return weighted.sum() / weight.sum()
    return _reduce(weighted, reduction)


def mse_loss(input: Tensor, target: Tensor, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
             reduction: str = "mean", weight: Optional[Tensor] = None) -> Tensor:
    """Squared error (x - y)^2."""
    _warn_size(input, target)
    reduction = _reduction_arg(reduction, size_average, reduce)
    if weight is not None:
        return _weighted(mse_loss(input, target, reduction="none"), weight, input, reduction)
    d = _difference(input, target)
    return _elementwise("MseLossBackward0", input, target, d * d, reduction, lambda: 2 * (input - target))


def l1_loss(input: Tensor, target: Tensor, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
            reduction: str = "mean", weight: Optional[Tensor] = None) -> Tensor:
    """Absolute error |x - y| (torch's composite: abs, then the reduction)."""
    _warn_size(input, target)
    reduction = _reduction_arg(reduction, size_average, reduce)
    loss = (input - target).abs()
    return _reduce(loss, reduction) if weight is None else _weighted(loss, weight, input, reduction)


def _clipped_linear(name: str, input: Tensor, target: Tensor, reduction: str, width: float,
                    scale: float) -> Tensor:
    """Quadratic within ``width`` of the target, linear beyond (smooth L1 and Huber).

    Elementwise loss ``scale * (0.5 d^2 / width if |d| < width else |d| - width / 2)``; its
    derivative is ``scale * clip(d / width, -1, 1)``.
    """
    d = _difference(input, target)
    ad = np.abs(d)
    small = ad < width
    loss = np.where(small, (0.5 / width) * d * d, ad - 0.5 * width) * scale
    inside = wrap(ad <= width)
    outside = wrap(np.sign(d) * (ad > width) * scale)
    k = scale / width
    return _elementwise(name, input, target, loss.astype(d.dtype, copy=False), reduction,
                        lambda: (input - target) * k * inside + outside)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Optional[bool] = None,
                   reduce: Optional[bool] = None, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """0.5 (x - y)^2 / beta where |x - y| < beta, else |x - y| - beta / 2."""
    _warn_size(input, target)
    reduction = _reduction_arg(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    return _clipped_linear("SmoothL1LossBackward0", input, target, reduction, beta, 1.0)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Optional[Tensor] = None) -> Tensor:
    """0.5 (x - y)^2 where |x - y| < delta, else delta (|x - y| - delta / 2)."""
    _warn_size(input, target)
    reduction = _reduction_arg(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is not None:
        return _weighted(huber_loss(input, target, "none", delta), weight, input, reduction, by_weight_sum=False)
    if target.dtype != input.dtype and target.is_floating_point():
        target = target.to(input.dtype)  # torch's huber loss keeps the input's dtype
    return _clipped_linear("HuberLossBackward0", input, target, reduction, delta, delta)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                         size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                         reduction: str = "mean") -> Tensor:
    """-w (y log x + (1 - y) log(1 - x)) for probabilities x, each log clamped at -100 as in torch."""
    reduction = _reduction_arg(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input size "
                         f"({input.size()}) is deprecated. Please ensure they have the same size.")
    _not_differentiable("binary_cross_entropy", "weight", weight)
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {capital(target._data.dtype)} but expected {capital(input._data.dtype)}")
    x, y = input._data, target._data
    if np.any((x < 0) | (x > 1)):
        raise RuntimeError("all elements of input should be between 0 and 1")
    with np.errstate(divide="ignore"):
        log_x = np.maximum(np.log(x), -100)
        log_1mx = np.maximum(np.log1p(-x), -100)
    loss = -(y * log_x + (1 - y) * log_1mx)
    w = None
    if weight is not None:
        shape = tuple(target.shape)
        for i in range(1, min(weight.dim(), len(shape)) + 1):
            if weight.shape[-i] not in (1, shape[-i]):
                raise RuntimeError(f"Attempting to broadcast a dimension of length {weight.shape[-i]} at "
                                   f"{-i}! Mismatching argument at index 1 had {weight.size()}; but expected "
                                   f"shape should be broadcastable to {list(shape)}")
        _broadcasts_to(tuple(weight.shape), shape, shape)
        w = wrap(np.broadcast_to(weight._data, shape))
        loss = loss * w._data

    def d_input() -> Tensor:
        d = (input - target) / ((1 - input) * input).clamp_min(1e-12)
        return d if w is None else d * w

    def d_target() -> Tensor:
        d = (1 - input).log().clamp_min(-100) - input.log().clamp_min(-100)
        return d if w is None else d * w
    return _elementwise("BinaryCrossEntropyBackward0", input, target, loss.astype(x.dtype, copy=False),
                        reduction, d_input, d_target)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                                     size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                                     reduction: str = "mean", pos_weight: Optional[Tensor] = None) -> Tensor:
    """Binary cross entropy of sigmoid(x), computed stably from the logits x.

    Elementwise ``w ((1 - y) x + (1 + (pw - 1) y) softplus(-x))``; ``pos_weight`` (pw) weighs
    the positive class, broadcast along the last dim.
    """
    reduction = _reduction_arg(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    _not_differentiable("binary_cross_entropy_with_logits", "weight", weight)
    _not_differentiable("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
    if not target.is_floating_point():
        raise RuntimeError(f"result type {capital(input._data.dtype)} can't be cast to the desired output type "
                           f"{capital(target._data.dtype)}")
    x, y = input._data, target._data
    if weight is not None:
        _broadcasts_to(x.shape, tuple(weight.shape), x.shape)
    if pos_weight is not None:
        _broadcasts_to(tuple(pos_weight.shape), x.shape, x.shape)
    softplus_neg = np.logaddexp(0, -x)
    log_weight = None if pos_weight is None else 1 + (pos_weight._data - 1) * y
    loss = (1 - y) * x + (softplus_neg if log_weight is None else log_weight * softplus_neg)
    w = None if weight is None else weight._data
    if w is not None:
        loss = loss * w
    # torch's result takes the target's dtype
    loss = np.broadcast_to(loss, np.broadcast_shapes(loss.shape, x.shape)).astype(y.dtype, copy=False)
    pw = None if pos_weight is None else pos_weight.detach()
    wt = None if weight is None else weight.detach()

    def d_input() -> Tensor:
        s = input.sigmoid()
        d = s - target if pw is None else (1 - target) - (1 - s) * (1 + (pw - 1) * target)
        return d if wt is None else d * wt

    def d_target() -> Tensor:
        d = -input if pw is None else -input + (pw - 1) * softplus(-input)
        return d if wt is None else d * wt
    return _elementwise("BinaryCrossEntropyWithLogitsBackward0", input, target, loss, reduction,
                        d_input, d_target)


def kl_div(input: Tensor, target: Tensor, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Pointwise KL divergence target * (log target - input), ``input`` being log-probabilities.

    ``reduction='batchmean'`` divides the sum by the batch size (the mathematically right KL);
    ``'mean'`` averages over every element (torch warns about it).
    """
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      stacklevel=2)
    if reduction != "batchmean":
        reduction = _reduction_arg(reduction)
    if not (input.is_floating_point() and target.is_floating_point()):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        # xlogy(t, t): t log t, with 0 where t == 0 (and no nan gradient from the unused branch)
        positive = wrap(target._data > 0)
        loss = target * ops.where(positive, target, 1.0).log() - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.size(0) if input.dim() != 0 else total
    return _reduce(loss, reduction)
