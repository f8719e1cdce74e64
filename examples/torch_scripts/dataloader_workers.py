"""A custom Dataset with transforms, loaded by a DataLoader with worker processes, in the manner of
PyTorch's tutorial "Writing Custom Datasets, DataLoaders and Transforms".

``SpiralDataset`` computes each sample from its index: a point on one of three interleaved spiral
arms, labelled by its arm. Transforms are callable classes (``Jitter`` adds noise from the worker's
own generator, ``ToTensor`` converts), composed as in the tutorial. The DataLoader shuffles and
batches with ``--workers`` processes, each seeded through ``worker_init_fn``. A small MLP learns to
tell the arms apart; ``FINAL loss=... accuracy=...`` reports the clean test set.
"""
import argparse
import math

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset, get_worker_info


class SpiralDataset(Dataset):
    """``size`` points on ``arms`` interleaved spiral arms; sample i lies on arm i % arms."""

    def __init__(self, size, arms=3, transform=None):
        self.size = size
        self.arms = arms
        self.transform = transform

    def __len__(self):
        return self.size

    def __getitem__(self, idx):
        if torch.is_tensor(idx):
            idx = idx.tolist()
        arm = idx % self.arms
        r = (idx // self.arms) / (self.size // self.arms)  # radius in [0, 1)
        theta = 4.0 * r + 2 * math.pi * arm / self.arms
        sample = {"point": np.array([r * math.cos(theta), r * math.sin(theta)], dtype=np.float32),
                  "label": arm}
        if self.transform:
            sample = self.transform(sample)
        return sample


class Jitter:
    """Add Gaussian noise of standard deviation ``std`` to the point (a fresh draw every time)."""

    def __init__(self, std):
        self.std = std
        self.rng = np.random.default_rng(0)

    def reseed(self, seed):
        self.rng = np.random.default_rng(seed)

    def __call__(self, sample):
        noise = self.rng.normal(0.0, self.std, size=2).astype(np.float32)
        return {"point": sample["point"] + noise, "label": sample["label"]}


class ToTensor:
    """Convert the sample's ndarray point to a Tensor and its label to a long tensor."""

    def __call__(self, sample):
        return {"point": torch.from_numpy(sample["point"]),
                "label": torch.tensor(sample["label"], dtype=torch.long)}


class Compose:
    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, sample):
        for t in self.transforms:
            sample = t(sample)
        return sample


def seed_worker(worker_id):
    """Give each worker's Jitter its own stream (workers start with copies of the same one)."""
    info = get_worker_info()
    for t in info.dataset.transform.transforms:
        if isinstance(t, Jitter):
            t.reseed(info.seed % 2**32)


def evaluate(model, loader, criterion):
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for batch in loader:
            logits = model(batch["point"])
            total_loss += criterion(logits, batch["label"]).item() * len(logits)
            correct += (logits.argmax(1) == batch["label"]).sum().item()
            count += len(logits)
    return total_loss / count, correct / count


def main():
    parser = argparse.ArgumentParser(description="Custom Dataset and multi-process DataLoader")
    parser.add_argument("--epochs", type=int, default=20, help="training epochs (default: 20)")
    parser.add_argument("--train-size", type=int, default=3000, help="training points (default: 3000)")
    parser.add_argument("--test-size", type=int, default=900, help="test points (default: 900)")
    parser.add_argument("--batch-size", type=int, default=32, help="batch size (default: 32)")
    parser.add_argument("--workers", type=int, default=2, help="DataLoader worker processes (default: 2)")
    parser.add_argument("--lr", type=float, default=1e-2, help="Adam learning rate (default: 1e-2)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    train_set = SpiralDataset(args.train_size, transform=Compose([Jitter(0.02), ToTensor()]))
    test_set = SpiralDataset(args.test_size, transform=ToTensor())
    first = train_set[0]
    print(f"{len(train_set)} training samples; sample 0: point {first['point'].shape}, "
          f"label {first['label'].item()}")

    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                              num_workers=args.workers, worker_init_fn=seed_worker,
                              persistent_workers=args.workers > 0)
    test_loader = DataLoader(test_set, batch_size=256, num_workers=args.workers)

    model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    for epoch in range(1, args.epochs + 1):
        model.train()
        running, batches = 0.0, 0
        for batch in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(batch["point"]), batch["label"])
            loss.backward()
            optimizer.step()
            running += loss.item()
            batches += 1
        print(f"epoch {epoch}: train loss {running / batches:.4f} over {batches} batches")

    test_loss, accuracy = evaluate(model, test_loader, criterion)
    print(f"FINAL loss={test_loss:.4f} accuracy={accuracy:.4f}")


if __name__ == "__main__":
    main()
