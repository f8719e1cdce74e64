"""Process-wide runtime settings: thread counts, the allocator, and the deterministic-algorithms switch.

The intra-op thread count (``set_num_threads`` / ``get_num_threads``) is, for ember, the thread
count of NumPy's BLAS (the only multi-threaded part of its compute).

NumPy has no API for that, so the OpenBLAS that NumPy loaded is found among the process's
mapped libraries (Linux) and its own ``*_set_num_threads`` is called through ctypes. Where
that BLAS cannot be reached (another BLAS, another OS) the value is only recorded.

On glibc, importing ember lets ``malloc`` keep freed blocks of up to 32 MiB for reuse
(``keep_freed_memory``): training allocates and frees the same large arrays every step, and
glibc's defaults hand them back to the kernel and fault fresh zeroed pages in on the next
step, a fifth of a CNN step's time. ``EMBER_MALLOC_TUNING=0`` leaves the allocator alone.
"""
from __future__ import annotations

import ctypes
import os

import numpy as np

_SYMBOL_STEMS = ("scipy_openblas_{}_num_threads64_", "scipy_openblas_{}_num_threads", "openblas_{}_num_threads64_",
                 "openblas_{}_num_threads")
_state = {"threads": None, "interop": None, "blas": None, "deterministic": False, "warn_only": False}


def _openblas():
    """The ``(set, get)`` thread-count functions of NumPy's OpenBLAS, or False when not found."""
    if _state["blas"] is None:
        _state["blas"] = False
        try:
            with open("/proc/self/maps") as maps:
                paths = {line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line}
        except OSError:
            paths = set()
        numpy_dir = os.path.dirname(os.path.dirname(np.__file__))
        for path in sorted(paths, key=lambda p: not p.startswith(numpy_dir)):
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            for stem in _SYMBOL_STEMS:
                if hasattr(lib, stem.format("set")) and hasattr(lib, stem.format("get")):
                    _state["blas"] = (getattr(lib, stem.format("set")), getattr(lib, stem.format("get")))
                    return _state["blas"]
    return _state["blas"]


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters
_MMAP_THRESHOLD = 32 << 20  # glibc's largest: blocks below it come from the heap and are reused
_TRIM_THRESHOLD = 256 << 20  # free memory kept at the heap's top before it is handed back


def keep_freed_memory() -> bool:
    """Tune glibc's ``malloc`` to reuse freed large blocks; False where it is not glibc or opted out."""
    if os.environ.get("EMBER_MALLOC_TUNING", "1") == "0":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD) and mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD))


def _check_count(value, setter: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise RuntimeError(f"{setter} expects an int, but got {type(value).__name__}")
    if value <= 0:
        raise RuntimeError(f"{setter} expects a positive integer")
    return value


def set_num_threads(int: int) -> None:  # noqa: A002 - torch's parameter name
    """Use ``int`` threads for intra-op parallelism (NumPy's BLAS)."""
    count = _check_count(int, "set_num_threads")
    blas = _openblas()
    if blas:
        blas[0](count)
    _state["threads"] = count


def get_num_threads() -> int:
    """The number of intra-op threads: what NumPy's BLAS uses, or what was last set."""
    blas = _openblas()
    if blas:
        return blas[1]()
    return _state["threads"] or os.cpu_count() or 1


def set_num_interop_threads(int: int) -> None:  # noqa: A002 - torch's parameter name
    """Record the inter-op thread count (ember runs ops one after another)."""
    _state["interop"] = _check_count(int, "set_num_interop_threads")


def get_num_interop_threads() -> int:
    return _state["interop"] or os.cpu_count() or 1


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Ask for deterministic algorithms. ember's are all deterministic, so this only records the wish."""
    if not isinstance(mode, bool):
        raise TypeError(f"_set_deterministic_algorithms(): argument 'mode' (position 1) must be bool, not "
                        f"{type(mode).__name__}")
    _state["deterministic"], _state["warn_only"] = mode, bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _state["deterministic"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _state["warn_only"]
