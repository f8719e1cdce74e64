"""Whether ops record the graph: a thread-local switch, and the context managers that flip it.

Each switch is a context manager and a decorator (also of generator functions, whose body
runs under the mode at every resumption, as in torch). ``no_grad``, ``enable_grad`` and
``inference_mode`` also decorate without parentheses.
"""
from __future__ import annotations

import functools
import inspect
import threading


class _State(threading.local):
    enabled = True
    inference = False


_state = _State()


def is_grad_enabled() -> bool:
    return _state.enabled


def is_inference_mode_enabled() -> bool:
    return _state.inference


class _DecoratorContextManager:
    """A context manager whose instances also decorate functions (each call gets a fresh one)."""

    _bare_decorator = False  # whether ``@cls`` (no parentheses) decorates

    def __new__(cls, *args, **kwargs):
        if cls._bare_decorator and len(args) == 1 and not kwargs and callable(args[0]):
            return cls()(args[0])  # the function arrived as the only argument
        return super().__new__(cls)

    def __call__(self, func):
        if inspect.isclass(func):
            raise RuntimeError("Decorating classes is deprecated and will be disabled in future versions. "
                               "You should only decorate functions or methods.")
        if inspect.isgeneratorfunction(func):
            return self._wrap_generator(func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)
        return wrapper

    def _wrap_generator(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            gen = func(*args, **kwargs)
            try:
                with self.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self.clone():
                            gen.close()
                        raise
                    except BaseException as err:
                        with self.clone():
                            response = gen.throw(err)
                    else:
                        with self.clone():
                            response = gen.send(request)
            except StopIteration as stop:
                return stop.value
        return wrapper

    def clone(self):
        return self.__class__()


class no_grad(_DecoratorContextManager):
    """Ops inside do not record the graph; their results do not require grad."""

    _bare_decorator = True
    _mode = False

    def __init__(self, orig_func=None) -> None:
        self.prev = False

    def __enter__(self) -> None:
        self.prev = _state.enabled
        _state.enabled = self._mode

    def __exit__(self, *exc) -> None:
        _state.enabled = self.prev


class enable_grad(no_grad):
    """Turn recording back on (inside a ``no_grad`` block, say)."""

    _mode = True


class set_grad_enabled(_DecoratorContextManager):
    """Set recording on or off: at once when called, and for the block when used with ``with``."""

    def __init__(self, mode: bool) -> None:
        self.prev = _state.enabled
        self.mode = bool(mode)
        _state.enabled = self.mode

    def __call__(self, func):
        _state.enabled = self.prev  # as a decorator, only the decorated calls are affected
        return super().__call__(func)

    def __enter__(self) -> None:
        _state.enabled = self.mode

    def __exit__(self, *exc) -> None:
        _state.enabled = self.prev

    def clone(self) -> "set_grad_enabled":
        return self.__class__(self.mode)


class inference_mode(_DecoratorContextManager):
    """``no_grad`` that also sets ``is_inference_mode_enabled()`` (``mode=False`` turns both back)."""

    _bare_decorator = True

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)

    def __enter__(self) -> None:
        self.prev = (_state.enabled, _state.inference)
        _state.enabled, _state.inference = not self.mode, self.mode

    def __exit__(self, *exc) -> None:
        _state.enabled, _state.inference = self.prev

    def clone(self) -> "inference_mode":
        return self.__class__(self.mode)
