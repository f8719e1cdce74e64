"""Anomaly detection: remember where each op was created, and name the op whose backward gave NaN."""
from __future__ import annotations

import contextlib
import threading
import traceback
import warnings


class _State(threading.local):
    enabled = False
    check_nan = True


_state = _State()


def enabled() -> bool:
    return _state.enabled


def creation_trace() -> str:
    return "".join(traceback.format_stack()[:-3])


class detect_anomaly:
    """Context manager (and decorator) that turns on anomaly detection for the autograd engine."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> None:
        self._prev = (_state.enabled, _state.check_nan)
        _state.enabled, _state.check_nan = True, self.check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", stacklevel=2)

    def __exit__(self, *exc) -> None:
        _state.enabled, _state.check_nan = self._prev

    def __call__(self, func):
        def wrapper(*args, **kwargs):
            with self.__class__(self.check_nan):
                return func(*args, **kwargs)
        return wrapper


class set_detect_anomaly(detect_anomaly):
    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.mode = mode
        self.check_nan = check_nan
        self._prev = (_state.enabled, _state.check_nan)
        _state.enabled, _state.check_nan = mode, check_nan

    def __enter__(self) -> None:
        pass


def is_anomaly_enabled() -> bool:
    return _state.enabled


@contextlib.contextmanager
def node_context(node):
    """Around one node's backward: with anomaly mode on, check its results for NaN."""
    if not _state.enabled:
        yield
        return
    try:
        yield
    except Exception:
        if node._trace:
            warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused "
                          f"the error:\n{node._trace}", stacklevel=2)
        raise


def check_results(node, grads) -> None:
    """Raise torch's error if ``node``'s backward returned NaN (anomaly mode only)."""
    if not (_state.enabled and _state.check_nan):
        return
    import numpy as np
    for i, g in enumerate(grads):
        if g is not None and g._data.dtype.kind == "f" and np.isnan(g._data).any():
            if node._trace:
                warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that "
                              f"caused the error:\n{node._trace}", stacklevel=2)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
