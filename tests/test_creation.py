"""Tensor creation against torch: from data, filled, ranges, eye, legacy constructors, random draws."""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import check, check_raises, assert_same


def same_error(fn):
    """Both libraries raise the same exception type with the same message (``torch.`` -> ``ember.``)."""
    errors = []
    for lib in (torch, ember):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                fn(lib)
            except Exception as err:  # noqa: BLE001 - the error is what we compare
                errors.append(err)
            else:
                errors.append(None)
    t_err, e_err = errors
    assert t_err is not None, "torch did not raise"
    assert e_err is not None, f"ember did not raise; torch raises {type(t_err).__name__}: {t_err}"
    assert type(e_err) is type(t_err), f"ember raised {type(e_err).__name__}: {e_err}; torch {t_err!r}"
    assert str(e_err) == str(t_err).replace("torch.", "ember."), f"\nember: {e_err}\ntorch: {t_err}"


@pytest.fixture
def default_float64():
    torch.set_default_dtype(torch.float64)
    ember.set_default_dtype(ember.float64)
    yield
    torch.set_default_dtype(torch.float32)
    ember.set_default_dtype(ember.float32)


# ---------------------------------------------------------------------------- tensor(): inference
DATA = [
    1, 2.5, True, -2 ** 63, 1e300, [], [[]], [[], []], (1, 2), range(4), [True, False], [True, 1],
    [True, 2.5], [1, 2.0], [[1, 2], [3, 4.5]], [1.5, True], [[[1], [2]], [[3], [4]]],
    [np.float64(1.0), 2], [np.int32(3), np.int32(4)], [np.int32(3), 4], [np.float16(3), 4.5],
    [np.bool_(True), 1.5], [np.uint8(3), np.int8(-1)], np.float64(1.5), np.int32(3), np.bool_(True),
    np.float16(2.5), [np.array([1.0, 2.0]), np.array([3.0, 4.0])],
    np.array([1, 2], np.int16), np.array([[1.5]], np.float32), np.array(7), np.array([True]),
    [[1, 2], (3, 4)], [float("nan"), float("inf")],
]


@pytest.mark.parametrize("data", DATA, ids=repr)
def test_tensor_infers_dtype(data):
    check(lambda T: T.tensor(data))


def test_tensor_of_0d_tensors():
    check(lambda T: T.tensor([T.tensor(1.), T.tensor(2.)]))
    check(lambda T: T.tensor([T.tensor(1., dtype=T.float64), 2]))
    check(lambda T: T.tensor([T.tensor(1), 2.5]))
    check(lambda T: T.tensor([T.tensor([1.]), 2]))
    check(lambda T: T.tensor([[T.tensor(True)], [T.tensor(False)]]))
    check(lambda T: T.tensor([T.tensor(3, dtype=T.int8), T.tensor(4, dtype=T.uint8)]))


def test_tensor_copies_and_warns_on_tensor():
    src = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="To copy construct from a tensor"):
        out = ember.tensor(src)
    assert not out.requires_grad and out.grad_fn is None
    out[0] = 5.0
    assert src[0].item() == 1.0
    arr = np.array([1.0, 2.0])
    t = ember.tensor(arr)
    arr[0] = 9
    assert t[0].item() == 1.0


@pytest.mark.parametrize("data,dtype", [
    ([1, 2], "float16"), ([2.7, -1.5], "int64"), ([1.5, 0.0], "bool"), ([-1], "uint8"),
    ([1e10], "float16"), ([1e300], "float32"), (np.array([300]), "uint8"), (np.array([1.7]), "int32"),
    ([[1, 2], [3, 4]], "float64"), (3, "float32"), ([True], "int8"), ([], "int64"),
])
def test_tensor_with_dtype(data, dtype):
    check(lambda T: T.tensor(data, dtype=getattr(T, dtype)))


@pytest.mark.parametrize("make", [
    lambda T: T.tensor([[1, 2], [3]]),
    lambda T: T.tensor([[1], [2, 3]]),
    lambda T: T.tensor([[[1, 2]], [[3]]]),
    lambda T: T.tensor([[1, 2], [3, 4], [5]]),
    lambda T: T.tensor([[1, 2], 3]),
    lambda T: T.tensor([1, [2, 3]]),
    lambda T: T.tensor(["a"]),
    lambda T: T.tensor("abc"),
    lambda T: T.tensor([1, "a"]),
    lambda T: T.tensor(None),
    lambda T: T.tensor([None]),
    lambda T: T.tensor({1: 2}),
    lambda T: T.tensor(2 ** 63),
    lambda T: T.tensor([2 ** 64]),
    lambda T: T.tensor([300], dtype=T.uint8),
    lambda T: T.tensor([256], dtype=T.int8),
    lambda T: T.tensor([1e20], dtype=T.int64),
    lambda T: T.tensor(float("nan"), dtype=T.int64),
    lambda T: T.tensor([np.int64(300)], dtype=T.uint8),
    lambda T: T.tensor([T.tensor([1, 2]), T.tensor([3, 4])]),
    lambda T: T.tensor([1.0], dtype=T.int64, requires_grad=True),
])
def test_tensor_errors(make):
    same_error(make)


def test_tensor_requires_grad():
    check(lambda T: T.tensor([1.0, 2.0], requires_grad=True) * 2, grad=False)
    assert ember.tensor([1.0], requires_grad=True).is_leaf


# ---------------------------------------------------------------------------- as_tensor, from_numpy
def test_from_numpy_shares_memory():
    arr = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = ember.from_numpy(arr)
    arr[0, 0] = 42
    assert t[0, 0].item() == 42
    t[1, 2] = -1
    assert arr[1, 2] == -1
    assert t.numpy() is arr
    assert ember.from_numpy(arr.T).stride() == torch.from_numpy(arr.T).stride()


@pytest.mark.parametrize("make", [
    lambda T: T.from_numpy([1, 2]),
    lambda T: T.from_numpy(np.arange(4)[::-1]),
])
def test_from_numpy_errors(make):
    same_error(make)
    check_raises(lambda T: T.from_numpy(np.zeros(2, dtype=object)))  # ember lists fewer dtypes


def test_as_tensor_shares_when_it_can():
    arr = np.arange(3, dtype=np.float64)
    shared = ember.as_tensor(arr)
    arr[0] = 7
    assert shared[0].item() == 7
    copied = ember.as_tensor(arr, dtype=ember.float32)
    arr[1] = 8
    assert copied[1].item() == 1
    t = ember.ones(2)
    assert ember.as_tensor(t) is t
    assert ember.as_tensor(t, dtype=ember.float32) is t
    check(lambda T: T.as_tensor([1, 2], dtype=T.float64))
    check(lambda T: T.as_tensor([[1.5, 2]]))
    check(lambda T, x: T.as_tensor(x, dtype=T.float64) * 2, np.array([1.0, 2.0], np.float32))


def test_asarray_copy_modes():
    arr = np.arange(3, dtype=np.float32)
    assert np.shares_memory(ember.asarray(arr).numpy(), arr)
    assert not np.shares_memory(ember.asarray(arr, copy=True).numpy(), arr)
    with pytest.raises(ValueError):
        ember.asarray(arr, dtype=ember.float64, copy=False)
    out = ember.asarray([1, 2], dtype=ember.float32, requires_grad=True)
    assert out.requires_grad and out.dtype == ember.float32
    check(lambda T: T.asarray([[1, 2], [3, 4]]))


# ---------------------------------------------------------------------------- filled
SIZES = [(2, 3), ((2, 3),), ([2, 3],), ((),), (0,), (3, 0, 2), (1,), (ember.Size([2]),)]


@pytest.mark.parametrize("name", ["zeros", "ones"])
@pytest.mark.parametrize("size", SIZES, ids=repr)
@pytest.mark.parametrize("dtype", [None, "int32", "bool", "float64", "float16"])
def test_zeros_ones(name, size, dtype):
    check(lambda T: getattr(T, name)(*size, dtype=dtype and getattr(T, dtype)))


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
def test_size_keyword_and_size_object(name):
    for T in (torch, ember):
        assert tuple(getattr(T, name)(size=(2, 3)).shape) == (2, 3)
        assert tuple(getattr(T, name)(T.Size([4])).shape) == (4,)
        assert tuple(getattr(T, name)(T.tensor(3)).shape) == (3,)


@pytest.mark.parametrize("size", SIZES, ids=repr)
def test_empty_shape_and_dtype(size):
    for dtype in (None, "int64", "float64"):
        t = torch.empty(*size, dtype=dtype and getattr(torch, dtype))
        e = ember.empty(*size, dtype=dtype and getattr(ember, dtype))
        assert tuple(e.shape) == tuple(t.shape) and str(e.dtype)[6:] == str(t.dtype)[6:]
        assert e.stride() == t.stride()


@pytest.mark.parametrize("value", [1, 1.5, True, -3, np.float64(2.5), np.int32(4), np.bool_(False)],
                         ids=repr)
@pytest.mark.parametrize("size", [(2, 3), [4], ()], ids=repr)
def test_full(value, size):
    check(lambda T: T.full(size, value))
    check(lambda T: T.full(size, value, dtype=T.float64))


def test_full_tensor_value():
    check(lambda T: T.full((2,), T.tensor(1.5)))
    check(lambda T: T.full((2,), T.tensor(3)))


@pytest.mark.parametrize("make", [
    lambda T: T.zeros(-1, 2), lambda T: T.zeros([2, -3]), lambda T: T.ones(-1), lambda T: T.empty(-1, 2),
    lambda T: T.full((-1,), 1.0), lambda T: T.rand(-1), lambda T: T.randn(2, -1),
    lambda T: T.randint(5, (-1,)), lambda T: T.randperm(-1), lambda T: T.full(2, 1.0),
    lambda T: T.zeros(2.5), lambda T: T.zeros((2, "a")), lambda T: T.zeros(2, dtype=T.int64, requires_grad=True),
    lambda T: T.eye(-1), lambda T: T.eye(2, -1), lambda T: T.zeros(2, device="cuda"), lambda T: T.zeros(),
    lambda T: T.empty(),
])
def test_creation_errors(make):
    same_error(make)
    check_raises(lambda T: T.rand())


LIKE_INPUTS = {
    "contiguous": np.arange(6, dtype=np.float32).reshape(2, 3),
    "transposed": np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3)),
    "int": np.arange(4, dtype=np.int32),
    "scalar": np.array(2.5, np.float32),
    "empty": np.zeros((0, 2), np.float32),
}


@pytest.mark.parametrize("name", list(LIKE_INPUTS))
def test_like(name):
    arr = LIKE_INPUTS[name]
    check(lambda T, x: T.zeros_like(x), arr, grad=False)
    check(lambda T, x: T.ones_like(x), arr, grad=False)
    check(lambda T, x: T.full_like(x, 7), arr, grad=False)
    check(lambda T, x: T.full_like(x, 2.7), arr, grad=False)
    check(lambda T, x: T.zeros_like(x, dtype=T.int64), arr, grad=False)
    check(lambda T, x: T.ones_like(x, dtype=T.float64), arr, grad=False)
    for fn in ("zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"):
        if fn.startswith("rand") and arr.dtype.kind != "f":
            continue
        t = getattr(torch, fn)(torch.from_numpy(arr))
        e = getattr(ember, fn)(ember.from_numpy(arr))
        assert str(e.dtype)[6:] == str(t.dtype)[6:] and e.shape == t.shape
        assert e.stride() == t.stride() or not arr.size  # torch keeps NumPy's strides of empty arrays
    assert tuple(ember.randint_like(ember.from_numpy(arr), 5).shape) == arr.shape


def test_like_requires_grad():
    check(lambda T: T.ones_like(T.zeros(2), requires_grad=True) * 3, grad=False)


# ---------------------------------------------------------------------------- ranges
ARANGE = [
    (5,), (0,), (2, 7), (7, 2, -1), (0, 10, 3), (-3, 4, 2), (0.0, 1.0, 0.1), (1, 2.5, 0.5), (0, 1, 0.3),
    (5.5,), (-1.0, 1.0, 0.25), (10, 0, -0.7), (1e-3, 1e-2, 1e-3), (0, 100000, 7), (3, 3),
]


@pytest.mark.parametrize("args", ARANGE, ids=repr)
@pytest.mark.parametrize("dtype", [None, "float64", "int32", "int64", "float16", "uint8"])
def test_arange(args, dtype):
    if dtype == "uint8" and any(a < 0 for a in args) or dtype == "float16" and max(args) > 2048:
        return  # torch's float16 accumulation above 2048 rounds differently
    if dtype == "int64" and any(isinstance(a, float) and 0 < abs(a) < 1 for a in args[2:]):
        same_error(lambda T: T.arange(*args, dtype=getattr(T, dtype)))
        return
    check(lambda T: T.arange(*args, dtype=dtype and getattr(T, dtype)))


def test_arange_argument_kinds():
    check(lambda T: T.arange(T.tensor(5)))
    check(lambda T: T.arange(T.tensor(5.0)))
    check(lambda T: T.arange(np.float64(3)))
    check(lambda T: T.arange(np.int32(3)))
    check(lambda T: T.arange(0.5, 5, dtype=T.int64))
    check(lambda T: T.arange(1, 2.5, 0.5, dtype=T.int32))
    check(lambda T: T.arange(start=1, end=4))
    check(lambda T: T.arange(0, 1, 0.1, requires_grad=True) * 2, grad=False)


@pytest.mark.parametrize("make", [
    lambda T: T.arange(0, 10, 0), lambda T: T.arange(10, 0), lambda T: T.arange(0, 5, -1),
    lambda T: T.arange(float("nan")), lambda T: T.arange(0, float("inf")), lambda T: T.arange("a"),
    lambda T: T.arange(5, dtype=T.bool), lambda T: T.arange(0, 1, 0.1, dtype=T.int64),
    lambda T: T.linspace(0, 1, -1), lambda T: T.arange(0.0, 1.0, 0.0),
])
def test_range_errors(make):
    same_error(make)


def test_deprecated_range():
    with pytest.warns(UserWarning, match="deprecated"):
        out = ember.range(0, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(out, torch.range(0, 3))
        assert_same(ember.range(1, 2, 0.25), torch.range(1, 2, 0.25))
        assert_same(ember.range(3, 0, -1, dtype=ember.int64), torch.range(3, 0, -1, dtype=torch.int64))


LINSPACE = [(0, 1, 5), (-1, 1, 7), (0, 10, 1), (0, 10, 0), (0.5, 10.7, 5), (3, -3, 11), (0, 1, 100),
            (1e-3, 1e3, 9), (0, 10, 4), (2, 2, 3)]


@pytest.mark.parametrize("args", LINSPACE, ids=repr)
@pytest.mark.parametrize("dtype", [None, "float64", "float16", "int64", "int32"])
def test_linspace(args, dtype):
    check(lambda T: T.linspace(*args, dtype=dtype and getattr(T, dtype)))


@pytest.mark.parametrize("args", [(0, 2, 3), (-2, 2, 5), (0, 1, 1), (0, 3, 4), (1, -1, 6)], ids=repr)
@pytest.mark.parametrize("base", [10.0, 2.0, 0.5])
@pytest.mark.parametrize("dtype", [None, "float64", "int64"])
def test_logspace(args, base, dtype):
    check(lambda T: T.logspace(*args, base=base, dtype=dtype and getattr(T, dtype)))


def test_linspace_tensor_bounds_and_grad():
    check(lambda T: T.linspace(T.tensor(0.0), 1, 3))
    check(lambda T: T.linspace(0, 1, 4, requires_grad=True) * 2, grad=False)


@pytest.mark.parametrize("args", [(3,), (2, 4), (4, 2), (0,), (1, 0)], ids=repr)
@pytest.mark.parametrize("dtype", [None, "bool", "int64", "float64"])
def test_eye(args, dtype):
    check(lambda T: T.eye(*args, dtype=dtype and getattr(T, dtype)))


@pytest.mark.parametrize("name", ["tril_indices", "triu_indices"])
@pytest.mark.parametrize("args", [(3, 3), (3, 4, 1), (4, 3, -1), (0, 3), (5, 2, 3), (2, 5, -4)], ids=repr)
def test_triangle_indices(name, args):
    check(lambda T: getattr(T, name)(*args))
    check(lambda T: getattr(T, name)(*args, dtype=T.int32))


def test_scalar_tensor_empty_strided_frombuffer():
    for value in (3, True, 2.5):
        check(lambda T: T.scalar_tensor(value))
        check(lambda T: T.scalar_tensor(value, dtype=T.int64))
    for size, stride in (((2, 3), (1, 2)), ((2, 3), (3, 1)), ((2, 0), (1, 1)), ((4,), (2,))):
        t, e = torch.empty_strided(size, stride), ember.empty_strided(size, stride)
        assert e.shape == t.shape and e.stride() == t.stride() and e.is_contiguous() == t.is_contiguous()
    buffer = bytearray(b"\x01\x02\x03\x04")
    e = ember.frombuffer(buffer, dtype=ember.uint8)
    buffer[0] = 9
    assert e.tolist() == [9, 2, 3, 4]
    assert_same(ember.frombuffer(buffer, dtype=ember.int16, count=1, offset=2),
                torch.frombuffer(buffer, dtype=torch.int16, count=1, offset=2))
    same_error(lambda T: T.frombuffer(bytearray(3), dtype=T.int16))
    same_error(lambda T: T.empty_strided((2,), (1, 1)))
    same_error(lambda T: T.tril_indices(-1, 3))


# ---------------------------------------------------------------------------- default dtype
def test_default_dtype_float64(default_float64):
    check(lambda T: T.tensor([1.5, 2]))
    check(lambda T: T.tensor([1, 2]))
    check(lambda T: T.zeros(2))
    check(lambda T: T.arange(0.0, 1.0, 0.25))
    check(lambda T: T.full((2,), 1.5))
    check(lambda T: T.linspace(0, 1, 3))
    check(lambda T: T.rand(2) * 0)
    check(lambda T: T.tensor([1, 2]) * 1.5)
    check(lambda T: T.tensor([1, 2], dtype=T.float32) * 1.5)
    check(lambda T: T.Tensor([1, 2]))
    assert ember.get_default_dtype() == ember.float64


def test_set_default_dtype_rejects_non_float():
    same_error(lambda T: T.set_default_dtype(T.int64))
    for T in (torch, ember):
        T.set_default_dtype(T.float16)
        try:
            assert str(T.tensor([1.5]).dtype)[6:] == "float16"
        finally:
            T.set_default_dtype(T.float32)


def test_creation_results_promote():
    check(lambda T: T.arange(3) + 1.5)
    check(lambda T: T.arange(3) * T.ones(3))
    check(lambda T: T.zeros(2, dtype=T.int32) + T.tensor(1))
    check(lambda T: T.zeros(2, dtype=T.uint8) + T.zeros(2, dtype=T.int8))
    check(lambda T: T.full((2,), True) + T.full((2,), 2))
    check(lambda T: T.eye(2, dtype=T.float16) + T.eye(2))
    check(lambda T: T.linspace(0, 1, 3, dtype=T.float64) + T.ones(3))


# ---------------------------------------------------------------------------- legacy constructors
def test_legacy_tensor_constructor():
    check(lambda T: T.Tensor([1, 2]))
    check(lambda T: T.Tensor((2, 3)))
    check(lambda T: T.Tensor([[True, False]]))
    check(lambda T: T.Tensor(np.array([1, 2])))
    check(lambda T: T.Tensor())
    check(lambda T: T.Tensor(T.tensor([1, 2])))
    for args in ((2, 3), (4,), ()):
        t, e = torch.Tensor(*args), ember.Tensor(*args)
        assert tuple(e.shape) == tuple(t.shape) and e.dtype == ember.float32
    assert tuple(ember.Tensor(ember.Size([2, 3])).shape) == (2, 3)


def test_legacy_typed_constructors():
    for name in ("FloatTensor", "DoubleTensor", "HalfTensor", "ByteTensor", "CharTensor", "ShortTensor",
                 "IntTensor", "LongTensor", "BoolTensor"):
        check(lambda T: getattr(T, name)([1, 0]))
        assert tuple(getattr(ember, name)(2, 3).shape) == (2, 3)
        assert isinstance(getattr(ember, name)([1]), getattr(ember, name))
        assert isinstance(getattr(ember, name)([1]), ember.Tensor)
    assert not isinstance(ember.zeros(2), ember.LongTensor)
    assert isinstance(ember.zeros(2), ember.FloatTensor)


@pytest.mark.parametrize("make", [
    lambda T: T.Tensor(3.5), lambda T: T.Tensor([[1, 2], [3]]), lambda T: T.FloatTensor(T.tensor([1, 2])),
    lambda T: T.LongTensor(2.5),
])
def test_legacy_errors(make):
    check_raises(make)


def test_new_methods():
    check(lambda T: T.tensor([1, 2]).new_tensor([1.5]))
    check(lambda T: T.tensor([1, 2]).new_tensor(np.array([1.5])))
    check(lambda T: T.ones(2, dtype=T.float64).new_zeros(3))
    check(lambda T: T.ones(2, dtype=T.float64).new_zeros((2, 3)))
    check(lambda T: T.ones(2, dtype=T.int32).new_ones(2, 2))
    check(lambda T: T.ones(2, dtype=T.int32).new_full((2,), 7))
    check(lambda T: T.ones(2, dtype=T.float16).new_full((2,), 7, dtype=T.float32))
    check(lambda T: T.ones(2).new_tensor([1, 2], requires_grad=True) * 2, grad=False)
    check(lambda T: T.ones(2, dtype=T.float64).new([1, 2]))
    check(lambda T: T.ones(2, dtype=T.float64).new())
    for T in (torch, ember):
        assert tuple(T.ones(2, dtype=T.int8).new_empty(3, 1).shape) == (3, 1)
        assert T.ones(2, dtype=T.int8).new_empty(3).dtype == T.int8
        assert tuple(T.ones(2).new(2, 3).shape) == (2, 3)


# ---------------------------------------------------------------------------- in-place fills
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool", "float16"])
def test_fill_and_zero(dtype):
    arr = np.ones((2, 3), dtype)
    check(lambda T, x: x.clone().fill_(2.7), arr, grad=False)
    check(lambda T, x: x.clone().fill_(T.tensor(1)), arr, grad=False)
    check(lambda T, x: x.clone().zero_(), arr, grad=False)


def test_fill_records_zero_gradient():
    arr = np.ones(3, np.float64)
    for op in ("fill_", "zero_"):
        out = check(lambda T, x: getattr(x * 2, op)(*(() if op == "zero_" else (1.0,))), arr)
        t_out = getattr(torch.ones(3, requires_grad=True) * 2, op)(*(() if op == "zero_" else (1.0,)))
        assert out[0].grad_fn.name() == type(t_out.grad_fn).__name__
    same_error(lambda T: T.ones(2, requires_grad=True).fill_(1.0))
    same_error(lambda T: T.zeros(2).fill_(T.tensor([1.0, 2.0])))
    with ember.no_grad():
        leaf = ember.ones(2, requires_grad=True)
        leaf.zero_()
    assert leaf.sum().item() == 0 and leaf.is_leaf


# ---------------------------------------------------------------------------- random draws
RANDOM_DRAWS = {
    "rand": lambda T, g: T.rand(3, 4, generator=g),
    "rand_f64": lambda T, g: T.rand((2, 5), generator=g, dtype=T.float64),
    "rand_f16": lambda T, g: T.rand(6, generator=g, dtype=T.float16),
    "randn": lambda T, g: T.randn(3, 4, generator=g),
    "randn_f64": lambda T, g: T.randn(2, generator=g, dtype=T.float64),
    "randint_high": lambda T, g: T.randint(10, (3, 2), generator=g),
    "randint_low_high": lambda T, g: T.randint(-5, 5, (7,), generator=g),
    "randint_dtype": lambda T, g: T.randint(3, 10, (3,), generator=g, dtype=T.float32),
    "randint_size_kw": lambda T, g: T.randint(10, size=(3,), generator=g),
    "randperm": lambda T, g: T.randperm(10, generator=g),
    "randperm_f32": lambda T, g: T.randperm(5, generator=g, dtype=T.float32),
    "normal_size": lambda T, g: T.normal(2.0, 3.0, (2, 3), generator=g),
    "normal_tensor_mean": lambda T, g: T.normal(T.zeros(4, dtype=T.float64), 1.0, generator=g),
    "normal_tensor_std": lambda T, g: T.normal(1.0, T.ones(2, 2), generator=g),
    "normal_broadcast": lambda T, g: T.normal(T.zeros(2, 1), T.ones(3), generator=g),
    "bernoulli": lambda T, g: T.bernoulli(T.full((3, 3), 0.5), generator=g),
    "bernoulli_p": lambda T, g: T.bernoulli(T.zeros(4, dtype=T.float64), 0.3, generator=g),
    "bernoulli_method": lambda T, g: T.full((5,), 0.5).bernoulli(generator=g),
    "multinomial": lambda T, g: T.multinomial(T.tensor([1.0, 2.0, 3.0]), 2, generator=g),
    "multinomial_rows": lambda T, g: T.tensor([[1.0, 0.0], [0.5, 0.5]]).multinomial(5, True, generator=g),
    "poisson": lambda T, g: T.poisson(T.ones(3) * 2, generator=g),
    "uniform_": lambda T, g: T.empty(4).uniform_(-2, 3, generator=g),
    "normal_": lambda T, g: T.empty(4, dtype=T.float64).normal_(1, 2, generator=g),
    "bernoulli_": lambda T, g: T.empty(4).bernoulli_(0.3, generator=g),
    "bernoulli_tensor_p": lambda T, g: T.empty(3, dtype=T.int32).bernoulli_(T.full((3,), 0.5), generator=g),
    "exponential_": lambda T, g: T.empty(4).exponential_(2.0, generator=g),
    "geometric_": lambda T, g: T.empty(4).geometric_(0.3, generator=g),
    "log_normal_": lambda T, g: T.empty(4).log_normal_(generator=g),
    "cauchy_": lambda T, g: T.empty(4).cauchy_(generator=g),
    "random_": lambda T, g: T.empty(4).random_(generator=g),
    "random_to": lambda T, g: T.empty(4, dtype=T.int64).random_(7, generator=g),
    "random_from_to": lambda T, g: T.empty(4, dtype=T.int16).random_(-3, 7, generator=g),
    "random_bool": lambda T, g: T.empty(4, dtype=T.bool).random_(generator=g),
    "rand_like": lambda T, g: T.rand_like(T.zeros(2, 2, dtype=T.float64), generator=g),
    "randn_like": lambda T, g: T.randn_like(T.zeros(3), generator=g),
    "randint_like": lambda T, g: T.randint_like(T.zeros(3, dtype=T.int32), 4, 9, generator=g),
}


@pytest.mark.parametrize("name", list(RANDOM_DRAWS))
def test_random_draws_match_torch_shape_and_dtype(name):
    draw = RANDOM_DRAWS[name]
    t = draw(torch, torch.Generator().manual_seed(0))
    first = draw(ember, ember.Generator().manual_seed(0))
    again = draw(ember, ember.Generator().manual_seed(0))
    other = draw(ember, ember.Generator().manual_seed(1))
    assert tuple(first.shape) == tuple(t.shape) and str(first.dtype)[6:] == str(t.dtype)[6:]
    np.testing.assert_array_equal(first.numpy(), again.numpy())
    if first.numel() > 3 and "bernoulli" not in name and "bool" not in name:
        assert not np.array_equal(first.numpy(), other.numpy())


def test_manual_seed_reproduces_default_stream():
    ember.manual_seed(123)
    a = ember.rand(5), ember.randn(3), ember.randint(0, 100, (4,)), ember.randperm(6)
    ember.manual_seed(123)
    b = ember.rand(5), ember.randn(3), ember.randint(0, 100, (4,)), ember.randperm(6)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.numpy(), y.numpy())
    assert ember.initial_seed() == 123
    assert ember.manual_seed(-1).initial_seed() == torch.manual_seed(-1).initial_seed()
    assert ember.manual_seed(2 ** 64 - 1).initial_seed() == 2 ** 64 - 1
    same_error(lambda T: T.manual_seed(2 ** 64))
    torch.manual_seed(0)


def test_generators_are_independent():
    g1, g2 = ember.Generator().manual_seed(7), ember.Generator().manual_seed(7)
    x = ember.rand(4, generator=g1)
    ember.manual_seed(0)
    ember.rand(100)  # the default stream does not move g2
    y = ember.rand(4, generator=g2)
    np.testing.assert_array_equal(x.numpy(), y.numpy())
    assert not np.array_equal(ember.rand(4, generator=g1).numpy(), x.numpy())
    assert ember.Generator().initial_seed() == torch.Generator().initial_seed()
    assert ember.Generator().device == ember.device("cpu")


def test_generator_state_round_trip():
    g = ember.Generator().manual_seed(3)
    state = g.get_state()
    assert state.dtype == ember.uint8 and state.ndim == 1
    first = ember.randn(5, generator=g)
    g.set_state(state)
    np.testing.assert_array_equal(ember.randn(5, generator=g).numpy(), first.numpy())
    ember.manual_seed(5)
    saved = ember.get_rng_state()
    a = ember.rand(3)
    ember.set_rng_state(saved)
    np.testing.assert_array_equal(ember.rand(3).numpy(), a.numpy())
    with ember.random.fork_rng():
        ember.rand(10)
    ember.set_rng_state(saved)
    b = ember.rand(3)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert isinstance(ember.seed(), int)


def test_distributions():
    g = ember.Generator().manual_seed(11)
    u = ember.rand(20000, generator=g).numpy()
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.01
    h = ember.rand(20000, generator=g, dtype=ember.float16).numpy()
    assert h.min() >= 0 and h.max() < 1
    z = ember.randn(20000, generator=g, dtype=ember.float64).numpy()
    assert abs(z.mean()) < 0.03 and abs(z.std() - 1) < 0.03
    n = ember.normal(ember.full((20000,), 3.0), 2.0, generator=g).numpy()
    assert abs(n.mean() - 3) < 0.06 and abs(n.std() - 2) < 0.06
    r = ember.randint(-3, 4, (5000,), generator=g).numpy()
    assert set(np.unique(r)) == set(range(-3, 4))
    assert sorted(ember.randperm(50, generator=g).tolist()) == list(range(50))
    b = ember.bernoulli(ember.full((20000,), 0.25), generator=g).numpy()
    assert abs(b.mean() - 0.25) < 0.015
    m = ember.multinomial(ember.tensor([1.0, 1.0, 1.0, 1.0]), 4, generator=g)
    assert sorted(m.tolist()) == [0, 1, 2, 3]
    m = ember.multinomial(ember.tensor([[0.0, 1.0], [1.0, 0.0]]), 3, replacement=True, generator=g)
    assert m.tolist() == [[1, 1, 1], [0, 0, 0]]
    rows = ember.tensor([[0.1, 0.0, 0.6, 0.3], [1.0, 1.0, 1.0, 1.0]])
    counts = [np.bincount(r, minlength=4) / 20000 for r in ember.multinomial(rows, 20000, True, generator=g).numpy()]
    np.testing.assert_allclose(counts, [[0.1, 0.0, 0.6, 0.3], [0.25] * 4], atol=0.015)
    firsts = ember.multinomial(ember.tensor([[0.1, 0.6, 0.3]] * 20000), 2, generator=g).numpy()
    np.testing.assert_allclose(np.bincount(firsts[:, 1]) / 20000, [0.1929, 0.3243, 0.4829], atol=0.015)
    assert sorted(ember.multinomial(ember.tensor([0.0, 1.0, 0.0]), 2, generator=g).tolist())[1] == 1
    e = ember.empty(20000).uniform_(-2, 3, generator=g).numpy()
    assert e.min() >= -2 and e.max() < 3
    i = ember.empty(1000, dtype=ember.int64).random_(5, generator=g).numpy()
    assert i.min() >= 0 and i.max() <= 4
    f = ember.empty(1000).random_(generator=g).numpy()
    assert f.min() >= 0 and f.max() <= 2 ** 24 and np.all(f == np.round(f))


@pytest.mark.parametrize("make", [
    lambda T: T.normal(T.zeros(2), -1.0), lambda T: T.normal(T.zeros(2), T.tensor([-1.0, 1.0])),
    lambda T: T.normal(0.0, -1.0, (2,)),
    lambda T: T.bernoulli(T.tensor([1, 0])),
    lambda T: T.multinomial(T.tensor([1.0, 2.0]), 3), lambda T: T.multinomial(T.tensor([1, 2]), 1),
    lambda T: T.multinomial(T.tensor([[[1.0, 2.0]]]), 1), lambda T: T.multinomial(T.tensor([0.0, 0.0]), 1),
    lambda T: T.multinomial(T.tensor([-1.0, 2.0]), 1), lambda T: T.multinomial(T.tensor([1.0, 1.0]), 0),
    lambda T: T.multinomial(T.tensor([[1.0, 1.0], [0.0, 0.0]]), 1, True),
    lambda T: T.multinomial(T.tensor([1.0, float("nan")]), 1), lambda T: T.zeros(2).uniform_(1, 0),
    lambda T: T.zeros(2).exponential_(0), lambda T: T.zeros(2).geometric_(0),
    lambda T: T.zeros(2).log_normal_(1, 0), lambda T: T.zeros(2).normal_(0, -1),
    lambda T: T.zeros(2).random_(5, 2), lambda T: T.zeros(2, dtype=T.int64).uniform_(),
    lambda T: T.zeros(2, dtype=T.int64).normal_(), lambda T: T.zeros(3, dtype=T.int64).exponential_(),
    lambda T: T.rand(2, dtype=T.int64), lambda T: T.randn(2, dtype=T.int64), lambda T: T.randint(5, 5, (2,)),
    lambda T: T.randint(10, 3), lambda T: T.ones(2, requires_grad=True).uniform_(),
])
def test_random_errors(make):
    same_error(make)


def test_bernoulli_probability_error():
    check_raises(lambda T: T.bernoulli(T.tensor([1.5])))  # torch adds a "please report" note


def test_random_gradients_are_zero():
    mean = np.zeros(3, np.float64)
    check(lambda T, m: T.normal(m, 1.0), mean, atol=1e9)
    check(lambda T, s: T.normal(0.0, s), np.ones(3, np.float64), atol=1e9)
    check(lambda T, m, s: T.normal(m, s), np.zeros((2, 1)), np.ones(3), atol=1e9)
    check(lambda T, p: T.bernoulli(p), np.full(4, 0.5), atol=1e9)
    check(lambda T, r: T.poisson(r), np.full(4, 2.0), atol=1e9)
    for op, args in (("uniform_", ()), ("normal_", ()), ("bernoulli_", (0.5,)), ("exponential_", ()),
                     ("random_", ()), ("random_", (5,)), ("random_", (1, 5)), ("geometric_", (0.5,)),
                     ("log_normal_", ()), ("cauchy_", ()), ("bernoulli_", ("tensor",))):
        def run(T, x):
            a = tuple(T.full((3,), 0.5) if v == "tensor" else v for v in args)
            return getattr(x * 2, op)(*a)
        out = check(run, np.ones(3), atol=1e9)
        t_name = type(run(torch, torch.ones(3, requires_grad=True)).grad_fn).__name__
        assert out[0].grad_fn.name() == t_name, (op, args)
