"""Python operators on tensors (``+``, ``@``, ``+=``, ``<``, ...) and methods whose argument order differs."""
from __future__ import annotations

from . import pointwise as P
from ._record import inplace


def _reflected(op):
    def reflected(self, other):
        return op(other, self)
    return reflected


def __matmul__(self, other):
    from .linalg import matmul
    return matmul(self, other)


def __rmatmul__(self, other):
    from .linalg import matmul
    return matmul(other, self)


def __imatmul__(self, other):
    from .linalg import matmul
    return inplace(self, lambda s: matmul(s, other), other)


def __getitem__(self, index):
    from .indexing import getitem
    return getitem(self, index)


def __setitem__(self, index, value):
    from .indexing import setitem
    setitem(self, index, value)


def _where_method(self, condition, y):
    return P.where(condition, self, y)


OPERATORS = {
    "__add__": P.add, "__radd__": _reflected(P.add), "__iadd__": P.add_,
    "__sub__": P.sub, "__rsub__": _reflected(P.sub), "__isub__": P.sub_,
    "__mul__": P.mul, "__rmul__": _reflected(P.mul), "__imul__": P.mul_,
    "__truediv__": P.div, "__rtruediv__": _reflected(P.div), "__itruediv__": P.div_,
    "__floordiv__": P.floor_divide, "__rfloordiv__": _reflected(P.floor_divide),
    "__ifloordiv__": P.floor_divide_,
    "__mod__": P.remainder, "__rmod__": _reflected(P.remainder), "__imod__": P.remainder_,
    "__pow__": P.pow, "__rpow__": _reflected(P.pow), "__ipow__": P.pow_,
    "__matmul__": __matmul__, "__rmatmul__": __rmatmul__, "__imatmul__": __imatmul__,
    "__neg__": P.neg, "__pos__": P.positive, "__abs__": P.abs, "__invert__": P.bitwise_not,
    "__eq__": P.eq, "__ne__": P.ne, "__lt__": P.lt, "__le__": P.le, "__gt__": P.gt, "__ge__": P.ge,
    "__and__": P.bitwise_and, "__rand__": _reflected(P.bitwise_and), "__iand__": P.bitwise_and_,
    "__or__": P.bitwise_or, "__ror__": _reflected(P.bitwise_or), "__ior__": P.bitwise_or_,
    "__xor__": P.bitwise_xor, "__rxor__": _reflected(P.bitwise_xor), "__ixor__": P.bitwise_xor_,
    "__getitem__": __getitem__, "__setitem__": __setitem__,
    "where": _where_method,
}
