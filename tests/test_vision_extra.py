"""ember.vision extras against torchvision's documented behaviour (torchvision itself is not
installed): make_grid / save_image, transforms.Resize, datasets.FakeData / ImageFolder /
DatasetFolder, and models.resnet18/34/50 (torchvision's parameter names, shapes and counts, and
outputs equal to a torch re-implementation of torchvision's source)."""
import io
import math
import os

import numpy as np
import pytest
import torch

import ember
from ember.vision import datasets, models, transforms, utils

RNG = np.random.default_rng(0)


# ---------------------------------------------------------------------------- make_grid / save_image
def reference_grid(batch: np.ndarray, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False,
                   pad_value=0.0) -> np.ndarray:
    """torchvision.utils.make_grid's algorithm, step by step, on a NumPy batch."""
    x = batch.astype(np.float64)
    if x.ndim == 2:
        x = x[None]
    if x.ndim == 3:
        x = np.concatenate([x] * 3, 0) if x.shape[0] == 1 else x
        x = x[None]
    if x.shape[1] == 1:
        x = np.concatenate([x] * 3, 1)
    if normalize:
        def norm(t):
            lo, hi = value_range if value_range is not None else (t.min(), t.max())
            return (np.clip(t, lo, hi) - lo) / max(hi - lo, 1e-5)
        x = np.stack([norm(t) for t in x]) if scale_each else norm(x)
    if x.shape[0] == 1:
        return x[0]
    n, c, h, w = x.shape
    cols = min(nrow, n)
    rows = int(math.ceil(n / cols))
    grid = np.full((c, (h + padding) * rows + padding, (w + padding) * cols + padding), pad_value)
    for k in range(n):
        y0, x0 = (k // cols) * (h + padding) + padding, (k % cols) * (w + padding) + padding
        grid[:, y0:y0 + h, x0:x0 + w] = x[k]
    return grid


@pytest.mark.parametrize("shape", [(5, 3, 4, 6), (8, 1, 3, 3), (9, 3, 2, 5), (1, 3, 4, 4), (3, 4, 5), (1, 4, 5),
                                   (4, 5)])
@pytest.mark.parametrize("kw", [dict(), dict(nrow=3, padding=1, pad_value=0.5), dict(nrow=2, padding=0),
                                dict(normalize=True), dict(normalize=True, scale_each=True, nrow=4),
                                dict(normalize=True, value_range=(0.2, 0.7), padding=3)])
def test_make_grid_matches_torchvision_definition(shape, kw):
    batch = RNG.uniform(-1, 2, shape).astype(np.float32)
    out = utils.make_grid(ember.tensor(batch), **kw)
    np.testing.assert_allclose(out.numpy(), reference_grid(batch, **kw), rtol=1e-5, atol=1e-6)


def test_make_grid_list_input_gradient_and_errors():
    images = [ember.tensor(RNG.random((3, 4, 4)).astype(np.float32), requires_grad=True) for _ in range(3)]
    grid = utils.make_grid(images, nrow=2)
    assert tuple(grid.shape) == (3, 2 * 6 + 2, 2 * 6 + 2)
    grid.sum().backward()
    assert all(np.array_equal(t.grad.numpy(), np.ones((3, 4, 4), np.float32)) for t in images)
    with pytest.raises(TypeError, match="tensor or list of tensors expected, got a list containing"):
        utils.make_grid([ember.ones(3, 2, 2), np.ones((3, 2, 2))])
    with pytest.raises(TypeError, match="tensor or list of tensors expected, got"):
        utils.make_grid(np.ones((2, 3, 2, 2)))
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        utils.make_grid(ember.ones(2, 3, 2, 2), normalize=True, value_range=[0, 1])


def test_save_image_png_and_file_object(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    batch = RNG.uniform(-0.1, 1.1, (3, 3, 5, 4)).astype(np.float32)
    expected = np.clip(reference_grid(batch, nrow=2) * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    path = tmp_path / "grid.png"
    utils.save_image(ember.tensor(batch), path, nrow=2)
    np.testing.assert_array_equal(np.asarray(Image.open(path)), expected)
    buffer = io.BytesIO()
    utils.save_image(ember.tensor(batch[0]), buffer, format="png")
    single = np.clip(batch[0].astype(np.float64) * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(buffer.getvalue()))), single)
    gray = tmp_path / "gray.png"
    utils.save_image(ember.tensor(batch[0, :1]), str(gray))
    assert np.asarray(Image.open(gray)).shape == (5, 4, 3)


# ---------------------------------------------------------------------------- Resize
def torch_resize(x: np.ndarray, size, mode="bilinear", antialias=True) -> np.ndarray:
    """torchvision's tensor resize: ``interpolate`` in float on a batch, integers rounded back."""
    t = torch.from_numpy(x)
    batched = t.reshape((-1,) + t.shape[-3:]) if t.dim() >= 3 else t[None, None]
    floats = batched if t.is_floating_point() else batched.float()
    smooth = mode in ("bilinear", "bicubic")
    out = torch.nn.functional.interpolate(floats, size=size, mode=mode, align_corners=False if smooth else None,
                                          antialias=antialias and smooth)
    if not t.is_floating_point():
        out = (out.clamp(0, 255) if mode == "bicubic" else out).round().to(t.dtype)
    return out.reshape(t.shape[:-2] + tuple(size)).numpy()


def assert_bytes_close(ours: np.ndarray, theirs: np.ndarray) -> None:
    """Equal but for rare off-by-ones: a float32 sum summed in another order can round the other way."""
    diff = np.abs(ours.astype(int) - theirs.astype(int))
    assert diff.max() <= 1 and (diff > 0).mean() < 0.02


@pytest.mark.parametrize("size,expected", [(10, (10, 15)), ([10], (10, 15)), ((7, 9), (7, 9)), (40, (40, 60)),
                                           ([25, 31], (25, 31))])
@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "nearest", "nearest-exact"])
def test_resize_tensor(size, expected, mode):
    x = RNG.random((3, 20, 30)).astype(np.float32)
    out = transforms.Resize(size, interpolation=transforms.InterpolationMode(mode))(ember.tensor(x))
    assert tuple(out.shape) == (3,) + expected
    np.testing.assert_allclose(out.numpy(), torch_resize(x, list(expected), mode), rtol=1e-5, atol=1e-6)


def test_resize_batches_integers_and_options():
    x = RNG.random((2, 3, 17, 11)).astype(np.float64)
    out = transforms.functional.resize(ember.tensor(x), [8, 5], antialias=False)
    np.testing.assert_allclose(out.numpy(), torch_resize(x, [8, 5], antialias=False))
    img = RNG.integers(0, 256, (3, 12, 9)).astype(np.uint8)
    for mode in (transforms.InterpolationMode.BILINEAR, transforms.InterpolationMode.BICUBIC):
        out = transforms.Resize([5, 7], interpolation=mode)(ember.tensor(img))
        assert out.dtype == ember.uint8
        assert_bytes_close(out.numpy(), torch_resize(img, [5, 7], mode.value))
    tall = ember.zeros(1, 50, 20)
    assert tuple(transforms.Resize(10, max_size=16)(tall).shape) == (1, 16, 6)
    assert transforms.Resize(20)(tall) is tall
    assert tuple(transforms.Resize(4)(ember.zeros(8, 6)).shape) == (5, 4)


def test_resize_numpy_and_pil():
    hwc = RNG.integers(0, 256, (12, 16, 3)).astype(np.uint8)
    out = transforms.Resize((6, 8))(hwc)
    assert isinstance(out, np.ndarray) and out.shape == (6, 8, 3) and out.dtype == np.uint8
    assert_bytes_close(out, torch_resize(np.ascontiguousarray(hwc.transpose(2, 0, 1)), [6, 8]).transpose(1, 2, 0))
    Image = pytest.importorskip("PIL.Image")
    pil = Image.fromarray(hwc)
    for mode, pil_filter in [("bilinear", Image.BILINEAR), ("nearest", Image.NEAREST), ("bicubic", Image.BICUBIC)]:
        ours = transforms.Resize(6, interpolation=transforms.InterpolationMode(mode))(pil)
        np.testing.assert_array_equal(np.asarray(ours), np.asarray(pil.resize((8, 6), pil_filter)))


def test_resize_errors_and_repr():
    assert repr(transforms.Resize(32)) == "Resize(size=32, interpolation=bilinear, max_size=None, antialias=True)"
    assert transforms.Resize(8, interpolation=3).interpolation is transforms.InterpolationMode.BICUBIC
    with pytest.raises(TypeError, match="Size should be int or sequence"):
        transforms.Resize("8")
    with pytest.raises(ValueError, match="If size is a sequence, it should have 1 or 2 values"):
        transforms.Resize((1, 2, 3))
    with pytest.raises(ValueError, match="max_size should only be passed if size specifies the length of the smaller"):
        transforms.Resize((4, 4), max_size=10)(ember.zeros(1, 8, 8))
    with pytest.raises(ValueError, match="must be strictly greater than the requested size"):
        transforms.Resize(10, max_size=10)(ember.zeros(1, 8, 9))
    with pytest.raises(TypeError, match="Argument interpolation should be a InterpolationMode"):
        transforms.functional.resize(ember.zeros(1, 8, 8), 4, interpolation="bilinear")


# ---------------------------------------------------------------------------- FakeData
def test_fakedata():
    ds = datasets.FakeData(size=6, image_size=(3, 8, 5), num_classes=4)
    assert len(ds) == 6
    img, target = ds[2]
    assert img.shape == (8, 5, 3) and img.dtype == np.uint8 and isinstance(target, int) and 0 <= target < 4
    again, same_target = ds[2]
    np.testing.assert_array_equal(img, again)
    assert target == same_target
    assert not np.array_equal(datasets.FakeData(6, (3, 8, 5), 4, random_offset=1)[2][0], img)
    assert {ds[i][1] for i in range(6)} <= set(range(4))
    with pytest.raises(IndexError, match="FakeData index out of range"):
        ds[6]
    gray, _ = datasets.FakeData(2, (1, 4, 4))[0]
    assert gray.shape == (4, 4)
    assert repr(ds) == "Dataset FakeData\n    Number of datapoints: 6"


def test_fakedata_with_transforms_through_a_dataloader():
    ds = datasets.FakeData(size=10, image_size=(3, 6, 6), num_classes=3, transform=transforms.ToTensor(),
                           target_transform=lambda y: y + 100)
    images, targets = next(iter(ember.utils.data.DataLoader(ds, batch_size=4)))
    assert tuple(images.shape) == (4, 3, 6, 6) and images.dtype == ember.float32
    assert float(images.max()) <= 1.0 and set(targets.tolist()) <= {100, 101, 102}
    assert repr(ds).splitlines()[2:] == ["    StandardTransform", "    Transform: ToTensor()",
                                         f"    Target transform: {ds.target_transform!r}"]


# ---------------------------------------------------------------------------- ImageFolder / DatasetFolder
def _write_npy_tree(root) -> None:
    for cls, names in {"cat": ["b.npy", "a.npy", "notes.txt"], "dog": ["x.npy", "sub/y.NPY"]}.items():
        for name in names:
            path = root / cls / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if name.lower().endswith(".npy"):
                with open(path, "wb") as f:  # a file object, so np.save keeps the name as it is
                    np.save(f, np.full(2, len(name)))
            else:
                path.write_text("-")
    (root / "stray.npy").write_bytes(b"")


def test_dataset_folder(tmp_path):
    _write_npy_tree(tmp_path)
    ds = datasets.DatasetFolder(str(tmp_path), loader=lambda p: open(p, "rb").read(), extensions=(".npy",))
    assert ds.classes == ["cat", "dog"] and ds.class_to_idx == {"cat": 0, "dog": 1}
    rel = [(os.path.relpath(p, tmp_path), t) for p, t in ds.samples]
    assert rel == [("cat/a.npy", 0), ("cat/b.npy", 0), ("dog/x.npy", 1), ("dog/sub/y.NPY", 1)]  # sorted os.walk
    assert ds.targets == [0, 0, 1, 1] and len(ds) == 4
    sample, target = ds[2]
    assert isinstance(sample, bytes) and target == 1
    only_x = datasets.DatasetFolder(tmp_path, loader=np.load, is_valid_file=lambda p: p.endswith("x.npy"),
                                    allow_empty=True)
    assert [t for _, t in only_x.samples] == [1] and only_x[0][0].tolist() == [5, 5]
    assert repr(only_x).splitlines()[:3] == ["Dataset DatasetFolder", "    Number of datapoints: 1",
                                             f"    Root location: {tmp_path}"]


def test_dataset_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder in"):
        datasets.DatasetFolder(str(tmp_path), loader=np.load, extensions=(".npy",))
    _write_npy_tree(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"Found no valid file for the classes cat, dog\. Supported "
                                                r"extensions are: \.png, \.jpg"):
        datasets.DatasetFolder(str(tmp_path), loader=np.load, extensions=(".png", ".jpg"))
    with pytest.raises(ValueError, match="Both extensions and is_valid_file cannot be None or not None"):
        datasets.DatasetFolder(str(tmp_path), loader=np.load)
    with pytest.raises(ValueError, match="Both extensions and is_valid_file cannot be None or not None"):
        datasets.DatasetFolder(str(tmp_path), loader=np.load, extensions=(".npy",), is_valid_file=bool)


def test_image_folder(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    pixels = {}
    for cls, names in {"ants": ["1.png", "2.JPG"], "bees": ["3.bmp", "skip.txt"]}.items():
        (tmp_path / cls).mkdir()
        for name in names:
            path = tmp_path / cls / name
            if name.endswith(".txt"):
                path.write_text("not an image")
                continue
            gray = RNG.integers(0, 256, (4, 6)).astype(np.uint8)
            Image.fromarray(gray, mode="L").save(path, quality=100)
            pixels[name] = gray
    ds = datasets.ImageFolder(str(tmp_path), transform=transforms.ToTensor())
    assert ds.classes == ["ants", "bees"] and ds.imgs == ds.samples and ds.targets == [0, 0, 1]
    assert [os.path.basename(p) for p, _ in ds.samples] == ["1.png", "2.JPG", "3.bmp"]
    img, target = ds[0]
    assert tuple(img.shape) == (3, 4, 6) and target == 0  # converted to RGB
    np.testing.assert_allclose(img.numpy()[1], pixels["1.png"] / 255.0, atol=1e-6)
    raw = datasets.ImageFolder(str(tmp_path))[2][0]
    assert raw.mode == "RGB" and raw.size == (6, 4)
    assert np.array_equal(np.asarray(raw)[:, :, 0], pixels["3.bmp"])


# ---------------------------------------------------------------------------- ResNet
class TorchBasicBlock(torch.nn.Module):
    """torchvision.models.resnet.BasicBlock, restated in torch."""
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        nn = torch.nn
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(out + identity)


class TorchBottleneck(torch.nn.Module):
    """torchvision.models.resnet.Bottleneck (stride on the 3x3), restated in torch."""
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        nn = torch.nn
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return self.relu(self.bn3(self.conv3(out)) + identity)


class TorchResNet(torch.nn.Module):
    """torchvision.models.resnet.ResNet (no dilation/groups), restated in torch."""

    def __init__(self, block, layers, num_classes=1000):
        super().__init__()
        nn = torch.nn
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], 2)
        self.layer3 = self._make_layer(block, 256, layers[2], 2)
        self.layer4 = self._make_layer(block, 512, layers[3], 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)

    def _make_layer(self, block, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = torch.nn.Sequential(
                torch.nn.Conv2d(self.inplanes, planes * block.expansion, 1, stride, bias=False),
                torch.nn.BatchNorm2d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return torch.nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


ARCHS = {"resnet18": (TorchBasicBlock, [2, 2, 2, 2], 11689512), "resnet34": (TorchBasicBlock, [3, 4, 6, 3], 21797672),
         "resnet50": (TorchBottleneck, [3, 4, 6, 3], 25557032)}


def torchvision_keys(block, layers) -> list:
    """The state_dict keys torchvision's ResNet has, in order, from the layout of its source."""
    bn = ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    keys = ["conv1.weight"] + [f"bn1.{k}" for k in bn]
    convs = 2 if block is TorchBasicBlock else 3
    for stage, count in enumerate(layers, start=1):
        for b in range(count):
            for i in range(1, convs + 1):
                keys += [f"layer{stage}.{b}.conv{i}.weight"] + [f"layer{stage}.{b}.bn{i}.{k}" for k in bn]
            if b == 0 and (stage > 1 or block is TorchBottleneck):
                keys += [f"layer{stage}.0.downsample.0.weight"] + [f"layer{stage}.0.downsample.1.{k}" for k in bn]
    return keys + ["fc.weight", "fc.bias"]


@pytest.mark.parametrize("name", list(ARCHS))
def test_resnet_state_dict_matches_torchvision_layout(name):
    block, layers, n_params = ARCHS[name]
    model = getattr(models, name)()
    state = model.state_dict()
    assert list(state) == torchvision_keys(block, layers)
    assert sum(p.numel() for p in model.parameters()) == n_params  # torchvision's documented counts
    reference = TorchResNet(block, layers).state_dict()
    assert {k: tuple(v.shape) for k, v in state.items()} == {k: tuple(v.shape) for k, v in reference.items()}
    assert tuple(state["fc.weight"].shape) == (1000, 512 * block.expansion)
    assert tuple(state["layer2.0.downsample.0.weight"].shape) == (128 * block.expansion, 64 * block.expansion, 1, 1)


def test_resnet_initialisation():
    ember.manual_seed(0)
    model = models.resnet18(num_classes=10, zero_init_residual=True)
    assert tuple(model.fc.weight.shape) == (10, 512)
    w = model.layer3[0].conv1.weight  # kaiming normal, fan_out, relu gain: std sqrt(2 / (256 * 9))
    assert abs(float(w.std()) - math.sqrt(2 / (256 * 9))) < 0.01 * math.sqrt(2 / (256 * 9)) * 10
    assert float(model.bn1.weight.min()) == 1.0 and float(model.bn1.bias.abs().max()) == 0.0
    assert all(float(b.bn2.weight.abs().max()) == 0.0 for layer in (model.layer1, model.layer4) for b in layer)
    assert float(models.resnet50(zero_init_residual=True).layer1[0].bn3.weight.abs().max()) == 0.0
    with pytest.raises(NotImplementedError, match="pretrained"):
        models.resnet18(weights="IMAGENET1K_V1")


@pytest.mark.parametrize("name", ["resnet18", "resnet50"])
def test_resnet_matches_torch_reimplementation(name):
    block, layers, _ = ARCHS[name]
    ember.manual_seed(0)
    ours = getattr(models, name)(num_classes=7)
    theirs = TorchResNet(block, layers, num_classes=7)
    state = {k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()}
    theirs.load_state_dict(state)
    x = RNG.standard_normal((2, 3, 64, 64))
    # Training mode in float64: batch norm over the few values of the last stage's 2 x 2 maps amplifies
    # rounding, so gradients are compared relative to their largest.
    ours.double().train(), theirs.double().train()
    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ey, ty = ours(ex), theirs(tx)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-5, atol=1e-6)
    ey.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-8 * np.abs(tx.grad.numpy()).max())
    tw = theirs.conv1.weight.grad.numpy()
    np.testing.assert_allclose(ours.conv1.weight.grad.numpy(), tw, rtol=1e-5, atol=1e-8 * np.abs(tw).max())
    np.testing.assert_allclose(ours.layer1[0].bn1.running_mean.numpy(), theirs.layer1[0].bn1.running_mean.numpy(),
                               rtol=1e-7, atol=1e-9)
    ours.float().eval(), theirs.float().eval()
    x32 = x.astype(np.float32)
    with ember.no_grad(), torch.no_grad():
        np.testing.assert_allclose(ours(ember.tensor(x32)).numpy(), theirs(torch.tensor(x32)).numpy(), rtol=1e-4,
                                   atol=1e-5)
