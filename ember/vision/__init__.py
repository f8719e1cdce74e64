"""``ember.vision``: what torchvision gives (datasets, transforms)."""
from . import datasets, transforms, models

__all__ = ["datasets", "transforms", "models"]
