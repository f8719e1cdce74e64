"""Adadelta: steps scaled by the ratio of running RMS of past updates to that of gradients."""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, check_flags, check_nonnegative, hyper, step_tensor, state_like

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """torch.optim.Adadelta. State per parameter: ``step``, ``square_avg``, ``acc_delta``."""

    def __init__(self, params: ParamsT, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: Optional[bool] = None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False) -> None:
        check_nonnegative(lr=lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_nonnegative(eps=eps, weight_decay=weight_decay)
        check_flags(differentiable, capturable)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "capturable": capturable, "foreach": foreach, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: np.ndarray, group: dict[str, Any]) -> None:
        state = self.state[p]
        if not state:
            state["step"] = step_tensor()
            state["square_avg"] = state_like(p)
            state["acc_delta"] = state_like(p)
        rho, eps = group["rho"], group["eps"]
        square_avg, acc_delta = state["square_avg"]._data, state["acc_delta"]._data
        state["step"]._data += 1
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * p._data
        square_avg *= rho
        square_avg += (1 - rho) * grad * grad
        std = np.sqrt(square_avg + eps)
        delta = np.sqrt(acc_delta + eps)
        delta /= std
        delta *= grad
        acc_delta *= rho
        acc_delta += (1 - rho) * delta * delta
        p._data -= hyper(group["lr"]) * delta
