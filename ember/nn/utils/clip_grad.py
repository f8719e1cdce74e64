"""Gradient clipping: rescale (``clip_grad_norm_``) or clamp (``clip_grad_value_``) ``.grad`` in place."""
from __future__ import annotations

import types
import warnings
from typing import Iterable, Union

import numpy as np

from ...autograd import grad_mode
from ...ops._record import wrap
from ...tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]

TensorOrTensors = Union[Tensor, Iterable[Tensor]]


def _vector_norm(arr: np.ndarray, norm_type: float) -> float:
    """The ``norm_type``-norm of all of ``arr``'s elements, accumulated in float64."""
    a = np.abs(arr.ravel().astype(np.float64, copy=False))
    if norm_type == float("inf"):
        return float(a.max()) if a.size else 0.0
    if norm_type == float("-inf"):
        return float(a.min()) if a.size else float("inf")
    if norm_type == 0:
        return float(np.count_nonzero(a))
    if norm_type == 2:
        return float(np.sqrt(np.dot(a, a)))
    if norm_type == 1:
        return float(a.sum())
    return float((a ** norm_type).sum() ** (1.0 / norm_type))


def get_total_norm(tensors: TensorOrTensors, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach=None) -> Tensor:
    """The norm of the norms of ``tensors`` (as if all were one vector), in the first one's dtype."""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return wrap(np.array(0.0, np.float32))
    norms = np.array([_vector_norm(t._data, norm_type) for t in tensors])
    total = np.array(_vector_norm(norms, norm_type), tensors[0]._data.dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           "norm anyway, set `error_if_nonfinite=False`")
    return wrap(total)


def clip_grads_with_norm_(parameters: TensorOrTensors, max_norm: float, total_norm: Tensor, foreach=None) -> None:
    """Scale every ``.grad`` by ``min(1, max_norm / (total_norm + 1e-6))``."""
    parameters = [parameters] if isinstance(parameters, Tensor) else parameters
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return
    total = total_norm._data
    coef = min(np.asarray(float(max_norm), total.dtype) / (total + total.dtype.type(1e-6)), total.dtype.type(1.0))
    with grad_mode.no_grad():
        for g in grads:
            g.mul_(float(coef))


def clip_grad_norm_(parameters: TensorOrTensors, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """Rescale the gradients so their total ``norm_type``-norm is at most ``max_norm``.

    Returns the total norm before clipping. ``error_if_nonfinite`` raises when it is nan/inf.
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=3)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(parameters, max_norm, total_norm)
    return total_norm


def clip_grad_norm(parameters: TensorOrTensors, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """Deprecated alias of ``clip_grad_norm_``."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite)


def clip_grad_value_(parameters: TensorOrTensors, clip_value: float, foreach=None) -> None:
    """Clamp every gradient element into [-clip_value, clip_value]."""
    parameters = [parameters] if isinstance(parameters, Tensor) else parameters
    clip_value = float(clip_value)
    with grad_mode.no_grad():
        for p in parameters:
            if p.grad is not None:
                p.grad.clamp_(min=-clip_value, max=clip_value)
