"""Python operators on tensors (``+``, ``@``, ``+=``, ``<``, ...) and methods whose argument order differs.

A binary operator given an operand it cannot take (a string, a list, ...) returns
``NotImplemented``, so Python tries the other operand's reflected method and otherwise
raises its usual TypeError; ``t == None`` is then False, as in torch.
"""
from __future__ import annotations

from typing import Callable

from . import pointwise as P
from ._elementwise import NUMBER
from ._record import inplace
from .indexing import getitem, setitem
from .linalg import matmul
from ..tensor import Tensor

_OPERAND = (Tensor,) + NUMBER


def _binary(op: Callable) -> Callable:
    def operator(self, other):
        if isinstance(other, _OPERAND):
            return op(self, other)
        return NotImplemented
    return operator


def _reflected(op: Callable) -> Callable:
    def reflected(self, other):
        if isinstance(other, _OPERAND):
            return op(other, self)
        return NotImplemented
    return reflected


def __invert__(self):
    """``~tensor``: integer and bool tensors only (a TypeError otherwise, as in torch)."""
    if self._data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return P.bitwise_not(self)


def __rtruediv__(self, other):
    """``number / tensor`` is ``tensor.reciprocal() * number``, as in torch."""
    if isinstance(other, _OPERAND):
        return P.mul(P.reciprocal(self), other)
    return NotImplemented


def __matmul__(self, other):
    return matmul(self, other)


def __rmatmul__(self, other):
    return matmul(other, self)


def __imatmul__(self, other):
    return inplace(self, lambda s: matmul(s, other), other)


def __getitem__(self, index):
    return getitem(self, index)


def __setitem__(self, index, value):
    setitem(self, index, value)


def _where_method(self, condition, y):
    return P.where(condition, self, y)


OPERATORS = {
    "__add__": _binary(P.add), "__radd__": _binary(P.add), "__iadd__": _binary(P.add_),
    "__sub__": _binary(P.sub), "__rsub__": _binary(P.rsub), "__isub__": _binary(P.sub_),
    "__mul__": _binary(P.mul), "__rmul__": _binary(P.mul), "__imul__": _binary(P.mul_),
    "__truediv__": _binary(P.div), "__rtruediv__": __rtruediv__, "__itruediv__": _binary(P.div_),
    "__floordiv__": _binary(P.floor_divide), "__rfloordiv__": _reflected(P.floor_divide),
    "__ifloordiv__": _binary(P.floor_divide_),
    "__mod__": _binary(P.remainder), "__rmod__": _reflected(P.remainder),
    "__imod__": _binary(P.remainder_),
    "__pow__": _binary(P.pow), "__rpow__": _reflected(P.pow), "__ipow__": _binary(P.pow_),
    "__matmul__": __matmul__, "__rmatmul__": __rmatmul__, "__imatmul__": __imatmul__,
    "__neg__": P.neg, "__pos__": P.positive, "__abs__": P.abs, "__invert__": __invert__,
    "__eq__": _binary(P.eq), "__ne__": _binary(P.ne), "__lt__": _binary(P.lt), "__le__": _binary(P.le),
    "__gt__": _binary(P.gt), "__ge__": _binary(P.ge),
    "__and__": _binary(P.bitwise_and), "__rand__": _binary(P.bitwise_and),
    "__iand__": _binary(P.bitwise_and_),
    "__or__": _binary(P.bitwise_or), "__ror__": _binary(P.bitwise_or), "__ior__": _binary(P.bitwise_or_),
    "__xor__": _binary(P.bitwise_xor), "__rxor__": _binary(P.bitwise_xor),
    "__ixor__": _binary(P.bitwise_xor_),
    "__lshift__": _binary(P.bitwise_left_shift), "__rlshift__": _reflected(P.bitwise_left_shift),
    "__ilshift__": _binary(P.bitwise_left_shift_),
    "__rshift__": _binary(P.bitwise_right_shift), "__rrshift__": _reflected(P.bitwise_right_shift),
    "__irshift__": _binary(P.bitwise_right_shift_),
    "__getitem__": __getitem__, "__setitem__": __setitem__,
    "where": _where_method,
}
