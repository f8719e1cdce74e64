"""The safetensors byte format on NumPy arrays: encoding and validated decoding.

A file is an 8-byte little-endian header length N, N bytes of UTF-8 JSON
``{name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}}``
padded with spaces to a multiple of 8, then every tensor's raw little-endian bytes, back to back.
The encoder lays the file out exactly as the reference (Rust) library does, so equal inputs give
byte-identical files: tensors sorted by dtype (widest first, which keeps each one aligned) and
then by name, metadata keys sorted, compact JSON.
"""
from __future__ import annotations

import json
import struct
from typing import Mapping, Optional

import numpy as np

# Listed in the reference library's dtype order: files put higher ranks first.
_DTYPES = {"BOOL": np.bool_, "U8": np.uint8, "I8": np.int8, "I16": np.int16, "F16": np.float16,
           "I32": np.int32, "F32": np.float32, "F64": np.float64, "I64": np.int64}
_RANK = {name: rank for rank, name in enumerate(_DTYPES)}
_CODES = {np.dtype(t): name for name, t in _DTYPES.items()}
# Valid safetensors dtypes that ember has no tensor type for.
_FOREIGN = ("F4", "F6_E2M3", "F6_E3M2", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ",
            "U16", "BF16", "U32", "C64", "U64")
_MAX_HEADER = 100_000_000  # the reference library's limit
METADATA = "__metadata__"


class SafetensorError(ValueError):
    """A safetensors buffer or file that is malformed, or data that cannot be written as one."""


def _bad(problem: str) -> SafetensorError:
    return SafetensorError(f"Error while deserializing: {problem}")


# ---------------------------------------------------------------------------- encoding
def encode(arrays: Mapping[str, np.ndarray], metadata: Optional[Mapping[str, str]] = None
           ) -> tuple[bytes, list[np.ndarray]]:
    """The header (length prefix included) and the arrays' bytes, in file order.

    Each returned array is a flat little-endian ``uint8`` view (a copy only where the input was
    not C-contiguous or not little-endian); writing them after the header gives the file.
    """
    order = sorted(arrays, key=lambda name: (-_RANK[_CODES[arrays[name].dtype]], name))
    header: dict = {} if metadata is None else {METADATA: dict(sorted(metadata.items()))}
    chunks, offset = [], 0
    for name in order:
        arr = arrays[name]
        raw = np.ascontiguousarray(arr, arr.dtype.newbyteorder("<")).reshape(-1).view(np.uint8)
        header[name] = {"dtype": _CODES[arr.dtype], "shape": list(arr.shape),
                        "data_offsets": [offset, offset + raw.size]}
        chunks.append(raw)
        offset += raw.size
    text = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text, chunks


# ---------------------------------------------------------------------------- decoding
def _natural(value) -> bool:
    return type(value) is int and value >= 0


def _reject_constant(name: str):
    raise ValueError(f"invalid number {name}")


def _read_header(buffer) -> tuple[dict, int]:
    """The parsed JSON header of ``buffer`` and where the tensor data starts."""
    if len(buffer) < 8:
        raise _bad("header too small")
    (n,) = struct.unpack_from("<Q", buffer)
    if n > _MAX_HEADER:
        raise _bad("header too large")
    if 8 + n > len(buffer):
        raise _bad("invalid header length")
    try:
        text = buffer[8:8 + n].decode("utf-8")
    except UnicodeDecodeError as err:
        raise _bad(f"invalid UTF-8 in header: {err}") from None
    try:
        header = json.loads(text, parse_constant=_reject_constant)
    except ValueError as err:
        raise _bad(f"invalid JSON in header: {err}") from None
    if not isinstance(header, dict):
        raise _bad(f"invalid JSON in header: expected an object, got {type(header).__name__}")
    return header, 8 + n


def _check_entry(name: str, info) -> tuple[np.dtype, tuple, int, int]:
    """A tensor's header entry as (dtype, shape, begin, end), or an error naming what is wrong."""
    if not isinstance(info, dict) or not {"dtype", "shape", "data_offsets"} <= info.keys():
        raise _bad(f"invalid JSON in header: tensor `{name}` needs the fields dtype, shape and "
                   f"data_offsets, got {info!r}")
    code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
    if code in _FOREIGN:
        raise _bad(f"tensor `{name}` has dtype {code}, which ember does not support")
    if code not in _DTYPES:
        raise _bad(f"invalid JSON in header: unknown dtype {code!r} for tensor `{name}`, expected one "
                   f"of {', '.join(list(_DTYPES) + list(_FOREIGN))}")
    if not (isinstance(shape, list) and all(map(_natural, shape))):
        raise _bad(f"invalid JSON in header: shape of tensor `{name}` must be a list of "
                   f"non-negative integers, got {shape!r}")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(map(_natural, offsets))):
        raise _bad(f"invalid JSON in header: data_offsets of tensor `{name}` must be two "
                   f"non-negative integers, got {offsets!r}")
    return np.dtype(_DTYPES[code]), tuple(shape), offsets[0], offsets[1]


def decode(buffer) -> tuple[dict[str, np.ndarray], Optional[dict[str, str]]]:
    """The arrays (in header order) and metadata of a whole safetensors buffer.

    The arrays view ``buffer`` without copying where it is writable (BOOL bytes are read as
    ``byte != 0``). Offsets must tile the data section exactly: in order, without gaps or
    overlaps, each span matching shape * itemsize, and ending where the buffer ends.
    """
    header, start = _read_header(buffer)
    metadata = header.pop(METADATA, None)
    if metadata is not None and not (isinstance(metadata, dict)
                                     and all(isinstance(v, str) for v in metadata.values())):
        raise _bad(f"invalid JSON in header: __metadata__ must map strings to strings, got {metadata!r}")
    entries = {name: _check_entry(name, info) for name, info in header.items()}
    end = 0
    for name, (dtype, shape, begin, stop) in sorted(entries.items(), key=lambda kv: kv[1][2:]):
        if begin != end or stop < begin:
            raise _bad(f"invalid offset for tensor `{name}`")
        if stop - begin != dtype.itemsize * int(np.prod(shape, dtype=object)):
            raise _bad(f"invalid shape, data type, or offset for tensor `{name}`")
        end = stop
    if start + end != len(buffer):
        raise _bad("incomplete metadata, file not fully covered")
    arrays = {}
    for name, (dtype, shape, begin, stop) in entries.items():
        raw = np.frombuffer(buffer, np.uint8, stop - begin, start + begin) if stop > begin \
            else np.empty(0, np.uint8)
        if dtype == np.bool_:
            arr = raw != 0
        else:
            arr = raw.view(dtype.newbyteorder("<")).astype(dtype, copy=False)
            if not arr.flags.aligned:
                arr = arr.copy()
        arrays[name] = arr.reshape(shape)
    return arrays, metadata
