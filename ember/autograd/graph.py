"""The recorded graph: one ``Node`` per op (a tensor's ``grad_fn``), and the leaves' ``AccumulateGrad``.

A node holds its op's vector-Jacobian product as a closure written in ember ops, the
edges to the nodes that produced its inputs, and the tensors its backward reads, each
with the version it had when saved (an in-place change since then is an error).
"""
from __future__ import annotations

import weakref
from typing import Callable, Optional, Sequence

from . import grad_mode, anomaly

FREED = ("Trying to backward through the graph a second time (or directly access saved tensors "
         "after they have already been freed). Saved intermediate values of the graph are freed "
         "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
         "backward through the graph a second time or if you need to access saved tensors after "
         "calling backward.")


class Node:
    """One recorded op. ``vjp(*grad_outputs)`` returns one gradient (or None) per input."""

    __slots__ = ("_name", "next_functions", "_vjp", "_saved", "_outputs_meta", "_pre_hooks",
                 "_hooks", "_trace", "metadata", "__weakref__")

    def __init__(self, name: str, vjp: Callable, next_functions: tuple, saved: tuple = (),
                 outputs_meta: tuple = ()) -> None:
        self._name = name
        self.next_functions = next_functions
        self._vjp = vjp
        self._saved = tuple((t, t._vbox[0]) for t in saved) if saved else None
        self._outputs_meta = outputs_meta
        self._pre_hooks = None
        self._hooks = None
        self._trace = anomaly.creation_trace() if anomaly.enabled() else None
        self.metadata = {}

    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"<{self._name} object at {hex(id(self))}>"

    def register_hook(self, fn: Callable) -> "RemovableHandle":
        """``fn(grad_inputs, grad_outputs)`` runs after this node's backward."""
        self._hooks = self._hooks or {}
        return RemovableHandle(self._hooks, fn)

    def register_prehook(self, fn: Callable) -> "RemovableHandle":
        """``fn(grad_outputs)`` runs before this node's backward and may replace them."""
        return self._add_pre_hook(None, fn)

    def _add_pre_hook(self, output_nr: Optional[int], fn: Callable) -> "RemovableHandle":
        self._pre_hooks = self._pre_hooks or {}
        return RemovableHandle(self._pre_hooks, (output_nr, fn))

    def _check_saved(self) -> None:
        if self._vjp is None:
            raise RuntimeError(FREED)
        for tensor, version in self._saved or ():
            if tensor._vbox[0] != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an "
                    f"inplace operation: [{tensor.type()} {list(tensor.shape)}], which is output "
                    f"{tensor._output_nr} of {tensor.grad_fn.name() if tensor.grad_fn else 'a leaf'}, "
                    f"is at version {tensor._vbox[0]}; expected version {version} instead. Hint: "
                    "the backtrace further above can point at the operation that failed to compute "
                    "its gradient. The variable in question was changed in there or anywhere later. "
                    "Good luck!")

    def apply(self, grads: list, retain_graph: bool) -> Sequence:
        """Run backward on this node's output gradients; free what it saved unless retained."""
        self._check_saved()
        with anomaly.node_context(self):
            result = self._vjp(*grads)
        if not retain_graph and self._saved is not None:
            self._vjp = None
            self._saved = None
        return result

    @property
    def _saved_tensors(self) -> tuple:
        self._check_saved()
        return tuple(t for t, _ in self._saved or ())


class AccumulateGrad:
    """The node that ends every path at a leaf: it adds the arriving gradient into ``.grad``."""

    __slots__ = ("variable", "next_functions", "_pre_hooks", "_hooks", "metadata", "__weakref__")

    _trace = None

    def __init__(self, variable) -> None:
        self.variable = variable
        self.next_functions = ()
        self._pre_hooks = None
        self._hooks = None
        self.metadata = {}

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {hex(id(self))}>"

    register_hook = Node.register_hook
    register_prehook = Node.register_prehook
    _add_pre_hook = Node._add_pre_hook

    def apply(self, grads: list, retain_graph: bool) -> tuple:
        grad = grads[0]
        var = self.variable
        for hook in tuple(var._hooks().values()) if var._extra else ():
            new = hook(grad)
            if new is not None:
                grad = new
        accumulate_into_grad(var, grad)
        return ()


def accumulate_into_grad(var, grad) -> None:
    """``var.grad += grad`` as torch does it: a fresh tensor first, in place after, unless graphed."""
    if var._grad is None:
        var._grad = grad if grad_mode.is_grad_enabled() else grad._detached_copy()
    elif grad_mode.is_grad_enabled():
        var._grad = var._grad + grad
    else:
        var._grad._data += grad._data
        var._grad._vbox[0] += 1


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
