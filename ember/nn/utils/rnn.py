"""Variable-length sequences for the recurrent layers: padding and packing.

A ``PackedSequence`` holds a batch of sequences time step by time step: ``data`` stacks,
for each step t, the step-t elements of the ``batch_sizes[t]`` sequences still running,
longest sequence first. ``sorted_indices`` maps that order back to the caller's batch.
Every conversion here is differentiable (a gather or scatter of rows).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple, Optional, Sequence, Union

import numpy as np

from ... import dtypes, ops
from ...ops._record import needs_grad, record, wrap
from ...tensor import Tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
           "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence"]


class PackedSequence_(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Optional[Tensor]
    unsorted_indices: Optional[Tensor]


class PackedSequence(PackedSequence_):
    """A packed batch of variable-length sequences (made by ``pack_padded_sequence`` or
    ``pack_sequence``); the recurrent layers take and return it."""

    def __new__(cls, data: Tensor, batch_sizes: Optional[Tensor] = None, sorted_indices: Optional[Tensor] = None,
                unsorted_indices: Optional[Tensor] = None) -> "PackedSequence":
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs) -> "PackedSequence":
        """The sequence with ``data`` converted as ``Tensor.to`` converts it (itself if unchanged)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cpu(self, *args, **kwargs) -> "PackedSequence":
        return self

    def double(self) -> "PackedSequence":
        return self.to(dtype=dtypes.float64)

    def float(self) -> "PackedSequence":
        return self.to(dtype=dtypes.float32)

    def half(self) -> "PackedSequence":
        return self.to(dtype=dtypes.float16)

    def long(self) -> "PackedSequence":
        return self.to(dtype=dtypes.int64)

    def int(self) -> "PackedSequence":
        return self.to(dtype=dtypes.int32)

    def short(self) -> "PackedSequence":
        return self.to(dtype=dtypes.int16)

    def char(self) -> "PackedSequence":
        return self.to(dtype=dtypes.int8)

    def byte(self) -> "PackedSequence":
        return self.to(dtype=dtypes.uint8)

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def invert_permutation(permutation: Optional[Tensor]) -> Optional[Tensor]:
    """The permutation that undoes ``permutation`` (None stays None)."""
    if permutation is None:
        return None
    perm = permutation._data
    out = np.empty_like(perm)
    out[perm] = np.arange(perm.size, dtype=perm.dtype)
    return wrap(out)


def _packed_rows(lengths: np.ndarray, steps: int, batch_first: bool) -> tuple:
    """For sorted ``lengths``: the per-step batch sizes and, step by step, the rows of each
    running sequence in the padded input flattened to (rows, ...)."""
    batch = lengths.size
    batch_sizes = (lengths[None, :] > np.arange(int(lengths[0]))[:, None]).sum(1)
    t = np.repeat(np.arange(batch_sizes.size), batch_sizes)
    b = np.arange(t.size) - np.repeat(np.cumsum(batch_sizes) - batch_sizes, batch_sizes)
    rows = b * steps + t if batch_first else t * batch + b
    return batch_sizes.astype(np.int64), rows


def _lengths_array(lengths) -> np.ndarray:
    if isinstance(lengths, Tensor):
        arr = lengths._data
        if arr.ndim != 1:
            raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got {arr.ndim}D cpu "
                               f"{lengths.type().split('.')[-1].replace('Tensor', '')} tensor")
        return arr.astype(np.int64)
    return np.asarray(lengths, dtype=np.int64).reshape(-1)


def pack_padded_sequence(input: Tensor, lengths: Union[Tensor, Sequence[int]], batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch, (T, B, *) or (B, T, *) with ``batch_first``, of sequences of
    ``lengths``; unless ``enforce_sorted``, the lengths may come in any order."""
    lens = _lengths_array(lengths)
    sorted_indices = None
    if not enforce_sorted:
        order = np.argsort(-lens, kind="stable")
        lens = lens[order]
        sorted_indices = wrap(order.astype(np.int64))
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    shape = input.shape
    steps, batch = (shape[1], shape[0]) if batch_first else (shape[0], shape[1])
    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    if lens.size != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lens.size} "
                           f"(batch_size={batch})")
    if lens[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    if np.any(lens[1:] > lens[:-1]):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                           "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                           "sidestep this requirement if you do not need ONNX exportability.")
    if lens[0] > steps:
        raise RuntimeError(f"a length of {int(lens[0])} is more than the {steps} time steps of the padded input")
    batch_sizes, rows = _packed_rows(lens, steps, batch_first)
    flat_shape = (steps * batch,) + tuple(shape[2:])
    data = wrap(input._data.reshape(flat_shape)[rows])
    if needs_grad(input):
        index = wrap(rows)
        record(data, "PackPaddedSequenceBackward0", (input,),
               lambda g: (ops.zeros(flat_shape, dtype=g.dtype).index_copy(0, index, g).reshape(shape),))
    return PackedSequence(data, wrap(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: Optional[int] = None) -> tuple:
    """Undo ``pack_padded_sequence``: the padded batch and each sequence's length."""
    batch_sizes = sequence.batch_sizes._data.astype(np.int64)
    steps = batch_sizes.size
    if total_length is not None:
        if total_length < steps:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {steps}")
        steps = total_length
    batch = int(batch_sizes[0])
    lens = (batch_sizes[None, :] > np.arange(batch)[:, None]).sum(1).astype(np.int64)
    _, rows = _packed_rows(lens, steps, batch_first)
    data = sequence.data
    trailing = tuple(data.shape[1:])
    padded = ops.full((steps * batch,) + trailing, padding_value, dtype=data.dtype).index_copy(0, wrap(rows), data)
    padded = padded.reshape(((batch, steps) if batch_first else (steps, batch)) + trailing)
    lengths = wrap(lens)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = wrap(lens[sequence.unsorted_indices._data])
    return padded, lengths


def pad_sequence(sequences: Union[Tensor, Sequence[Tensor]], batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack sequences of different lengths, (L_i, *), into one (T, B, *) batch (or
    (B, T, *) with ``batch_first``), filling with ``padding_value`` on ``padding_side``."""
    if not isinstance(sequences, Iterable):
        raise RuntimeError(f"pad_sequence: Expected iterable for input sequences, but got arg of type: "
                           f"{type(sequences)}")
    sequences = tuple(sequences)
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    first = sequences[0]
    trailing = tuple(first.shape[1:])
    for seq in sequences[1:]:
        for k, (a, b) in enumerate(zip(trailing, seq.shape[1:]), start=1):
            if a != b:
                raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b ({b}) at "
                                   f"non-singleton dimension {k}")
    lens = np.array([s.shape[0] for s in sequences], dtype=np.int64)
    batch, steps = lens.size, int(lens.max())
    seq_of_row = np.repeat(np.arange(batch), lens)
    t = np.arange(lens.sum()) - np.repeat(np.cumsum(lens) - lens, lens)
    if padding_side == "left":
        t += np.repeat(steps - lens, lens)
    rows = seq_of_row * steps + t if batch_first else t * batch + seq_of_row
    values = ops.cat([s.to(first.dtype) for s in sequences])
    padded = ops.full((steps * batch,) + trailing, padding_value, dtype=first.dtype).index_copy(0, wrap(rows), values)
    return padded.reshape(((batch, steps) if batch_first else (steps, batch)) + trailing)


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor, batch_first: bool = False) -> list:
    """Split a padded batch back into its sequences of ``lengths``."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:int(length)] for seq, length in zip(padded_sequences, lengths)]


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences, (L_i, *), longest first unless not ``enforce_sorted``."""
    lengths = [v.size(0) for v in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """The list of sequences a ``PackedSequence`` holds, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
