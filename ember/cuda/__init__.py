"""``ember.cuda``: what ``torch.cuda`` answers in a build without CUDA.

Scripts written for a GPU probe this module (``is_available()``, ``device_count()``), seed it
and query memory; those calls answer as torch's CPU-only build does. Calls that need a
device raise torch's ``AssertionError("Torch not compiled with CUDA enabled")``.
"""
from __future__ import annotations

from typing import Any, List

from ..device import no_cuda
from . import amp

__all__ = ["is_available", "device_count", "is_initialized", "init", "current_device", "set_device",
           "get_device_name", "get_device_capability", "get_device_properties", "get_arch_list",
           "is_bf16_supported", "synchronize", "empty_cache", "ipc_collect", "mem_get_info",
           "memory_allocated", "max_memory_allocated", "memory_reserved", "max_memory_reserved",
           "manual_seed", "manual_seed_all", "seed", "seed_all", "initial_seed", "get_rng_state",
           "get_rng_state_all", "set_rng_state", "set_rng_state_all", "current_stream", "default_stream",
           "device", "Stream", "Event", "amp", "FloatTensor", "DoubleTensor", "HalfTensor", "ByteTensor",
           "CharTensor", "ShortTensor", "IntTensor", "LongTensor", "BoolTensor"]


def is_available() -> bool:
    """Whether a CUDA device can be used: never, in ember."""
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


def get_arch_list() -> List[str]:
    return []


# ---------------------------------------------------------------------------- calls that need a device
def init() -> None:
    no_cuda()


def current_device() -> int:
    no_cuda()


def set_device(device: Any) -> None:
    no_cuda()


def get_device_name(device: Any = None) -> str:
    no_cuda()


def get_device_capability(device: Any = None):
    no_cuda()


def get_device_properties(device: Any = None):
    no_cuda()


def synchronize(device: Any = None) -> None:
    no_cuda()


def ipc_collect() -> None:
    no_cuda()


def mem_get_info(device: Any = None):
    no_cuda()


def current_stream(device: Any = None):
    no_cuda()


def default_stream(device: Any = None):
    no_cuda()


# ---------------------------------------------------------------------------- memory: nothing is allocated
def empty_cache() -> None:
    """Release cached device memory: there is none."""


def memory_allocated(device: Any = None) -> int:
    return 0


def max_memory_allocated(device: Any = None) -> int:
    return 0


def memory_reserved(device: Any = None) -> int:
    return 0


def max_memory_reserved(device: Any = None) -> int:
    return 0


# ---------------------------------------------------------------------------- random state
def manual_seed(seed: int) -> None:
    """Seed the current device's generator: silently nothing without CUDA, as in torch."""


def manual_seed_all(seed: int) -> None:
    """Seed every device's generator: silently nothing without CUDA, as in torch."""


def seed() -> None:
    """Seed with a random number: nothing without CUDA."""


def seed_all() -> None:
    """Seed every device with a random number: nothing without CUDA."""


def initial_seed() -> int:
    no_cuda()


def get_rng_state(device: Any = "cuda"):
    no_cuda()


def get_rng_state_all() -> list:
    """Every device's generator state: an empty list, as there are no devices."""
    return []


def set_rng_state(new_state, device: Any = "cuda") -> None:
    no_cuda()


def set_rng_state_all(new_states) -> None:
    """Restore every device's generator state: there are none."""
    for state in new_states:
        set_rng_state(state)


# ---------------------------------------------------------------------------- device objects
class device:
    """``with ember.cuda.device(i):`` selects a device; entering it fails without CUDA."""

    def __init__(self, device: Any) -> None:
        self.idx = device

    def __enter__(self):
        raise RuntimeError("PyTorch was compiled without CUDA support")

    def __exit__(self, *exc) -> bool:
        return False


class Stream:
    """A CUDA stream: cannot be made without CUDA."""

    def __new__(cls, *args, **kwargs):
        raise RuntimeError("torch.cuda.Stream requires CUDA support")


class Event:
    """A CUDA event: cannot be made without CUDA."""

    def __new__(cls, *args, **kwargs):
        raise RuntimeError("Tried to instantiate dummy base class Event")


class _CudaTensorType(type):
    """``ember.cuda.FloatTensor`` and kin: names scripts reference, unusable without CUDA."""

    def __call__(cls, *args, **kwargs):
        raise TypeError(f"type torch.cuda.{cls.__name__} not available. Torch not compiled with CUDA enabled.")

    def __instancecheck__(cls, obj) -> bool:
        return False

    def __repr__(cls) -> str:
        return f"<class 'torch.cuda.{cls.__name__}'>"


def _cuda_type(name: str) -> _CudaTensorType:
    return _CudaTensorType(name, (), {"__doc__": f"Legacy CUDA tensor type {name} (unavailable)."})


FloatTensor = _cuda_type("FloatTensor")
DoubleTensor = _cuda_type("DoubleTensor")
HalfTensor = _cuda_type("HalfTensor")
ByteTensor = _cuda_type("ByteTensor")
CharTensor = _cuda_type("CharTensor")
ShortTensor = _cuda_type("ShortTensor")
IntTensor = _cuda_type("IntTensor")
LongTensor = _cuda_type("LongTensor")
BoolTensor = _cuda_type("BoolTensor")

