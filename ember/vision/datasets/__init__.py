"""Datasets in torchvision's layout."""
from .mnist import MNIST, FashionMNIST, read_idx

__all__ = ["MNIST", "FashionMNIST", "read_idx"]
from .vision import VisionDataset, StandardTransform  # noqa: E402
from .fakedata import FakeData  # noqa: E402
from .folder import DatasetFolder, ImageFolder  # noqa: E402

__all__ += ["VisionDataset", "StandardTransform", "FakeData", "DatasetFolder", "ImageFolder"]
