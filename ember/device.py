"""``ember.device``: ember computes on the CPU; CUDA requests fail as torch's CPU build fails."""
from __future__ import annotations

from typing import Optional, Union


class device:
    """A device descriptor: ``device('cpu')``, ``device('cuda', 0)`` (accepted, never usable here)."""

    __slots__ = ("type", "index")

    def __init__(self, type: Union[str, "device"], index: Optional[int] = None) -> None:
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, int):
            type, index = "cuda", type
        if ":" in type:
            type, idx = type.split(":", 1)
            index = int(idx)
        if type not in ("cpu", "cuda", "mps", "meta", "xpu"):
            raise RuntimeError(f"Expected one of cpu, cuda, mps, meta, xpu device type at start of "
                               f"device string: {type}")
        self.type = type
        self.index = index

    def __repr__(self) -> str:
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def no_cuda() -> None:
    """Raise what torch's CPU-only build raises when CUDA is asked for."""
    raise AssertionError("Torch not compiled with CUDA enabled")


def check_device(value) -> None:
    """Accept None or a CPU device; refuse any other as torch does on a machine without it."""
    if value is None:
        return
    d = device(value) if not isinstance(value, device) else value
    if d.type == "cuda":
        no_cuda()
    if d.type not in ("cpu", "meta"):
        raise RuntimeError(f"ember runs on the CPU only; device '{d}' is not available")
