"""RMSprop: divide the gradient by a running root-mean-square (centered and momentum optional)."""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ..tensor import Tensor
from .optimizer import (Optimizer, ParamsT, check_flags, check_nonnegative, hyper, lerp_, step_tensor,
                        state_like)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """torch.optim.RMSprop.

    State per parameter: ``step``, ``square_avg``, and ``momentum_buffer`` (when
    ``momentum > 0``) and ``grad_avg`` (when ``centered``).
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: Optional[bool] = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_nonnegative(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        check_flags(differentiable, capturable)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: np.ndarray, group: dict[str, Any]) -> None:
        state = self.state[p]
        if not state:
            state["step"] = step_tensor()
            state["square_avg"] = state_like(p)
            if group["momentum"] > 0:
                state["momentum_buffer"] = state_like(p)
            if group["centered"]:
                state["grad_avg"] = state_like(p)
        alpha, momentum, weight_decay = group["alpha"], group["momentum"], group["weight_decay"]
        lr = hyper(group["lr"])
        param, square_avg = p._data, state["square_avg"]._data
        if group["maximize"]:
            grad = -grad
        state["step"]._data += 1
        if weight_decay != 0:
            grad = grad + weight_decay * param
        square_avg *= alpha
        square_avg += (1 - alpha) * grad * grad
        if group["centered"]:
            grad_avg = state["grad_avg"]._data
            lerp_(grad_avg, grad, 1 - alpha)
            avg = np.sqrt(square_avg - grad_avg * grad_avg)
        else:
            avg = np.sqrt(square_avg)
        avg += group["eps"]
        if momentum > 0:
            buf = state["momentum_buffer"]._data
            buf *= momentum
            buf += grad / avg
            param -= lr * buf
        else:
            update = -lr * grad
            update /= avg
            param += update
