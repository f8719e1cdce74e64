"""Model definitions (torchvision.models' place)."""
from .mnist import MLP, CNN

__all__ = ["MLP", "CNN"]
