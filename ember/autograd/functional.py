"""``ember.autograd.functional``: Jacobians, Hessians and their products with vectors, as in torch.

Everything is built on ``autograd.grad``: ``vjp`` directly, ``jvp`` and ``hvp`` with the
double-backward trick (differentiate a vjp with respect to its cotangent), ``jacobian``
one unit cotangent per output element, ``hessian`` as the Jacobian of the Jacobian.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from . import grad_mode
from .graph import Node, gradient_edge

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


# ------------------------------------------------------------------------------------ helpers
def _as_tuple(value, arg_name: str, fn_name: str) -> tuple:
    """(was it a tuple, the tensors as a tuple); torch's TypeError for anything but tensors."""
    from ..tensor import Tensor
    is_tuple = isinstance(value, tuple)
    values = value if is_tuple else (value,)
    for i, el in enumerate(values):
        if not isinstance(el, Tensor):
            where = f"the value at index {i} has type" if is_tuple else f"the given {arg_name} has type"
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                            f"Tensors but {where} {type(el)}.")
    return is_tuple, values


def _alias(tensor):
    """A differentiable identity of ``tensor`` (torch's ``view_as(self)``)."""
    from ..tensor import Tensor
    out = Tensor._make(tensor._data, tensor)
    out._rg = True
    out.grad_fn = Node("ViewBackward0", lambda g: (g,), (gradient_edge(tensor),))
    return out


def _prepare(inputs: tuple, create_graph: bool, need_graph: bool) -> tuple:
    """Inputs to differentiate with respect to: linked to the originals only with ``create_graph``."""
    return tuple(_alias(t) if create_graph and t._rg else t.detach().requires_grad_(need_graph)
                 for t in inputs)


def _finish(tensors, create_graph: bool):
    """Results leave the graph unless ``create_graph``."""
    if isinstance(tensors, tuple):
        return tuple(_finish(t, create_graph) for t in tensors)
    return tensors if create_graph else tensors.detach()


def _unpack(result, packed):
    """Undo the tuple-wrapping of arguments that were single tensors (``packed`` per level)."""
    if isinstance(packed, tuple):
        outer, inner = packed
        if not inner:
            result = tuple(r[0] for r in result)
        return result if outer else result[0]
    return result if packed else result[0]


def _validate_v(v: tuple, other: tuple, is_other_tuple: bool) -> None:
    if len(other) != len(v):
        if is_other_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for idx, (el_v, el_other) in enumerate(zip(v, other)):
        if el_v.shape != el_other.shape:
            prepend = f"Entry {idx} in " if is_other_tuple else ""
            raise RuntimeError(f"{prepend}v has invalid size: should be {el_other.shape!r} but got "
                               f"{el_v.shape!r}.")


def _check_outputs_require_grad(outputs: tuple, strict: bool) -> None:
    if strict:
        for i, out in enumerate(outputs):
            if not out._rg:
                raise RuntimeError(f"Output {i} of the user-provided function does not require gradients. "
                                   "The outputs must be computed in a differentiable manner from the input "
                                   "when running in strict mode.")


def _grad(outputs: tuple, inputs: tuple, grad_outputs=None, create_graph: bool = False,
          retain_graph=None) -> tuple:
    """``autograd.grad`` over the outputs that require grad (None for every input if none does)."""
    from . import grad as autograd_grad
    grad_outputs = (None,) * len(outputs) if grad_outputs is None else grad_outputs
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o._rg]
    if not pairs:
        return (None,) * len(inputs)
    return autograd_grad([o for o, _ in pairs], inputs, [g for _, g in pairs], allow_unused=True,
                         create_graph=create_graph, retain_graph=retain_graph)


def _zeros_for_none(grads: tuple, refs: tuple, strict: bool, what: str) -> tuple:
    """Missing gradients are zeros (an error in strict mode: ``what`` is independent of input i)."""
    from ..ops.creation import zeros_like
    result = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(f"{what.format(i)} This is not allowed in strict mode.")
            g = zeros_like(refs[i])
        result.append(g)
    return tuple(result)


def _vector(v, like: tuple, is_like_tuple: bool, fn_name: str, create_graph: bool, what: str) -> tuple:
    if v is None:
        if len(like) != 1 or like[0].numel() != 1:
            raise RuntimeError(f"The vector v can only be None if {what} a single Tensor with a single "
                               "element.")
        return None
    _, v = _as_tuple(v, "v", fn_name)
    v = _prepare(v, create_graph, need_graph=False)
    _validate_v(v, like, is_like_tuple)
    return v


def _inputs(inputs, fn_name: str, create_graph: bool) -> tuple:
    """(was it a tuple, the inputs to differentiate with respect to)."""
    is_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
    return is_tuple, _prepare(inputs, create_graph, need_graph=True)


def _inputs_and_v(inputs, v, fn_name: str, create_graph: bool) -> tuple:
    """(was it a tuple, the prepared inputs, ``v`` checked against them): v is shaped like the inputs."""
    is_tuple, inputs = _inputs(inputs, fn_name, create_graph)
    return is_tuple, inputs, _vector(v, inputs, is_tuple, fn_name, create_graph,
                                     "the input to the user-provided function is")


def _outputs(func: Callable, inputs: tuple, fn_name: str, strict: bool) -> tuple:
    """(was it a tuple, the outputs of ``func(*inputs)``), checked to require grad in strict mode."""
    is_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", fn_name)
    _check_outputs_require_grad(outputs, strict)
    return is_tuple, outputs


def _double_backward(outputs: tuple, inputs: tuple, like: tuple) -> tuple:
    """(the vjp of ``outputs`` at zero cotangents shaped like ``like``, those cotangents).

    The vjp ``J^T u`` is linear in the cotangents ``u``, so its own vjp with respect to them
    along ``v`` is ``J v``: the double-backward trick behind ``jvp`` and ``hvp``.
    """
    from ..ops.creation import zeros_like
    cotangents = tuple(zeros_like(t, requires_grad=True) for t in like)
    return _grad(outputs, inputs, cotangents, create_graph=True), cotangents


def _product(outputs: tuple, wrt: tuple, v, refs: tuple, create_graph: bool, strict: bool, what: str) -> tuple:
    """The last backward of every product, kept in the graph with ``create_graph``; zeros where independent."""
    with grad_mode.set_grad_enabled(create_graph or grad_mode.is_grad_enabled()):
        return _zeros_for_none(_grad(outputs, wrt, v, create_graph), refs, strict, what)


def _results(outputs: tuple, is_outputs_tuple: bool, result: tuple, is_result_tuple: bool,
             create_graph: bool) -> tuple:
    """``(func(inputs), product)`` as the caller passed them: tuples or single tensors."""
    return (_unpack(_finish(outputs, create_graph), is_outputs_tuple),
            _unpack(_finish(result, create_graph), is_result_tuple))


def _single_scalar_output(func: Callable, inputs: tuple, strict: bool, fn_name: str):
    is_tuple, outputs = _outputs(func, inputs, fn_name, strict)
    if is_tuple:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should contain a single "
                           "element")
    return outputs


# ------------------------------------------------------------------------------------ products
def vjp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T J)``: the vector-Jacobian product at ``inputs``."""
    with grad_mode.enable_grad():
        is_inputs_tuple, inputs = _inputs(inputs, "vjp", create_graph)
        is_outputs_tuple, outputs = _outputs(func, inputs, "vjp", strict)
        v = _vector(v, outputs, is_outputs_tuple, "vjp", create_graph,
                    "the user-provided function returns")
    result = _product(outputs, inputs, v, inputs, create_graph, strict,
                      "The output of the user-provided function is independent of input {}.")
    return _results(outputs, is_outputs_tuple, result, is_inputs_tuple, create_graph)


def jvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), J v)``: the Jacobian-vector product, by the double-backward trick."""
    with grad_mode.enable_grad():
        is_inputs_tuple, inputs, v = _inputs_and_v(inputs, v, "jvp", create_graph)
        is_outputs_tuple, outputs = _outputs(func, inputs, "jvp", strict)
        grad_inputs, cotangents = _double_backward(outputs, inputs, outputs)
    result = _product(grad_inputs, cotangents, v, outputs, create_graph, strict,
                      "The gradient with respect to the input is independent of entry {} in the grad_outputs "
                      "when using the double backward trick to compute forward mode gradients.")
    return _results(outputs, is_outputs_tuple, result, is_outputs_tuple, create_graph)


def vhp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T H)`` for a scalar ``func``."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), H v)`` for a scalar ``func``, by the double-backward trick."""
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func: Callable, inputs, v, create_graph: bool, strict: bool, fn_name: str):
    """``vhp`` differentiates the gradient along ``v``; ``hvp`` applies the double-backward trick to it."""
    with grad_mode.enable_grad():
        is_inputs_tuple, inputs, v = _inputs_and_v(inputs, v, fn_name, create_graph)
        outputs = _single_scalar_output(func, inputs, strict, fn_name)
        jac = _grad(outputs, inputs, create_graph=True)
        if fn_name == "hvp":
            jac, wrt = _double_backward(jac, inputs, inputs)
            what = "The hessian of the user-provided function is independent of entry {} in the grad_jacobian."
        else:
            wrt = inputs
            what = "The jacobian of the user-provided function is independent of input {}."
    result = _product(jac, wrt, v, inputs, create_graph, strict, what)
    return _results(outputs, False, result, is_inputs_tuple, create_graph)


# ------------------------------------------------------------------------------------ matrices
def jacobian(func: Callable, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: for each (output, input), shape ``out.shape + in.shape``.

    Computed in reverse mode, one vjp per output element (``vectorize`` is accepted and
    changes nothing; ember has no forward mode, so ``strategy="forward-mode"`` raises).
    """
    from ..tensor import Tensor
    from ..ops import stack
    from ..ops.creation import zeros, zeros_like
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                             'function has more outputs than inputs, "forward-mode" tends to be more '
                             'performant. Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        raise NotImplementedError("jacobian: ember has no forward-mode AD; use strategy=\"reverse-mode\"")
    with grad_mode.enable_grad():
        is_inputs_tuple, inputs = _inputs(inputs, "jacobian", create_graph)
        is_outputs_tuple, outputs = _outputs(func, inputs, "jacobian", strict)
        jacobians = []
        for i, out in enumerate(outputs):
            rows: list = [[] for _ in inputs]
            for j in range(out.numel()):
                unit = np.zeros(out._data.size, out._data.dtype)
                unit[j] = 1
                vj = _grad((out,), inputs, (Tensor._make(unit.reshape(out._data.shape)),),
                           create_graph=create_graph, retain_graph=True)
                for k, (g, inp) in enumerate(zip(vj, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is independent of "
                                               f"input {k}. This is not allowed in strict mode.")
                        g = zeros_like(inp)
                    elif strict and create_graph and not g._rg:
                        raise RuntimeError(f"The jacobian of the user-provided function is independent of "
                                           f"input {i}. This is not allowed in strict mode when "
                                           "create_graph=True.")
                    rows[k].append(g)
            jacobians.append(tuple(
                stack(r).reshape(tuple(out.shape) + tuple(inp.shape)) if r else
                zeros(tuple(out.shape) + tuple(inp.shape), dtype=inp.dtype) for r, inp in zip(rows, inputs)))
        return _unpack(_finish(tuple(jacobians), create_graph), (is_outputs_tuple, is_inputs_tuple))


def hessian(func: Callable, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """The Hessian of a scalar ``func``: for each pair of inputs, shape ``in_i.shape + in_j.shape``."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_output(*inp):
        return _single_scalar_output(func, inp, strict, "hessian")[0].reshape(())

    def jac_func(*inp):
        jac = jacobian(scalar_output, inp, create_graph=True)
        if strict:
            for i, g in enumerate(jac):
                if not g._rg:
                    raise RuntimeError("While computing the hessian, found that the jacobian of the "
                                       f"user-provided function with respect to input {i} is independent of "
                                       "the input. This is not allowed in strict mode. You should ensure "
                                       "that your function is twice differentiable and that the jacobian "
                                       "depends on the inputs (this would be violated by a linear function "
                                       "for example).")
        return jac

    result = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                      strategy=outer_jacobian_strategy)
    return _unpack(result, (is_inputs_tuple, is_inputs_tuple))
