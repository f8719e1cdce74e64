"""Tensor repr in torch's format: a port of the formatter in torch/_tensor_str.py.

One formatter per tensor decides, from the (summarized) values, between integer mode
(``1.``), fixed point (``1.2346``) and scientific notation (``1.2346e+05``) and the
common element width; rows then wrap at ``linewidth`` and tensors above ``threshold``
elements show ``edgeitems`` entries per end around ``...``. The decisions are made with
NumPy reductions where torch loops in Python; the printed text is the same.
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
from typing import Any, Iterator, Optional

import numpy as np

from . import dtypes

__all__ = ["set_printoptions", "get_printoptions", "printoptions"]


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: Optional[bool] = None


PRINT_OPTS = _PrintOptions()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(precision: Optional[int] = None, threshold: Optional[float] = None,
                     edgeitems: Optional[int] = None, linewidth: Optional[int] = None,
                     profile: Optional[str] = None, sci_mode: Optional[bool] = None) -> None:
    """Set how tensors print, as ``torch.set_printoptions``.

    ``profile`` (``"default"``, ``"short"``, ``"full"``) sets the first four options, which
    explicit arguments then override. ``sci_mode`` is always reset: ``None`` lets each
    tensor's values choose between fixed and scientific notation.
    """
    if profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, name, value)
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            setattr(PRINT_OPTS, name, value)
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current options, as keyword arguments for ``set_printoptions``."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs) -> Iterator[None]:
    """Use ``set_printoptions(**kwargs)`` inside the block, then restore the previous options."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """Formats every element of one tensor to a common width, in one notation."""

    def __init__(self, arr: np.ndarray) -> None:
        self.floating = arr.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = arr.reshape(-1)
        if not flat.size:
            return
        if not self.floating:
            if flat.dtype == np.bool_:
                self.max_width = 4 if flat.all() else 5
            else:  # the widest integer is the largest or the most negative
                self.max_width = max(len(str(flat.max())), len(str(flat.min())))
            return
        finite = flat[np.isfinite(flat) & (flat != 0)]
        if not finite.size:
            return
        magnitude = np.abs(finite).astype(np.float64)
        smallest, largest = magnitude.min(), magnitude.max()
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if PRINT_OPTS.sci_mode is None:
            with np.errstate(over="ignore"):  # a ratio past float64's range is inf: sci mode
                self.sci_mode = bool(largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4)
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        # A value's printed width grows with its magnitude (its exponent's width, in sci mode,
        # with its distance from 1), plus one for a minus sign: the extremes of each sign decide.
        positive, negative = finite[finite > 0], finite[finite < 0]
        extremes = [v for part in (positive, negative) if part.size for v in (part.min(), part.max())]
        precision = PRINT_OPTS.precision
        for value in extremes:
            value = float(value)
            if self.sci_mode:
                width = len(f"{value:.{precision}e}")
            elif self.int_mode:
                width = len(f"{value:.0f}") + 1  # room for the trailing "." of a float
            else:
                width = len(f"{value:.{precision}f}")
            self.max_width = max(self.max_width, width)

    def format(self, value) -> str:
        if self.floating:
            if self.sci_mode:
                text = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    text += "."
            else:
                text = f"{value:.{PRINT_OPTS.precision}f}"
        else:
            text = f"{value}"
        return text.rjust(self.max_width)


def _vector_str(arr: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / (fmt.max_width + 2)))
    edge = PRINT_OPTS.edgeitems
    if summarize and not edge:
        data = ["..."]
    elif summarize and arr.shape[0] > 2 * edge:
        data = ([fmt.format(v) for v in arr[:edge].tolist()] + [" ..."]
                + [fmt.format(v) for v in arr[-edge:].tolist()])
    else:
        data = [fmt.format(v) for v in arr.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(arr: np.ndarray, indent: int, summarize: bool,
                               fmt: _Formatter) -> str:
    if arr.ndim == 0:
        return fmt.format(arr.item())
    if arr.ndim == 1:
        return _vector_str(arr, indent, summarize, fmt)
    edge = PRINT_OPTS.edgeitems
    if summarize and arr.shape[0] > 2 * edge:
        rows = list(range(edge)) + [None] + list(range(arr.shape[0] - edge, arr.shape[0]))
    else:
        rows = range(arr.shape[0])
    slices = ["..." if i is None else _tensor_str_with_formatter(arr[i], indent + 1, summarize, fmt)
              for i in rows]
    return "[" + ("," + "\n" * (arr.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _summarized(arr: np.ndarray) -> np.ndarray:
    """The values a summarized print shows: ``edgeitems`` from each end of every dim."""
    edge = PRINT_OPTS.edgeitems
    if arr.ndim == 0:
        return arr
    if arr.ndim == 1:
        return np.concatenate((arr[:edge], arr[-edge:])) if arr.shape[0] > 2 * edge else arr
    if not edge:
        return np.empty([0] * arr.ndim, arr.dtype)
    if arr.shape[0] > 2 * edge:
        rows = list(range(edge)) + list(range(arr.shape[0] - edge, arr.shape[0]))
    else:
        rows = range(arr.shape[0])
    return np.stack([_summarized(arr[i]) for i in rows])


def _tensor_str(arr: np.ndarray, indent: int) -> str:
    if arr.size == 0:
        return "[]"
    summarize = arr.size > PRINT_OPTS.threshold
    fmt = _Formatter(_summarized(arr) if summarize else arr)
    return _tensor_str_with_formatter(arr, indent, summarize, fmt)


def _add_suffixes(text: str, suffixes: list, indent: int) -> str:
    """Append ``, suffix`` items, starting a new line where one would pass ``linewidth``."""
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _is_plain(t) -> bool:
    from .nn.parameter import Parameter
    from .tensor import Tensor
    return type(t) is Tensor or type(t) is Parameter


def tensor_repr(t, tensor_contents: Optional[str] = None) -> str:
    """``repr(t)`` as torch prints it, dtypes named ``ember.*``."""
    prefix = "tensor(" if _is_plain(t) else f"{type(t).__name__}("
    indent = len(prefix)
    arr = t._data
    dtype = dtypes._BY_NP[arr.dtype]
    default = dtypes.get_default_dtype()
    suffixes = []
    if arr.size == 0:
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        if dtype is not default:  # no values to tell an empty int tensor from a float one
            suffixes.append(f"dtype={dtype}")
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(arr.shape)}")
        if dtype not in (default, dtypes.int64, dtypes.bool_):
            suffixes.append(f"dtype={dtype}")
    if tensor_contents is None:
        tensor_contents = _tensor_str(arr, indent)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._rg:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + tensor_contents, suffixes, indent)
