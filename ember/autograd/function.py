"""Custom differentiable ops: ``class MyOp(Function)`` with static ``forward`` and ``backward``.

As in torch, the ``ctx`` that ``forward`` (or ``setup_context``) fills is the graph node
itself: an instance of ``MyOpBackward``, a class made for each Function subclass. It keeps
what ``save_for_backward`` saved (version-checked, freed after backward), the flags set by
``mark_dirty``/``mark_non_differentiable``/``set_materialize_grads``, and any attribute the
user sets.
"""
from __future__ import annotations

import functools
import inspect
import warnings
from typing import Any, Callable

from .. import tensor as _tensor  # still being initialised here (it imports this package): used at call time
from . import grad_mode
from .graph import FREED, Node, fit_gradient, gradient_edge, zeros

__all__ = ["Function", "FunctionCtx", "BackwardCFunction", "once_differentiable", "InplaceFunction"]


class FunctionCtx:
    """The methods ``forward``/``setup_context`` call on ``ctx``."""

    def save_for_backward(self, *tensors) -> None:
        """Keep ``tensors`` (or None) for backward, as ``ctx.saved_tensors``."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, _tensor.Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} is of type "
                                f"{type(t).__name__}")
        self.to_save = tensors

    def save_for_forward(self, *tensors) -> None:
        """Kept for API compatibility: ember has no forward-mode AD that would read them."""
        self.saved_for_forward = tensors

    def mark_dirty(self, *args) -> None:
        """Declare the inputs that ``forward`` modified in place (they must be returned)."""
        self.dirty_tensors = args

    def mark_shared_storage(self, *pairs) -> None:
        raise RuntimeError("mark_shared_storage is deprecated. Tensors with shared storages are "
                           "automatically tracked. Note that calls to `set_()` are not tracked")

    def mark_non_differentiable(self, *args) -> None:
        """Declare outputs that get no gradient (backward still receives a zero for each)."""
        self.non_differentiable = args

    def set_materialize_grads(self, value: bool) -> None:
        """Whether outputs without a gradient reach backward as zeros (default) or as None."""
        self.materialize_grads = value


class BackwardCFunction(Node, FunctionCtx):
    """The node (and ctx) of one call of a custom Function; subclassed per Function."""

    _forward_cls: type

    def __init__(self) -> None:
        # ``_vjp`` marks the node alive (None once backward freed it); the user's backward is
        # looked up when it runs, as torch does.
        super().__init__(type(self).__name__, self._forward_cls.backward, ())
        self.to_save = ()
        self.dirty_tensors = ()
        self.non_differentiable = ()
        self.materialize_grads = True
        self.needs_input_grad = ()

    def _user_backward(self) -> Callable:
        cls = self._forward_cls
        has_backward, has_vjp = cls.backward is not Function.backward, cls.vjp is not Function.vjp
        if has_backward and has_vjp:
            raise RuntimeError("Implementing both 'backward' and 'vjp' for a custom Function is not allowed. "
                               "You should only implement one of them.")
        return cls.vjp if has_vjp else cls.backward

    @property
    def saved_tensors(self) -> tuple:
        """What ``save_for_backward`` kept, checked against in-place changes since."""
        self._check_saved()
        return tuple(t for t, _, _ in self._saved) if self._saved is not None else ()

    def _check_saved(self) -> None:
        if self._vjp is None:
            raise RuntimeError(FREED)
        for tensor, version, _ in self._saved or ():
            if tensor is not None and tensor._vbox[0] != version:
                self._raise_modified(tensor, version)

    saved_variables = saved_tensors

    __repr__ = object.__repr__

    def apply(self, *grad_outputs):
        """Call the user's backward on ``grad_outputs`` directly."""
        return self._user_backward()(self, *grad_outputs)

    def _materialize(self, grads: list) -> list:
        if not self.materialize_grads:
            return grads
        return [zeros(*meta) if g is None and meta is not None else g
                for g, meta in zip(grads, self._outputs_meta)]

    def _run(self, grads: list, retain_graph: bool) -> list:
        self._check_saved()
        result = self._user_backward()(self, *grads)
        if not retain_graph and self._saved is not None:
            self._vjp = None
            self._saved = None
        return self._check_grads(result)

    def _check_grads(self, result) -> list:
        """One gradient per tensor input, of its shape and dtype, as torch validates them."""
        if not isinstance(result, tuple):
            result = (result,)
        n = len(self._input_meta)
        if len(result) != n and not (len(result) > n and all(r is None for r in result[n:])):
            raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients (expected "
                               f"{n}, got {len(result)})")
        grads = []
        for position, (g, meta) in enumerate(zip(result, self._input_meta)):
            if meta is None:
                if g is not None:
                    raise RuntimeError(f"function {self.name()} returned a gradient different than None "
                                       f"at position {position + 1}, but the corresponding forward input was "
                                       "not a Variable")
                continue
            if g is not None:
                if not isinstance(g, _tensor.Tensor):
                    raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
                g = fit_gradient(g, meta[0], meta[1], self.name(), len(grads))
            grads.append(g)
        return grads


class FunctionMeta(type):
    """Gives each Function subclass its node class, ``<Name>Backward``."""

    def __init__(cls, name: str, bases: tuple, attrs: dict) -> None:
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"_forward_cls": cls})
        super().__init__(name, bases, attrs)


class Function(metaclass=FunctionMeta):
    """Base class of custom differentiable ops.

    Subclasses define ``forward(ctx, *args, **kwargs)`` (or ``forward(*args, **kwargs)`` plus
    ``setup_context(ctx, inputs, output)``) and ``backward(ctx, *grad_outputs)``, returning
    one gradient per ``forward`` argument (None where there is none), and are called with
    ``MyOp.apply(*args)``. ``forward`` runs with grad mode off.
    """

    def __init__(self, *args, **kwargs) -> None:
        warnings.warn(f"{self.__class__} should not be instantiated. Methods on autograd functions are all "
                      "static, so you should invoke them on the class itself. Instantiating an autograd "
                      "function will raise an error in a future version of PyTorch.", DeprecationWarning,
                      stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is deprecated. Please "
                           "use new-style autograd function with static forward method. (Example: "
                           "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: Any) -> Any:
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx: Any, *grad_inputs: Any) -> Any:
        raise NotImplementedError("You must implement the jvp function for custom autograd.Function to use "
                                  "it with forward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run ``forward`` on ``args`` and, when an input requires grad, record the call."""
        uses_setup_context = cls.setup_context is not Function.setup_context
        args, kwargs = _bind(cls, uses_setup_context, args, kwargs)
        ctx = cls._backward_cls()
        ctx.needs_input_grad = tuple(isinstance(a, _tensor.Tensor) and a._rg for a in args)
        recording = grad_mode._state.enabled and any(ctx.needs_input_grad)
        with grad_mode.no_grad():
            if uses_setup_context:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        return _wrap_outputs(ctx, args, output, recording)


def _bind(cls, uses_setup_context: bool, args: tuple, kwargs: dict) -> tuple:
    """Keyword and default arguments become positional, as torch binds them to ``forward``.

    ``needs_input_grad`` and backward's gradients then have one entry per parameter.
    """
    signature = cls.__dict__.get("_forward_signature")
    if signature is None:
        signature = inspect.signature(cls.forward)
        cls._forward_signature = signature
    n_params = len(signature.parameters) - (not uses_setup_context)
    if not kwargs and len(args) == n_params:
        return args, kwargs
    bound = signature.bind(*args, **kwargs) if uses_setup_context else signature.bind(None, *args, **kwargs)
    bound.apply_defaults()
    return (bound.args if uses_setup_context else bound.args[1:]), bound.kwargs


def _wrap_outputs(ctx: BackwardCFunction, args: tuple, output, recording: bool):
    """Make ``forward``'s tensor outputs the outputs of ``ctx`` (when recording)."""
    Tensor = _tensor.Tensor
    outputs = output if isinstance(output, tuple) else (output,)
    dirty = {id(t) for t in ctx.dirty_tensors}
    if not dirty <= {id(o) for o in outputs}:
        raise RuntimeError("Some elements marked as dirty during the forward method were not returned as "
                           "output. The inputs that are modified inplace must all be outputs of the "
                           "Function.")
    non_diff = {id(t) for t in ctx.non_differentiable}
    input_ids = {id(a) for a in args if isinstance(a, Tensor)}
    if recording:
        ctx.next_functions = tuple(gradient_edge(a) for a in args if isinstance(a, Tensor))
        ctx._input_meta = tuple((a._data.shape, a.dtype) if isinstance(a, Tensor) else None for a in args)
        ctx._outputs_meta = tuple((o._data.shape, o.dtype) if isinstance(o, Tensor) else None
                                  for o in outputs)
    wrapped = []
    for nr, out in enumerate(outputs):
        if isinstance(out, Tensor):
            if id(out) in dirty:
                _mark_modified(ctx, out, nr, recording)
            else:
                if id(out) in input_ids:  # an input returned as-is comes back as a view of it
                    out = Tensor._make(out._data, out)
                if recording and id(outputs[nr]) not in non_diff and out.is_floating_point():
                    out._rg, out.grad_fn, out._output_nr = True, ctx, nr
        wrapped.append(out)
    if recording and ctx.to_save:
        ctx._saved = tuple((t, t._vbox[0], t.grad_fn) if t is not None else (None, 0, None)
                           for t in ctx.to_save)
    ctx.to_save = ()
    return tuple(wrapped) if isinstance(output, tuple) else wrapped[0]


def _mark_modified(ctx: BackwardCFunction, tensor, nr: int, recording: bool) -> None:
    """An input ``forward`` changed in place becomes this output (its history rebased onto ``ctx``)."""
    tensor._vbox[0] += 1
    if not recording:
        return
    if tensor.grad_fn is None and tensor._rg:
        raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
    if tensor._base is None:
        tensor._rg, tensor.grad_fn, tensor._output_nr = True, ctx, nr
        return
    from ..ops.views import rebase_view
    result = _tensor.Tensor._make(tensor._data)
    result._rg, result.grad_fn, result._output_nr = True, ctx, nr
    rebase_view(tensor, result)


class InplaceFunction(Function):
    """Kept for backward compatibility with torch: a Function with an ``inplace`` flag."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace


def once_differentiable(fn: Callable) -> Callable:
    """Decorate a ``backward`` that is not itself differentiable.

    It runs under ``no_grad``; when a graph was asked for (``create_graph``), its results are
    tied to a node that raises if differentiated.
    """
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        Tensor = _tensor.Tensor
        with grad_mode.no_grad():
            outputs = fn(ctx, *args)
        if not grad_mode._state.enabled or not any(isinstance(a, Tensor) and a._rg for a in args):
            return outputs
        results = outputs if isinstance(outputs, tuple) else (outputs,)
        error = Node("torch::autograd::Error", _raise_twice, ())
        delayed = []
        for r in results:
            if isinstance(r, Tensor):
                r = Tensor._make(r._data)
                r._rg, r.grad_fn = True, error
            delayed.append(r)
        return tuple(delayed) if isinstance(outputs, tuple) else delayed[0]
    return wrapper


def _raise_twice(*grads):
    raise RuntimeError("trying to differentiate twice a function that was marked with @once_differentiable")
