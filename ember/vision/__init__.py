"""``ember.vision``: what torchvision gives (datasets, transforms)."""
from . import datasets, transforms

__all__ = ["datasets", "transforms"]
