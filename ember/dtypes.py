"""Data types with torch's names, and torch's type-promotion rules."""
from __future__ import annotations

import numpy as np


class dtype:
    """A tensor element type; a thin, hashable wrapper over a NumPy dtype."""

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize")

    def __init__(self, name: str, np_dtype: type) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.is_signed = self.np.kind in "fi"
        self.itemsize = self.np.itemsize

    @property
    def is_complex(self) -> bool:
        return False

    def to_real(self) -> "dtype":
        return self

    def __repr__(self) -> str:
        return f"ember.{self.name}"

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))


bool_ = dtype("bool", np.bool_)
uint8 = dtype("uint8", np.uint8)
int8 = dtype("int8", np.int8)
int16 = dtype("int16", np.int16)
int32 = dtype("int32", np.int32)
int64 = dtype("int64", np.int64)
float16 = dtype("float16", np.float16)
float32 = dtype("float32", np.float32)
float64 = dtype("float64", np.float64)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_BY_NP = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}
# torch's scalar-type names, as its messages and legacy tensor types (FloatTensor) spell them
SCALAR_NAMES = {bool_.np: "Bool", uint8.np: "Byte", int8.np: "Char", int16.np: "Short",
                int32.np: "Int", int64.np: "Long", float16.np: "Half", float32.np: "Float",
                float64.np: "Double"}


def _dtype_by_name(name: str) -> dtype:
    return _BY_NAME[name]


def from_numpy(np_dtype) -> dtype:
    """The ember dtype of a NumPy dtype; TypeError for types ember lacks."""
    try:
        return _BY_NP[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).type.__name__}. The only "
            "supported types are: "
            "float64, float32, float16, int64, int32, int16, int8, uint8, and bool.") from None


def to_dtype(value) -> dtype:
    """An ember dtype from a ``dtype=`` argument: an ember dtype, or Python's float (float64),
    int (int64) or bool as torch accepts them, or (ember's addition) a NumPy dtype."""
    if isinstance(value, dtype):
        return value
    if value is float:
        return float64
    if value is int:
        return int64
    if value is bool:
        return bool_
    if isinstance(value, np.dtype) or isinstance(value, type) and issubclass(value, np.generic):
        return from_numpy(value)
    raise TypeError(f"argument 'dtype' must be ember.dtype, not {type(value).__name__}")


_default = float32


def get_default_dtype() -> dtype:
    return _default


def set_default_dtype(d: dtype) -> None:
    """Set the dtype of Python floats and of floating tensors created without one."""
    global _default
    if d not in (float16, float32, float64):
        raise TypeError("only floating-point types are supported as the default type")
    _default = d


def _category(d: dtype) -> int:
    return 2 if d.is_floating_point else (0 if d is bool_ else 1)


def promote_types(a: dtype, b: dtype) -> dtype:
    """torch.promote_types: the smallest dtype both values fit, floats above integers."""
    if a is b:
        return a
    ca, cb = _category(a), _category(b)
    if ca != cb:
        return a if ca > cb else b
    return _BY_NP[np.promote_types(a.np, b.np)]


def _combine(higher, lower):
    """c10's combine_categories: a lower-priority group may only raise the category."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_floating_point:
        return higher
    if higher is bool_ or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def result_type(*operands) -> dtype:
    """torch.result_type over tensors and Python scalars.

    Dimensioned tensors outrank zero-dim tensors, which outrank Python numbers; a lower
    group only matters when it belongs to a higher category (bool < integer < float).
    """
    dim = zero = wrapped = None
    for x in operands:
        d = getattr(x, "dtype", None)
        if isinstance(d, dtype):
            if x.ndim:
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
        else:
            s = scalar_dtype(x)
            wrapped = s if wrapped is None else promote_types(wrapped, s)
    return _combine(dim, _combine(zero, wrapped))


def scalar_dtype(x) -> dtype:
    """The dtype torch gives a Python number: bool, int64, or the default float."""
    if isinstance(x, (bool, np.bool_)):
        return bool_
    if isinstance(x, (int, np.integer)):
        return int64
    if isinstance(x, (float, np.floating)):
        return _default
    raise TypeError(f"unsupported operand type: {type(x).__name__}")


def can_cast(from_: dtype, to: dtype) -> bool:
    """torch.can_cast: whether an in-place op may write ``from_`` values into a ``to`` tensor
    (never float to integer, never anything but bool to bool)."""
    if from_.is_floating_point and not to.is_floating_point:
        return False
    return from_ is bool_ or to is not bool_


class finfo:
    """Machine limits of a floating dtype (the default dtype when none is given)."""

    def __init__(self, type: dtype = None) -> None:
        type = _default if type is None else type
        if not type.is_floating_point:
            raise TypeError("ember.finfo() requires a floating point input type. Use ember.iinfo to "
                            "handle 'ember.finfo'")
        info = np.finfo(type.np)
        self.bits = info.bits
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision
        self.dtype = type.name

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype."""

    def __init__(self, type: dtype) -> None:
        if type is bool_:
            raise TypeError("ember.bool is not supported by ember.iinfo")
        if type.is_floating_point:
            raise TypeError("ember.iinfo() requires an integer input type. Use ember.finfo to handle "
                            "'ember.iinfo'")
        info = np.iinfo(type.np)
        self.bits = info.bits
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = type.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
