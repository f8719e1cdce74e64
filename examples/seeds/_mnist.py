"""The MNIST loaders that the seed listings use but leave undefined (shared by the seed programs).

``EMBER_EXAMPLE_BATCHES=N`` limits each epoch to N batches, so the test suite can run the
listings briefly; unset, they run in full.
"""
import os

from ember.utils.data import DataLoader, Subset
from ember.vision import datasets, transforms

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "mnist")
NORMALIZE = [transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))]


def mnist_loader(train: bool = True, batch_size: int = 64, flatten: bool = False,
                 shuffle: bool = True) -> DataLoader:
    steps = NORMALIZE + ([transforms.Lambda(lambda x: x.view(-1))] if flatten else [])
    data = datasets.MNIST(ROOT, train=train, transform=transforms.Compose(steps))
    limit = os.environ.get("EMBER_EXAMPLE_BATCHES")
    if limit:
        data = Subset(data, range(int(limit) * batch_size))
    return DataLoader(data, batch_size=batch_size, shuffle=shuffle)
