"""``ember.backends.cuda``: CUDA's matmul and attention switches, kept as settings only."""
from __future__ import annotations

__all__ = ["is_built", "matmul", "flash_sdp_enabled", "mem_efficient_sdp_enabled", "math_sdp_enabled",
           "enable_flash_sdp", "enable_mem_efficient_sdp", "enable_math_sdp"]


def is_built() -> bool:
    """Whether ember was built with CUDA support: it was not."""
    return False


class _MatmulSettings:
    """``ember.backends.cuda.matmul``: CUDA matmul precision flags (no effect on the CPU)."""

    def __init__(self) -> None:
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True

    def __repr__(self) -> str:
        return (f"matmul(allow_tf32={self.allow_tf32}, allow_fp16_reduced_precision_reduction="
                f"{self.allow_fp16_reduced_precision_reduction}, allow_bf16_reduced_precision_reduction="
                f"{self.allow_bf16_reduced_precision_reduction})")


matmul = _MatmulSettings()
_sdp = {"flash": True, "mem_efficient": True, "math": True}


def flash_sdp_enabled() -> bool:
    return _sdp["flash"]


def mem_efficient_sdp_enabled() -> bool:
    return _sdp["mem_efficient"]


def math_sdp_enabled() -> bool:
    return _sdp["math"]


def enable_flash_sdp(enabled: bool) -> None:
    _sdp["flash"] = bool(enabled)


def enable_mem_efficient_sdp(enabled: bool) -> None:
    _sdp["mem_efficient"] = bool(enabled)


def enable_math_sdp(enabled: bool) -> None:
    _sdp["math"] = bool(enabled)
