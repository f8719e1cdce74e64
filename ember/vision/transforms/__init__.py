"""``ember.vision.transforms``: torchvision's transforms."""
from . import functional
from .transforms import (Compose, ToTensor, PILToTensor, Normalize, Lambda, Pad, CenterCrop, RandomCrop,
                         RandomHorizontalFlip, RandomVerticalFlip, Resize)
from .functional import InterpolationMode

__all__ = ["Compose", "ToTensor", "PILToTensor", "Normalize", "Lambda", "Pad", "CenterCrop", "RandomCrop",
           "RandomHorizontalFlip", "RandomVerticalFlip", "Resize", "InterpolationMode", "functional"]
