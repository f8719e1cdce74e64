"""Adam: bias-corrected moving averages of the gradient and its square (AMSGrad optional)."""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ..tensor import Tensor
from .optimizer import (Optimizer, ParamsT, check_flags, check_nonnegative, hyper, lerp_, step_tensor,
                        state_like)

__all__ = ["Adam"]


class Adam(Optimizer):
    """torch.optim.Adam; ``decoupled_weight_decay=True`` makes it AdamW.

    State per parameter: ``step`` (a 0-d tensor), ``exp_avg``, ``exp_avg_sq`` and, with
    ``amsgrad``, ``max_exp_avg_sq``.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: Optional[bool] = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: Optional[bool] = None,
                 decoupled_weight_decay: bool = False) -> None:
        check_nonnegative(lr=lr, eps=eps)
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        check_nonnegative(weight_decay=weight_decay)
        if not (all(isinstance(b, float) for b in betas) or all(isinstance(b, Tensor) for b in betas)):
            raise ValueError("betas must be either both floats or both Tensors")
        check_flags(differentiable, capturable)
        defaults = {"lr": lr, "betas": tuple(hyper(b) for b in betas), "eps": eps,
                    "weight_decay": weight_decay, "amsgrad": amsgrad, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable, "differentiable": differentiable,
                    "fused": fused, "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: np.ndarray, group: dict[str, Any]) -> None:
        state = self.state[p]
        if not state:
            state["step"] = step_tensor()
            state["exp_avg"] = state_like(p)
            state["exp_avg_sq"] = state_like(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = state_like(p)
        lr, weight_decay, eps = hyper(group["lr"]), group["weight_decay"], group["eps"]
        beta1, beta2 = group["betas"]
        param, exp_avg, exp_avg_sq = p._data, state["exp_avg"]._data, state["exp_avg_sq"]._data
        if group["maximize"]:
            grad = -grad
        step_arr = state["step"]._data
        step_arr += 1
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                param *= 1 - lr * weight_decay
            else:
                grad = grad + weight_decay * param
        lerp_(exp_avg, grad, 1 - beta1)
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        step = float(step_arr)
        step_size = lr / (1 - beta1 ** step)
        bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
        if group["amsgrad"]:
            max_sq = state["max_exp_avg_sq"]._data
            np.maximum(max_sq, exp_avg_sq, out=max_sq)
            denom = np.sqrt(max_sq)
        else:
            denom = np.sqrt(exp_avg_sq)
        denom /= bias_correction2_sqrt
        denom += eps
        update = -step_size * exp_avg
        update /= denom
        param += update
