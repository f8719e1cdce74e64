"""``Normal(loc, scale)``: the Gaussian, with reparameterized sampling."""
from __future__ import annotations

import math
import numbers
from typing import Sequence, Union

import numpy as np

from ..autograd import grad_mode
from ..ops import _erf
from ..ops._unary import _unary
from ..ops.sampling import normal as _normal_sample, randn
from ..tensor import Size, Tensor
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Normal"]

_HALF_LOG_2PI = math.log(math.sqrt(2 * math.pi))


def _erfinv_array(y: np.ndarray) -> np.ndarray:
    """The inverse error function: Giles' single-precision approximation refined by two Newton
    steps on ``erf``, in float64 (NaN outside [-1, 1], infinite at the ends)."""
    x = y.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = -np.log((1.0 - x) * (1.0 + x))
        central, tail = w - 2.5, np.sqrt(w) - 3.0
        p_central = np.polyval([2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                                -0.00125372503, -0.00417768164, 0.246640727, 1.50140941], central)
        p_tail = np.polyval([-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                             -0.0076224613, 0.00943887047, 1.00167406, 2.83297682], tail)
        r = np.where(w < 5.0, p_central, p_tail) * x
        r = np.where(np.abs(x) == 1.0, x * np.inf, r)
        finite = np.isfinite(r)
        for _ in range(2):
            step = (_erf.erf(r) - x) / (2.0 / math.sqrt(math.pi) * np.exp(-r * r))
            r = np.where(finite, r - step, r)
    return r.astype(y.dtype, copy=False)


_erfinv = _unary("erfinv", _erfinv_array, lambda g, y: g * (math.sqrt(math.pi) / 2) * (y * y).exp(), "o")


class Normal(Distribution):
    """The normal distribution with mean ``loc`` and standard deviation ``scale``."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc: Union[Tensor, float], scale: Union[Tensor, float], validate_args=None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        both_numbers = isinstance(loc, numbers.Number) and isinstance(scale, numbers.Number)
        super().__init__(Size() if both_numbers else self.loc.size(), validate_args=validate_args)

    def expand(self, batch_shape: Sequence[int], _instance=None) -> "Normal":
        new = self._get_checked_instance(Normal, _instance)
        batch_shape = Size(batch_shape)
        new.loc, new.scale = self.loc.expand(batch_shape), self.scale.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def stddev(self) -> Tensor:
        return self.scale

    @property
    def variance(self) -> Tensor:
        return self.stddev.pow(2)

    def sample(self, sample_shape: Sequence[int] = Size()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        with grad_mode.no_grad():
            return _normal_sample(self.loc.expand(shape), self.scale.expand(shape))

    def rsample(self, sample_shape: Sequence[int] = Size()) -> Tensor:
        """``loc + eps * scale`` with standard normal ``eps``: gradients reach ``loc`` and ``scale``."""
        shape = self._extended_shape(sample_shape)
        eps = randn(shape, dtype=self.loc.dtype)
        return self.loc + eps * self.scale

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        var = self.scale ** 2
        return -((value - self.loc) ** 2) / (2 * var) - self.scale.log() - _HALF_LOG_2PI

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 * (1 + ((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)).erf())

    def icdf(self, value: Tensor) -> Tensor:
        """The quantile function: ``loc + scale * sqrt(2) * erfinv(2 value - 1)``."""
        return self.loc + self.scale * _erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self) -> Tensor:
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()

