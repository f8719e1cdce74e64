"""Model definitions (torchvision.models' place)."""
from .mnist import MLP, CNN

__all__ = ["MLP", "CNN"]
from .resnet import ResNet, BasicBlock, Bottleneck, resnet18, resnet34, resnet50, resnet101, resnet152  # noqa: E402

__all__ += ["ResNet", "BasicBlock", "Bottleneck", "resnet18", "resnet34", "resnet50", "resnet101", "resnet152"]
