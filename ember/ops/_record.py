"""What every op uses to wrap its result and, when needed, record its backward.

An op computes its forward on NumPy arrays, wraps the result with ``wrap``, and if
``needs_grad(inputs)`` calls ``record`` with a vjp closure written in ember ops (so the
backward itself can be differentiated) and the tensors that closure reads.
"""
from __future__ import annotations

import operator
from typing import Callable, Sequence

import numpy as np

from ..autograd import grad_mode
from ..autograd.graph import Node, gradient_edge
from ..tensor import Tensor, _wrap_dim
from .. import dtypes

wrap = Tensor._make


def needs_grad(*tensors) -> bool:
    """True when grad mode is on and some input requires grad (so the op must be recorded)."""
    if not grad_mode._state.enabled:
        return False
    for t in tensors:
        if getattr(t, "_rg", False):
            return True
    return False


def record(out: Tensor, name: str, inputs: Sequence, vjp: Callable, saved: Sequence = ()) -> Tensor:
    """Make ``out`` the result of a differentiable op: ``vjp(grad)`` gives one grad per input."""
    edges = []
    for t in inputs:  # a plain loop: cheaper than a comprehension's frame for two or three inputs
        edges.append(gradient_edge(t) if isinstance(t, Tensor) else _NO_EDGE)
    out._rg = True
    out.grad_fn = Node(name, vjp, tuple(edges), saved)
    return out


_NO_EDGE = (None, 0)


def to_tensor(value, like: Tensor = None) -> Tensor:
    """A Tensor for an op's operand: tensors pass through, numbers become 0-d arrays of torch's dtype."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray):
        return wrap(value)
    d = dtypes.result_type(like, value) if like is not None else dtypes.scalar_dtype(value)
    return wrap(np.array(value, dtype=d.np))


def check_tensor(value, op: str, arg: str = "input", position: int = 1) -> Tensor:
    """``value`` if it is a Tensor, else torch's TypeError for argument ``arg`` of ``op``."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}(): argument '{arg}' (position {position}) must be Tensor, not "
                        f"{type(value).__name__}")
    return value


def sum_to(grad: Tensor, shape: tuple) -> Tensor:
    """Reduce a broadcast gradient back to ``shape`` (summing the broadcast dims)."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    kept = tuple(i + lead for i, s in enumerate(shape) if s == 1 and grad.shape[i + lead] != 1)
    if not kept and lead:  # only leading dims to drop: the sum is the result, an array of its own
        return grad.sum(tuple(range(lead)))
    out = grad.sum(tuple(range(lead)) + kept, keepdim=True)
    return out.reshape(shape)


wrap_dim = _wrap_dim


def dims_arg(dim, ndim: int) -> tuple:
    """Normalise an int / sequence / None ``dim`` argument to a tuple of non-negative dims."""
    if dim is None:
        return tuple(range(ndim))
    if not isinstance(dim, (tuple, list)):
        return (wrap_dim(dim, ndim),)
    dims = tuple(wrap_dim(d, ndim) for d in dim)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
    return dims


def shape_arg(args) -> tuple:
    """``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` and ``f(ember.Size(...))`` all mean shape (2, 3)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    try:
        return tuple(operator.index(a) if not isinstance(a, Tensor) else int(a.item()) for a in args)
    except (TypeError, ValueError):
        bad = next(a for a in args if not isinstance(a, (int, np.integer, Tensor)))
        raise TypeError(f"expected a sequence of integers or a single integer, got {bad!r}") from None


def inplace(self: Tensor, result_fn: Callable[[Tensor], Tensor], *others) -> Tensor:
    """Run an op in place: ``self`` takes ``result_fn(self)``'s values and, when recorded, its history.

    Without recording this is a plain write into ``self``'s array. With it, the op is
    recorded on a snapshot of ``self``'s old value, and ``self`` (or its base, for a view)
    is rebased onto the new node, as torch does.
    """
    if not self._data.flags.writeable:  # an expanded tensor: its elements share memory
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor "
                           "refers to a single memory location. Please clone() the tensor before "
                           "performing the operation.")
    recording = needs_grad(self, *others)
    if recording and self.grad_fn is None and self._rg:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    base = self._base
    if base is not None and not self._rg and base._rg:
        base = None  # ``detach()``'s view: it has a history of its own, not its base's
    if recording and base is not None:
        if base.grad_fn is None and base._rg:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        from .views import check_inplace
        check_inplace(self)
    if not recording:
        with grad_mode.no_grad():
            result = result_fn(self)
        _write(self, result)
        return self
    old = wrap(self._data.copy())
    old._rg, old.grad_fn, old._output_nr = self._rg, self.grad_fn, self._output_nr
    result = result_fn(old)
    _write(self, result)
    if base is not None:
        from .views import rebase_view
        rebase_view(self, result)
    else:
        self._rg, self.grad_fn, self._output_nr = True, result.grad_fn, result._output_nr
        if self._extra is not None and self._extra.get("views"):
            from .views import refresh_views
            refresh_views(self)
    return self


def _write(self: Tensor, result: Tensor) -> None:
    src = result._data
    if src.dtype != self._data.dtype:
        if not np.can_cast(src.dtype, self._data.dtype, "same_kind") or \
                (src.dtype.kind == "f" and self._data.dtype.kind in "iub"):
            raise RuntimeError(f"result type {_CAPITAL[src.dtype.name]} can't be cast to the desired "
                               f"output type {_CAPITAL[self._data.dtype.name]}")
    if src.shape != self._data.shape:
        full = np.broadcast_shapes(src.shape, self._data.shape)
        if full != self._data.shape:
            raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the "
                               f"broadcast shape {list(full)}")
    np.copyto(self._data, src, casting="unsafe")
    self._vbox[0] += 1


_CAPITAL = {"float16": "Half", "float32": "Float", "float64": "Double", "int8": "Char", "int16": "Short",
            "int32": "Int", "int64": "Long", "uint8": "Byte", "bool": "Bool"}


def public_names(namespace: dict) -> list:
    """The public functions a module defines itself: what it exports to ``ember``."""
    module = namespace["__name__"]
    return [n for n, v in namespace.items()
            if not n.startswith("_") and callable(v) and getattr(v, "__module__", None) == module]
