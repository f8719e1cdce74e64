"""The recorded graph: one ``Node`` per op (a tensor's ``grad_fn``), and the leaves' ``AccumulateGrad``.

A node holds its op's vector-Jacobian product as a closure written in ember ops, the
edges to the nodes that produced its inputs (``next_functions``), and the tensors its
backward reads, each with the version it had when saved (an in-place change since then
is an error at backward time). Hooks live in a side object created on first use, so a
node without hooks costs nothing for them.
"""
from __future__ import annotations

import re
import sys
import weakref
from typing import Callable, Optional, Sequence

import numpy as np

from .. import tensor as _tensor  # still being initialised here (it imports this module): used at call time
from . import grad_mode, anomaly

FREED = ("Trying to backward through the graph a second time (or directly access saved tensors "
         "after they have already been freed). Saved intermediate values of the graph are freed "
         "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
         "backward through the graph a second time or if you need to access saved tensors after "
         "calling backward.")


class _NodeHooks:
    """A node's hooks, in the order torch runs them.

    ``tensor``: hooks registered on the node's output tensors, ``{id: (output_nr, fn)}``;
    ``retains``: ``{output_nr: weakref to tensor}`` for ``retain_grad``; ``pre``: node
    pre-hooks ``fn(grad_outputs)``; ``post``: node hooks ``fn(grad_inputs, grad_outputs)``.
    """

    __slots__ = ("tensor", "retains", "pre", "post")

    def __init__(self) -> None:
        self.tensor: dict = {}
        self.retains: dict = {}
        self.pre: dict = {}
        self.post: dict = {}


class Node:
    """One recorded op. ``vjp(*grad_outputs)`` returns one gradient (or None) per input edge.

    ``saved`` are the tensors ``vjp`` reads; ``outputs_meta`` is ``((shape, dtype), ...)``
    per output of a multi-output op, so outputs that receive no gradient get zeros.
    """

    __slots__ = ("_name", "next_functions", "_vjp", "_saved", "_outputs_meta", "_hooks", "_trace",
                 "_metadata", "__weakref__")

    def __init__(self, name: str, vjp: Callable, next_functions: tuple, saved: Sequence = (),
                 outputs_meta: tuple = ()) -> None:
        self._name = name
        self.next_functions = next_functions
        self._vjp = vjp
        self._saved = None
        if saved:
            entries = []
            for t in saved:  # each with its version and grad_fn now, checked when backward reads it
                entries.append((t, t._vbox[0], t.grad_fn))
            self._saved = tuple(entries)
        self._outputs_meta = outputs_meta
        self._hooks = None
        self._trace = anomaly.creation_trace() if anomaly._state.enabled else None
        self._metadata = None

    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"<{self._name} object at {hex(id(self))}>"

    @property
    def metadata(self) -> dict:
        """A dict for user data, kept as long as the node lives."""
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    # ------------------------------------------------------------------ hooks
    def _hook_lists(self) -> _NodeHooks:
        if self._hooks is None:
            self._hooks = _NodeHooks()
        return self._hooks

    def register_hook(self, fn: Callable) -> "RemovableHandle":
        """``fn(grad_inputs, grad_outputs)`` runs after this node's backward; may return new grad_inputs."""
        return RemovableHandle(self._hook_lists().post, fn)

    def register_prehook(self, fn: Callable) -> "RemovableHandle":
        """``fn(grad_outputs)`` runs before this node's backward; it may return new grad_outputs."""
        return RemovableHandle(self._hook_lists().pre, fn)

    def _register_tensor_hook(self, output_nr: int, fn: Callable) -> "RemovableHandle":
        return RemovableHandle(self._hook_lists().tensor, (output_nr, fn))

    def _retain_grad(self, output_nr: int, tensor) -> None:
        self._hook_lists().retains[output_nr] = weakref.ref(tensor)

    # ------------------------------------------------------------------ backward
    def _run(self, grads: list, retain_graph: bool) -> Sequence:
        """Backward through this node; free what it saved unless ``retain_graph``."""
        vjp = self._vjp
        if vjp is None:
            raise RuntimeError(FREED)
        saved = self._saved
        if saved is not None:
            for tensor, version, _ in saved:
                if tensor._vbox[0] != version:
                    self._raise_modified(tensor, version)
            if not retain_graph:
                self._vjp = None
                self._saved = None
        return vjp(*grads)

    def _materialize(self, grads: list) -> list:
        """Outputs that got no gradient get zeros, so a vjp always sees a full set."""
        return [zeros(*meta) if g is None else g for g, meta in zip(grads, self._outputs_meta)]

    def _raise_modified(self, tensor, version: int) -> None:
        saved_fn = next(fn for t, _, fn in self._saved if t is tensor)
        producer = tensor.grad_fn
        if producer is not None and (saved_fn is None or saved_fn is self):
            producer = self  # the tensor is this node's own output
        which = (f", which is output {tensor._output_nr} of {_op_name(producer.name())},"
                 if producer is not None else "")
        hint = ("Hint: the backtrace further above shows the operation that failed to compute its "
                "gradient. The variable in question was changed in there or anywhere later. Good luck!"
                if anomaly._state.enabled else
                "Hint: enable anomaly detection to find the operation that failed to compute its "
                "gradient, with ember.autograd.set_detect_anomaly(True, check_nan=False).")
        raise RuntimeError("one of the variables needed for gradient computation has been modified by "
                           f"an inplace operation: [{tensor.type()} {list(tensor.shape)}]{which} is at "
                           f"version {tensor._vbox[0]}; expected version {version} instead. {hint}")

    @property
    def _saved_tensors(self) -> tuple:
        """The saved tensors, version-checked; the freed-graph error once backward released them."""
        if self._vjp is None:
            raise RuntimeError(FREED)
        for tensor, version, _ in self._saved or ():
            if tensor._vbox[0] != version:
                self._raise_modified(tensor, version)
        return tuple(t for t, _, _ in self._saved or ())


def _op_name(node_name: str) -> str:
    """torch names the op in the in-place error without its ``Backward<n>`` suffix."""
    return re.sub(r"Backward\d*$", "", node_name)


class AccumulateGrad(Node):
    """The node that ends every path at a leaf: it adds the arriving gradient into ``.grad``.

    The leaf's own hooks (``Tensor.register_hook``) live on the tensor, not here, as in torch.
    It has no vjp, saved tensors or creation trace: those class attributes stand for them.
    """

    __slots__ = ("variable",)

    _name = "torch::autograd::AccumulateGrad"
    _trace = None
    _outputs_meta = ()

    def __init__(self, variable) -> None:
        self.variable = variable
        self.next_functions = ()
        self._hooks = None
        self._metadata = None

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {hex(id(self))}>"

    def _run(self, grads: list, retain_graph: bool) -> tuple:
        var = self.variable
        accumulate_into_grad(var, grads[0])
        extra = var._extra
        if extra and extra.get("post_accumulate_hooks"):
            for hook in tuple(extra["post_accumulate_hooks"].values()):
                hook(var)
        return ()


def accumulate_into_grad(var, grad) -> None:
    """``var.grad += grad`` as torch does it: a fresh copy first, in place after, unless graphed.

    ``.grad`` never aliases a ``grad`` that anyone else can see (another leaf, the caller), and
    is laid out like ``var``; an unshared ``grad`` is taken without a copy, as torch steals it.
    With grad mode on (``create_graph``) the sum is recorded and never in place.
    """
    if grad_mode._state.enabled:
        var._grad = _copy_with_graph(grad, var._data) if var._grad is None else var._grad + grad
    elif var._grad is None:
        var._grad = grad if _unshared(grad, var._data) else _copy(grad, var._data)
    else:
        old = var._grad
        if old._data.flags.writeable:
            old._data += grad._data
            old._vbox[0] += 1
        else:  # a read-only (expanded) .grad the user assigned
            var._grad = old.detach() + grad


def accumulate_retained(tensor, grad) -> None:
    """``retain_grad``'s accumulation into a non-leaf's ``.grad``: a copy first, then out of place."""
    if tensor._grad is None:
        tensor._grad = _copy_with_graph(grad, None) if grad_mode._state.enabled else _copy(grad, None)
    else:
        tensor._grad = tensor._grad + grad


def _unshared(grad, like: np.ndarray) -> bool:
    """Whether no one but the engine's buffer holds ``grad`` and it owns an array laid out like
    ``like``: then ``.grad`` may take it without a copy. Called from ``accumulate_into_grad``."""
    array = grad._data
    return (sys.getrefcount(grad) == _UNSHARED_REFS and sys.getrefcount(array) == 3 and array.base is None
            and array.strides == like.strides and array.flags.writeable and grad._extra is None)


def _calibrated_refs() -> int:
    """The reference count ``_unshared`` sees for a gradient only a list holds: the buffer, the
    two frames' arguments and ``getrefcount``'s own, measured along the same path of calls."""
    def accumulate(grad):
        return unshared(grad)

    def unshared(grad):
        return sys.getrefcount(grad)
    slot = [object()]
    return accumulate(slot[0])


_UNSHARED_REFS = _calibrated_refs()


def _copy(grad, like: Optional[np.ndarray]):
    """A new tensor holding ``grad``'s values in the memory layout of the array ``like`` (without
    one, contiguous: torch's clone for a retained gradient)."""
    out = np.empty(grad._data.shape, grad._data.dtype) if like is None else np.empty_like(like)
    np.copyto(out, grad._data)
    return _tensor.Tensor._make(out)


def _copy_with_graph(grad, like: Optional[np.ndarray]):
    """``_copy`` that is differentiable back to ``grad`` (torch's ``CopyBackwards``)."""
    out = _copy(grad, like)
    if grad._rg:
        out._rg = True
        out.grad_fn = Node("CopyBackwards", lambda g: (g,), (gradient_edge(grad),))
    return out


def fit_gradient(grad, shape: tuple, dtype, node_name: str, index: int):
    """A gradient a node returned for an input of ``shape`` and ``dtype``, made to fit it.

    As torch validates it: summed down if the input broadcasts to it, cast to the input's
    dtype, and torch's error for any other shape.
    """
    if grad._data.shape != shape:
        if not _broadcasts_to(shape, grad._data.shape):
            raise RuntimeError(f"Function {node_name} returned an invalid gradient at index {index} - got "
                               f"{list(grad._data.shape)} but expected shape compatible with {list(shape)}")
        from ..ops._record import sum_to
        grad = sum_to(grad, shape)
    if grad.dtype != dtype:
        grad = grad.to(dtype)
    return grad


def _broadcasts_to(shape: tuple, target: tuple) -> bool:
    return len(shape) <= len(target) and all(s == t or s == 1
                                              for s, t in zip(reversed(shape), reversed(target)))


def zeros(shape: tuple, dtype):
    """A zero gradient for an output of ``shape`` and (ember) ``dtype`` that got none."""
    return _tensor.Tensor._make(np.zeros(shape, dtype.np))


def gradient_edge(tensor) -> tuple:
    """The (node, output_nr) a gradient for ``tensor`` flows into, or (None, 0)."""
    if tensor.grad_fn is not None:
        return (tensor.grad_fn, tensor._output_nr)
    if tensor._rg:
        return (tensor._accumulator(), 0)
    return (None, 0)


class RemovableHandle:
    """Returned by ``register_*hook``; ``remove()`` unregisters the hook."""

    _next_id = 0

    def __init__(self, hooks: dict, hook) -> None:
        RemovableHandle._next_id += 1
        self.id = RemovableHandle._next_id
        self._hooks = weakref.ref(hooks) if _weakrefable(hooks) else (lambda: hooks)
        hooks[self.id] = hook

    def remove(self) -> None:
        hooks = self._hooks()
        if hooks is not None:
            hooks.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def _weakrefable(obj) -> bool:
    try:
        weakref.ref(obj)
        return True
    except TypeError:
        return False
