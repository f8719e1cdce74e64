"""``ember.autograd``: reverse-mode differentiation of the recorded graph."""
from __future__ import annotations

import warnings
from typing import Optional

import numpy as np

from .. import tensor as _tensor  # still being initialised here (it imports this package): used at call time
from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled)
from .anomaly import detect_anomaly, set_detect_anomaly, is_anomaly_enabled, is_anomaly_check_nan_enabled
from .engine import run_backward
from .graph import Node, accumulate_into_grad, zeros
from .function import Function, FunctionCtx, once_differentiable
from .gradcheck import gradcheck, gradgradcheck, GradcheckError
from . import graph, functional


class _VariableMeta(type):
    def __instancecheck__(cls, other) -> bool:
        return isinstance(other, _tensor.Tensor)


class Variable(metaclass=_VariableMeta):
    """Legacy wrapper: ``Variable(t, requires_grad)`` is a new leaf sharing ``t``'s data; every
    tensor is a ``Variable``."""

    def __new__(cls, data, requires_grad: bool = False, volatile: bool = False):
        if not isinstance(data, _tensor.Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with ember.no_grad():` instead.",
                          stacklevel=2)
        return data.detach().requires_grad_(requires_grad)


def _tensors(x) -> tuple:
    """A tensor, or a sequence of them, as a tuple."""
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _grad_outputs(outputs: tuple, grads, create_graph: bool) -> list:
    """One cotangent per output: 1 for a scalar output given None; checked against the output."""
    Tensor = _tensor.Tensor
    grads = (None,) * len(outputs) if grads is None else _tensors(grads)
    if len(grads) != len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
    result = []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if g is None:
            if out._rg:
                if out._data.size != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if out._data.dtype.kind != "f":
                    raise RuntimeError("grad can be implicitly created only for real scalar outputs but "
                                       f"got {out.dtype}")
            g = Tensor._make(np.ones(out._data.shape, out._data.dtype))
        elif not isinstance(g, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
        else:
            if g._data.shape != out._data.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape!r} and "
                                   f"output[{i}] has a shape of {out.shape!r}.")
            if g._data.dtype != out._data.dtype and out._data.dtype.kind == "f":
                g = g.to(out.dtype)
            if g._rg and not create_graph:
                g = g.detach()
        result.append(g)
    return result


def backward(tensors, grad_tensors=None, retain_graph: Optional[bool] = None, create_graph: bool = False,
             grad_variables=None, inputs=None) -> None:
    """Accumulate the gradients of ``tensors`` into the leaves' ``.grad`` (or only ``inputs``')."""
    if grad_variables is not None:
        warnings.warn("'grad_variables' is deprecated. Use 'grad_tensors' instead.", FutureWarning,
                      stacklevel=2)
        if grad_tensors is not None:
            raise RuntimeError("'grad_tensors' and 'grad_variables' (deprecated) arguments both passed to "
                               "'backward'. Please only use 'grad_tensors'.")
        grad_tensors = grad_variables
    if inputs is not None:
        inputs = _tensors(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        if not all(t._rg for t in inputs):  # torch keeps non-leaf inputs' grads by retain_grad
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    outputs = _tensors(tensors)
    grads = _grad_outputs(outputs, grad_tensors, create_graph)
    if create_graph:
        warnings.warn("Using backward() with create_graph=True will create a reference cycle between the "
                      "parameter and its gradient which can cause a memory leak. We recommend using "
                      "autograd.grad when creating the graph to avoid this. If you have to use this "
                      "function, make sure to reset the .grad fields of your parameters to None after use "
                      "to break the cycle and avoid the leak.", UserWarning, stacklevel=3)
    retain = create_graph if retain_graph is None else retain_graph
    if inputs is None:
        run_backward(outputs, grads, retain, create_graph)
        return
    result = run_backward(outputs, grads, retain, create_graph, inputs)
    with set_grad_enabled(create_graph):
        for t, g in zip(inputs, result):
            if g is not None:
                accumulate_into_grad(t, g)


def grad(outputs, inputs, grad_outputs=None, retain_graph: Optional[bool] = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: Optional[bool] = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple:
    """Return d(outputs)/d(inputs), weighted by ``grad_outputs``, without touching any ``.grad``.

    ``is_grads_batched``: the first dim of each ``grad_outputs`` indexes independent
    cotangents; the results are stacked along a new first dim.
    """
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    if not only_inputs:
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to True). To "
                      "accumulate gradient for other parts of the graph, please use "
                      "ember.autograd.backward.", FutureWarning, stacklevel=2)
    outs = _tensors(outputs)
    ins = _tensors(inputs)
    if not ins:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    retain = create_graph if retain_graph is None else retain_graph
    allow = materialize_grads or bool(allow_unused)
    if is_grads_batched:
        return _batched_grad(outs, ins, grad_outputs, retain, create_graph, allow, materialize_grads)
    grads = _grad_outputs(outs, grad_outputs, create_graph)
    result = run_backward(outs, grads, retain, create_graph, ins, allow_unused=allow)
    if materialize_grads:
        result = [zeros(t._data.shape, t.dtype) if g is None else g for g, t in zip(result, ins)]
    return tuple(result)


def _batched_grad(outs: tuple, ins: tuple, grad_outputs, retain: bool, create_graph: bool,
                  allow: bool, materialize: bool) -> tuple:
    """``grad`` once per slice along the cotangents' first dim, stacked (torch uses vmap here)."""
    from ..ops import stack
    grad_outputs = _tensors(grad_outputs)
    batch = grad_outputs[0].shape[0]
    per_slice = [grad(outs, ins, [g[b] for g in grad_outputs], retain_graph=retain or b < batch - 1,
                      create_graph=create_graph, allow_unused=allow, materialize_grads=materialize)
                 for b in range(batch)]
    return tuple(None if slices[0] is None else stack(list(slices)) for slices in zip(*per_slice))


__all__ = ["backward", "grad", "Variable", "Function", "FunctionCtx", "once_differentiable", "no_grad",
           "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled", "is_inference_mode_enabled",
           "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled",
           "Node", "gradcheck", "gradgradcheck", "GradcheckError", "graph", "functional"]
