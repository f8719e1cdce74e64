"""Random draws: new random tensors and in-place random fills, from a ``Generator`` stream.

Every sampler takes ``generator=`` (the default stream when None). Floating draws are made
in the output's own precision, so a float32 uniform never rounds up to 1. Under autograd a
draw that depends on a tensor (``normal(mean, std)``, ``bernoulli(p)``) or overwrites one
(``uniform_``) records a node with zero gradient, as torch does.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes
from ..device import check_device
from ..random import Generator, rng
from ..tensor import Tensor
from ._factory import size_arg, np_dtype, finish, overwrite, format_number
from ._record import wrap, needs_grad, record, check_tensor, public_names


def _check_float(npd: np.dtype, kernel: str) -> None:
    if npd.kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{dtypes.SCALAR_NAMES[npd]}'")


def _uniform_into(g: np.random.Generator, arr: np.ndarray) -> None:
    """Fill a C-contiguous float array with uniform draws on [0, 1) in its own precision
    (float16 from 11 random bits, so that it stays below 1)."""
    _check_float(arr.dtype, "check_uniform_bounds")
    if arr.dtype == np.float16:
        arr[...] = g.integers(0, 2 ** 11, arr.shape) * 2.0 ** -11
    else:
        g.random(out=arr, dtype=arr.dtype.type)


def _normal_into(g: np.random.Generator, arr: np.ndarray) -> None:
    _check_float(arr.dtype, "normal_kernel_cpu")
    if arr.dtype == np.float16:
        arr[...] = g.standard_normal(arr.shape, dtype=np.float32)
    else:
        g.standard_normal(out=arr, dtype=arr.dtype.type)


def _uniform(g: np.random.Generator, shape: tuple, npd: np.dtype) -> np.ndarray:
    arr = np.empty(shape, npd)
    _uniform_into(g, arr)
    return arr


def _standard_normal(g: np.random.Generator, shape: tuple, npd: np.dtype) -> np.ndarray:
    arr = np.empty(shape, npd)
    _normal_into(g, arr)
    return arr


def _draw_into(self: Tensor, write, name: str) -> Tensor:
    """Overwrite ``self`` with ``write(array)``'s draws: straight into its memory when no graph
    is recorded (the ``nn.init`` path), else through ``overwrite`` (a ``name`` node)."""
    x = self._data
    if not needs_grad(self) and x.flags.c_contiguous and x.flags.writeable:
        write(x)
        self._vbox[0] += 1
        return self
    arr = np.empty(x.shape, x.dtype)
    write(arr)
    return overwrite(self, arr, name)


# ---------------------------------------------------------------------------- new random tensors
def rand(*sizes, size=None, generator: Optional[Generator] = None, out=None, dtype=None,
         layout=None, device=None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Uniform draws on [0, 1)."""
    check_device(device)
    shape = size_arg("rand", sizes, size)
    return finish(_uniform(rng(generator), shape, np_dtype(dtype)), requires_grad, out)


def randn(*sizes, size=None, generator: Optional[Generator] = None, out=None, dtype=None,
          layout=None, device=None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Standard normal draws."""
    check_device(device)
    shape = size_arg("randn", sizes, size)
    return finish(_standard_normal(rng(generator), shape, np_dtype(dtype)), requires_grad, out)


def _laid_out_like(input: Tensor, result: Tensor) -> Tensor:
    """``result`` in ``input``'s memory layout, as torch's ``*_like`` preserve it."""
    if input._data.flags.c_contiguous:
        return result
    arr = np.empty_like(input._data, dtype=result._data.dtype)
    arr[...] = result._data
    result._data = arr
    return result


def rand_like(input: Tensor, *, generator: Optional[Generator] = None, dtype=None, layout=None,
              device=None, requires_grad: bool = False, memory_format=None) -> Tensor:
    check_tensor(input, "rand_like")
    return _laid_out_like(input, rand(input.shape, generator=generator, dtype=dtype or input.dtype,
                                      device=device, requires_grad=requires_grad))


def randn_like(input: Tensor, *, generator: Optional[Generator] = None, dtype=None, layout=None,
               device=None, requires_grad: bool = False, memory_format=None) -> Tensor:
    check_tensor(input, "randn_like")
    return _laid_out_like(input, randn(input.shape, generator=generator, dtype=dtype or input.dtype,
                                       device=device, requires_grad=requires_grad))


def randint(low=0, high=None, size=None, *, generator: Optional[Generator] = None, out=None,
            dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    """Integers uniform on [low, high): ``randint(high, size)`` or ``randint(low, high, size)``;
    int64 unless ``dtype`` says otherwise."""
    check_device(device)
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint(): argument 'size' (position 2) must be tuple of ints, not "
                        f"{type(size).__name__}")
    shape = size_arg("randint", (size,))
    low, high = int(low), int(high)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    arr = rng(generator).integers(low, high, shape, dtype=np.int64)
    return finish(arr.astype(np_dtype(dtype, dtypes.int64), copy=False), requires_grad, out)


def randint_like(input: Tensor, low=0, high=None, *, generator: Optional[Generator] = None,
                 dtype=None, layout=None, device=None, requires_grad: bool = False,
                 memory_format=None) -> Tensor:
    check_tensor(input, "randint_like")
    if high is None:
        low, high = 0, low
    return _laid_out_like(input, randint(low, high, tuple(input.shape), generator=generator,
                                         dtype=dtype or input.dtype, device=device,
                                         requires_grad=requires_grad))


def randperm(n: int, *, generator: Optional[Generator] = None, out=None, dtype=None, layout=None,
             device=None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64 unless ``dtype`` says otherwise)."""
    check_device(device)
    (n,) = size_arg("randperm", (n,))
    arr = rng(generator).permutation(n)
    return finish(arr.astype(np_dtype(dtype, dtypes.int64), copy=False), requires_grad, out)


def normal(mean=0.0, std=1.0, size=None, *, generator: Optional[Generator] = None, out=None,
           dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    """Normal draws: ``mean`` and ``std`` are tensors (broadcast together) or numbers with
    ``size``. A tensor argument's gradient is zero (the draw is not reparameterised)."""
    check_device(device)
    g = rng(generator)
    mean_t, std_t = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not (mean_t or std_t):
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got (float, "
                            "float): numbers need a size")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {format_number(std)}")
        npd = np_dtype(dtype)
        z = _standard_normal(g, size_arg("normal", (size,)), npd)
        return finish((mean + std * z).astype(npd, copy=False), requires_grad, out)
    if std_t and (std._data < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not std_t and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {format_number(std)}")
    npd = (mean if mean_t else std)._data.dtype
    m = mean._data if mean_t else mean
    s = std._data.astype(npd, copy=False) if std_t else std
    z = _standard_normal(g, np.broadcast_shapes(np.shape(m), np.shape(s)), npd)
    result = wrap((m + s * z).astype(npd, copy=False))
    inputs = tuple(t for t in (mean, std) if isinstance(t, Tensor))
    if needs_grad(*inputs):
        name = "NormalBackward3" if mean_t and std_t else "NormalBackward1" if mean_t else \
            "NormalBackward2"
        shapes = [t.shape for t in inputs]
        record(result, name, inputs, lambda grad: tuple(grad.new_zeros(s) for s in shapes))
    return finish(result._data, False, out) if out is not None else result


def bernoulli(input: Tensor, p: Optional[float] = None, *, generator: Optional[Generator] = None,
              out=None) -> Tensor:
    """1 with probability ``input`` (or ``p``) and 0 otherwise, in ``input``'s shape and dtype."""
    x = input._data
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"bernoulli_tensor_cpu_p_\" not implemented for "
                                  f"'{dtypes.SCALAR_NAMES[x.dtype]}'")
    prob = x if p is None else p
    if np.any((np.asarray(prob) < 0) | (np.asarray(prob) > 1)):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    result = wrap((_uniform(rng(generator), x.shape, np.dtype(np.float64)) < prob).astype(x.dtype))
    if p is None and needs_grad(input):
        record(result, "BernoulliBackward0", (input,), lambda grad: (grad.new_zeros(grad.shape),))
    return finish(result._data, False, out) if out is not None else result


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Optional[Generator] = None, out=None) -> Tensor:
    """Category indices drawn from each row of non-negative weights (int64).

    With replacement each draw inverts the row's CDF; without, the rows' Gumbel-perturbed
    log-weights are ranked (the Gumbel top-k trick samples successive draws exactly).
    """
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{dtypes.SCALAR_NAMES[input._data.dtype]}")
    probs = input._data.astype(np.float64)
    if probs.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > probs.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if (probs < 0).any() or not np.isfinite(probs).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = probs.reshape(-1, probs.shape[-1])
    totals = rows.sum(-1, keepdims=True)
    if (totals <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    g = rng(generator)
    n_rows, n_cats = rows.shape
    if replacement:  # one sorted search over all rows' CDFs, row i shifted into [i, i + 1]
        shift = np.arange(n_rows)[:, None]
        cdf = np.cumsum(rows, axis=1) / totals + shift
        u = g.random((n_rows, num_samples)) + shift
        picks = np.searchsorted(cdf.ravel(), u.ravel(), side="right").reshape(n_rows, num_samples)
        picks = np.minimum(picks - shift * n_cats, n_cats - 1)
    else:
        with np.errstate(divide="ignore"):
            keys = np.log(rows) - np.log(-np.log(g.random(rows.shape)))
        picks = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    return finish(picks.reshape(probs.shape[:-1] + (num_samples,)).astype(np.int64), False, out)


def poisson(input: Tensor, generator: Optional[Generator] = None) -> Tensor:
    """Poisson draws with rates ``input`` (same dtype); the rates' gradient is zero."""
    result = wrap(rng(generator).poisson(input._data).astype(input._data.dtype))
    if needs_grad(input):
        record(result, "PoissonBackward0", (input,), lambda grad: (grad.new_zeros(grad.shape),))
    return result


# ---------------------------------------------------------------------------- in-place draws
def uniform_(self: Tensor, from_: float = 0.0, to: float = 1.0, *,
             generator: Optional[Generator] = None) -> Tensor:
    """Fill with uniform draws on [from, to)."""
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={format_number(from_)} > to={format_number(to)}")
    g = rng(generator)

    def write(arr: np.ndarray) -> None:
        _uniform_into(g, arr)
        arr *= arr.dtype.type(to - from_)
        arr += arr.dtype.type(from_)
    return _draw_into(self, write, "UniformBackward0")


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *,
            generator: Optional[Generator] = None) -> Tensor:
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {format_number(std)}")
    g = rng(generator)

    def write(arr: np.ndarray) -> None:
        _normal_into(g, arr)
        arr *= arr.dtype.type(std)
        arr += arr.dtype.type(mean)
    return _draw_into(self, write, "NormalBackward0")


def bernoulli_(self: Tensor, p=0.5, *, generator: Optional[Generator] = None) -> Tensor:
    """Fill with 1 with probability ``p`` (a number or a tensor broadcast to ``self``), else 0."""
    prob = p._data if isinstance(p, Tensor) else p
    if np.any((np.asarray(prob) < 0) | (np.asarray(prob) > 1)):
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={format_number(p)}"
                           if not isinstance(p, Tensor) else
                           "Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    g = rng(generator)

    def write(arr: np.ndarray) -> None:
        np.less(g.random(arr.shape), prob, out=arr, casting="unsafe")
    return _draw_into(self, write, "BernoulliBackward1" if isinstance(p, Tensor) else
                      "BernoulliBackward2")


def _continuous(self: Tensor, name: str) -> None:
    if self._data.dtype.kind != "f":
        raise RuntimeError(f"{name} distribution is a continuous probability distribution. dtype "
                           f"must be a floating point but you specified "
                           f"{dtypes.SCALAR_NAMES[self._data.dtype]}")


def exponential_(self: Tensor, lambd: float = 1.0, *, generator: Optional[Generator] = None) -> Tensor:
    _continuous(self, "Exponential")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={format_number(lambd)}")
    draw = rng(generator).exponential(1.0 / lambd, self._data.shape)
    return overwrite(self, draw, "ExponentialBackward0")


def geometric_(self: Tensor, p: float, *, generator: Optional[Generator] = None) -> Tensor:
    """Fill with the number of Bernoulli(p) trials up to the first success."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={format_number(p)}")
    return overwrite(self, rng(generator).geometric(p, self._data.shape), "GeometricBackward0")


def log_normal_(self: Tensor, mean: float = 1.0, std: float = 2.0, *,
                generator: Optional[Generator] = None) -> Tensor:
    _continuous(self, "LogNormal")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={format_number(std)}")
    draw = rng(generator).lognormal(mean, std, self._data.shape)
    return overwrite(self, draw, "LogNormalBackward0")


def cauchy_(self: Tensor, median: float = 0.0, sigma: float = 1.0, *,
            generator: Optional[Generator] = None) -> Tensor:
    _continuous(self, "Cauchy")
    draw = median + sigma * rng(generator).standard_cauchy(self._data.shape)
    return overwrite(self, draw, "CauchyBackward0")


def random_(self: Tensor, from_: Optional[int] = None, to: Optional[int] = None, *,
            generator: Optional[Generator] = None) -> Tensor:
    """Integers uniform on [from, to): ``random_(to)``, ``random_(from, to)``, or with no bound
    every integer the dtype holds exactly (``[0, 2**24]`` for float32)."""
    npd = self._data.dtype
    if from_ is None and to is None:
        name, low = "RandomBackward2", 0
        if npd == np.bool_:
            high = 2
        elif npd.kind == "f":
            high = 2 ** (np.finfo(npd).nmant + 1) + 1
        else:
            high = int(np.iinfo(npd).max) + 1
    elif to is None:
        name, low, high = "RandomBackward1", 0, from_
    else:
        name, low, high = "RandomBackward0", from_ or 0, to
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    return overwrite(self, rng(generator).integers(low, high, self._data.shape), name)


__all__ = [n for n in public_names(globals()) if not n.endswith("_")]
METHODS = ("uniform_", "normal_", "bernoulli_", "exponential_", "geometric_", "log_normal_",
           "cauchy_", "random_", "bernoulli", "multinomial")
