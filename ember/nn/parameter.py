"""``Parameter`` (a tensor a Module registers as trainable state) and ``Buffer`` (non-trainable state)."""
from __future__ import annotations

from typing import Optional

from ..tensor import Tensor

__all__ = ["Parameter", "Buffer"]


class Parameter(Tensor):
    """A Tensor that, assigned as a Module attribute, is registered as one of its parameters.

    It shares ``data``'s array and version counter (no copy), is a leaf and requires grad by
    default, even under ``no_grad``. Ops on a Parameter return plain Tensors.
    """

    __slots__ = ()

    def __new__(cls, data: Optional[Tensor] = None, requires_grad: bool = True) -> "Parameter":
        if data is None:
            from ..ops.creation import empty
            data = empty(0)
        elif not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): argument 'data' (position 1) must be Tensor, not "
                            f"{type(data).__name__}")
        param = cls._make(data._data)
        param._vbox = data._vbox
        param.requires_grad = requires_grad
        return param

    def __init__(self, data: Optional[Tensor] = None, requires_grad: bool = True) -> None:
        """Everything happens in ``__new__``; this only accepts the same arguments."""

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__


class _BufferMeta(type):
    """``isinstance(t, Buffer)`` holds for the tensor ``Buffer(...)`` returned, as in torch."""

    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, Tensor) and bool(instance._extra) and \
            "buffer_persistent" in instance._extra


class Buffer(metaclass=_BufferMeta):
    """Marks a tensor as a buffer: assigned as a Module attribute it is registered with
    ``register_buffer(name, tensor, persistent)``. ``Buffer(t)`` returns a detached alias of ``t``."""

    def __new__(cls, data: Optional[Tensor] = None, *, persistent: bool = True) -> Tensor:
        if data is None:
            from ..ops.creation import empty
            data = empty(0)
        t = data.detach().requires_grad_(data.requires_grad)
        t._extras()["buffer_persistent"] = persistent
        return t
