"""Helpers shared by the distributions: parameter broadcasting, probs <-> logits, cached properties."""
from __future__ import annotations

import numbers
from typing import Callable

import numpy as np

from .. import dtypes
from ..ops._elementwise import broadcast_error
from ..ops.creation import tensor
from ..tensor import Tensor

__all__ = ["broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs", "probs_to_logits", "sum_rightmost"]


def broadcast_all(*values) -> tuple:
    """The values as tensors of one broadcast shape (views where possible); numbers take the
    dtype of the first tensor among them, or the default dtype."""
    if not all(isinstance(v, (Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of Number or ember.Tensor.")
    like = next((v for v in values if isinstance(v, Tensor)), None)
    dtype = like.dtype if like is not None else dtypes.get_default_dtype()
    tensors = [v if isinstance(v, Tensor) else tensor(v, dtype=dtype) for v in values]
    try:
        shape = np.broadcast_shapes(*(t.shape for t in tensors))
    except ValueError:
        raise broadcast_error(*(t.shape for t in tensors)) from None
    return tuple(t if t.shape == shape else t.expand(shape) for t in tensors)


def sum_rightmost(value: Tensor, dims: int) -> Tensor:
    """``value`` summed over its ``dims`` rightmost dims (``value`` itself when ``dims`` is 0)."""
    return value.reshape(tuple(value.shape[:value.dim() - dims]) + (-1,)).sum(-1) if dims else value


def clamp_probs(probs: Tensor) -> Tensor:
    """``probs`` kept eps away from 0 and 1, so their logs are finite."""
    eps = dtypes.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """Sigmoid of binary logits, or softmax over the last dim."""
    return logits.sigmoid() if is_binary else logits.softmax(-1)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """``log(p) - log(1 - p)`` for binary probabilities, else ``log(p)``, after ``clamp_probs``."""
    clamped = clamp_probs(probs)
    return clamped.log() - (-clamped).log1p() if is_binary else clamped.log()


class lazy_property:
    """A property computed on first access and then stored on the instance (so ``probs`` and
    ``logits`` are derived from each other only when asked for)."""

    def __init__(self, wrapped: Callable) -> None:
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return self
        value = self.wrapped(instance)
        instance.__dict__[self.wrapped.__name__] = value
        return value
