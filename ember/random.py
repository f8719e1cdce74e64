"""Random number generation: ``Generator`` streams and the global default one.

ember's streams are reproducible under a seed, but they are NumPy's PCG64, not torch's
Mersenne Twister: the same seed gives different numbers than torch (docs/differences.md).
"""
from __future__ import annotations

import contextlib
import json
import time
from typing import Iterator

import numpy as np

from .device import device as _device

_DEFAULT_SEED = 67280421310721
_MASK = 0xFFFFFFFFFFFFFFFF


class Generator:
    """An independent random stream: ``manual_seed``, ``seed``, ``initial_seed``,
    ``get_state``/``set_state``. Samplers draw from it when passed as ``generator=``."""

    def __init__(self, device="cpu") -> None:
        self.device = _device(device)
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed: int) -> "Generator":
        """Restart the stream from ``seed`` (negative seeds wrap to 64 bits, as in torch)."""
        if not isinstance(seed, (int, np.integer)):
            raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
        seed = int(seed)
        if not -2 ** 63 <= seed <= _MASK:
            raise ValueError("Overflow when unpacking long long")
        self._seed = seed & _MASK
        self._rng = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def seed(self) -> int:
        """Reseed from the clock and return the new seed."""
        seed = time.time_ns() & _MASK
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self):
        """The stream's state as a uint8 tensor (plain JSON inside: safe to save and load)."""
        from .ops.creation import tensor
        from . import dtypes
        blob = json.dumps({"seed": self._seed, "state": self._rng.bit_generator.state}).encode()
        return tensor(list(blob), dtype=dtypes.uint8)

    def set_state(self, new_state) -> "Generator":
        """Resume the stream from a ``get_state()`` tensor."""
        from .tensor import Tensor
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state._data.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        try:
            state = json.loads(bytes(new_state._data).decode())
        except ValueError:  # JSON's and UTF-8's errors both
            raise RuntimeError("Expected an RNG state from get_state() or get_rng_state(), but found "
                               f"{new_state._data.size} bytes of something else") from None
        self._seed = state["seed"]
        self._rng = np.random.Generator(np.random.PCG64())
        self._rng.bit_generator.state = state["state"]
        return self

    @property
    def numpy(self) -> np.random.Generator:
        """The NumPy generator behind this stream (what ember's samplers draw from)."""
        return self._rng


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default stream (Python's and NumPy's global generators are left alone, as in torch)."""
    return default_generator.manual_seed(int(seed))


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled: bool = True, **kwargs) -> Iterator[None]:
    """Restore the default stream's state on exit, so draws inside the block leave no trace."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


def rng(generator: "Generator | None") -> np.random.Generator:
    """The NumPy stream a sampler draws from: ``generator``'s, or the default one."""
    if generator is None:
        return default_generator._rng
    if not isinstance(generator, Generator):
        raise TypeError(f"expected a Generator, got {type(generator).__name__}")
    return generator._rng
