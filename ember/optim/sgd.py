"""Stochastic gradient descent, with optional (Nesterov) momentum and weight decay."""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, check_flags, check_nonnegative, hyper

__all__ = ["SGD"]


class SGD(Optimizer):
    """torch.optim.SGD: ``p -= lr * g`` with ``g`` the (decayed, momentum-averaged) gradient.

    The momentum buffer starts as a copy of the first gradient (no dampening on that step),
    and is kept in ``state[p]['momentum_buffer']`` only when ``momentum != 0``.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: Optional[bool] = None, differentiable: bool = False,
                 fused: Optional[bool] = None) -> None:
        check_nonnegative(lr=lr, momentum=momentum, weight_decay=weight_decay)
        check_flags(differentiable)
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: np.ndarray, group: dict[str, Any]) -> None:
        weight_decay, momentum = group["weight_decay"], group["momentum"]
        if group["maximize"]:
            grad = -grad
        if weight_decay != 0:
            grad = grad + hyper(weight_decay) * p._data
        if momentum != 0:
            state = self.state[p]
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = Tensor._make(np.copy(grad))
            else:
                b = buf._data
                b *= momentum
                dampening = group["dampening"]
                b += grad if dampening == 0 else (1 - dampening) * grad
            grad = grad + momentum * buf._data if group["nesterov"] else buf._data
        p._data -= hyper(group["lr"]) * grad
