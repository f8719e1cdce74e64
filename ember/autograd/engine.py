"""The backward pass: walk the graph from the outputs in dependency order, iteratively.

A node runs once every edge into it has been walked, so its gradient is complete (summed
over all uses) before its vjp sees it. Discovery, dependency counting and the walk are
each one pass over the edges, with no recursion: a chain of any length works.
"""
from __future__ import annotations

from typing import Optional, Sequence

from . import grad_mode, anomaly
from .graph import AccumulateGrad, accumulate_retained, fit_gradient, gradient_edge


def run_backward(outputs: Sequence, grad_outputs: Sequence, retain_graph: bool, create_graph: bool,
                 inputs: Optional[Sequence] = None, allow_unused: bool = True) -> Optional[list]:
    """Backpropagate ``grad_outputs`` from ``outputs``.

    Without ``inputs`` (``Tensor.backward``) gradients accumulate into the leaves' ``.grad``;
    with them (``autograd.grad``) only the nodes leading to the inputs run, the inputs'
    gradients are returned, and no ``.grad`` changes.
    """
    buffers: dict = {}
    roots = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        node, nr = gradient_edge(out)
        if node is None:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if node not in buffers:
            roots.append(node)
            buffers[node] = [None] * (len(node._outputs_meta) or 1)
        _add(buffers[node], nr, g)
    targets: dict = {}
    for i, t in enumerate(inputs or ()):
        node, nr = gradient_edge(t)
        if node is None:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        targets.setdefault(node, []).append((nr, i))
    deps, parents = _dependencies(roots, inputs is not None)
    captured = [None] * len(inputs) if inputs is not None else []

    state = grad_mode._state
    was_enabled, state.enabled = state.enabled, create_graph
    try:
        if inputs is None:
            _walk(roots, deps, buffers, retain_graph)
        else:
            needed = _leads_to(targets, parents)
            _walk_to_inputs(roots, deps, buffers, retain_graph, targets, needed, captured)
    finally:
        state.enabled = was_enabled
    if inputs is None:
        return None
    if not allow_unused:
        for i, g in enumerate(captured):
            if g is None:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used "
                                   "in the graph. Set allow_unused=True if this is the desired behavior.")
    return captured


def _add(slot: list, nr: int, grad) -> None:
    slot[nr] = grad if slot[nr] is None else slot[nr] + grad


def _walk(roots: list, deps: dict, buffers: dict, retain_graph: bool) -> None:
    """``backward()``: run every node once its gradient is complete; leaves accumulate ``.grad``."""
    ready = [n for n in roots if n not in deps]
    pop_buffer = buffers.pop
    while ready:
        node = ready.pop()
        grads = pop_buffer(node, None)
        input_grads = None
        if grads is not None:
            if node._hooks is not None or type(node) is AccumulateGrad:
                grads = _pre_hooks(node, grads)
            input_grads = _apply(node, grads, retain_graph)
        if node.next_functions:
            _send(node, input_grads, deps, buffers, ready)


def _walk_to_inputs(roots: list, deps: dict, buffers: dict, retain_graph: bool, targets: dict,
                    needed: set, captured: list) -> None:
    """``autograd.grad``: run only the nodes leading to an input; capture the inputs' gradients."""
    ready = [n for n in roots if n not in deps]
    while ready:
        node = ready.pop()
        grads = buffers.pop(node, None)
        input_grads = None
        if grads is not None and (node in needed or node in targets):
            if node._hooks is not None or type(node) is AccumulateGrad:
                grads = _tensor_pre_hooks(node, grads)
            for nr, i in targets.get(node, ()):
                captured[i] = grads[nr]
            if node in needed:
                if node._hooks is not None and node._hooks.pre:
                    grads = _node_pre_hooks(node, grads)
                input_grads = _apply(node, grads, retain_graph)
        if node.next_functions:
            _send(node, input_grads, deps, buffers, ready)


def _send(node, input_grads, deps: dict, buffers: dict, ready: list) -> None:
    """Pass ``node``'s input gradients along its edges; queue the nodes that have all theirs."""
    for i, (nxt, nr) in enumerate(node.next_functions):
        if nxt is None:
            continue
        if input_grads is not None:
            g = input_grads[i]
            if g is not None:
                if type(nxt) is AccumulateGrad:
                    var = nxt.variable
                    if g._data.shape != var._data.shape or g._data.dtype != var._data.dtype:
                        g = fit_gradient(g, var._data.shape, var.dtype, node.name(), i)
                slot = buffers.get(nxt)
                if slot is None:
                    buffers[nxt] = slot = [None] * (len(nxt._outputs_meta) or 1)
                    slot[nr] = g
                else:
                    _add(slot, nr, g)
        left = deps[nxt] - 1
        deps[nxt] = left
        if not left:
            ready.append(nxt)


def _dependencies(roots: list, with_parents: bool) -> tuple:
    """For every node reachable from ``roots``: how many edges point into it (and from which nodes)."""
    deps: dict = {}
    parents: Optional[dict] = {} if with_parents else None
    stack = list(roots)
    seen = set(roots)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            if nxt in deps:
                deps[nxt] += 1
            else:
                deps[nxt] = 1
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
            if parents is not None:
                parents.setdefault(nxt, []).append(node)
    return deps, parents


def _leads_to(targets: dict, parents: dict) -> set:
    """The nodes with a path of one edge or more to some target: the only ones that need to run."""
    needed: set = set()
    stack = list(targets)
    while stack:
        for parent in parents.get(stack.pop(), ()):
            if parent not in needed:
                needed.add(parent)
                stack.append(parent)
    return needed


def _apply(node, grads: list, retain_graph: bool):
    """Run one node's backward (with its post-hooks and anomaly checks); its input gradients."""
    if len(grads) > 1 and any(g is None for g in grads):
        grads = node._materialize(grads)
    if anomaly._state.enabled:
        input_grads = anomaly.run_checked(node, grads, retain_graph)
    else:
        input_grads = node._run(grads, retain_graph)
    if len(input_grads) != len(node.next_functions):
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients (expected "
                           f"{len(node.next_functions)}, got {len(input_grads)})")
    hooks = node._hooks
    if hooks is not None and hooks.post:
        for hook in tuple(hooks.post.values()):
            new = hook(tuple(input_grads), tuple(grads))
            if new is not None:
                input_grads = _checked_hook_result(hook, new, len(input_grads))
    return input_grads


def _checked_hook_result(hook, new, expected: int) -> tuple:
    """A node hook's replacement gradients: a tuple of the right length, as torch demands."""
    if not isinstance(new, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(new).__name__}'")
    if len(new) != expected:
        raise RuntimeError(f"hook '{_hook_name(hook)}' has returned an incorrect number of values (got "
                           f"{len(new)}, but expected {expected})")
    return new


def _tensor_pre_hooks(node, grads: list) -> list:
    """The output tensors' hooks, then ``retain_grad``: what ``autograd.grad`` captures."""
    if type(node) is AccumulateGrad:
        extra = node.variable._extra
        hooks = extra.get("hooks") if extra else None
        if hooks:
            grad = grads[0]
            for fn in tuple(hooks.values()):
                grad = _call_tensor_hook(fn, grad)
            grads = [grad]
        return grads
    hooks = node._hooks
    if not (hooks.tensor or hooks.retains):
        return grads
    grads = list(grads)
    for nr, fn in tuple(hooks.tensor.values()):
        if grads[nr] is not None:
            grads[nr] = _call_tensor_hook(fn, grads[nr])
    for nr, ref in tuple(hooks.retains.items()):
        tensor = ref()
        if tensor is not None and grads[nr] is not None:
            accumulate_retained(tensor, grads[nr])
    return grads


def _call_tensor_hook(fn, grad):
    """``fn(grad)``, or its replacement, checked to keep the gradient's size and type."""
    new = fn(grad)
    if new is None:
        return grad
    if new._data.shape != grad._data.shape:
        raise RuntimeError(f"hook '{_hook_name(fn)}' has changed the size of value")
    if new._data.dtype != grad._data.dtype:
        raise RuntimeError(f"hook '{_hook_name(fn)}' has changed the type of value (was {grad.type()} "
                           f"got {new.type()})")
    return new


def _hook_name(fn) -> str:
    return getattr(fn, "__name__", type(fn).__name__)


def _pre_hooks(node, grads: list) -> list:
    """Tensor hooks, ``retain_grad``, then node pre-hooks, in torch's order."""
    grads = _tensor_pre_hooks(node, grads)
    if node._hooks is not None and node._hooks.pre:
        grads = _node_pre_hooks(node, grads)
    return grads


def _node_pre_hooks(node, grads: list) -> list:
    for hook in tuple(node._hooks.pre.values()):
        new = hook(tuple(grads))
        if new is not None:
            grads = list(_checked_hook_result(hook, new, len(grads)))
    return grads
