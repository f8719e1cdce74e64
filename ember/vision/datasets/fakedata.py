"""``FakeData``: random images with random labels, for trying a pipeline without a dataset."""
from __future__ import annotations

from typing import Any, Callable, Optional, Sequence, Tuple

import numpy as np

from .vision import StandardTransform, VisionDataset

__all__ = ["FakeData"]


class FakeData(VisionDataset):
    """``size`` random ``image_size`` (C, H, W) images with labels in ``[0, num_classes)``.

    Image ``i`` is the same on every access (drawn from a stream seeded with
    ``i + random_offset``). Images are (H, W, C) uint8 NumPy arrays ((H, W) for one channel),
    as ember's other datasets return them (torchvision returns PIL images);
    ``transforms.ToTensor`` accepts both.
    """

    def __init__(self, size: int = 1000, image_size: Sequence[int] = (3, 224, 224), num_classes: int = 10,
                 transform: Optional[Callable] = None, target_transform: Optional[Callable] = None,
                 random_offset: int = 0) -> None:
        super().__init__(None, transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index: int) -> Tuple[Any, Any]:
        if index >= len(self):
            raise IndexError(f"{self.__class__.__name__} index out of range")
        rng = np.random.Generator(np.random.PCG64(index + self.random_offset))
        channels, height, width = self.image_size
        img = rng.integers(0, 256, (height, width, channels), dtype=np.uint8)
        if channels == 1:
            img = img[:, :, 0]
        target = int(rng.integers(0, self.num_classes))
        return StandardTransform(self.transform, self.target_transform)(img, target)

    def __len__(self) -> int:
        return self.size
