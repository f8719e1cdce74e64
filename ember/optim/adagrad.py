"""Adagrad: per-coordinate steps scaled by the root of the summed squared gradients."""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, check_flags, check_nonnegative, hyper, step_tensor, state_like

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """torch.optim.Adagrad.

    Unlike the other optimizers, state (``step``, ``sum``) is created for every parameter
    at construction, so a fresh Adagrad's ``state_dict()`` already holds it.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10,
                 foreach: Optional[bool] = None, *, maximize: bool = False, differentiable: bool = False,
                 fused: Optional[bool] = None) -> None:
        check_nonnegative(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                          initial_accumulator_value=initial_accumulator_value, eps=eps)
        check_flags(differentiable)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict:
        state = self.state[p]
        state["step"] = step_tensor()
        state["sum"] = state_like(p, group["initial_accumulator_value"])
        return state

    def _update(self, p: Tensor, grad: np.ndarray, group: dict[str, Any]) -> None:
        state = self.state[p] or self._init_state(p, group)  # groups added later start here
        step_arr = state["step"]._data
        step_arr += 1
        step = float(step_arr)
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * p._data
        clr = hyper(group["lr"]) / (1 + (step - 1) * group["lr_decay"])
        state_sum = state["sum"]._data
        state_sum += grad * grad
        std = np.sqrt(state_sum)
        std += group["eps"]
        update = -clr * grad
        update /= std
        p._data += update
