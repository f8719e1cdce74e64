"""``ember.backends.mps``: Apple's Metal backend, which ember does not have."""
from __future__ import annotations

__all__ = ["is_available", "is_built"]


def is_available() -> bool:
    """Whether MPS can be used: never, in ember."""
    return False


def is_built() -> bool:
    """Whether ember was built with MPS support: it was not."""
    return False
