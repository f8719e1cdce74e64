"""``ember.backends.cudnn``: cuDNN's flags, settable and typed as in torch, with no effect on the CPU.

Like torch's, this module checks what is assigned to its flags (``cudnn.benchmark = "yes"``
raises), so its class is swapped for one whose flags are properties.
"""
from __future__ import annotations

import sys
import types
from contextlib import contextmanager
from typing import Iterator, Optional

__all__ = ["is_available", "version", "is_acceptable", "flags", "benchmark_limit"]

_FLAGS = {"enabled": True, "benchmark": False, "deterministic": False, "allow_tf32": True}
_SETTERS = {"enabled": "set_enabled_cudnn", "benchmark": "set_benchmark_cudnn",
            "deterministic": "set_deterministic_cudnn", "allow_tf32": "set_allow_tf32_cublas"}  # torch's names
benchmark_limit: Optional[int] = None  # cuDNN's own setting: left unset, as without cuDNN in torch


def is_available() -> bool:
    """Whether cuDNN can be used: never, in ember."""
    return False


def version() -> Optional[int]:
    """cuDNN's version: None, as it is not there."""
    return None


def is_acceptable(tensor) -> bool:
    """Whether cuDNN could run on ``tensor``: no tensor is on a CUDA device."""
    return False


def _set(name: str, value) -> None:
    if type(value) is not bool:
        raise RuntimeError(f"{_SETTERS[name]} expects a bool, but got {type(value).__name__}")
    _FLAGS[name] = value


@contextmanager
def flags(enabled: bool = False, benchmark: bool = False, benchmark_limit: int = 10, deterministic: bool = False,
          allow_tf32: bool = True) -> Iterator[None]:
    """Set every flag (to the given values or these defaults) inside the block, then restore them.
    ``benchmark_limit`` is cuDNN's own and is left alone, as torch does without cuDNN."""
    saved = dict(_FLAGS)
    new = {"enabled": enabled, "benchmark": benchmark, "deterministic": deterministic, "allow_tf32": allow_tf32}
    for name, value in new.items():
        _set(name, value)
    try:
        yield
    finally:
        _FLAGS.update(saved)


def _flag(name: str) -> property:
    return property(lambda self: _FLAGS[name], lambda self, value: _set(name, value))


class _CudnnModule(types.ModuleType):
    enabled = _flag("enabled")
    benchmark = _flag("benchmark")
    deterministic = _flag("deterministic")
    allow_tf32 = _flag("allow_tf32")


sys.modules[__name__].__class__ = _CudnnModule
