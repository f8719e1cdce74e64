"""Anomaly detection: remember where each op was created, and name the op whose backward gave NaN."""
from __future__ import annotations

import functools
import os
import threading
import traceback
import warnings

import numpy as np

_EMBER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _State(threading.local):
    enabled = False
    check_nan = True


_state = _State()


def is_anomaly_enabled() -> bool:
    return _state.enabled


def is_anomaly_check_nan_enabled() -> bool:
    return _state.check_nan


def creation_trace() -> str:
    """The caller's stack up to the user code that created a node (ember's own frames dropped)."""
    frames = traceback.extract_stack()
    while frames and frames[-1].filename.startswith(_EMBER_DIR):
        frames.pop()
    return "".join(traceback.format_list(frames))


class detect_anomaly:
    """Context manager (and decorator) turning on anomaly detection for the autograd engine.

    Each node records the stack that created it; a failing backward reports that stack, and
    (with ``check_nan``) a backward that returns NaN raises naming its node.
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.prev = _state.enabled
        self.check_nan = check_nan
        self.prev_check_nan = _state.check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should "
                      "only be enabled for debugging.", stacklevel=2)

    def __enter__(self) -> None:
        _state.enabled, _state.check_nan = True, self.check_nan

    def __exit__(self, *exc) -> None:
        _state.enabled, _state.check_nan = self.prev, self.prev_check_nan

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__(self.check_nan):
                return func(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off at once; used as a context manager, restore it on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev, self.prev_check_nan = _state.enabled, _state.check_nan
        _state.enabled, _state.check_nan = bool(mode), bool(check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        _state.enabled, _state.check_nan = self.prev, self.prev_check_nan


def run_checked(node, grads: list, retain_graph: bool):
    """Run ``node``'s backward in anomaly mode: report its creation stack on error, check for NaN."""
    try:
        result = node._run(grads, retain_graph)
        if _state.check_nan:
            for i, g in enumerate(result):
                if g is not None and g._data.dtype.kind == "f" and np.isnan(g._data).any():
                    raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
    except Exception:
        if node._trace:
            warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the "
                          f"error:\n{node._trace}", stacklevel=4)
        raise
    return result
