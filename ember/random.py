"""Random number generation: ``Generator`` streams and the global default one.

ember's streams are reproducible under a seed, but they are NumPy's PCG64, not torch's
Mersenne Twister: the same seed gives different numbers than torch (docs/differences.md).
"""
from __future__ import annotations

import json
import time

import numpy as np


class Generator:
    """A random stream: ``manual_seed``, ``seed``, ``initial_seed``, ``get_state``/``set_state``."""

    def __init__(self, device="cpu") -> None:
        self.device = device
        self.manual_seed(67280421310721)

    def manual_seed(self, seed: int) -> "Generator":
        seed = int(seed)
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64(seed & 0xFFFFFFFFFFFFFFFF))
        return self

    def seed(self) -> int:
        seed = time.time_ns() & 0xFFFFFFFFFFFFFFFF
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
        state = json.loads(bytes(np.asarray(new_state._data, dtype=np.uint8)).decode())
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
    """Seed the default stream (and Python's ``random`` is left alone, as in torch)."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    default_generator.set_state(new_state)


def rng(generator: "Generator | None") -> np.random.Generator:
    return (generator or default_generator)._rng
