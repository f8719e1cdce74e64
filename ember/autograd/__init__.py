"""``ember.autograd``: reverse-mode differentiation of the recorded graph."""
from __future__ import annotations

from typing import Optional, Sequence, Union

from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled)
from .anomaly import detect_anomaly, set_detect_anomaly, is_anomaly_enabled
from .engine import run_backward
from .graph import Node
from .gradcheck import gradcheck, gradgradcheck, GradcheckError


def _tensors(x) -> tuple:
    from ..tensor import Tensor
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _grad_outputs(outputs: tuple, grads, create_graph: bool) -> list:
    """Fill in d(out)/d(out) = 1 for scalar outputs; demand an explicit gradient otherwise."""
    from ..tensor import Tensor
    from ..ops.creation import ones_like
    grads = (None,) * len(outputs) if grads is None else _tensors(grads) if not isinstance(grads, (list, tuple)) else tuple(grads)
    if len(grads) != len(outputs):
        raise RuntimeError(f"grad can be implicitly created only for scalar outputs")
    result = []
    for out, g in zip(outputs, grads):
        if g is None:
            if out._rg and out.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out._rg and not out.is_floating_point():
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but "
                                   f"got {out.dtype}")
            g = ones_like(out)
        elif not isinstance(g, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
        elif g.shape != out.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of {g.shape} and "
                               f"output[0] has a shape of {out.shape}.")
        result.append(g if create_graph else g.detach())
    return result


def backward(tensors, grad_tensors=None, retain_graph: Optional[bool] = None,
             create_graph: bool = False, inputs=None) -> None:
    """Accumulate the gradients of ``tensors`` into the leaves' ``.grad`` (or only ``inputs``')."""
    outputs = _tensors(tensors)
    grads = _grad_outputs(outputs, grad_tensors, create_graph)
    retain = create_graph if retain_graph is None else retain_graph
    if inputs is None:
        run_backward(outputs, grads, retain, create_graph)
        return
    inputs = _tensors(inputs)
    if not inputs:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    from .graph import accumulate_into_grad
    with set_grad_enabled(create_graph):
        for t, g in zip(inputs, run_backward(outputs, grads, retain, create_graph, inputs)):
            if g is not None:
                accumulate_into_grad(t, g)


def grad(outputs, inputs, grad_outputs=None, retain_graph: Optional[bool] = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: Optional[bool] = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple:
    """Return d(outputs)/d(inputs) without touching any ``.grad``."""
    outs = _tensors(outputs)
    ins = _tensors(inputs)
    grads = _grad_outputs(outs, grad_outputs, create_graph)
    retain = create_graph if retain_graph is None else retain_graph
    allow = materialize_grads or bool(allow_unused)
    result = run_backward(outs, grads, retain, create_graph, ins, allow_unused=allow)
    if materialize_grads:
        from ..ops.creation import zeros_like
        result = [zeros_like(t) if g is None else g for g, t in zip(result, ins)]
    return tuple(result)


__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "detect_anomaly", "set_detect_anomaly", "Node", "gradcheck",
           "gradgradcheck", "GradcheckError"]
