"""``ember.accelerator``: torch's device-generic accelerator API, answered for a machine with none.

``is_available()`` is False and ``current_accelerator()`` None, so device-agnostic scripts
(``device = acc if (acc := ember.accelerator.current_accelerator()) else "cpu"``) pick the
CPU; every call that needs a device raises torch's RuntimeError.
"""
from __future__ import annotations

from typing import Any, Optional

__all__ = ["is_available", "device_count", "current_accelerator", "current_device_index", "set_device_index",
           "synchronize", "empty_cache", "memory_allocated", "max_memory_allocated", "memory_reserved",
           "max_memory_reserved", "reset_peak_memory_stats", "get_memory_info", "current_stream"]

_NONE = "Cannot access accelerator device when none is available."


def _no_accelerator() -> None:
    raise RuntimeError(_NONE)


def is_available() -> bool:
    """Whether an accelerator (CUDA, MPS, XPU, ...) can be used: never, in ember."""
    return False


def device_count() -> int:
    return 0


def current_accelerator(check_available: bool = False) -> Optional[Any]:
    """The accelerator's device type, or None when there is none (always, in ember)."""
    return None


def current_device_index() -> int:
    _no_accelerator()


def set_device_index(device: Any, /) -> None:
    _no_accelerator()


def synchronize(device: Any = None, /) -> None:
    _no_accelerator()


def empty_cache() -> None:
    _no_accelerator()


def memory_allocated(device_index: Any = None, /) -> int:
    _no_accelerator()


def max_memory_allocated(device_index: Any = None, /) -> int:
    _no_accelerator()


def memory_reserved(device_index: Any = None, /) -> int:
    _no_accelerator()


def max_memory_reserved(device_index: Any = None, /) -> int:
    _no_accelerator()


def reset_peak_memory_stats(device_index: Any = None, /) -> None:
    _no_accelerator()


def get_memory_info(device_index: Any = None, /) -> tuple:
    _no_accelerator()


def current_stream(device: Any = None, /):
    _no_accelerator()
