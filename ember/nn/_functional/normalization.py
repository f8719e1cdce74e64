"""Normalization: batch, layer, group and instance norm, each one recorded node.

All four normalize ``x`` over some dims (``axes``) of a view of it, then scale and shift by
per-feature parameters broadcast over that view:

- batch norm: view ``(N, C, *S)``, axes ``(0, 2, ...)``, parameters per channel;
- instance norm: the same view, axes ``(2, ...)``;
- layer norm: axes the last ``len(normalized_shape)`` dims, parameters of that shape;
- group norm: view ``(N, G, C / G, *S)``, axes ``(2, ...)``, parameters per channel.

The backward is written in ember ops. When a graph of the backward is being built
(``create_graph``) it recomputes the statistics from ``x`` with ember ops, so that their
dependence on ``x`` is differentiated too; otherwise it reuses the forward's.
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from ...autograd import grad_mode
from ...ops._record import wrap, needs_grad, record
from ...tensor import Tensor

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "local_response_norm"]


def batch_norm(input: Tensor, running_mean: Optional[Tensor], running_var: Optional[Tensor],
               weight: Optional[Tensor] = None, bias: Optional[Tensor] = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each channel (dim 1) over the batch and spatial dims.

    In training, batch statistics are used and, when given, ``running_mean`` / ``running_var``
    are updated in place: ``running = (1 - momentum) * running + momentum * batch`` with the
    unbiased batch variance. Otherwise the running statistics are used.
    """
    channels = input.shape[1] if input.ndim > 1 else 0
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t.numel()}")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("running_mean must be defined in evaluation mode")
    _check_dtypes(input, (running_mean, running_var), (weight, bias))
    axes = (0,) + tuple(range(2, input.ndim))
    if training:
        count = input.numel() // max(channels, 1)
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{input.shape}")
        out, mean, var = _normalize(input, axes, weight, bias, (channels,) + (1,) * (input.ndim - 2), eps,
                                    "NativeBatchNormBackward0")
        _update_running(running_mean, running_var, mean.reshape(-1), var.reshape(-1), count, momentum)
        return out
    stats = (running_mean._data.reshape((channels,) + (1,) * (input.ndim - 2)),
             running_var._data.reshape((channels,) + (1,) * (input.ndim - 2)))
    return _normalize(input, axes, weight, bias, (channels,) + (1,) * (input.ndim - 2), eps,
                      "NativeBatchNormBackward0", stats=stats)[0]


def instance_norm(input: Tensor, running_mean: Optional[Tensor] = None, running_var: Optional[Tensor] = None,
                  weight: Optional[Tensor] = None, bias: Optional[Tensor] = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each channel of each sample over its spatial dims.

    With ``use_input_stats`` the running statistics (if given) are updated with the
    per-sample statistics averaged over the batch; otherwise they are used to normalize.
    """
    channels = input.shape[1] if input.ndim > 1 else 0
    param_shape = (channels,) + (1,) * (input.ndim - 2)
    axes = tuple(range(2, input.ndim))
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is "
                               "false")
        stats = (running_mean._data.reshape(param_shape), running_var._data.reshape(param_shape))
        return _normalize(input, axes, weight, bias, param_shape, eps, "NativeBatchNormBackward0",
                          stats=stats)[0]
    count = int(np.prod(input.shape[2:]))
    if count <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
    out, mean, var = _normalize(input, axes, weight, bias, param_shape, eps, "NativeBatchNormBackward0")
    _update_running(running_mean, running_var, mean.reshape(mean.shape[:2]).mean(0),
                    var.reshape(var.shape[:2]).mean(0), count, momentum)
    return out


def layer_norm(input: Tensor, normalized_shape: Sequence[int], weight: Optional[Tensor] = None,
               bias: Optional[Tensor] = None, eps: float = 1e-5) -> Tensor:
    """Normalize over the last ``len(normalized_shape)`` dims (which must equal ``normalized_shape``)."""
    if not isinstance(normalized_shape, (tuple, list)):
        raise TypeError(f"layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
                        f"{type(normalized_shape).__name__}")
    shape = [int(s) for s in normalized_shape]
    if not shape:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least "
                           "one element, but got normalized_shape = []")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and list(t.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                               f"shape {list(t.shape)} and normalized_shape = {shape}")
    if input.ndim < len(shape) or list(input.shape[input.ndim - len(shape):]) != shape:
        raise RuntimeError(f"Given normalized_shape={shape}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}")
    axes = tuple(range(input.ndim - len(shape), input.ndim))
    return _normalize(input, axes, weight, bias, tuple(shape), eps, "NativeLayerNormBackward0")[0]


def group_norm(input: Tensor, num_groups: int, weight: Optional[Tensor] = None, bias: Optional[Tensor] = None,
               eps: float = 1e-5) -> Tensor:
    """Split the channels (dim 1) into ``num_groups`` groups and normalize each group of each sample."""
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.ndim}")
    n, c = input.shape[:2]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input "
                           f"of shape {list(input.shape)} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.shape[0] != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in "
                               f"input, but got {name} of shape {list(t.shape)} and input of shape "
                               f"{list(input.shape)}")
    spatial = tuple(input.shape[2:])
    view = (n, num_groups, c // num_groups) + spatial
    axes = tuple(range(2, len(view)))
    param_shape = (num_groups, c // num_groups) + (1,) * len(spatial)
    return _normalize(input, axes, weight, bias, param_shape, eps, "NativeGroupNormBackward0", view=view)[0]


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """``x / (k + alpha * mean of x**2 over a window of size channels) ** beta``, composed as torch does."""
    from .pooling import avg_pool2d, avg_pool3d
    from .vision import pad
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {dim} "
                         "dimensions)")
    if input.numel() == 0:
        return input
    div = input.mul(input)
    if dim == 3:
        div = pad(div.unsqueeze(1), (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.size()
        div = div.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1).view(sizes)
    return input / div.mul(alpha).add(k).pow(beta)


# ------------------------------------------------------------------------------------ the recorded op
def _normalize(x: Tensor, axes: tuple, w: Optional[Tensor], b: Optional[Tensor], param_shape: tuple,
               eps: float, name: str, view: Optional[tuple] = None, stats: Optional[tuple] = None) -> tuple:
    """``(x - mean) / sqrt(var + eps) * w + b`` over ``axes`` of ``x`` seen as ``view``.

    ``stats`` (mean, var), broadcastable to the view, replace the batch statistics (eval
    mode; not differentiated). Returns the output and the batch mean and biased variance.
    """
    view = tuple(x.shape) if view is None else view
    arr = x._data.reshape(view)
    if stats is None:
        mean = arr.mean(axes, keepdims=True)
        var = arr.var(axes, keepdims=True)
    else:
        mean, var = stats
    invstd = 1.0 / np.sqrt(var + eps)
    y = (arr - mean) * invstd
    if w is not None:
        y *= w._data.reshape(param_shape)
    if b is not None:
        y += b._data.reshape(param_shape)
    out = wrap(y.astype(arr.dtype, copy=False).reshape(x.shape))
    if needs_grad(x, w, b):
        x_shape = tuple(x.shape)
        b_shape, b_rg = (tuple(b.shape), b._rg) if b is not None else (None, False)
        n = int(np.prod([view[a] for a in axes]))
        lead = len(view) - len(param_shape)
        param_dims = tuple(d for d in range(len(view)) if d < lead or param_shape[d - lead] == 1)

        def vjp(g):
            g = g.reshape(view)
            xv = x.reshape(view)
            if stats is None and grad_mode.is_grad_enabled():
                mu, inv = _stats(xv, axes, n, eps)
            else:
                mu, inv = wrap(mean.astype(arr.dtype, copy=False)), wrap(invstd.astype(arr.dtype, copy=False))
            xhat = (xv - mu) * inv
            gxhat = g * w.reshape(param_shape) if w is not None else g
            if stats is None:
                gx = inv * (gxhat - gxhat.sum(axes, keepdim=True) / n
                            - xhat * (gxhat * xhat).sum(axes, keepdim=True) / n)
            else:
                gx = gxhat * inv
            return (gx.reshape(x_shape) if x._rg else None,
                    (g * xhat).sum(param_dims, keepdim=True).reshape(w.shape) if w is not None and w._rg else None,
                    g.sum(param_dims, keepdim=True).reshape(b_shape) if b_rg else None)
        record(out, name, (x, w, b), vjp, saved=tuple(t for t in (x, w) if t is not None))
    return out, mean, var


def _stats(x: Tensor, axes: tuple, n: int, eps: float) -> tuple:
    """Mean and ``1 / sqrt(var + eps)`` over ``axes``, in ember ops (differentiable in ``x``)."""
    mean = x.sum(axes, keepdim=True) / n
    centered = x - mean
    return mean, ((centered * centered).sum(axes, keepdim=True) / n + eps).rsqrt()


def _update_running(running_mean: Optional[Tensor], running_var: Optional[Tensor], mean: np.ndarray,
                    var: np.ndarray, count: int, momentum: float) -> None:
    """``running = (1 - momentum) * running + momentum * batch``, in place; the variance unbiased."""
    for running, batch in ((running_mean, mean), (running_var, var * count / (count - 1))):
        if running is not None:
            data = running._data
            data *= 1 - momentum
            data += (momentum * batch).astype(data.dtype, copy=False)
            running._bump_version()


def _check_dtypes(input: Tensor, running: tuple, params: tuple) -> None:
    """torch's messages: a float32 input names the parameter's dtype, any other input a mismatch."""
    dtype = input._data.dtype
    for t in running + params:
        if t is not None and t._data.dtype != dtype:
            if dtype == np.float32:
                raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")
            raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")
