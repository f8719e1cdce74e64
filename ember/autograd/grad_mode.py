"""Whether ops record the graph: a thread-local switch and its context managers."""
from __future__ import annotations

import functools
import threading


class _State(threading.local):
    enabled = True
    inference = False


_state = _State()


def is_grad_enabled() -> bool:
    return _state.enabled


def is_inference_mode_enabled() -> bool:
    return _state.inference


class _GradModeContext:
    """Base of the grad-mode switches: a context manager that also decorates functions."""

    _enabled: bool

    def __enter__(self) -> None:
        self._prev = _state.enabled
        _state.enabled = self._enabled

    def __exit__(self, *exc) -> None:
        _state.enabled = self._prev

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._args()):
                return func(*args, **kwargs)
        return wrapper

    def _args(self) -> tuple:
        return ()

    def clone(self):
        return self.__class__(*self._args())


class no_grad(_GradModeContext):
    """Ops inside do not record the graph; results do not require grad."""

    _enabled = False

    def __init__(self, orig_func=None) -> None:
        self._orig = orig_func

    def __new__(cls, orig_func=None):
        # ``@no_grad`` without parentheses decorates the function directly.
        self = super().__new__(cls)
        if callable(orig_func):
            self.__init__()
            return self(orig_func)
        return self


class enable_grad(no_grad):
    """Turn recording back on inside a ``no_grad`` block."""

    _enabled = True


class set_grad_enabled(_GradModeContext):
    """Set recording on or off; takes effect at once, and as a context manager restores on exit."""

    def __init__(self, mode: bool) -> None:
        self._enabled = bool(mode)
        self._prev = _state.enabled
        _state.enabled = self._enabled

    def __enter__(self) -> None:
        pass

    def __call__(self, func):
        _state.enabled = self._prev  # used as a decorator: only the call is affected
        return super().__call__(func)

    def _args(self) -> tuple:
        return (self._enabled,)


class inference_mode(_GradModeContext):
    """Like ``no_grad``; ember keeps no extra bookkeeping to skip, so it is the same switch."""

    def __init__(self, mode: bool = True) -> None:
        self._mode = bool(mode)
        self._enabled = not self._mode

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode):
            self.__init__()
            return self(mode)
        return self

    def __enter__(self) -> None:
        super().__enter__()
        self._prev_inf = _state.inference
        _state.inference = self._mode

    def __exit__(self, *exc) -> None:
        super().__exit__()
        _state.inference = self._prev_inf

    def _args(self) -> tuple:
        return (self._mode,)
