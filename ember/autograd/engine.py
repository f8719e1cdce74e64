"""The backward pass: walk the graph from the outputs in dependency order, iteratively.

A node runs once every edge into it has been walked, so its gradient is complete
(summed over all uses) before its vjp sees it. No recursion: a chain of any length works.
"""
from __future__ import annotations

from typing import Optional, Sequence

from . import grad_mode, anomaly
from .graph import AccumulateGrad, gradient_edge


def _reachable(roots: list) -> list:
    """Every node reachable from ``roots``, each once, in depth-first discovery order."""
    order, stack, seen = [], list(roots), set(roots)
    while stack:
        node = stack.pop()
        order.append(node)
        for nxt, _ in node.next_functions:
            if nxt is not None and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return order


def _dependencies(nodes: list) -> dict:
    """How many edges from ``nodes`` point into each node."""
    deps: dict = {}
    for node in nodes:
        for nxt, _ in node.next_functions:
            if nxt is not None:
                deps[nxt] = deps.get(nxt, 0) + 1
    return deps


def _leads_to(nodes: list, targets) -> set:
    """The nodes with a path to some target: the only ones ``autograd.grad`` needs to run."""
    needed: set = set()
    changed = True
    while changed:
        changed = False
        for node in reversed(nodes):
            if node not in needed and any(n in targets or n in needed
                                          for n, _ in node.next_functions if n is not None):
                needed.add(node)
                changed = True
    return needed


def _num_outputs(node) -> int:
    meta = getattr(node, "_outputs_meta", None)
    return len(meta) if meta else 1


def _add_to(buffers: dict, node, nr: int, grad) -> None:
    slot = buffers.get(node)
    if slot is None:
        slot = buffers[node] = [None] * _num_outputs(node)
    slot[nr] = grad if slot[nr] is None else slot[nr] + grad


def run_backward(outputs: Sequence, grad_outputs: Sequence, retain_graph: bool, create_graph: bool,
                 inputs: Optional[Sequence] = None, allow_unused: bool = True) -> Optional[list]:
    """Backpropagate ``grad_outputs`` from ``outputs``.

    Without ``inputs`` (``Tensor.backward``) gradients accumulate into the leaves' ``.grad``;
    with them (``autograd.grad``) their gradients are returned and no ``.grad`` changes.
    """
    buffers: dict = {}
    roots = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        node, nr = gradient_edge(out)
        if node is None:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if node not in buffers:
            roots.append(node)
        _add_to(buffers, node, nr, g)

    nodes = _reachable(roots)
    targets: dict = {}
    needed = None
    if inputs is not None:
        for i, t in enumerate(inputs):
            node, nr = gradient_edge(t)
            if node is None:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            targets.setdefault(node, []).append((nr, i))
        needed = _leads_to(nodes, targets)
    captured = [None] * len(inputs or ())

    deps = _dependencies(nodes)
    ready = [n for n in roots if n not in deps]
    with grad_mode.set_grad_enabled(create_graph):
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None)
            input_grads = ()
            if grads is not None:
                if node._pre_hooks:
                    grads = _run_pre_hooks(node, grads)
                for nr, i in targets.get(node, ()):
                    captured[i] = grads[nr]
                if isinstance(node, AccumulateGrad):
                    if needed is None and grads[0] is not None:
                        node.apply(grads, retain_graph)
                elif needed is None or node in needed:
                    grads = _materialize(node, grads)
                    input_grads = node.apply(grads, retain_graph)
                    anomaly.check_results(node, input_grads)
                    if node._hooks:
                        for hook in tuple(node._hooks.values()):
                            hook(input_grads, grads)
            for i, (nxt, nr) in enumerate(node.next_functions):
                if nxt is None:
                    continue
                if input_grads and input_grads[i] is not None:
                    _add_to(buffers, nxt, nr, input_grads[i])
                deps[nxt] -= 1
                if deps[nxt] == 0:
                    ready.append(nxt)
    if inputs is None:
        return None
    if not allow_unused and any(g is None for g in captured):
        raise RuntimeError("One of the differentiated Tensors appears to not have been used in the "
                           "graph. Set allow_unused=True if this is the desired behavior.")
    return captured


def _materialize(node, grads: list) -> list:
    """Outputs that got no gradient get zeros, so a vjp always sees a full set."""
    if all(g is not None for g in grads):
        return grads
    from ..ops.creation import zeros
    return [zeros(shape, dtype=dt) if g is None else g for g, (shape, dt) in zip(grads, node._outputs_meta)]


def _run_pre_hooks(node, grads: list) -> list:
    grads = list(grads)
    for nr, fn in tuple(node._pre_hooks.values()):
        if nr is None:
            new = fn(tuple(grads))
            if new is not None:
                grads = list(new)
        elif grads[nr] is not None:
            new = fn(grads[nr])
            if new is not None:
                grads[nr] = new
    return grads
