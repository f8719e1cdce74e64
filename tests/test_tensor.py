"""Tensor attributes, conversions and Python protocols against torch's."""
import operator

import numpy as np
import pytest
import torch

import ember
from oracle import check, check_raises, layout, rand

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
SHAPES = [(), (0,), (3,), (2, 3), (2, 0, 4), (1, 3, 1)]


def pair(arr):
    return torch.from_numpy(arr), ember.from_numpy(arr)


def sample(shape, dtype):
    return np.asarray(rand(*shape, dtype=np.dtype(dtype), low=-3, high=3))


def same_error(fn, *arrays):
    """Same exception type and message from both libraries."""
    errors = []
    for lib in (torch, ember):
        tensors = [torch.from_numpy(a) if lib is torch else ember.from_numpy(a) for a in arrays]
        try:
            fn(lib, *tensors)
        except Exception as err:  # noqa: BLE001 - the error is what we compare
            errors.append(err)
        else:
            errors.append(None)
    t_err, e_err = errors
    assert t_err is not None and e_err is not None, (t_err, e_err)
    assert type(e_err) is type(t_err) and str(e_err) == str(t_err).replace("torch.", "ember."), \
        f"\nember: {e_err!r}\ntorch: {t_err!r}"


# ---------------------------------------------------------------------------- metadata
@pytest.mark.parametrize("shape", SHAPES, ids=repr)
@pytest.mark.parametrize("dtype", DTYPES)
def test_metadata(shape, dtype):
    t, e = pair(sample(shape, dtype))
    assert e.shape == t.shape and isinstance(e.shape, ember.Size) and isinstance(e.shape, tuple)
    assert e.size() == t.size() and e.dim() == t.dim() == e.ndim == e.ndimension()
    assert e.numel() == t.numel() == e.nelement() and ember.numel(e) == t.numel()
    assert e.element_size() == t.element_size() == e.itemsize and e.nbytes == t.nbytes
    assert e.is_signed() == t.is_signed() and e.get_device() == t.get_device()
    assert str(e.dtype)[6:] == str(t.dtype)[6:]
    assert e.is_floating_point() == t.is_floating_point() == ember.is_floating_point(e)
    assert e.is_contiguous() == t.is_contiguous()
    assert e.stride() == t.stride() or not t.numel()  # torch keeps NumPy's strides of empty arrays
    assert e.storage_offset() == t.storage_offset() == 0
    assert e.device == ember.device("cpu") and str(e.device) == str(t.device) and repr(e.device) == repr(t.device)
    assert e.is_cuda is False and e.is_cpu and not e.is_sparse and not e.is_complex()
    for d in range(-len(shape), len(shape)):
        assert e.size(d) == t.size(d) and (e.stride(d) == t.stride(d) or not t.numel())


@pytest.mark.parametrize("view", [lambda x: x.t(), lambda x: x[1], lambda x: x[:, 1], lambda x: x[:, ::2],
                                  lambda x: x[1:, 1:], lambda x: x.transpose(0, 1)[1:]])
def test_views_metadata(view):
    arr = np.arange(12, dtype=np.float32).reshape(3, 4)
    t, e = pair(arr)
    tv, ev = view(t), view(e)
    assert ev.shape == tv.shape and ev.stride() == tv.stride()
    assert ev.storage_offset() == tv.storage_offset()
    assert ev.is_contiguous() == tv.is_contiguous()
    assert ev.contiguous().stride() == tv.contiguous().stride()
    assert ev.clone().stride() == tv.clone().stride()


@pytest.mark.parametrize("call", [lambda T, x: x.size(2), lambda T, x: x.size(-3), lambda T, x: x.stride(5),
                                  lambda T, x: T.zeros(()).size(1), lambda T, x: T.zeros(()).stride(0)])
def test_dim_errors(call):
    same_error(call, np.zeros((2, 3), np.float32))


def test_size_type():
    s = ember.zeros(2, 3).shape
    assert repr(s) == "ember.Size([2, 3])" and s == (2, 3) and s.numel() == 6
    assert isinstance(s[1:], ember.Size) and s[1:] == (3,)
    assert isinstance(s + (1,), ember.Size) and isinstance((1,) + s, ember.Size)
    assert isinstance(s * 2, ember.Size) and s * 2 == (2, 3, 2, 3)
    assert ember.Size([]).numel() == torch.Size([]).numel()


# ---------------------------------------------------------------------------- conversion to Python / NumPy
@pytest.mark.parametrize("shape", SHAPES, ids=repr)
@pytest.mark.parametrize("dtype", DTYPES)
def test_tolist_and_item(shape, dtype):
    t, e = pair(sample(shape, dtype))
    assert e.tolist() == t.tolist()
    assert type(e.tolist()) is type(t.tolist())
    if t.numel() == 1:
        assert e.item() == t.item() and type(e.item()) is type(t.item())


def test_item_errors():
    same_error(lambda T, x: x.item(), np.zeros(2, np.float32))
    same_error(lambda T, x: x.item(), np.zeros(0, np.float32))


def test_numpy_shares_memory():
    e = ember.zeros(3)
    arr = e.numpy()
    arr[0] = 5
    assert e[0].item() == 5
    same_error(lambda T: T.zeros(2, requires_grad=True).numpy())
    assert ember.zeros(2, requires_grad=True).numpy(force=True).shape == (2,)
    assert ember.zeros(2, requires_grad=True).detach().numpy().shape == (2,)


def test_array_protocol():
    e = ember.arange(4.0)
    assert np.shares_memory(np.asarray(e), e.numpy())
    assert np.shares_memory(np.array(e, copy=False), e.numpy())
    assert not np.shares_memory(np.array(e), e.numpy())
    assert np.asarray(e, dtype=np.float64).dtype == np.float64
    with pytest.raises(ValueError):
        np.array(e, dtype=np.float64, copy=False)
    with pytest.raises(RuntimeError, match="Can't call numpy"):
        np.asarray(ember.zeros(2, requires_grad=True))
    assert np.asarray(ember.tensor(2.5)).shape == ()


@pytest.mark.parametrize("ufunc", [np.sin, np.exp, lambda x: np.add(x, 1), lambda x: np.greater(x, 0),
                                   lambda x: np.maximum(x, 0.5)])
def test_numpy_ufuncs_return_tensors(ufunc):
    arr = np.array([0.25, -1.0, 2.0], np.float32)
    t, e = pair(arr)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        expected = ufunc(t)
    out = ufunc(e)
    assert isinstance(out, ember.Tensor)
    assert str(out.dtype)[6:] == str(expected.dtype)[6:]
    np.testing.assert_allclose(out.numpy(), expected.numpy())


# ---------------------------------------------------------------------------- casts
CASTS = ["float", "double", "half", "long", "int", "short", "char", "byte", "bool"]


@pytest.mark.parametrize("method", CASTS)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_cast_methods(method, dtype):
    arr = sample((2, 3), dtype)
    check(lambda T, x: getattr(x, method)(), arr, grad=False)
    t, e = pair(arr)
    assert (getattr(e, method)() is e) == (getattr(t, method)() is t)


@pytest.mark.parametrize("method,target", [("float", "float32"), ("double", "float64"), ("half", "float16")])
@pytest.mark.parametrize("src", ["float32", "float64", "float16"])
def test_cast_gradients(method, target, src):
    arr = sample((2, 3), src)
    out = check(lambda T, x: getattr(x, method)() * 2, arr)
    t = getattr(torch.from_numpy(arr).requires_grad_(), method)()
    e = getattr(ember.from_numpy(arr).requires_grad_(), method)()
    assert (e.grad_fn and e.grad_fn.name()) == (t.grad_fn and type(t.grad_fn).__name__)
    check(lambda T, x: x.to(getattr(T, target)), arr)
    assert out


def test_cast_and_clone_gradcheck():
    x = ember.from_numpy(rand(2, 3, dtype=np.float64)).requires_grad_()
    assert ember.autograd.gradcheck(lambda a: a.clone() * a.to(ember.float64, copy=True), (x,))
    assert ember.autograd.gradgradcheck(lambda a: a.clone() * a.double().contiguous(), (x,))
    assert ember.autograd.gradcheck(lambda a: a.t().contiguous() * a.t().clone(), (x,))


def test_cast_to_int_is_not_differentiable():
    t = torch.ones(2, requires_grad=True).long()
    e = ember.ones(2, requires_grad=True).long()
    assert e.requires_grad == t.requires_grad and e.grad_fn is None


TO_CALLS = {
    "dtype": lambda T, x: x.to(T.float64),
    "same_dtype": lambda T, x: x.to(T.float32),
    "device": lambda T, x: x.to("cpu"),
    "device_obj": lambda T, x: x.to(T.device("cpu")),
    "device_dtype": lambda T, x: x.to("cpu", T.float16),
    "other": lambda T, x: x.to(T.zeros(1, dtype=T.float64)),
    "keywords": lambda T, x: x.to(dtype=T.float64, device="cpu"),
    "copy": lambda T, x: x.to(T.float32, copy=True),
    "copy_positional": lambda T, x: x.to(T.float64, False, True),
    "copy_only": lambda T, x: x.to(copy=True),
    "none": lambda T, x: x.to(None),
    "python_type": lambda T, x: x.to(float),
    "int": lambda T, x: x.to(T.int32),
    "type_name": lambda T, x: x.type("torch.DoubleTensor"),
    "type_dtype": lambda T, x: x.type(T.int32),
    "type_legacy": lambda T, x: x.type(T.IntTensor),
    "type_as": lambda T, x: x.type_as(T.zeros(1, dtype=T.float64)),
    "cpu": lambda T, x: x.cpu(),
}


@pytest.mark.parametrize("name", list(TO_CALLS))
def test_to(name):
    arr = np.array([[1.5, -2.0], [0.25, 3.0]], np.float32)
    check(TO_CALLS[name], arr)
    t, e = pair(arr)
    t.requires_grad_(True)
    e.requires_grad_(True)
    t_out, e_out = TO_CALLS[name](torch, t), TO_CALLS[name](ember, e)
    assert (e_out is e) == (t_out is t), "returns self exactly when torch does"
    t_name = type(t_out.grad_fn).__name__ if t_out.grad_fn is not None else None
    assert (e_out.grad_fn.name() if e_out.grad_fn is not None else None) == t_name


@pytest.mark.parametrize("call", [
    lambda T, x: x.to("cuda"), lambda T, x: x.cuda(), lambda T, x: x.to("cpu", "cpu"),
    lambda T, x: x.to(T.float64, T.float32), lambda T, x: x.to(1), lambda T, x: x.to(bogus=1),
    lambda T, x: x.type("float"), lambda T, x: T.zeros(2, device="cuda"),
])
def test_to_errors(call):
    check_raises(call, np.zeros(2, np.float32))


def test_type_names():
    for name in DTYPES:
        t, e = pair(sample((2,), name))
        assert e.type() == t.type()
        assert e.type(t.type()).dtype == e.dtype


def test_clone_and_contiguous():
    for kind in ("T", "sliced", None):
        arr = layout(rand(3, 4, dtype=np.float64), kind) if kind else rand(3, 4, dtype=np.float64)
        check(lambda T, x: x.clone() * 1, arr)
        check(lambda T, x: x.contiguous() * 1, arr)
        t, e = pair(arr)
        t.requires_grad_(True)
        e.requires_grad_(True)
        assert e.clone().grad_fn.name() == type(t.clone().grad_fn).__name__ == "CloneBackward0"
        assert (e.contiguous() is e) == (t.contiguous() is t)
    source = ember.ones(3)
    copy = source.clone()
    copy[0] = 5
    assert source[0].item() == 1


def test_detach_and_data():
    x = ember.ones(3, requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    assert np.shares_memory(d.numpy(), y.detach().numpy())
    d.add_(1)
    assert y.detach()[0].item() == 3
    assert d._version == y._version, "detach shares the version counter"
    data = x.data
    assert not data.requires_grad and np.shares_memory(data.numpy(), x.detach().numpy())
    data.mul_(0)
    assert x.detach().sum().item() == 0
    t = torch.ones(3, requires_grad=True)
    assert (t.detach()._base is None) == (x.detach()._base is None)


# ---------------------------------------------------------------------------- Python protocols
def test_len_and_iter():
    arr = np.arange(6, dtype=np.float32).reshape(3, 2)
    t, e = pair(arr)
    assert len(e) == len(t)
    rows = list(e)
    assert len(rows) == 3 and all(isinstance(r, ember.Tensor) for r in rows)
    for er, tr in zip(rows, t):
        assert er.tolist() == tr.tolist()
    assert [x.item() for x in ember.tensor([1, 2, 3])] == [1, 2, 3]
    same_error(lambda T, x: len(x), np.array(1.0, np.float32))
    same_error(lambda T, x: iter(x), np.array(1.0, np.float32))
    check(lambda T, x: [r * 2 for r in x], arr)


def test_reversed():
    check(lambda T, x: reversed(x), np.arange(4, dtype=np.float32), grad=False)
    check(lambda T, x: reversed(x), np.array(3.0, np.float32), grad=False)


@pytest.mark.parametrize("arr", [np.array(0.0), np.array([2.5]), np.array([[0]]), np.array(True),
                                 np.array([1.0, 2.0]), np.zeros(0)], ids=repr)
def test_bool_float_int(arr):
    for convert in (bool, float, int):
        t, e = pair(arr)
        try:
            expected = convert(t)
        except Exception:  # noqa: BLE001 - then ember must raise the same
            same_error(lambda T, x: convert(x), arr)
            continue
        assert convert(e) == expected and type(convert(e)) is type(expected)


def test_int_of_nan():
    same_error(lambda T, x: int(x), np.array(np.nan, np.float32))


@pytest.mark.parametrize("arr", [np.array(1), np.array([2]), np.array(True), np.array(1.0), np.array([1, 2]),
                                 np.array(3, np.int8)], ids=repr)
def test_index(arr):
    t, e = pair(arr)
    try:
        expected = operator.index(t)
    except TypeError:
        same_error(lambda T, x: operator.index(x), arr)
        return
    assert operator.index(e) == expected
    assert [10, 20, 30, 40][e] == [10, 20, 30, 40][t]
    assert "abcd"[e:] == "abcd"[t:]


@pytest.mark.parametrize("value,spec", [(3.14159, ".2f"), (3.14159, ""), (7, ">4"), (7, "05d"),
                                        (True, ""), (2.5, "e")])
def test_format(value, spec):
    assert format(ember.tensor(value), spec) == format(torch.tensor(value), spec)
    assert f"{ember.tensor([value])}" == f"{torch.tensor([value])}".replace("torch.", "ember.")
    if spec:
        with pytest.raises(TypeError):
            format(ember.tensor([value]), spec)


@pytest.mark.parametrize("element", [2, 2.0, 5, True, np.float64(1.0)], ids=repr)
def test_contains_scalar(element):
    t, e = pair(np.array([[1, 2], [3, 4]]))
    assert (element in e) == (element in t)


def test_contains_tensor_and_errors():
    t, e = pair(np.array([[1, 2], [3, 4]]))
    assert (ember.tensor([1, 2]) in e) == (torch.tensor([1, 2]) in t)
    assert (ember.tensor([5, 6]) in e) == (torch.tensor([5, 6]) in t)
    same_error(lambda T, x: "a" in x, np.array([1, 2]))
    same_error(lambda T, x: T.tensor([1, 2, 3]) in x, np.array([[1, 2], [3, 4]]))


def test_hash_is_identity():
    a, b = ember.tensor(1), ember.tensor(1)
    assert hash(a) != hash(b) and hash(a) == hash(a)
    assert len({a, b}) == 2
    assert {a: 1}[a] == 1


# ---------------------------------------------------------------------------- devices
@pytest.mark.parametrize("args", [("cpu",), ("cuda:1",), ("cuda", 1), ("cpu", 0), ("cpu:0",), ("meta",)], ids=repr)
def test_device_objects(args):
    t, e = torch.device(*args), ember.device(*args)
    assert repr(e) == repr(t) and str(e) == str(t) and (e.type, e.index) == (t.type, t.index)
    assert e == ember.device(*args) and hash(e) == hash(ember.device(*args))
    assert (e == str(e)) == (t == str(t))
    assert ember.device(e) == e


@pytest.mark.parametrize("args", [("gpu",), ("cuda:x",), ("cpu", -1), ("cpu:0:1",), (0,)], ids=repr)
def test_device_errors(args):
    same_error(lambda T: T.device(*args))
    check_raises(lambda T: T.device(1.5))  # torch's message lists its argument parser's overloads


def test_cpu_device_arguments():
    for dev in ("cpu", "cpu:0", ember.device("cpu"), ember.device("cpu", 0)):
        assert ember.zeros(1, device=dev).device == ember.device("cpu")
        assert ember.ones(1).to(dev).device == ember.device("cpu")
    check_raises(lambda T: T.zeros(1, device="mps"))
