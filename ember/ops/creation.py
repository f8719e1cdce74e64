"""Creating tensors: from data, filled, ranges, and random draws."""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from .. import dtypes
from ..device import check_device
from ..random import rng, Generator
from ..tensor import Tensor
from ._record import wrap, shape_arg, public_names


def _finish(arr: np.ndarray, requires_grad: bool = False, out: Optional[Tensor] = None) -> Tensor:
    if out is not None:
        out._data = arr
        out._vbox[0] += 1
        return out
    t = wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _dtype(dtype, default: Optional[dtypes.dtype] = None) -> np.dtype:
    if dtype is None:
        return (default or dtypes.get_default_dtype()).np
    return dtypes.to_dtype(dtype).np


def _infer_dtype(data) -> np.dtype:
    """The dtype torch.tensor gives ``data``: NumPy's own, else bool / int64 / default float."""
    arr = np.asarray(data)
    if arr.dtype.kind == "f" and not isinstance(data, (np.ndarray, np.generic)):
        return dtypes.get_default_dtype().np
    return arr.dtype


def _to_array(data, dtype) -> np.ndarray:
    if isinstance(data, Tensor):
        return data._data.astype(_dtype(dtype, data.dtype), copy=True)
    try:
        arr = np.array(data)
    except ValueError as err:
        raise ValueError(f"expected sequence of equal lengths: {err}") from None
    if arr.dtype == object:
        raise TypeError(f"Could not infer dtype of {type(_first(data)).__name__}")
    if arr.dtype.kind == "U" or arr.dtype.kind == "S":
        raise TypeError(f"new(): invalid data type '{arr.dtype.kind == 'U' and 'str' or 'bytes'}'")
    if dtype is None:
        if arr.dtype.kind == "f" and not isinstance(data, (np.ndarray, np.generic)):
            arr = arr.astype(dtypes.get_default_dtype().np)
        else:
            dtypes.from_numpy(arr.dtype)
        return arr
    return arr.astype(_dtype(dtype), copy=False)


def _first(data):
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return data


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays or tensors)."""
    check_device(device)
    arr = _to_array(data, dtype)
    if isinstance(data, np.ndarray) and arr is data:
        arr = arr.copy()
    return _finish(arr, requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor`` but shares memory with a Tensor or ndarray of the right dtype."""
    check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype == dtypes.to_dtype(dtype) else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == _dtype(dtype)):
        dtypes.from_numpy(data.dtype)
        return wrap(data)
    return wrap(_to_array(data, dtype))


asarray = as_tensor


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing ``ndarray``'s memory: writes to either are seen by both."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    dtypes.from_numpy(ndarray.dtype)
    return wrap(ndarray)


def _filled(fill, size, out, dtype, device, requires_grad, default=None) -> Tensor:
    check_device(device)
    arr = np.full(shape_arg(size), fill, dtype=_dtype(dtype, default))
    return _finish(arr, requires_grad, out)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False) -> Tensor:
    check_device(device)
    return _finish(np.zeros(shape_arg(size), dtype=_dtype(dtype)), requires_grad, out)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False) -> Tensor:
    return _filled(1, size, out, dtype, device, requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None) -> Tensor:
    check_device(device)
    return _finish(np.empty(shape_arg(size), dtype=_dtype(dtype)), requires_grad, out)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False) -> Tensor:
    default = dtypes.scalar_dtype(fill_value.item() if isinstance(fill_value, Tensor) else fill_value)
    return _filled(fill_value, (size,), out, dtype, device, requires_grad, default)


def _like(input: Tensor, dtype):
    return input.shape, (dtype if dtype is not None else input.dtype)


def zeros_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    shape, dt = _like(input, dtype)
    return zeros(shape, dtype=dt, device=device, requires_grad=requires_grad)


def ones_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    shape, dt = _like(input, dtype)
    return ones(shape, dtype=dt, device=device, requires_grad=requires_grad)


def empty_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    shape, dt = _like(input, dtype)
    return empty(shape, dtype=dt, device=device, requires_grad=requires_grad)


def full_like(input: Tensor, fill_value, *, dtype=None, layout=None, device=None,
              requires_grad=False, memory_format=None) -> Tensor:
    shape, dt = _like(input, dtype)
    return full(shape, fill_value, dtype=dt, device=device, requires_grad=requires_grad)


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False) -> Tensor:
    """Values from ``start`` up to (not including) ``end`` in steps of ``step``."""
    if end is None:
        start, end = 0, start
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    is_float = any(isinstance(v, float) for v in (start, end, step))
    default = dtypes.get_default_dtype() if is_float else dtypes.int64
    n = int(np.ceil((end - start) / step))
    arr = (start + step * np.arange(n, dtype=np.float64)) if is_float else \
        np.arange(start, end, step, dtype=np.int64)
    check_device(device)
    return _finish(arr.astype(_dtype(dtype, default)), requires_grad, out)


def range(start, end, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Deprecated torch.range: like arange but includes ``end``; floats by default."""
    n = int(np.floor((end - start) / step)) + 1
    arr = start + step * np.arange(n, dtype=np.float64)
    return _finish(arr.astype(_dtype(dtype)), requires_grad)


def linspace(start, end, steps: int, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:
    check_device(device)
    arr = np.linspace(float(start), float(end), int(steps))
    return _finish(arr.astype(_dtype(dtype)), requires_grad, out)


def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None, device=None,
             requires_grad=False) -> Tensor:
    arr = np.power(base, np.linspace(float(start), float(end), int(steps)))
    return _finish(arr.astype(_dtype(dtype)), requires_grad)


def eye(n: int, m: Optional[int] = None, *, out=None, dtype=None, layout=None, device=None,
        requires_grad=False) -> Tensor:
    check_device(device)
    return _finish(np.eye(n, n if m is None else m, dtype=_dtype(dtype)), requires_grad, out)


# ---------------------------------------------------------------------------- random draws
def _random(draw, size, generator, out, dtype, device, requires_grad) -> Tensor:
    check_device(device)
    npd = _dtype(dtype)
    arr = draw(rng(generator), shape_arg(size)).astype(npd, copy=False)
    return _finish(arr, requires_grad, out)


def rand(*size, generator: Optional[Generator] = None, out=None, dtype=None, layout=None,
         device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """Uniform on [0, 1)."""
    return _random(lambda g, s: g.random(s), size, generator, out, dtype, device, requires_grad)


def randn(*size, generator: Optional[Generator] = None, out=None, dtype=None, layout=None,
          device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """Standard normal."""
    return _random(lambda g, s: g.standard_normal(s), size, generator, out, dtype, device,
                   requires_grad)


def randint(low, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False) -> Tensor:
    """Integers uniform on [low, high); int64 unless ``dtype`` says otherwise."""
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing 1 required positional arguments: \"size\"")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    check_device(device)
    arr = rng(generator).integers(low, high, shape_arg((size,)))
    return _finish(arr.astype(_dtype(dtype, dtypes.int64)), requires_grad, out)


def randperm(n: int, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False) -> Tensor:
    check_device(device)
    return _finish(rng(generator).permutation(int(n)).astype(_dtype(dtype, dtypes.int64)),
                   requires_grad, out)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False) -> Tensor:
    """Normal draws; ``mean`` and ``std`` may be tensors (broadcast) or numbers with ``size``."""
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    if isinstance(s, np.ndarray) and (s < 0).any() or not isinstance(s, np.ndarray) and s < 0:
        raise RuntimeError(f"normal expects all elements of std >= 0.0")
    shape = np.broadcast_shapes(np.shape(m), np.shape(s)) if size is None else shape_arg((size,))
    like = mean if isinstance(mean, Tensor) else std if isinstance(std, Tensor) else None
    npd = like._data.dtype if like is not None and dtype is None else _dtype(dtype)
    arr = (m + s * rng(generator).standard_normal(shape)).astype(npd, copy=False)
    return _finish(np.asarray(arr), requires_grad, out)


def bernoulli(input: Tensor, p=None, *, generator=None, out=None) -> Tensor:
    """1 with probability ``input`` (or ``p``), else 0; same shape and dtype as ``input``."""
    prob = input._data if p is None else p
    if np.any((np.asarray(prob) < 0) | (np.asarray(prob) > 1)):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    draw = rng(generator).random(input._data.shape) < prob
    return _finish(draw.astype(input._data.dtype), False, out)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *, generator=None,
                out=None) -> Tensor:
    """Draw category indices from each row of non-negative weights."""
    probs = np.asarray(input._data, dtype=np.float64)
    if probs.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if (probs < 0).any() or not np.isfinite(probs).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = np.atleast_2d(probs)
    if (rows.sum(-1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and num_samples > rows.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    g = rng(generator)
    picks = np.stack([g.choice(r.size, num_samples, replace=replacement, p=r / r.sum()) for r in rows])
    return _finish(picks.reshape(probs.shape[:-1] + (num_samples,)).astype(np.int64), False, out)


def poisson(input: Tensor, generator=None) -> Tensor:
    return wrap(rng(generator).poisson(input._data).astype(input._data.dtype))


def rand_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    return rand(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    return randn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input: Tensor, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None) -> Tensor:
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype)


# ---------------------------------------------------------------------------- in-place fills
def _fill(self: Tensor, arr) -> Tensor:
    """Overwrite ``self``'s values outside autograd (the nn.init and optimizer path)."""
    from ..autograd import grad_mode
    if self._rg and self.grad_fn is None and grad_mode.is_grad_enabled():
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    np.copyto(self._data, arr, casting="unsafe")
    self._vbox[0] += 1
    return self


def fill_(self: Tensor, value) -> Tensor:
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.ndim} dimensions.")
        value = value.item()
    return _fill(self, value)


def zero_(self: Tensor) -> Tensor:
    return _fill(self, 0)


def uniform_(self: Tensor, a: float = 0.0, b: float = 1.0, *, generator=None) -> Tensor:
    return _fill(self, rng(generator).uniform(a, b, self._data.shape))


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    return _fill(self, mean + std * rng(generator).standard_normal(self._data.shape))


def bernoulli_(self: Tensor, p=0.5, *, generator=None) -> Tensor:
    prob = p._data if isinstance(p, Tensor) else p
    return _fill(self, rng(generator).random(self._data.shape) < prob)


def exponential_(self: Tensor, lambd: float = 1.0, *, generator=None) -> Tensor:
    return _fill(self, rng(generator).exponential(1.0 / lambd, self._data.shape))


def geometric_(self: Tensor, p: float, *, generator=None) -> Tensor:
    return _fill(self, rng(generator).geometric(p, self._data.shape))


def log_normal_(self: Tensor, mean: float = 1.0, std: float = 2.0, *, generator=None) -> Tensor:
    return _fill(self, rng(generator).lognormal(mean, std, self._data.shape))


def cauchy_(self: Tensor, median: float = 0.0, sigma: float = 1.0, *, generator=None) -> Tensor:
    return _fill(self, median + sigma * rng(generator).standard_cauchy(self._data.shape))


def random_(self: Tensor, from_=0, to=None, *, generator=None) -> Tensor:
    if to is None:
        from_, to = 0, (from_ if from_ else 2 ** min(self._data.dtype.itemsize * 8 - 1, 53))
    return _fill(self, rng(generator).integers(from_, to, self._data.shape))


# ---------------------------------------------------------------------------- new_* methods
def new_tensor(self: Tensor, data, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    return tensor(data, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)


def new_zeros(self: Tensor, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return zeros(*size, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)


def new_ones(self: Tensor, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return ones(*size, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)


def new_empty(self: Tensor, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return empty(*size, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)


def new_full(self: Tensor, size, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    return full(size, fill_value, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)


def _legacy_new(cls, *args, **kwargs) -> Tensor:
    """``Tensor(2, 3)`` (uninitialised, default dtype) or ``Tensor([1, 2])`` (data, default dtype)."""
    dtype = kwargs.pop("dtype", None) or dtypes.get_default_dtype()
    if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        if isinstance(args[0], Tensor):
            return args[0].to(dtype)
        t = tensor(args[0], dtype=dtype)
    else:
        t = empty(*args, dtype=dtype) if args else empty(0, dtype=dtype)
    if cls is not Tensor:
        t = cls._make(t._data)
    return t


__all__ = [n for n in public_names(globals()) if not n.startswith("new_") and not n.endswith("_")
           or n in ("zeros_like", "ones_like", "empty_like", "full_like")]
METHODS = ("fill_", "zero_", "uniform_", "normal_", "bernoulli_", "exponential_", "geometric_",
           "log_normal_", "cauchy_", "random_", "new_tensor", "new_zeros", "new_ones", "new_empty",
           "new_full", "bernoulli", "multinomial")
