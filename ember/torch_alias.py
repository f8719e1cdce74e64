"""Make ``import torch`` (and ``torchvision``, ``safetensors``) resolve to ember, for ``ember run``.

A meta-path finder answers every ``torch.*`` / ``torchvision.*`` import with an alias
module over the matching ember module (``torch.nn.functional`` -> ``ember.nn.functional``,
``torchvision.datasets`` -> ``ember.vision.datasets``). Reaching for something ember does
not have fails at once with ``NotImplementedError: torch.fft.rfft is not supported by
ember``; the error is also an ``AttributeError`` so that ``hasattr``/``getattr(..., default)``
probes in scripts keep working.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from typing import Optional

ROOTS = {"torch": "ember", "torchvision": "ember.vision", "safetensors": "ember.safetensors"}

# torch's (and torchvision's) public submodules. Reached as attributes, the ones ember lacks still
# resolve (to empty aliases), so that ``torch.fft.rfft(x)`` fails naming ``torch.fft.rfft``.
SUBMODULES = frozenset(
    ["torch." + name for name in (
        "accelerator", "amp", "ao", "autograd", "backends", "compiler", "cpu", "cuda", "distributed",
        "distributions", "export", "fft", "func", "futures", "fx", "hub", "jit", "library", "linalg",
        "masked", "monitor", "mps", "mtia", "multiprocessing", "nested", "nn", "onnx", "optim",
        "overrides", "package", "profiler", "quantization", "quasirandom", "random", "signal", "sparse",
        "special", "testing", "utils", "xpu")]
    + ["torch.nn." + name for name in (
        "attention", "functional", "init", "parallel", "parameter", "qat", "quantized", "utils")]
    + ["torch.utils." + name for name in (
        "benchmark", "checkpoint", "cpp_extension", "data", "dlpack", "hooks", "tensorboard")]
    + ["torchvision." + name for name in ("datasets", "io", "models", "ops", "transforms", "utils")])


_MISSING = object()


class UnsupportedAPIError(NotImplementedError, AttributeError):
    """A torch API that ember does not provide."""


def ember_name(name: str) -> Optional[str]:
    """The ember module that stands for torch module ``name`` (None if it is not a torch name)."""
    root, _, rest = name.partition(".")
    if root not in ROOTS:
        return None
    return ROOTS[root] + ("." + rest if rest else "")


class AliasModule(types.ModuleType):
    """A module named like torch's whose attributes are ember's."""

    def __init__(self, name: str, target: Optional[types.ModuleType]) -> None:
        super().__init__(name)
        object.__setattr__(self, "_ember_target", target)
        if target is not None:
            self.__doc__ = target.__doc__
            object.__setattr__(self, "__path__", [])

    def __getattr__(self, attr: str):
        target = object.__getattribute__(self, "_ember_target")
        if target is not None:
            value = getattr(target, attr, _MISSING)
            if value is not _MISSING and not isinstance(value, types.ModuleType):
                return value
            # Submodules are aliased too, so that what they lack fails in torch's names. A module
            # attribute of ember's that is not torch's submodule of that name (``ember.linalg`` is
            # the matmul family, not torch.linalg) is an implementation detail, not the API.
            sub = f"{self.__name__}.{attr}"
            if not attr.startswith("__") and (sub in SUBMODULES or _ember_module(sub) is not None):
                return importlib.import_module(sub)
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        raise UnsupportedAPIError(f"{self.__name__}.{attr} is not supported by ember")

    def __setattr__(self, attr: str, value) -> None:
        target = object.__getattribute__(self, "_ember_target")
        if target is not None and not attr.startswith("__"):
            setattr(target, attr, value)
        else:
            object.__setattr__(self, attr, value)

    def __dir__(self):
        target = object.__getattribute__(self, "_ember_target")
        return dir(target) if target is not None else []


def _ember_module(torch_name: str) -> Optional[types.ModuleType]:
    name = ember_name(torch_name)
    if name is None:
        return None
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name and name.startswith(err.name):
            return None
        raise


class _AliasLoader(importlib.abc.Loader):
    def create_module(self, spec):
        return AliasModule(spec.name, _ember_module(spec.name))

    def exec_module(self, module) -> None:
        parent, _, child = module.__name__.rpartition(".")
        if parent and parent in sys.modules:
            object.__setattr__(sys.modules[parent], child, module)


class TorchFinder(importlib.abc.MetaPathFinder):
    """Answers imports of torch and torchvision (and their submodules) with ember aliases."""

    def find_spec(self, fullname, path=None, target=None):
        if ember_name(fullname) is None:
            return None
        if fullname not in ROOTS and fullname not in SUBMODULES and _ember_module(fullname) is None:
            # neither ember's nor a torch module ember knows of: fail as torch does for a name it lacks
            raise ModuleNotFoundError(f"No module named '{fullname}' (ember has no such module)", name=fullname)
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(), is_package=True)


def install() -> None:
    """Route torch imports to ember for the rest of this process."""
    if not any(isinstance(f, TorchFinder) for f in sys.meta_path):
        for name in [n for n in sys.modules if ember_name(n) is not None]:
            del sys.modules[name]
        sys.meta_path.insert(0, TorchFinder())
