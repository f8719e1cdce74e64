"""``make_grid`` and ``save_image``, as in ``torchvision.utils``.

The grid is built from ember ops (pad, reshape, permute), so it is differentiable like
torchvision's. ``save_image`` writes through Pillow, imported only when called.
"""
from __future__ import annotations

import math
import os
import pathlib
from typing import BinaryIO, List, Optional, Tuple, Union

from .. import dtypes
from ..nn._functional.vision import pad
from ..ops.shaping import cat, stack
from ..tensor import Tensor

__all__ = ["make_grid", "save_image"]


def _normalized(images: Tensor, value_range: Optional[Tuple[float, float]], scale_each: bool) -> Tensor:
    """Map ``value_range`` (default: the data's min and max, per image if ``scale_each``) onto [0, 1]."""
    if value_range is not None:
        low, high = value_range
        return (images.clamp(low, high) - low) / max(high - low, 1e-5)
    dims = (1, 2, 3) if scale_each else (0, 1, 2, 3)
    low = images.amin(dims, keepdim=True).detach()
    high = images.amax(dims, keepdim=True).detach()
    return (images - low) / (high - low).clamp_min(1e-5)


def make_grid(tensor: Union[Tensor, List[Tensor]], nrow: int = 8, padding: int = 2, normalize: bool = False,
              value_range: Optional[Tuple[float, float]] = None, scale_each: bool = False,
              pad_value: float = 0.0) -> Tensor:
    """Tile a batch ``(B, C, H, W)`` (or a list of ``(C, H, W)``) into one ``(C', H', W')`` image,
    ``nrow`` images per row with ``padding`` pixels of ``pad_value`` around each.

    One-channel images become three-channel; a single image is returned as it is (after
    ``normalize``, which maps ``value_range`` or the data range onto [0, 1]).
    """
    if not isinstance(tensor, Tensor):
        if isinstance(tensor, list):
            for t in tensor:
                if not isinstance(t, Tensor):
                    raise TypeError(f"tensor or list of tensors expected, got a list containing {type(t)}")
            tensor = stack(tensor, 0)
        else:
            raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if tensor.dim() == 2:
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 3:
        if tensor.size(0) == 1:
            tensor = cat((tensor, tensor, tensor), 0)
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 4 and tensor.size(1) == 1:
        tensor = cat((tensor, tensor, tensor), 1)
    if normalize:
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")
        tensor = _normalized(tensor, value_range, scale_each)
    if tensor.size(0) == 1:
        return tensor.squeeze(0)
    count, channels, height, width = tensor.shape
    columns = min(nrow, count)
    rows = int(math.ceil(count / columns))
    if rows * columns > count:  # fill the last row with blank cells
        tensor = cat((tensor, tensor.new_full((rows * columns - count, channels, height, width), pad_value)), 0)
    cells = pad(tensor, (padding, 0, padding, 0), value=pad_value)  # each cell: its top and left border
    grid = cells.reshape(rows, columns, channels, height + padding, width + padding).permute(2, 0, 3, 1, 4)
    grid = grid.reshape(channels, rows * (height + padding), columns * (width + padding))
    return pad(grid, (0, padding, 0, padding), value=pad_value)  # the bottom and right border


def save_image(tensor: Union[Tensor, List[Tensor]], fp: Union[str, pathlib.Path, BinaryIO],
               format: Optional[str] = None, **kwargs) -> None:
    """Save a tensor (or a grid of a batch, with ``make_grid``'s keywords) as an image file.

    Values in [0, 1] map to bytes as ``floor(255 x + 0.5)``, clamped; ``format`` overrides the
    file name's extension (and is needed for file objects). Needs Pillow.
    """
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("save_image needs Pillow: pip install pillow") from None
    grid = make_grid(tensor, **kwargs)
    array = (grid.detach() * 255 + 0.5).clamp(0, 255).permute(1, 2, 0).to(dtypes.uint8).numpy()
    Image.fromarray(array).save(os.fspath(fp) if isinstance(fp, (str, pathlib.Path)) else fp, format=format)
