"""``ember.save`` / ``ember.load`` in PyTorch's own checkpoint format.

The file is torch's zip archive: ``<name>/data.pkl`` (a protocol-2 pickle in which each
tensor is a call to ``torch._utils._rebuild_tensor_v2`` on a persistent storage id) and
``<name>/data/<key>`` (each storage's raw little-endian bytes). So torch reads what ember
writes and ember reads what torch writes, with no torch installed.

Loading never runs code from the file: the unpickler rebuilds only tensors, storages and
plain containers, and refuses every other global (torch's ``weights_only=True``).
Saving to a path is atomic: the archive is written beside it and renamed into place.
"""
from __future__ import annotations

import collections
import contextlib
import importlib
import io
import os
import pickle
import zipfile
from typing import Any, BinaryIO, Callable, Union

import numpy as np

from . import dtypes
from ._atomic import atomic_write
from .tensor import Tensor

FileLike = Union[str, os.PathLike, BinaryIO]

_STORAGE_DTYPES = {"FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
                   "LongStorage": np.int64, "IntStorage": np.int32, "ShortStorage": np.int16,
                   "CharStorage": np.int8, "ByteStorage": np.uint8, "BoolStorage": np.bool_}
_STORAGE_NAMES = {np.dtype(v): k for k, v in _STORAGE_DTYPES.items()}


class UnpicklingError(pickle.UnpicklingError):
    """A checkpoint asked for something the safe loader will not build."""


# ---------------------------------------------------------------------------- saving
class _Global:
    """A reference to a global by name, written as a GLOBAL opcode (torch need not be importable)."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __call__(self, *args):  # pickle's save_reduce insists on a callable
        raise TypeError(f"{self.module}.{self.name} is a name written into a checkpoint, not a function")


_REBUILD_TENSOR = _Global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _Global("torch._utils", "_rebuild_parameter")
_ORDERED_DICT = _Global("collections", "OrderedDict")


class _TorchPickler(pickle._Pickler):
    """Pickles tensors as torch does, collecting their storages for the archive."""

    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, storages: dict) -> None:
        super().__init__(file, protocol=2)
        self.storages = storages  # id(base array) -> (key, 1-D array)

    def save_global_ref(self, obj: _Global) -> None:
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
        self.memoize(obj)

    dispatch[_Global] = save_global_ref

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        return NotImplemented

    def _reduce_tensor(self, t: Tensor):
        storage, offset = self._storage_of(t._data)
        strides = tuple(s // t._data.itemsize for s in t._data.strides)
        args = (storage, offset, tuple(t._data.shape), strides, t._rg and t.is_leaf, _HOOKS)
        from .nn.parameter import Parameter
        if isinstance(t, Parameter):
            inner = (_REBUILD_TENSOR, (storage, offset, tuple(t._data.shape), strides, False, _HOOKS))
            return (_REBUILD_PARAMETER, (_Reduced(*inner), t._rg, _HOOKS))
        return (_REBUILD_TENSOR, args)

    def _storage_of(self, arr: np.ndarray):
        """The persistent id of the storage holding ``arr`` and ``arr``'s offset into it."""
        base = arr
        while isinstance(base.base, np.ndarray):
            base = base.base
        if not (base.flags.c_contiguous and all(s >= 0 for s in arr.strides)) or base.dtype != arr.dtype:
            base = arr = np.ascontiguousarray(arr)
        flat = base.reshape(-1)
        entry = self.storages.get(id(base))
        if entry is None:
            entry = self.storages[id(base)] = (str(len(self.storages)), flat, base)
        key = entry[0]
        offset = (arr.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // arr.itemsize
        return _Persistent(("storage", _Global("torch", _STORAGE_NAMES[arr.dtype]), key, "cpu",
                            flat.size)), offset

    def persistent_id(self, obj):
        return obj.pid if isinstance(obj, _Persistent) else None


class _Persistent:
    __slots__ = ("pid",)

    def __init__(self, pid: tuple) -> None:
        self.pid = pid


class _Reduced:
    """A nested ``callable(*args)`` inside another reduction's arguments (a Parameter's data)."""

    __slots__ = ("func", "args")

    def __init__(self, func, args) -> None:
        self.func, self.args = func, args

    def __reduce__(self):
        return (self.func, self.args)


def _save_dtype(pickler: _TorchPickler, obj: dtypes.dtype) -> None:
    """A dtype is written as torch's global of the same name (``torch.float32``)."""
    pickler.write(pickle.GLOBAL + f"torch\n{obj.name}\n".encode())
    pickler.memoize(obj)


_TorchPickler.dispatch[_Reduced] = lambda self, obj: self.save_reduce(obj.func, obj.args, obj=obj)
_TorchPickler.dispatch[dtypes.dtype] = _save_dtype
_HOOKS = collections.OrderedDict()


def _archive_bytes(obj: Any, root: str) -> bytes:
    storages: dict = {}
    pkl = io.BytesIO()
    _TorchPickler(pkl, storages).dump(obj)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        def write(name: str, data: bytes) -> None:
            # torch's zero timestamp, not the clock's: equal objects give byte-identical files
            z.writestr(zipfile.ZipInfo(f"{root}/{name}", date_time=(1980, 0, 0, 0, 0, 0)), data)
        write("data.pkl", pkl.getvalue())
        write(".format_version", b"1")
        write(".storage_alignment", b"64")
        write("byteorder", b"little")
        for key, flat, _ in storages.values():
            write(f"data/{key}", flat.astype(flat.dtype.newbyteorder("<"), copy=False).tobytes())
        write("version", b"3\n")
        write(".data/serialization_id", b"0" * 40)
    return out.getvalue()


def save(obj: Any, f: FileLike, pickle_module=None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True) -> None:
    """Write ``obj`` (tensors, state dicts, nested containers) in torch's checkpoint format.

    A path is written atomically: to a temporary file in the same folder, flushed to disk,
    then renamed over the target, so a crash leaves the old file or the new one, never half.
    """
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("ember writes only torch's zip checkpoint format")
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        root = os.path.splitext(os.path.basename(path))[0] or "archive"
        data = _archive_bytes(obj, root)
        with atomic_write(path, suffix=".pt") as out:
            out.write(data)
        return
    f.write(_archive_bytes(obj, "archive"))


# ---------------------------------------------------------------------------- loading
def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None,
                       metadata=None) -> Tensor:
    arr = np.lib.stride_tricks.as_strided(storage[storage_offset:], tuple(size),
                                          tuple(s * storage.itemsize for s in stride)) \
        if storage.size else np.zeros(tuple(size), storage.dtype)
    t = Tensor._make(arr)
    t._rg = bool(requires_grad)
    return t


def _rebuild_parameter(data: Tensor, requires_grad: bool, backward_hooks=None, state=None):
    from .nn.parameter import Parameter
    return Parameter(data, requires_grad)


def _storage_type(name: str) -> Callable:
    dt = np.dtype(_STORAGE_DTYPES[name])

    def storage_type():
        return dt
    storage_type.dtype = dt
    return storage_type


_SAFE_GLOBALS: dict = {
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
    ("collections", "OrderedDict"): collections.OrderedDict,
    **{(mod, f.__name__): f for mod in ("builtins", "__builtin__") for f in (set, frozenset, complex)},
    **{("torch", name): _storage_type(name) for name in _STORAGE_DTYPES},
}


def _resolve(module: str, name: str):
    """Import ``module.name``, reading torch's and torchvision's names as ember's."""
    from .torch_alias import ember_name
    target = ember_name(module) or module
    try:
        obj = importlib.import_module(target)
        for part in name.split("."):
            obj = getattr(obj, part)
        return obj
    except (ImportError, AttributeError):
        return None


def _allowed_by_default(obj) -> bool:
    """ember's own module classes, dtypes, devices and sizes are safe to rebuild."""
    from .device import device
    from .nn.modules.module import Module
    from .tensor import Size
    if isinstance(obj, type):
        return (issubclass(obj, Module) and obj.__module__.startswith("ember.")) or obj in (device, Size)
    return isinstance(obj, (dtypes.dtype, device))


class _Unpickler(pickle.Unpickler):
    """Rebuilds a checkpoint's objects, reading tensor storages from the archive.

    With ``weights_only`` it builds only tensors, plain containers, ember's own classes and what
    the user allow-listed; any other global is refused before it is imported or called.
    """

    def __init__(self, file, archive: zipfile.ZipFile, root: str, weights_only: bool) -> None:
        super().__init__(file)
        self.archive, self.root, self.weights_only = archive, root, weights_only
        self.loaded: dict = {}

    def find_class(self, module: str, name: str):
        found = _SAFE_GLOBALS.get((module, name)) or _EXTRA_SAFE.get((module, name))
        if found is not None:
            return found
        if not self.weights_only:
            return _resolve(module, name) or super().find_class(module, name)
        if module.split(".")[0] in ("torch", "torchvision", "ember"):
            obj = _resolve(module, name)
            if obj is not None and _allowed_by_default(obj):
                return obj
        raise UnpicklingError(
            f"Weights only load failed. Unsupported global: GLOBAL {module}.{name} was not an allowed "
            f"global by default. Please use `ember.serialization.add_safe_globals([{name}])` or the "
            f"`ember.serialization.safe_globals([{name}])` context manager to allowlist this global if "
            f"you trust this class/function; or load with weights_only=False if you trust the file "
            f"(that can run code from it).")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise UnpicklingError(f"Unsupported persistent id in checkpoint: {pid!r}")
        _, storage_type, key, _location, numel = pid
        if key not in self.loaded:
            dt = storage_type.dtype
            try:
                raw = self.archive.read(f"{self.root}/data/{key}")
            except KeyError:
                raise RuntimeError(f"checkpoint is missing the storage record data/{key}") from None
            if len(raw) < numel * dt.itemsize:
                raise RuntimeError(f"checkpoint storage data/{key} is truncated: {len(raw)} bytes for "
                                   f"{numel} elements of {dt}")
            self.loaded[key] = np.frombuffer(bytearray(raw), dtype=dt.newbyteorder("<"))[:numel] \
                .astype(dt, copy=False)
        return self.loaded[key]


def load(f: FileLike, map_location=None, pickle_module=None, *, weights_only: bool = True,
         mmap=None, **pickle_load_args) -> Any:
    """Read a checkpoint written by ``ember.save`` or ``torch.save`` (zip format).

    ``weights_only=True`` (the default) rebuilds only tensors, plain containers, ember's own
    classes and allow-listed globals, so loading cannot run code from the file.
    ``weights_only=False`` is the explicit opt-in to full unpickling of a trusted file.
    """
    data = f.read() if hasattr(f, "read") else open(os.fspath(f), "rb").read()
    if not zipfile.is_zipfile(io.BytesIO(data)):
        if data[:1] == b"\x80":
            raise UnpicklingError("Weights only load failed: the file is a bare pickle, not a torch zip "
                                  "checkpoint; ember does not unpickle such files (it could run code).")
        raise RuntimeError("PytorchStreamReader failed reading zip archive: failed finding central "
                           "directory (the file is not a checkpoint, or is truncated)")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [n for n in archive.namelist() if n.endswith("/data.pkl") and n.count("/") == 1]
        if not names:
            raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not found")
        root = names[0].split("/")[0]
        pkl = archive.read(names[0])
        return _Unpickler(io.BytesIO(pkl), archive, root, weights_only).load()


_EXTRA_SAFE: dict = {}


def _key(g) -> tuple:
    obj, name = g if isinstance(g, tuple) else (g, f"{g.__module__}.{g.__qualname__}")
    module, _, attr = name.rpartition(".")
    return (module, attr), obj


def add_safe_globals(safe_globals: list) -> None:
    """Allow these classes or functions in ``ember.load`` (``torch.serialization.add_safe_globals``).

    An entry is the object itself or ``(object, "module.name")`` for a name it is saved under.
    """
    for g in safe_globals:
        key, obj = _key(g)
        _EXTRA_SAFE[key] = obj


def get_safe_globals() -> list:
    return list(_EXTRA_SAFE.values())


def clear_safe_globals() -> None:
    _EXTRA_SAFE.clear()


@contextlib.contextmanager
def safe_globals(safe_globals: list):
    """Allow these globals in ``ember.load`` inside the ``with`` block only."""
    added = [key for key, _ in map(_key, safe_globals) if key not in _EXTRA_SAFE]
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        for key in added:
            _EXTRA_SAFE.pop(key, None)


def reduce_tensor(t: Tensor):
    """Plain pickling (multiprocessing, copy): rebuild from the array, keeping the class and flag."""
    return (_from_array, (type(t), np.ascontiguousarray(t._data), t._rg))


def _from_array(cls, arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = cls._make(arr)
    t._rg = requires_grad
    return t
