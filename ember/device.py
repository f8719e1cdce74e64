"""``ember.device``: ember computes on the CPU; other devices are named but refused as torch's
CPU-only build refuses them."""
from __future__ import annotations

import re
from typing import Optional, Union

_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
          "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")
_DEVICE_STRING = re.compile(r"([a-z_]+)(?::(\d+))?")


class device:
    """A device descriptor: ``device('cpu')``, ``device('cuda:1')``, ``device('cuda', 1)``."""

    __slots__ = ("type", "index")

    def __init__(self, type: Union[str, "device"], index: Optional[int] = None) -> None:
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):
            raise RuntimeError("Cannot access accelerator device when none is available.")
        elif not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({type.__class__.__name__}), but expected one of: (ember.device device), "
                            "(str type, int index = -1)")
        else:
            match = _DEVICE_STRING.fullmatch(type)
            if match is None or match.group(1) not in _TYPES:
                if match is None and ":" in type and type.split(":", 1)[0] in _TYPES:
                    raise RuntimeError(f"Invalid device string: '{type}'")
                raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of "
                                   f"device string: {type}")
            type = match.group(1)
            if match.group(2) is not None:
                index = int(match.group(2))
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        self.type = type
        self.index = index

    def __repr__(self) -> str:
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        """Equal to another ``device`` of the same type and index (never to a string, as in torch)."""
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")


def no_cuda() -> None:
    """Raise what torch's CPU-only build raises when CUDA is asked for."""
    raise AssertionError("Torch not compiled with CUDA enabled")


def check_device(value, factory: bool = True) -> None:
    """Accept None or a CPU (or meta) device; refuse any other as torch does on a machine without it."""
    if value is None or value == "cpu" or value is CPU:
        return
    d = value if isinstance(value, device) else device(value)
    if d.type == "cuda":
        no_cuda()
    if d.type == "mps":
        # torch's factories fail in dispatch; copies and tensor(data) fail on the device itself
        if factory:
            raise NotImplementedError("Could not run 'aten::empty.memory_format' with arguments from "
                                      "the 'MPS' backend.")
        raise RuntimeError("PyTorch is not linked with support for mps devices")
    if d.type not in ("cpu", "meta"):
        raise RuntimeError(f"ember runs on the CPU only; device '{d}' is not available")
