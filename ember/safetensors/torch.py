"""``safetensors.torch``'s API on ember tensors: ``save``, ``save_file``, ``load``, ``load_file``.

Files are interchangeable with the reference library's (byte-identical for the same tensors and
metadata). Unlike it, a non-contiguous tensor is written as its contiguous copy rather than
refused; tensors that share memory are refused as it refuses them, since loading would silently
untie them.
"""
from __future__ import annotations

import os
from typing import Dict, Optional, Union

import numpy as np

from ..device import check_device
from ..tensor import Tensor
from .._atomic import atomic_write
from ._format import METADATA, decode, encode

__all__ = ["save", "save_file", "load", "load_file"]


def _arrays(tensors: Dict[str, Tensor]) -> Dict[str, np.ndarray]:
    """The tensors' arrays, after the reference library's checks on what may be saved."""
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, ember.Tensor] but received {type(tensors)}")
    for name, value in tensors.items():
        if not isinstance(name, str):
            raise TypeError(f"argument 'tensor_dict': '{type(name).__name__}' object is not an "
                            "instance of 'str'")
        if not isinstance(value, Tensor):
            raise ValueError(f"Key `{name}` is invalid, expected ember.Tensor but received {type(value)}")
    arrays = {name: t._data for name, t in tensors.items()}
    shared = _shared_groups(arrays)
    if shared:
        raise RuntimeError(
            f"Some tensors share memory, this will lead to duplicate memory on disk and potential "
            f"differences when loading them again: {shared}.\nA potential way to correctly save your "
            f"model is to save one tensor of each group and re-tie them after loading.")
    return arrays


def _span(a: np.ndarray) -> tuple[int, int]:
    """The first and one-past-last byte addresses ``a`` can touch."""
    low = high = a.__array_interface__["data"][0]
    for n, stride in zip(a.shape, a.strides):
        if stride < 0:
            low += stride * (n - 1)
        else:
            high += stride * (n - 1)
    return low, high + a.itemsize


def _shared_groups(arrays: Dict[str, np.ndarray]) -> list:
    """Sets of two or more names whose arrays' memory spans overlap (size-0 arrays share nothing)."""
    spans = sorted((*_span(a), name) for name, a in arrays.items() if a.nbytes)
    groups: list = []
    stop = None
    for begin, end, name in spans:
        if stop is not None and begin < stop:
            groups[-1].add(name)
            stop = max(stop, end)
        else:
            groups.append({name})
            stop = end
    return [group for group in groups if len(group) > 1]


def _check_metadata(metadata: Optional[Dict[str, str]]) -> None:
    if metadata is None:
        return
    if not isinstance(metadata, dict):
        raise TypeError(f"argument 'metadata': '{type(metadata).__name__}' object is not an instance "
                        "of 'dict'")
    for item in (x for kv in metadata.items() for x in kv):
        if not isinstance(item, str):
            raise TypeError(f"argument 'metadata': '{type(item).__name__}' object is not an instance "
                            "of 'str'")


def _encoded(tensors: Dict[str, Tensor], metadata: Optional[Dict[str, str]]):
    arrays = _arrays(tensors)
    _check_metadata(metadata)
    if METADATA in arrays:
        raise ValueError("`__metadata__` is reserved for the file's metadata and cannot name a tensor")
    return encode(arrays, metadata)


def save(tensors: Dict[str, Tensor], metadata: Optional[Dict[str, str]] = None) -> bytes:
    """The safetensors bytes of ``tensors`` (a dict of names to tensors) with optional text metadata."""
    header, chunks = _encoded(tensors, metadata)
    return b"".join([header, *chunks])


def save_file(tensors: Dict[str, Tensor], filename: Union[str, os.PathLike],
              metadata: Optional[Dict[str, str]] = None) -> None:
    """Write ``tensors`` to ``filename`` in safetensors format, atomically.

    The file is written beside the target, synced and renamed into place, so an interrupted
    save leaves the previous file intact.
    """
    header, chunks = _encoded(tensors, metadata)
    with atomic_write(os.fspath(filename), suffix=".safetensors") as out:
        out.write(header)
        for chunk in chunks:
            out.write(chunk)


def _tensors(buffer) -> Dict[str, Tensor]:
    arrays, _ = decode(buffer)
    return {name: Tensor._make(arr) for name, arr in arrays.items()}


def load(data: bytes) -> Dict[str, Tensor]:
    """The tensors in a safetensors buffer, as a dict of names to (CPU) tensors."""
    return _tensors(bytearray(data))


def load_file(filename: Union[str, os.PathLike], device: Union[str, int] = "cpu") -> Dict[str, Tensor]:
    """The tensors in safetensors file ``filename``, as a dict of names to tensors on ``device``."""
    check_device(device)
    with open(os.fspath(filename), "rb") as f:
        buffer = bytearray(os.fstat(f.fileno()).st_size)
        del buffer[f.readinto(buffer):]  # the file may have shrunk since fstat
    return _tensors(buffer)
