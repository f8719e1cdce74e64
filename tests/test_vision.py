"""ember.vision: MNIST from the shipped IDX files, and transforms checked against their definitions."""
import gzip
import os
import shutil

import numpy as np
import pytest

import ember
from ember.vision import datasets, transforms
from ember.vision.datasets import read_idx

ROOT = os.path.join(os.path.dirname(__file__), "..", "data", "mnist")


def test_mnist_train_and_test_splits_load():
    train = datasets.MNIST(ROOT, train=True)
    test = datasets.MNIST(ROOT, train=False)
    assert len(train) == 60000 and len(test) == 10000
    img, label = train[0]
    assert img.shape == (28, 28) and img.dtype == np.uint8 and isinstance(label, int)
    assert train.data.shape == (60000, 28, 28) and train.targets.dtype == ember.int64
    assert sorted(set(test.targets.tolist())) == list(range(10))


def test_mnist_reads_raw_and_gz_and_applies_transforms(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        with gzip.open(os.path.join(ROOT, "MNIST", "raw", name + ".gz")) as src, open(raw / name, "wb") as dst:
            shutil.copyfileobj(src, dst)
    ds = datasets.MNIST(tmp_path, train=False, transform=transforms.ToTensor(), target_transform=lambda y: y + 1)
    ref = datasets.MNIST(ROOT, train=False)
    x, y = ds[7]
    assert x.shape == (1, 28, 28) and x.dtype == ember.float32
    np.testing.assert_allclose(x.numpy()[0], ref[7][0] / np.float32(255))
    assert y == ref[7][1] + 1


def test_missing_dataset_error(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found"):
        datasets.MNIST(tmp_path)


@pytest.mark.parametrize("damage", ["truncate", "magic"])
def test_corrupt_idx_files_are_reported(tmp_path, damage):
    src = os.path.join(ROOT, "MNIST", "raw", "t10k-labels-idx1-ubyte.gz")
    data = gzip.open(src).read()
    data = data[:-10] if damage == "truncate" else b"\x01\x02" + data[2:]
    path = tmp_path / "labels-idx1-ubyte"
    path.write_bytes(data)
    with pytest.raises(RuntimeError, match="truncated|not an IDX"):
        read_idx(str(path))


def test_to_tensor_and_normalize_match_torchvision_definitions():
    img = np.random.default_rng(0).integers(0, 256, (5, 6, 3)).astype(np.uint8)
    t = transforms.ToTensor()(img)
    assert t.shape == (3, 5, 6)
    np.testing.assert_allclose(t.numpy(), img.transpose(2, 0, 1) / np.float32(255), rtol=1e-6)
    n = transforms.Normalize((0.5, 0.4, 0.3), (0.2, 0.2, 0.1))(t)
    expected = (t.numpy() - np.array([0.5, 0.4, 0.3], np.float32)[:, None, None]) / np.array([0.2, 0.2, 0.1], np.float32)[:, None, None]
    np.testing.assert_allclose(n.numpy(), expected, rtol=1e-6)
    with pytest.raises(TypeError):
        transforms.Normalize((0.5,), (0.5,))(ember.zeros(1, 2, 2, dtype=ember.int64))


def test_pad_crop_flip_compose():
    img = np.arange(16, dtype=np.uint8).reshape(4, 4)
    padded = transforms.Pad(1)(img)
    assert padded.shape == (6, 6) and padded[0].sum() == 0
    assert transforms.CenterCrop(2)(img).tolist() == [[5, 6], [9, 10]]
    crop = transforms.RandomCrop(3, padding=2)(img)
    assert crop.shape == (3, 3)
    assert transforms.RandomHorizontalFlip(p=1.0)(img).tolist() == img[:, ::-1].tolist()
    assert transforms.RandomHorizontalFlip(p=0.0)(img).tolist() == img.tolist()
    pipeline = transforms.Compose([transforms.Pad(2), transforms.CenterCrop(4), transforms.ToTensor(),
                                   transforms.Lambda(lambda x: x * 2)])
    np.testing.assert_allclose(pipeline(img).numpy()[0], img / np.float32(255) * 2, rtol=1e-6)
    with pytest.raises(ValueError):
        transforms.RandomCrop(10)(img)


def test_pil_images_when_pillow_is_installed():
    Image = pytest.importorskip("PIL.Image")
    arr = np.arange(12, dtype=np.uint8).reshape(3, 4)
    t = transforms.ToTensor()(Image.fromarray(arr, mode="L"))
    np.testing.assert_allclose(t.numpy()[0], arr / np.float32(255))
