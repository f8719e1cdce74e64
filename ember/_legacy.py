"""torch's legacy constructors and type names: ``Tensor(2, 3)``, ``LongTensor([1, 2])``,
``isinstance(t, FloatTensor)``, ``t.type()`` -> ``'torch.FloatTensor'``, ``t.new(...)``.

Type names keep torch's spelling (``torch.FloatTensor``) because code compares them as strings.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from . import dtypes
from .device import check_device
from .tensor import Tensor, Size


def type_name(dtype: dtypes.dtype) -> str:
    """The legacy name of a dtype's tensor type: ``torch.FloatTensor`` for float32."""
    return f"torch.{dtypes.SCALAR_NAMES[dtype.np]}Tensor"


def legacy_new(cls: type, dtype: dtypes.dtype, *args, device=None, strict: bool = False) -> Tensor:
    """``cls(*sizes)`` uninitialised, ``cls(sequence)`` from data, ``cls(tensor)`` an alias,
    ``cls()`` empty, all of ``dtype``. ``strict`` refuses a tensor of another dtype (as the
    typed constructors do; ``Tensor(t)`` aliases any ``t``)."""
    from .ops.creation import empty, tensor
    check_device(device)
    if len(args) == 1 and isinstance(args[0], Tensor):
        source = args[0]
        if strict and source.dtype is not dtype:
            raise TypeError(f"expected {dtype} (got {source.dtype})")
        out = source.detach()
    elif not args:
        out = empty(0, dtype=dtype)
    elif all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args) or \
            (len(args) == 1 and isinstance(args[0], Size)):
        out = empty(*args, dtype=dtype)
    elif len(args) == 1 and (isinstance(args[0], (list, tuple, range, np.ndarray))):
        out = tensor(args[0], dtype=dtype)
    elif len(args) == 1:
        raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")
    else:
        raise TypeError(f"new() received an invalid combination of arguments - got "
                        f"({', '.join(type(a).__name__ for a in args)})")
    return out if cls is Tensor or type(out) is cls else cls._make(out._data)


class _LegacyType(type):
    """The metaclass of ``FloatTensor`` and kin: calling one constructs a tensor of its dtype,
    and ``isinstance`` checks a tensor's dtype."""

    dtype: dtypes.dtype

    def __call__(cls, *args, device=None) -> Tensor:
        return legacy_new(Tensor, cls.dtype, *args, device=device, strict=True)

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj._data.dtype == cls.dtype.np

    def __repr__(cls) -> str:
        return f"<class '{type_name(cls.dtype)}'>"


def _legacy_type(dtype: dtypes.dtype) -> _LegacyType:
    name = type_name(dtype).split(".")[1]
    return _LegacyType(name, (), {"dtype": dtype, "__doc__": f"Legacy constructor of {dtype} tensors."})


FloatTensor = _legacy_type(dtypes.float32)
DoubleTensor = _legacy_type(dtypes.float64)
HalfTensor = _legacy_type(dtypes.float16)
ByteTensor = _legacy_type(dtypes.uint8)
CharTensor = _legacy_type(dtypes.int8)
ShortTensor = _legacy_type(dtypes.int16)
IntTensor = _legacy_type(dtypes.int32)
LongTensor = _legacy_type(dtypes.int64)
BoolTensor = _legacy_type(dtypes.bool_)

_BY_NAME = {t.__name__: t for t in (FloatTensor, DoubleTensor, HalfTensor, ByteTensor, CharTensor,
                                    ShortTensor, IntTensor, LongTensor, BoolTensor)}


def resolve_type(value) -> dtypes.dtype:
    """The dtype a ``Tensor.type(...)`` argument names: a dtype, a legacy type, or its name."""
    if isinstance(value, _LegacyType):
        return value.dtype
    if isinstance(value, str):
        prefix, _, name = value.rpartition(".")
        if prefix in ("torch", "ember") and name in _BY_NAME:
            return _BY_NAME[name].dtype
        if prefix.endswith(".cuda"):
            from .device import no_cuda
            no_cuda()
        raise ValueError(f"invalid type: '{value}'")
    return dtypes.to_dtype(value)


def new(self: Tensor, *args, device: Optional[object] = None) -> Tensor:
    """Legacy ``t.new(...)``: like the ``Tensor`` constructor, with ``t``'s dtype."""
    return legacy_new(Tensor, self.dtype, *args, device=device, strict=True)
