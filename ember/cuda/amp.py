"""``ember.cuda.amp``: mixed precision for CUDA, which ember's CPU-only build turns off.

As in torch without CUDA, ``autocast`` and ``GradScaler`` warn once when asked to be enabled
and then step aside: ``autocast`` is a context that changes nothing, and the scaler passes
losses through unscaled and steps the optimizer as usual. A training loop written for AMP
therefore runs unchanged in full precision.
"""
from __future__ import annotations

import functools
import warnings
from typing import Any, Callable, Optional


class autocast:
    """Context manager / decorator for CUDA autocasting: disabled, since CUDA is unavailable."""

    def __init__(self, enabled: bool = True, dtype: Any = None, cache_enabled: bool = True) -> None:
        if enabled:
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.", UserWarning,
                          stacklevel=2)
        self.fast_dtype = dtype
        self._enabled = False

    def __enter__(self) -> "autocast":
        return self

    def __exit__(self, *exc) -> bool:
        return False

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def run(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return run


def custom_fwd(fwd: Optional[Callable] = None, *, cast_inputs: Any = None) -> Callable:
    """Decorate an ``autograd.Function.forward`` for autocast: without autocast, the function itself."""
    if fwd is None:
        return lambda f: f
    return fwd


def custom_bwd(bwd: Callable) -> Callable:
    """Decorate an ``autograd.Function.backward`` for autocast: without autocast, the function itself."""
    return bwd


class GradScaler:
    """Loss scaling for float16 training, disabled without CUDA: every method is a pass-through."""

    def __init__(self, init_scale: float = 2.0 ** 16, growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        if enabled:
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                          UserWarning, stacklevel=2)
        self._enabled = False

    def is_enabled(self) -> bool:
        return self._enabled

    def scale(self, outputs):
        """The outputs, unscaled."""
        return outputs

    def unscale_(self, optimizer) -> None:
        """Nothing to unscale."""

    def step(self, optimizer, *args, **kwargs):
        """``optimizer.step(*args, **kwargs)``."""
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale: Optional[float] = None) -> None:
        """Nothing to update."""

    def get_scale(self) -> float:
        return 1.0

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state_dict: dict) -> None:
        """A disabled scaler keeps no state."""
