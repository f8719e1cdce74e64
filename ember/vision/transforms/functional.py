"""Image transforms as functions, on HWC/HW NumPy arrays, PIL images (if Pillow is installed) and CHW tensors."""
from __future__ import annotations

from enum import Enum
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

from ... import dtypes
from ...tensor import Tensor


def _is_pil(img) -> bool:
    return type(img).__module__.startswith("PIL.")


def to_tensor(pic) -> Tensor:
    """HWC (or HW) uint8 image -> CHW float tensor in [0, 1]; other dtypes keep their values."""
    if isinstance(pic, np.ndarray):
        arr = pic
    elif _is_pil(pic):
        arr = np.asarray(pic)
        if pic.mode == "1":
            arr = arr.astype(np.uint8) * 255
    else:
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if arr.ndim == 2:
        chw = arr[None]
    elif arr.ndim == 3:
        chw = arr.transpose(2, 0, 1)
    else:
        raise ValueError(f"pic should be 2/3 dimensional. Got {arr.ndim} dimensions.")
    if chw.dtype == np.uint8:  # one pass: cast, divide and lay out contiguously
        return Tensor._make(np.divide(chw, 255, dtype=dtypes.get_default_dtype().np, order="C"))
    return Tensor._make(np.ascontiguousarray(chw))


def pil_to_tensor(pic) -> Tensor:
    arr = np.asarray(pic)
    arr = arr[:, :, None] if arr.ndim == 2 else arr
    return Tensor._make(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def normalize(tensor: Tensor, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> Tensor:
    """(x - mean[c]) / std[c] per channel of a (..., C, H, W) float tensor."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    x = tensor._data
    if x.dtype.kind != "f":
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if x.ndim < 3:
        raise ValueError(f"Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tuple(tensor.shape)}")
    m = np.asarray(mean, dtype=x.dtype).reshape(-1, 1, 1)
    s = np.asarray(std, dtype=x.dtype).reshape(-1, 1, 1)
    if 0 in s.ravel().tolist():  # a list test: NumPy's all() costs more than the arithmetic here
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.")
    if inplace:
        x -= m
        x /= s
        return tensor
    out = np.subtract(x, m)
    return Tensor._make(np.divide(out, s, out=out))


def _size_pair(size) -> Tuple[int, int]:
    if isinstance(size, int):
        return size, size
    if len(size) == 1:
        return size[0], size[0]
    return int(size[0]), int(size[1])


def _hw(img) -> Tuple[int, int]:
    if isinstance(img, Tensor):
        return img.shape[-2], img.shape[-1]
    if _is_pil(img):
        return img.size[1], img.size[0]
    return img.shape[0], img.shape[1]


def crop(img, top: int, left: int, height: int, width: int):
    """The ``height`` x ``width`` region at (top, left); out-of-image parts are zero."""
    h, w = _hw(img)
    if top < 0 or left < 0 or top + height > h or left + width > w:
        pad = [max(-left, 0), max(-top, 0), max(left + width - w, 0), max(top + height - h, 0)]
        img = pad_image(img, pad)
        top, left = top + pad[1], left + pad[0]
    if _is_pil(img):
        return img.crop((left, top, left + width, top + height))
    if isinstance(img, Tensor):
        return Tensor._make(np.ascontiguousarray(img._data[..., top:top + height, left:left + width]))
    return np.ascontiguousarray(img[top:top + height, left:left + width])


def center_crop(img, output_size):
    th, tw = _size_pair(output_size)
    h, w = _hw(img)
    return crop(img, int(round((h - th) / 2.0)), int(round((w - tw) / 2.0)), th, tw)


def _pad_amounts(padding) -> List[int]:
    """torchvision's padding spec -> [left, top, right, bottom]."""
    if isinstance(padding, int):
        return [padding] * 4
    padding = list(padding)
    if len(padding) == 1:
        return padding * 4
    if len(padding) == 2:
        return [padding[0], padding[1], padding[0], padding[1]]
    if len(padding) == 4:
        return padding
    raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")


_NP_MODES = {"constant": "constant", "edge": "edge", "reflect": "reflect", "symmetric": "symmetric"}


def pad_image(img, padding, fill: Union[int, float] = 0, padding_mode: str = "constant"):
    if padding_mode not in _NP_MODES:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    left, top, right, bottom = _pad_amounts(padding)
    kwargs = {"constant_values": fill} if padding_mode == "constant" else {}
    if _is_pil(img):
        from PIL import Image
        return Image.fromarray(pad_image(np.asarray(img), padding, fill, padding_mode))
    if isinstance(img, Tensor):
        width = [(0, 0)] * (img.ndim - 2) + [(top, bottom), (left, right)]
        return Tensor._make(np.pad(img._data, width, mode=_NP_MODES[padding_mode], **kwargs))
    width = [(top, bottom), (left, right)] + [(0, 0)] * (img.ndim - 2)
    return np.pad(img, width, mode=_NP_MODES[padding_mode], **kwargs)


pad = pad_image


def hflip(img):
    if _is_pil(img):
        from PIL import Image
        return img.transpose(Image.FLIP_LEFT_RIGHT)
    if isinstance(img, Tensor):
        return Tensor._make(np.ascontiguousarray(img._data[..., ::-1]))
    return np.ascontiguousarray(img[:, ::-1])


def vflip(img):
    if _is_pil(img):
        from PIL import Image
        return img.transpose(Image.FLIP_TOP_BOTTOM)
    if isinstance(img, Tensor):
        return Tensor._make(np.ascontiguousarray(img._data[..., ::-1, :]))
    return np.ascontiguousarray(img[::-1])


# ---------------------------------------------------------------------------- resize
class InterpolationMode(Enum):
    """How ``resize`` fills new pixels (the names torchvision uses)."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


_PIL_FILTERS = {InterpolationMode.NEAREST: 0, InterpolationMode.NEAREST_EXACT: 0, InterpolationMode.BILINEAR: 2,
                InterpolationMode.BICUBIC: 3, InterpolationMode.BOX: 4, InterpolationMode.HAMMING: 5,
                InterpolationMode.LANCZOS: 1}
_FROM_PIL = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR, 3: InterpolationMode.BICUBIC,
             4: InterpolationMode.BOX, 5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}


def _resized_size(height: int, width: int, size: List[int], max_size: Optional[int]) -> List[int]:
    """``[h, w]`` after resizing: ``size`` as given, or one int for the shorter edge, keeping the
    aspect ratio (the longer edge rounded down, then capped at ``max_size``)."""
    if len(size) == 2:
        return [int(size[0]), int(size[1])]
    short, long = (width, height) if width <= height else (height, width)
    new_short, new_long = size[0], int(size[0] * long / short)
    if max_size is not None:
        if max_size <= size[0]:
            raise ValueError(f"max_size = {max_size} must be strictly greater than the requested size for the "
                             f"smaller edge size = {size}")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    new_w, new_h = (new_short, new_long) if width <= height else (new_long, new_short)
    return [new_h, new_w]


def resize(img, size, interpolation: InterpolationMode = InterpolationMode.BILINEAR, max_size: Optional[int] = None,
           antialias: Optional[bool] = True):
    """Resize to ``size`` ((h, w), or an int for the shorter edge). Tensors ``(..., H, W)`` go
    through ``nn.functional.interpolate`` in float (antialiased for bilinear/bicubic unless
    ``antialias=False``; integer images are rounded back); PIL images through PIL's resize;
    HWC NumPy arrays as tensors."""
    if isinstance(interpolation, int):
        interpolation = _FROM_PIL[interpolation]
    elif not isinstance(interpolation, InterpolationMode):
        raise TypeError("Argument interpolation should be a InterpolationMode or a corresponding Pillow integer "
                        "constant")
    if isinstance(size, (list, tuple)):
        if len(size) not in (1, 2):
            raise ValueError(f"Size must be an int or a 1 or 2 element tuple/list, not a {len(size)} element "
                             "tuple/list")
        if max_size is not None and len(size) != 1:
            raise ValueError("max_size should only be passed if size specifies the length of the smaller edge, i.e. "
                             "size should be an int or a sequence of length 1 in torchscript mode.")
        size = list(size)
    elif isinstance(size, int):
        size = [size]
    else:
        raise TypeError(f"Size should be int or sequence. Got {type(size)}")
    height, width = _hw(img)
    output_size = _resized_size(height, width, size, max_size)
    if [height, width] == output_size:
        return img
    if _is_pil(img):
        return img.resize(tuple(output_size[::-1]), _PIL_FILTERS[interpolation])
    if isinstance(img, np.ndarray):
        chw = Tensor._make(np.ascontiguousarray(img.reshape(img.shape[:2] + (-1,)).transpose(2, 0, 1)))
        out = resize(chw, output_size, interpolation, None, antialias)._data.transpose(1, 2, 0)
        return np.ascontiguousarray(out.reshape(tuple(output_size) + img.shape[2:]))
    return _resize_tensor(img, output_size, interpolation, bool(antialias))


def _resize_tensor(img: Tensor, size: List[int], interpolation: InterpolationMode, antialias: bool) -> Tensor:
    from ...nn._functional.vision import interpolate
    mode = interpolation.value
    if mode not in ("nearest", "nearest-exact", "bilinear", "bicubic"):
        raise ValueError(f"Tensor images can be resized with nearest, nearest-exact, bilinear or bicubic "
                         f"interpolation, not {mode}")
    smooth = mode in ("bilinear", "bicubic")
    batched = img.reshape((-1,) + tuple(img.shape[-3:])) if img.ndim >= 3 else img.reshape(1, 1, *img.shape)
    out_dtype = img.dtype
    if not out_dtype.is_floating_point:
        batched = batched.to(dtypes.float32)
    out = interpolate(batched, size=size, mode=mode, align_corners=False if smooth else None,
                      antialias=antialias and smooth)
    if not out_dtype.is_floating_point:
        if mode == "bicubic" and out_dtype is dtypes.uint8:
            out = out.clamp(0, 255)
        out = out.round().to(out_dtype)
    return out.reshape(tuple(img.shape[:-2]) + tuple(size))
