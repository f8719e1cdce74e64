"""Dropout: zero elements (or whole channels) at random while training, scaling the rest by 1/(1-p).

The mask is drawn from ember's default generator and applied with one ``mul`` (torch's
``MulBackward0``), so the gradient is the same mask times the incoming gradient.
"""
from __future__ import annotations

import warnings

import numpy as np

from ... import ops
from ...random import rng
from ...tensor import Tensor
from ...ops._record import wrap

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]

_SELU_NEG_SAT = 1.7580993408473766  # -scale * alpha of SELU: the value a dropped unit takes


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(input: Tensor, p: float, shape: tuple) -> np.ndarray:
    """1/(1-p) where an element survives (probability 1-p), else 0, in the input's dtype."""
    dt = input._data.dtype
    draw = rng(None).random(shape, dtype=np.float32 if dt == np.float32 else np.float64)
    return np.multiply(draw >= p, 1.0 / (1.0 - p), dtype=dt)


def _apply(input: Tensor, mask: np.ndarray, inplace: bool) -> Tensor:
    return input.mul_(wrap(mask)) if inplace else ops.mul(input, wrap(mask))


def _dropout(input: Tensor, p: float, training: bool, inplace: bool, mask_shape: tuple,
             alpha: bool = False) -> Tensor:
    """Plain (or, with ``alpha``, alpha) dropout with one mask entry per element of ``mask_shape``."""
    _check_p(p)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input.mul_(0) if inplace else ops.mul(input, 0)
    if alpha:
        return _alpha_dropout(input, p, inplace, mask_shape)
    return _apply(input, _keep_mask(input, p, mask_shape), inplace)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` (training only)."""
    return _dropout(input, p, training, inplace, input.shape)


def _feature_shape(input: Tensor, batched: bool) -> tuple:
    """One mask entry per (sample, channel): trailing (spatial) dims broadcast."""
    lead = 2 if batched else 1
    return tuple(input.shape[:lead]) + (1,) * (input.dim() - lead)


def _warn_unless_feature_map(ndim: int, spatial: int) -> None:
    """torch's deprecation warning for a ``dropout<spatial>d`` input without (N,) C and ``spatial`` dims."""
    if ndim not in (spatial + 1, spatial + 2):
        warnings.warn(f"dropout{spatial}d: Received a {ndim}-D input to dropout{spatial}d, which is deprecated and "
                      "will result in an error in a future release. To retain the behavior and silence this "
                      f"warning, please use dropout instead. Note that dropout{spatial}d exists to provide "
                      f"channel-wise dropout on inputs with {spatial} spatial dimensions, a channel dimension, and an "
                      f"optional batch dimension (i.e. {spatial + 1}D or {spatial + 2}D inputs).", stacklevel=3)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) inputs."""
    _check_p(p)
    if input.dim() not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D input. Note that "
                           "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a "
                           "channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    return _dropout(input, p, training, inplace, _feature_shape(input, input.dim() == 3))


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) inputs (a 3-D input is read as (N, C, L), as torch does)."""
    _check_p(p)
    ndim = input.dim()
    _warn_unless_feature_map(ndim, 2)
    if ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. "
                      "This behavior will change in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please "
                      "switch to using dropout1d instead.", stacklevel=2)
    return _dropout(input, p, training, inplace, _feature_shape(input, ndim >= 2))


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) inputs."""
    _check_p(p)
    ndim = input.dim()
    _warn_unless_feature_map(ndim, 3)
    return _dropout(input, p, training, inplace, _feature_shape(input, ndim != 4))


def _alpha_dropout(input: Tensor, p: float, inplace: bool, mask_shape: tuple) -> Tensor:
    """Dropped units take SELU's negative saturation value; an affine map keeps mean and variance."""
    dt = input._data.dtype
    keep = rng(None).random(mask_shape) >= p
    a = 1.0 / np.sqrt((_SELU_NEG_SAT ** 2 * p + 1) * (1 - p))
    shift = wrap(((keep - 1.0) * (_SELU_NEG_SAT * a) + _SELU_NEG_SAT * a * p).astype(dt))
    scaled = _apply(input, (keep * a).astype(dt), inplace)
    return scaled.add_(shift) if inplace else scaled + shift


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """Dropout for SELU networks: keeps the self-normalising mean and variance."""
    return _dropout(input, p, training, inplace, input.shape, alpha=True)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """Alpha dropout of whole channels."""
    return _dropout(input, p, training, inplace, _feature_shape(input, True), alpha=True)
