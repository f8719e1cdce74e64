"""``ember.vision``: what torchvision gives (datasets, transforms)."""
from . import datasets, transforms, models, utils

__all__ = ["datasets", "transforms", "models", "utils"]
