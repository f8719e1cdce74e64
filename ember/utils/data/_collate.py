"""torch's default collation: samples -> a batch of stacked tensors, with the same structure."""
from __future__ import annotations

import collections.abc
import numbers

import numpy as np

from ...tensor import Tensor


def default_convert(data):
    """NumPy arrays become tensors, recursively; everything else is left as it is."""
    from ...ops.creation import as_tensor
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf":
        return as_tensor(data)
    if isinstance(data, np.generic) and data.dtype.kind in "biuf":
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return type(data)({k: default_convert(v) for k, v in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return [default_convert(d) for d in data]
    return data


def default_collate(batch):
    """Stack a list of samples: tensors, arrays and numbers become batched tensors; tuples,
    lists, dicts and named tuples are collated field by field; strings stay a list."""
    from ...ops.creation import tensor, as_tensor
    from ...ops.views import stack
    elem = batch[0]
    if isinstance(elem, Tensor):
        shapes = {tuple(t.shape) for t in batch}
        if len(shapes) > 1:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(batch[0].shape)} at entry 0 and "
                               f"{next(list(t.shape) for t in batch if tuple(t.shape) != tuple(elem.shape))} "
                               f"at entry {next(i for i, t in enumerate(batch) if tuple(t.shape) != tuple(elem.shape))}")
        return stack(batch, 0)
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind not in "biuf":
            raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts "
                            f"or lists; found {elem.dtype}")
        return default_collate([as_tensor(b) for b in batch])
    if isinstance(elem, np.generic):
        return as_tensor(np.array(batch))
    if isinstance(elem, bool):
        return tensor(batch)
    if isinstance(elem, float):
        from ... import dtypes
        return tensor(batch, dtype=dtypes.float64)
    if isinstance(elem, numbers.Integral):
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return type(elem)({key: default_collate([d[key] for d in batch]) for key in elem}) \
            if not isinstance(elem, collections.defaultdict) else \
            {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        if any(len(e) != len(elem) for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(list(s)) for s in zip(*batch)]
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                    f"lists; found {type(elem)}")
