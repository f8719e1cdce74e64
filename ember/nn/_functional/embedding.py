"""``embedding`` (row lookup with a scatter-add backward) and ``one_hot``."""
from __future__ import annotations

from typing import Optional

import numpy as np

from ...autograd import grad_mode
from ...ops._record import needs_grad, record, wrap
from ...tensor import Tensor

__all__ = ["embedding", "one_hot"]


def _indices(input: Tensor) -> np.ndarray:
    if not isinstance(input, Tensor):
        raise TypeError(f"embedding(): argument 'indices' (position 2) must be Tensor, not {type(input).__name__}")
    idx = input._data
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {input.type()} instead (while checking arguments for embedding)")
    return idx


def _scatter_rows(grad: Tensor, idx: np.ndarray, num_weights: int, padding_idx: int,
                  scale_grad_by_freq: bool) -> Tensor:
    """The weight gradient of a lookup: ``grad``'s rows summed into the rows ``idx`` names.

    Recorded itself (its vjp is the lookup again, ``embedding``), so double backward works.
    """
    flat = idx.reshape(-1)
    g = grad._data.reshape(flat.size, -1)
    scale = None
    if scale_grad_by_freq:
        scale = (1.0 / np.bincount(flat, minlength=num_weights)[flat]).astype(g.dtype)[:, None]
        g = g * scale
    keep = flat != padding_idx if padding_idx >= 0 else None
    out_arr = np.zeros((num_weights, g.shape[1]), g.dtype)
    if keep is None:
        np.add.at(out_arr, flat, g)
    else:
        np.add.at(out_arr, flat[keep], g[keep])
    out = wrap(out_arr)
    if needs_grad(grad):
        shape = grad.shape

        def vjp(gg: Tensor):
            rows = embedding(wrap(flat), gg)
            if scale is not None:
                rows = rows * wrap(scale)
            if keep is not None:
                rows = rows * wrap(keep[:, None])
            return (rows.reshape(shape),)
        record(out, "EmbeddingDenseBackwardBackward0", (grad,), vjp)
    return out


def _padding_index(padding_idx: Optional[int], num_embeddings: int) -> Optional[int]:
    """``padding_idx`` as a row index in ``[0, num_embeddings)`` (None stays None), checked as torch does."""
    if padding_idx is None:
        return None
    if padding_idx > 0 and padding_idx >= num_embeddings:
        raise AssertionError("Padding_idx must be within num_embeddings")
    if padding_idx < 0:
        if padding_idx < -num_embeddings:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx = num_embeddings + padding_idx
    return padding_idx


def embedding(input: Tensor, weight: Tensor, padding_idx: Optional[int] = None, max_norm: Optional[float] = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` picked by the integer tensor ``input``: output shape ``input.shape + (dim,)``.

    ``padding_idx``'s row gets no gradient; ``max_norm`` first renormalises (in place) the rows
    used whose ``norm_type``-norm exceeds it.
    """
    num_weights = weight.shape[0]
    padding_idx = _padding_index(padding_idx, num_weights)
    if padding_idx is None:
        padding_idx = -1
    idx = _indices(input)
    if idx.size and (idx.min() < 0 or idx.max() >= num_weights):
        raise IndexError("index out of range in self")
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    if max_norm is not None:
        _renorm_rows(weight, idx, max_norm, norm_type)
    out = wrap(weight._data[idx])
    if needs_grad(weight):
        record(out, "EmbeddingBackward0", (weight,),
               lambda g: (_scatter_rows(g, idx, num_weights, padding_idx, scale_grad_by_freq),), (input,))
    return out


def _renorm_rows(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Scale, in place and outside autograd, each used row whose norm exceeds ``max_norm``."""
    rows = np.unique(idx)
    w = weight._data
    norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
    big = norms > max_norm
    with grad_mode.no_grad():
        w[rows[big]] *= (max_norm / (norms[big] + 1e-7))[:, None].astype(w.dtype)
        weight._bump_version()


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding: a new last dim of size ``num_classes`` (default: max + 1)."""
    idx = tensor._data
    if idx.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if idx.size == 0:
        if num_classes == -1:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        return wrap(np.zeros(idx.shape + (num_classes,), np.int64))
    if idx.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(idx.max()) + 1
    elif idx.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(idx.shape + (num_classes,), np.int64)
    np.put_along_axis(out, idx[..., None], 1, axis=-1)
    return wrap(out)
