"""Module hooks: registration and calling (``HooksMixin``), removable handles over several dicts,
and full backward hooks.

A full backward hook needs the gradients with respect to a module's inputs and outputs.
``BackwardHook`` routes the module's tensor inputs and outputs through identity nodes
(``BackwardHookFunctionBackward``, as torch names them); the output node captures the
output gradients (running the backward pre-hooks), the input node calls the user hooks.
"""
from __future__ import annotations

import warnings
from collections import OrderedDict
from typing import Callable, Optional

from ...autograd import grad_mode
from ...autograd.graph import Node, RemovableHandle as _Handle, gradient_edge
from ...tensor import Tensor

__all__ = ["RemovableHandle", "BackwardHook", "HooksMixin"]


class RemovableHandle(_Handle):
    """A handle whose ``remove()`` also clears the hook's entries in ``extra`` dicts (flags)."""

    def __init__(self, hooks: OrderedDict, hook: Callable, *extra: dict, prepend: bool = False) -> None:
        super().__init__(hooks, hook)
        self._extra_dicts = extra
        if prepend:
            hooks.move_to_end(self.id, last=False)

    def remove(self) -> None:
        super().remove()
        for d in self._extra_dicts:
            d.pop(self.id, None)


def _identity(tensors: list) -> tuple:
    """Aliases of ``tensors`` that share one ``BackwardHookFunctionBackward`` node (identity vjp).

    Only the aliases of tensors that require grad are the node's differentiable outputs; the
    node still counts the others, which reach it as zero gradients (torch's materialisation).
    """
    node = Node("BackwardHookFunctionBackward", lambda *grads: grads, tuple(gradient_edge(t) for t in tensors),
                outputs_meta=tuple((t.shape, t.dtype) for t in tensors))
    out = []
    for i, t in enumerate(tensors):
        alias = Tensor._make(t._data, t)
        if t._rg:
            alias._rg, alias.grad_fn, alias._output_nr = True, node, i
        out.append(alias)
    return node, out


class BackwardHook:
    """Wraps one call of a module that has full backward hooks or backward pre-hooks.

    The user hooks get one entry per positional argument and per output: None for non-tensors,
    zeros for input tensors that need no gradient, None for outputs that got none.
    """

    def __init__(self, module, user_hooks: list, user_pre_hooks: list) -> None:
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs: Optional[tuple] = None
        self.n_inputs = 0
        self.input_index: Optional[list] = None
        self.n_outputs = 0
        self.output_index: Optional[list] = None

    @staticmethod
    def _tensor_positions(args: tuple) -> Optional[list]:
        """Positions of the tensor arguments, or None when none requires grad (nothing to hook)."""
        index = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        if not grad_mode.is_grad_enabled() or not any(args[i]._rg for i in index):
            return None
        return index

    @staticmethod
    def _replace(args: tuple, index: list, new: list) -> tuple:
        out = list(args)
        for i, t in zip(index, new):
            out[i] = t
        return tuple(out)

    @staticmethod
    def _pack(index: list, values, size: int) -> tuple:
        res = [None] * size
        for i, v in zip(index, values):
            res[i] = v
        return tuple(res)

    def setup_input_hook(self, args: tuple) -> tuple:
        self.n_inputs = len(args)
        self.input_index = index = self._tensor_positions(args)
        if index is None:
            return args
        node, aliases = _identity([args[i] for i in index])
        node.register_hook(self._on_input_grads)
        return self._replace(args, index, aliases)

    def _on_input_grads(self, grad_inputs: tuple, _):
        if self.grad_outputs is None:  # reached without passing through the outputs (double backward)
            return None
        res = self._pack(self.input_index, grad_inputs, self.n_inputs)
        for hook in self.user_hooks:
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(res):
                raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got "
                                   f"{len(out)}, but expected {len(res)}")
            res = out
        self.grad_outputs = None
        return tuple(res[i] for i in self.input_index)

    def setup_output_hook(self, result):
        is_tuple = isinstance(result, tuple)
        args = result if is_tuple else (result,)
        self.n_outputs = len(args)
        self.output_index = index = self._tensor_positions(args)
        if index is None:
            return result
        node, aliases = _identity([args[i] for i in index])
        node.register_prehook(self._on_output_grads)
        args = self._replace(args, index, aliases)
        return args if is_tuple else args[0]

    def _on_output_grads(self, grad_outputs: tuple):
        self.grad_outputs = self._pack(self.output_index, grad_outputs, self.n_outputs)
        for hook in self.user_pre_hooks:
            new = hook(self.module, self.grad_outputs)
            if new is None:
                continue
            if len(new) != len(self.grad_outputs):
                raise RuntimeError(f"Backward pre hook returned an invalid number of grad_output, got "
                                   f"{len(new)}, but expected {len(self.grad_outputs)}")
            self.grad_outputs = tuple(new)
        grad_outputs = self.grad_outputs
        if self.input_index is None:
            warnings.warn("Full backward hook is firing when gradients are computed with respect to "
                          "module outputs since no inputs require gradients. See "
                          "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                          "#torch.nn.Module.register_full_backward_hook for more details.",
                          stacklevel=5)
            none = (None,) * self.n_inputs
            for hook in self.user_hooks:
                res = hook(self.module, none, grad_outputs)
                if res is not None and not (isinstance(res, tuple) and all(r is None for r in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient "
                                       "should always return None or None for all gradients.")
            self.grad_outputs = None
        return tuple(grad_outputs[i] for i in self.output_index)


class HooksMixin:
    """Forward pre-hooks, forward hooks, full backward hooks and backward pre-hooks of a Module.

    ``Module.__call__`` calls ``forward`` directly when no hook is registered, and
    ``_call_with_hooks`` otherwise.
    """

    def _call_with_hooks(self, args: tuple, kwargs: dict):
        called = set()
        result = None
        try:
            for hook_id, hook in tuple(self._forward_pre_hooks.items()):
                if hook_id in self._forward_pre_hooks_with_kwargs:
                    new = hook(self, args, kwargs)
                    if new is not None:
                        if not (isinstance(new, tuple) and len(new) == 2):
                            raise RuntimeError("forward pre-hook must return None or a tuple of "
                                               f"(new_args, new_kwargs), but got {new}.")
                        args, kwargs = new
                else:
                    new = hook(self, args)
                    if new is not None:
                        args = new if isinstance(new, tuple) else (new,)
            bw_hook = None
            if self._backward_hooks or self._backward_pre_hooks:
                bw_hook = BackwardHook(self, list(self._backward_hooks.values()),
                                       list(self._backward_pre_hooks.values()))
                args = bw_hook.setup_input_hook(args)
            result = self.forward(*args, **kwargs)
            for hook_id, hook in tuple(self._forward_hooks.items()):
                called.add(hook_id)
                new = hook(self, args, kwargs, result) if hook_id in self._forward_hooks_with_kwargs \
                    else hook(self, args, result)
                if new is not None:
                    result = new
            if bw_hook is not None:
                result = bw_hook.setup_output_hook(result)
            return result
        except Exception:
            self._run_always_called_hooks(called, args, kwargs, result)
            raise

    def _run_always_called_hooks(self, called: set, args, kwargs, result) -> None:
        for hook_id, hook in tuple(self._forward_hooks.items()):
            if hook_id in self._forward_hooks_always_called and hook_id not in called:
                try:
                    if hook_id in self._forward_hooks_with_kwargs:
                        hook(self, args, kwargs, result)
                    else:
                        hook(self, args, result)
                except Exception as e:  # noqa: BLE001 - torch silences these with a warning
                    warnings.warn("module forward hook with ``always_call=True`` raised an exception "
                                  f"that was silenced as another error was raised in forward: {e}",
                                  stacklevel=2)

    def register_forward_pre_hook(self, hook: Callable, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """``hook(module, args)`` (or ``(module, args, kwargs)``) runs before ``forward``; it may
        return new args (or ``(args, kwargs)``)."""
        handle = RemovableHandle(self._forward_pre_hooks, hook, self._forward_pre_hooks_with_kwargs,
                                 prepend=prepend)
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        return handle

    def register_forward_hook(self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """``hook(module, args, output)`` (or ``(module, args, kwargs, output)``) runs after
        ``forward``; it may return a new output."""
        handle = RemovableHandle(self._forward_hooks, hook, self._forward_hooks_with_kwargs,
                                 self._forward_hooks_always_called, prepend=prepend)
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        return handle

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_input, grad_output)`` runs once the gradients w.r.t. the module's
        inputs are computed; it may return new ``grad_input``."""
        return RemovableHandle(self._backward_hooks, hook, prepend=prepend)

    def register_full_backward_pre_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_output)`` runs when the gradients w.r.t. the outputs arrive; it may
        return new ``grad_output``."""
        return RemovableHandle(self._backward_pre_hooks, hook, prepend=prepend)
