"""Vision functionals against torch: pad (every mode, negative amounts, errors), interpolate (every
mode, size / scale_factor, align_corners, antialias, uint8, errors), pixel_shuffle, unfold / fold,
normalize, cosine_similarity, pairwise_distance; values, gradients, grad_fn names, gradcheck."""
import numpy as np
import pytest
import torch

import ember
from ember.autograd import gradcheck, gradgradcheck
from tests.oracle import check, check_raises, rand, layout

FLOATS = (np.float32, np.float64)


def F(lib):
    return lib.nn.functional


# ---------------------------------------------------------------------------- pad
PADS = [  # (input shape, pad, modes that accept it)
    ((2, 5), (1, 2), "constant reflect replicate circular"),
    ((2, 3, 5), (2, 1), "constant reflect replicate circular"),
    ((2, 3, 5), (0, 3), "constant reflect replicate circular"),
    ((2, 3, 5), (-1, 2), "constant reflect replicate circular"),
    ((3, 4, 5), (1, 2, 2, 1), "constant reflect replicate circular"),
    ((2, 2, 4, 5), (1, 0, 3, 2), "constant reflect replicate circular"),
    ((2, 2, 4, 5), (-2, 1, 1, -1), "constant reflect replicate circular"),
    ((1, 2, 3, 4, 5), (1, 1, 2, 0, 1, 2), "constant reflect replicate circular"),
    ((2, 3, 4, 5), (1, 1, 2, 0, 1, 2), "constant reflect replicate circular"),
    ((2, 3), (1, 1, 2, 2), "constant"),
    ((4,), (3, -2), "constant"),
    ((2, 3), (0, 0), "constant"),
    ((), (), "constant"),
]


@pytest.mark.parametrize("shape,amounts,modes", PADS)
@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("dtype", FLOATS)
def test_pad(shape, amounts, modes, mode, dtype):
    if mode not in modes:
        return
    check(lambda T, x: F(T).pad(x, amounts, mode=mode), rand(*shape, dtype=dtype))


@pytest.mark.parametrize("kind", ["T", "sliced"])
@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_non_contiguous(kind, mode):
    check(lambda T, x: F(T).pad(x, (2, 1, 1, 2), mode=mode), layout(rand(2, 3, 4, 6), kind))


def test_pad_values_and_dtypes():
    check(lambda T, x: F(T).pad(x, (1, 2), value=-1.5), rand(2, 3))
    check(lambda T, x: F(T).pad(x, (1, 1), value=2.5), rand(2, 3, dtype=np.int64))
    check(lambda T, x: F(T).pad(x, (1, 1)), rand(2, 3, dtype=np.bool_))
    check(lambda T, x: F(T).pad(x, (1, 1), mode="replicate"), rand(2, 3, dtype=np.int64))
    check(lambda T, x: F(T).pad(x, [1, 0, 0, 1], mode="reflect", value=0), rand(1, 3, 3))


def test_pad_circular_wraps_the_cropped_interior():
    x = np.arange(6, dtype=np.float32).reshape(1, 1, 6)
    for amounts in [(-1, 2), (2, -1), (-2, -1), (6, 0), (0, 6)]:
        check(lambda T, x: F(T).pad(x, amounts, mode="circular"), x)


@pytest.mark.parametrize("shape,amounts,mode", [
    ((2, 3), (1,), "constant"), ((2,), (1, 1, 1, 1), "constant"), ((2, 3), (1, 1), "zeros"),
    ((2, 3), (1, 1), "symmetric"), ((1, 3, 4), (4, 0), "reflect"), ((1, 3, 4), (1, 1, 3, 0), "reflect"),
    ((1, 3, 4), (5, 0), "circular"), ((1, 1, 3, 4), (1, 1), "reflect"), ((4,), (1, 1), "replicate"),
    ((3, 4), (1, 1, 1, 1), "circular"), ((1, 2, 3, 4, 5), (1, 1, 1, 1), "reflect"), ((2, 3), (-2, -2), "constant"),
    ((3, 0), (1, 1), "reflect"), ((1, 3, 4), (-5, 1), "replicate"),
])
def test_pad_errors(shape, amounts, mode):
    check_raises(lambda T, x: F(T).pad(x, amounts, mode=mode), rand(*shape))


def test_pad_messages():
    with pytest.raises(RuntimeError, match='Padding mode "reflect" doesn\'t take in value argument'):
        ember.nn.functional.pad(ember.ones(2, 3), (1, 1), mode="reflect", value=2)
    with pytest.raises(RuntimeError, match=r"Argument #4: Padding size should be less than the corresponding input "
                                           r"dimension, but got: padding \(4, 0\) at dimension 2 of input \[1, 3, 4\]"):
        ember.nn.functional.pad(ember.ones(1, 3, 4), (4, 0), mode="reflect")
    with pytest.raises(NotImplementedError, match="Padding size 2 is not supported for 4D input tensor"):
        ember.nn.functional.pad(ember.ones(1, 1, 3, 4), (1, 1), mode="replicate")


@pytest.mark.parametrize("mode,name", [("constant", "ConstantPadNdBackward0"), ("reflect", "ReflectionPad2DBackward0"),
                                       ("replicate", "ReplicationPad2DBackward0")])
def test_pad_grad_fn(mode, name):
    x = ember.ones(1, 3, 3, requires_grad=True)
    assert ember.nn.functional.pad(x, (1, 1, 1, 1), mode=mode).grad_fn.name() == name
    assert torch.nn.functional.pad(torch.ones(1, 3, 3, requires_grad=True), (1, 1, 1, 1),
                                   mode=mode).grad_fn.name() == name


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_gradcheck(mode):
    x = ember.tensor(rand(1, 3, 4, dtype=np.float64), requires_grad=True)
    fn = lambda x: ember.nn.functional.pad(x, (2, -1, 1, 2), mode=mode)  # noqa: E731
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


# ---------------------------------------------------------------------------- interpolate
INTERP = [  # (input shape, kwargs)
    ((2, 3, 5), dict(scale_factor=2)), ((2, 3, 5), dict(size=8)), ((2, 3, 5), dict(size=3)),
    ((1, 2, 4, 5), dict(scale_factor=2)), ((1, 2, 4, 5), dict(size=(7, 3))),
    ((1, 2, 4, 5), dict(scale_factor=(1.5, 0.7))),
    ((1, 2, 3, 3), dict(scale_factor=1.0)), ((1, 2, 6, 5), dict(size=(6, 5))), ((1, 2, 5, 7), dict(scale_factor=0.5)),
    ((1, 2, 5, 7), dict(scale_factor=1.3, recompute_scale_factor=True)), ((1, 1, 4, 3, 5), dict(size=(5, 6, 2))),
    ((1, 1, 2, 3, 4), dict(scale_factor=2)), ((1, 2, 3, 4), dict(size=1)),
]


def _interp_mode_ok(shape, mode):
    nd = len(shape) - 2
    return mode in ("nearest", "nearest-exact", "area") or {"linear": 1, "bilinear": 2, "bicubic": 2,
                                                              "trilinear": 3}[mode] == nd


@pytest.mark.parametrize("shape,kw", INTERP)
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "area", "linear", "bilinear", "bicubic", "trilinear"])
@pytest.mark.parametrize("align_corners", [None, True])
def test_interpolate(shape, kw, mode, align_corners):
    if not _interp_mode_ok(shape, mode) or (align_corners and mode in ("nearest", "nearest-exact", "area")):
        return
    check(lambda T, x: F(T).interpolate(x, mode=mode, align_corners=align_corners, **kw), rand(*shape),
          atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("size", [(2, 3), (5, 4), (11, 13), (3, 17)])
@pytest.mark.parametrize("align_corners", [False, True])
def test_interpolate_antialias(mode, size, align_corners):
    check(lambda T, x: F(T).interpolate(x, size=size, mode=mode, antialias=True, align_corners=align_corners),
          rand(2, 2, 9, 8, dtype=np.float64))


def test_interpolate_float64_and_layouts():
    check(lambda T, x: F(T).interpolate(x, scale_factor=(2.5, 1.5), mode="bilinear"),
          rand(1, 2, 4, 5, dtype=np.float64))
    check(lambda T, x: F(T).interpolate(x, size=(6, 7), mode="bicubic", align_corners=True),
          layout(rand(1, 2, 4, 5), "T"))
    check(lambda T, x: F(T).interpolate(x, size=(6, 9)), layout(rand(2, 3, 4, 5), "sliced"))


def test_interpolate_float32_cell_boundaries():
    """Source positions are computed in float32 as torch does, so nearest picks the same cells."""
    for n_in, n_out in [(3, 5), (7, 10), (10, 7), (13, 29), (29, 13), (100, 37)]:
        check(lambda T, x: F(T).interpolate(x, size=n_out), rand(1, 1, n_in), grad=False)
        check(lambda T, x: F(T).interpolate(x, size=n_out, mode="nearest-exact"), rand(1, 1, n_in), grad=False)
    for s in (0.3, 1.7, 2.2, 3.0001):
        check(lambda T, x: F(T).interpolate(x, scale_factor=s), rand(1, 1, 10), grad=False)


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
def test_interpolate_uint8_nearest_exact(mode):
    x = rand(1, 3, 5, 6, dtype=np.uint8, low=0, high=255)
    check(lambda T, x: F(T).interpolate(x, size=(9, 4), mode=mode), x)


@pytest.mark.parametrize("kw", [dict(mode="bilinear"), dict(mode="bicubic"), dict(mode="bilinear", antialias=True),
                                dict(mode="bicubic", antialias=True)])
def test_interpolate_uint8_close_to_torch(kw):
    """torch's byte kernels round 16-bit fixed-point weights, ember uses float32 ones (both round to
    bytes after each axis): results agree but for off-by-ones (twos for cubic's larger weights)."""
    x = rand(1, 3, 7, 9, dtype=np.uint8, low=0, high=255)
    for size in [(12, 15), (4, 5)]:
        ours = F(ember).interpolate(ember.tensor(x), size=size, **kw)
        theirs = F(torch).interpolate(torch.tensor(x), size=size, **kw)
        assert ours.dtype == ember.uint8
        diff = np.abs(ours.numpy().astype(int) - theirs.numpy().astype(int))
        assert diff.max() <= (2 if kw["mode"] == "bicubic" else 1) and (diff > 0).mean() < 0.05


@pytest.mark.parametrize("shape,kw", [
    ((1, 1, 3, 4), dict()), ((1, 1, 3, 4), dict(size=2, scale_factor=2)),
    ((1, 1, 3, 4), dict(size=2, align_corners=True)),
    ((1, 1, 3, 4), dict(size=(2, 2, 2))), ((1, 1, 3, 4), dict(size=2, mode="linear")),
    ((1, 1, 3), dict(size=2, mode="bilinear")), ((1, 1, 3, 4, 5), dict(size=2, mode="bicubic")),
    ((1, 1, 3, 4), dict(size=2, mode="foo")), ((3,), dict(size=2)), ((1, 1, 3, 4), dict(size=0)),
    ((1, 1, 3, 4), dict(scale_factor=0.1)), ((1, 1, 3, 4), dict(size=(2, 2.0))),
    ((1, 1, 3, 4), dict(scale_factor=(2,))), ((1, 1, 3, 4), dict(size=2, antialias=True)),
    ((1, 1, 3), dict(size=2, mode="linear", antialias=True)),
    ((1, 1, 3, 4), dict(size=2, recompute_scale_factor=True)), ((1, 1, 3, 4), dict(scale_factor=-1)),
])
def test_interpolate_errors(shape, kw):
    check_raises(lambda T, x: F(T).interpolate(x, **kw), rand(*shape))


@pytest.mark.parametrize("dtype,mode", [(np.int64, "nearest"), (np.int64, "bilinear"), (np.bool_, "nearest"),
                                        (np.int32, "bicubic"), (np.uint8, "area")])
def test_interpolate_dtype_errors(dtype, mode):
    check_raises(lambda T, x: F(T).interpolate(x, scale_factor=2, mode=mode), rand(1, 1, 2, 2, dtype=dtype))


@pytest.mark.parametrize("kw,name", [
    (dict(scale_factor=2), "UpsampleNearest2DBackward0"),
    (dict(size=5, mode="nearest-exact"), "UpsampleNearestExact2DBackward0"),
    (dict(size=5, mode="bilinear"), "UpsampleBilinear2DBackward0"),
    (dict(size=5, mode="bicubic"), "UpsampleBicubic2DBackward0"),
    (dict(size=2, mode="bilinear", antialias=True), "UpsampleBilinear2DAaBackward0"),
])
def test_interpolate_grad_fn(kw, name):
    for T in (torch, ember):
        x = T.ones(1, 1, 3, 3, requires_grad=True)
        assert F(T).interpolate(x, **kw).grad_fn.name() == name


@pytest.mark.parametrize("kw", [dict(scale_factor=2), dict(size=(5, 2), mode="bilinear"),
                                dict(size=(4, 6), mode="bicubic", align_corners=True),
                                dict(size=(2, 2), mode="bilinear", antialias=True), dict(size=(2, 3), mode="area")])
def test_interpolate_gradcheck(kw):
    x = ember.tensor(rand(1, 2, 3, 4, dtype=np.float64), requires_grad=True)
    fn = lambda x: ember.nn.functional.interpolate(x, **kw)  # noqa: E731
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_upsample_aliases_warn_and_match():
    x = rand(1, 2, 3, 4)
    for name, kw in [("upsample", dict(scale_factor=2, mode="bilinear")), ("upsample_nearest", dict(size=5)),
                     ("upsample_bilinear", dict(scale_factor=2))]:
        with pytest.warns(UserWarning, match="deprecated"):
            check(lambda T, x: getattr(F(T), name)(x, **kw), x)


# ---------------------------------------------------------------------------- pixel shuffle
def test_pixel_shuffle_and_unshuffle():
    check(lambda T, x: F(T).pixel_shuffle(x, 2), rand(2, 8, 3, 4))
    check(lambda T, x: F(T).pixel_shuffle(x, 3), rand(9, 2, 2))
    check(lambda T, x: F(T).pixel_unshuffle(x, 2), rand(2, 2, 4, 6))
    check(lambda T, x: F(T).pixel_unshuffle(x, 3), rand(1, 2, 3, 6, 9))
    check_raises(lambda T, x: F(T).pixel_shuffle(x, 2), rand(2, 6, 3, 3))
    check_raises(lambda T, x: F(T).pixel_shuffle(x, 2), rand(4, 4))
    check_raises(lambda T, x: F(T).pixel_unshuffle(x, 2), rand(1, 2, 3, 4))


# ---------------------------------------------------------------------------- unfold / fold
@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=(2, 3), stride=2), dict(kernel_size=3, padding=1),
                                dict(kernel_size=2, dilation=2, padding=(1, 0), stride=(1, 2))])
def test_unfold_fold(kw):
    check(lambda T, x: F(T).unfold(x, **kw), rand(2, 3, 5, 6))
    check(lambda T, x: F(T).unfold(x, **kw), rand(3, 5, 6))
    cols = F(torch).unfold(torch.zeros(2, 3, 5, 6), **kw).shape
    check(lambda T, c: F(T).fold(c, (5, 6), **kw), rand(*cols))
    check(lambda T, c: F(T).fold(c, (5, 6), **kw), rand(*cols[1:]))


def test_unfold_fold_errors():
    check_raises(lambda T, x: F(T).unfold(x, 4), rand(1, 1, 3, 3))
    check_raises(lambda T, x: F(T).fold(x, (4, 4), 2), rand(1, 5, 9))
    check_raises(lambda T, x: F(T).fold(x, (4, 4), 2), rand(1, 4, 8))


# ---------------------------------------------------------------------------- vector geometry
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("kw", [dict(), dict(p=1), dict(dim=0), dict(p=3, dim=-1), dict(p=float("inf"), dim=1)])
def test_normalize(dtype, kw):
    check(lambda T, x: F(T).normalize(x, **kw), rand(3, 4, dtype=dtype))
    check(lambda T, x: F(T).normalize(x, **kw), np.zeros((3, 4), dtype))


def test_normalize_errors_and_layouts():
    check_raises(lambda T, x: F(T).normalize(x), rand(3))
    check_raises(lambda T, x: F(T).normalize(x), rand(2, 3, dtype=np.int64))
    check(lambda T, x: F(T).normalize(x, dim=0), layout(rand(3, 4), "T"))


@pytest.mark.parametrize("shapes,dim", [(((3, 4), (3, 4)), 1), (((1, 4), (5, 4)), 1), (((4,), (4,)), 0),
                                        (((2, 3, 4), (3, 1)), -1), (((2, 3, 4), (2, 3, 4)), 0)])
@pytest.mark.parametrize("dtype", FLOATS)
def test_cosine_similarity(shapes, dim, dtype):
    check(lambda T, a, b: F(T).cosine_similarity(a, b, dim=dim), rand(*shapes[0], dtype=dtype),
          rand(*shapes[1], dtype=dtype))


def test_cosine_similarity_small_norms_and_errors():
    a = np.array([[1e-9, 2e-9], [1.0, 2.0]])
    check(lambda T, a, b: F(T).cosine_similarity(a, b), a, np.array([[3.0, 1.0], [0.5, -1.0]]))
    # float32 norms inside a float64 result: float32 rounding, so float32 tolerances
    check(lambda T, a, b: F(T).cosine_similarity(a, b, dim=0), rand(3), rand(3, dtype=np.float64), atol=1e-6,
          rtol=1e-5)
    check_raises(lambda T, a, b: F(T).cosine_similarity(a, b), rand(2, 3), rand(3, 3))
    check_raises(lambda T, a, b: F(T).cosine_similarity(a, b), rand(3), rand(3))
    check_raises(lambda T, a, b: F(T).cosine_similarity(a, b), rand(2, 3, dtype=np.int64), rand(2, 3, dtype=np.int64))


@pytest.mark.parametrize("kw", [dict(), dict(p=1), dict(keepdim=True), dict(p=float("inf")), dict(eps=0.1)])
def test_pairwise_distance(kw):
    check(lambda T, a, b: F(T).pairwise_distance(a, b, **kw), rand(3, 4), rand(3, 4))
    check(lambda T, a, b: F(T).pairwise_distance(a, b, **kw), rand(3, 4), rand(4))
    check(lambda T, a, b: F(T).pairwise_distance(a, b, **kw), rand(4), rand(4))
    check(lambda T, a, b: F(T).pairwise_distance(a, b, **kw), rand(), rand())
    check_raises(lambda T, a, b: F(T).pairwise_distance(a, b, **kw), rand(2, 3), rand(4, 3))


def test_geometry_gradcheck():
    a = ember.tensor(rand(3, 4, dtype=np.float64), requires_grad=True)
    b = ember.tensor(rand(3, 4, dtype=np.float64), requires_grad=True)
    assert gradcheck(lambda a, b: ember.nn.functional.cosine_similarity(a, b), (a, b))
    assert gradcheck(lambda a: ember.nn.functional.normalize(a, dim=0), (a,))
    assert gradgradcheck(lambda a, b: ember.nn.functional.pairwise_distance(a, b), (a, b))
