"""Classification losses: ``nll_loss`` and ``cross_entropy``, with torch's checks and messages.

``nll_loss`` is one recorded op whose gradient is a constant scatter of the per-sample
coefficients. ``cross_entropy`` of (N, C) logits against class indices, the training hot
path, is one fused op: a stable log-sum-exp forward that only evaluates the log-probability
of each target, and the gradient ``softmax(x) - scatter`` from the forward's exponentials.
Other cases (K-dim inputs, label smoothing, probability targets) are ``log_softmax`` then
``nll_loss`` (or a weighted sum), exactly torch's graph.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ... import ops
from ...autograd import grad_mode
from ...ops._elementwise import capital
from ...ops._record import needs_grad, record, wrap
from ...tensor import Tensor
from .loss import _not_differentiable, _reduction_arg

__all__ = ["nll_loss", "cross_entropy"]


def _check_target_dtype(target: Tensor) -> None:
    if target._data.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {capital(target._data.dtype)}")


def _check_nll_args(x: np.ndarray, t: np.ndarray, target: Tensor, weight: Optional[Tensor]) -> int:
    """torch's argument checks for nll_loss, in torch's order; returns the number of classes."""
    if x.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {x.ndim})")
    if x.ndim != 1 and (t.ndim == 0 or x.shape[0] != t.shape[0]):
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size "
                         f"({t.shape[0] if t.ndim else 1}).")
    if x.ndim <= 2 and t.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    _check_target_dtype(target)
    n_classes = x.shape[1] if x.ndim >= 2 else x.shape[0]
    if weight is not None and (weight.dim() != 1 or weight.numel() != n_classes):
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or no classes but "
                           f"got weight tensor of shape: {list(weight.shape)}")
    _not_differentiable("nll_loss_forward", "weight", weight)
    if x.ndim > 2 and t.shape != x.shape[:1] + x.shape[2:]:
        raise RuntimeError(f"Expected target size {list(x.shape[:1] + x.shape[2:])}, got {list(t.shape)}")
    return n_classes


def _sample_weights(t: np.ndarray, n_classes: int, weight: Optional[Tensor], ignore_index: int, dtype):
    """(targets safe to index with, per-sample weight or None for all ones); ignored samples weigh 0."""
    used = t != ignore_index
    all_used = used.all()
    safe_t = t if all_used else np.where(used, t, 0)
    checked = t if all_used else t[used]
    if checked.size and (checked.min() < 0 or checked.max() >= n_classes):
        raise IndexError(f"Target {checked[(checked < 0) | (checked >= n_classes)].flat[0]} is out of bounds.")
    if weight is None:
        return safe_t, None if all_used else used.astype(dtype)
    w_t = weight._data[safe_t].astype(dtype, copy=False)
    return safe_t, w_t if all_used else w_t * used


def _reduce_picked(picked: np.ndarray, w_t: Optional[np.ndarray], reduction: str):
    """The loss of the targets' log-probabilities ``picked``, and ``coef``: d(loss)/d(picked).

    ``'mean'`` divides by the total weight (nan loss and zero gradient when it is 0, as torch).
    """
    dtype = picked.dtype
    loss_el = -picked if w_t is None else -picked * w_t
    coef = -1 if w_t is None else -w_t
    if reduction == "none":
        return loss_el, coef
    denom = dtype.type(1 if reduction == "sum" else picked.size if w_t is None else w_t.sum(dtype=dtype))
    if not denom:
        return np.asarray(np.nan, dtype), 0
    return np.asarray(loss_el.sum(dtype=dtype) / denom, dtype), coef / denom


def _scatter(shape: tuple, dtype, safe_t: np.ndarray, coef) -> np.ndarray:
    """Zeros with ``coef`` at each sample's target position along dim 1."""
    out = np.zeros(shape, dtype)
    if len(shape) == 2:
        out[np.arange(shape[0]), safe_t] = coef
    else:
        np.put_along_axis(out, safe_t[:, None], np.broadcast_to(coef, safe_t.shape)[:, None], axis=1)
    return out


def nll_loss(input: Tensor, target: Tensor, weight: Optional[Tensor] = None, size_average: Optional[bool] = None,
             ignore_index: int = -100, reduce: Optional[bool] = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood: ``-weight[t] * input[n, t]`` for class indices t along dim 1.

    ``input`` is (C), (N, C) or (N, C, d1, ..., dk) log-probabilities; targets equal to
    ``ignore_index`` contribute nothing; ``'mean'`` divides by the sum of the used weights.
    """
    reduction = _reduction_arg(reduction, size_average, reduce)
    x, t = input._data, target._data
    n_classes = _check_nll_args(x, t, target, weight)
    unbatched = x.ndim == 1
    if unbatched:
        x, t = x[None], t.reshape(1)
    safe_t, w_t = _sample_weights(t, n_classes, weight, ignore_index, x.dtype)
    picked = x[np.arange(x.shape[0]), safe_t] if x.ndim == 2 else \
        np.take_along_axis(x, safe_t[:, None], axis=1)[:, 0]
    out_arr, coef = _reduce_picked(picked, w_t, reduction)
    out = wrap(out_arr[0] if unbatched and reduction == "none" else out_arr)
    if needs_grad(input):
        # linear in the input: the gradient is g times a constant scatter of the coefficients
        shape, dtype, in_shape = x.shape, x.dtype, input._data.shape
        g_shape = shape[:1] + (1,) + shape[2:] if reduction == "none" and not unbatched else None

        def vjp(g: Tensor):
            scale = wrap(_scatter(shape, dtype, safe_t, coef).reshape(in_shape))
            return ((g if g_shape is None else g.reshape(g_shape)) * scale,)
        record(out, "NllLossBackward0" if x.ndim <= 2 else "NllLoss2DBackward0", (input,), vjp)
    return out


def _cross_entropy_2d(input: Tensor, target: Tensor, weight: Optional[Tensor], ignore_index: int,
                      reduction: str) -> Tensor:
    """``nll_loss(log_softmax(input, 1), target)`` for (N, C) float logits, as one op.

    The backward is ``g * (scatter - softmax(x) * coef)``; without a graph of the gradient
    to build it comes straight from the forward's exponentials, with one (create_graph) it is
    written in ember ops of ``input`` so that it can be differentiated again.
    """
    x, t = input._data, target._data
    n_classes = _check_nll_args(x, t, target, weight)
    safe_t, w_t = _sample_weights(t, n_classes, weight, ignore_index, x.dtype)
    rows = np.arange(x.shape[0])
    shifted = x - x.max(axis=1, keepdims=True) if x.size else x
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    out_arr, coef = _reduce_picked(shifted[rows, safe_t] - np.log(total[:, 0]), w_t, reduction)
    out = wrap(out_arr)
    if needs_grad(input):
        n = x.shape[0]

        def vjp(g: Tensor):
            scale = _scatter(x.shape, x.dtype, safe_t, coef)
            coef_col = np.broadcast_to(coef, (n,))[:, None].astype(x.dtype, copy=False)
            g_col = g.reshape(n, 1) if reduction == "none" else g
            if grad_mode.is_grad_enabled():
                return (g_col * (wrap(scale) - ops.softmax(input, 1) * wrap(coef_col)),)
            scale -= (exp / total) * coef_col
            return (g_col * wrap(scale),)
        record(out, "NllLossBackward0", (input,), vjp, (input,))
    return out


def cross_entropy(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                  size_average: Optional[bool] = None, ignore_index: int = -100, reduce: Optional[bool] = None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross entropy between logits ``input`` (class dim 1, or 0 when unbatched) and ``target``.

    ``target`` holds class indices (shape of ``input`` without the class dim), or class
    probabilities (same shape as ``input``). ``label_smoothing`` mixes the target with the
    uniform distribution.
    """
    reduction = _reduction_arg(reduction, size_average, reduce)
    class_dim = 0 if input.dim() == 1 else 1
    if target.shape == input.shape:
        if target._data.dtype.kind != "f":
            raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                               f"{capital(target._data.dtype)}")
        if input.dim() == 0:  # torch's class dim, 1, does not exist
            raise IndexError("Dimension specified as 1 but tensor has no dimensions")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing, class_dim)
    if input.dim() == 0:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if label_smoothing == 0.0 and input.dim() == 2 and input.is_floating_point():
        return _cross_entropy_2d(input, target, weight, ignore_index, reduction)
    logp = ops.log_softmax(input, class_dim)
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0.0:
        return nll
    n_classes = input.shape[class_dim]
    smooth = -(logp if weight is None else logp * _class_view(weight, input, class_dim)).sum(class_dim)
    ignored = wrap(target._data == ignore_index)
    smooth = ops.where(ignored, 0.0, smooth)
    if reduction == "mean":
        used = ~ignored._data
        if weight is None:
            smooth = smooth.sum() / float(used.sum())
        else:
            smooth = smooth.sum() / float(weight._data[target._data[used]].sum())
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


def _class_view(weight: Tensor, input: Tensor, class_dim: int) -> Tensor:
    """Per-class weights shaped to broadcast along ``input``'s class dim."""
    return weight.reshape((-1,) + (1,) * (input.dim() - 1 - class_dim))


def _cross_entropy_probs(input: Tensor, target: Tensor, weight: Optional[Tensor], reduction: str,
                         label_smoothing: float, class_dim: int) -> Tensor:
    """Cross entropy against class probabilities: -sum_c w_c t_c log softmax(x)_c."""
    n_classes = input.shape[class_dim]
    if weight is not None and (weight.dim() != 1 or weight.numel() != n_classes):
        raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all {n_classes} classes or "
                           f"no classes but got weight tensor of shape: {list(weight.shape)}")
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    terms = ops.log_softmax(input, class_dim) * target
    if weight is not None:
        terms = terms * _class_view(weight, input, class_dim)
    if reduction == "none":
        return -terms.sum(class_dim)
    if reduction == "sum":
        return -terms.sum()
    batch = input.numel() // n_classes if n_classes else 0
    return -terms.sum() / batch if batch else -terms.sum() * float("nan")
