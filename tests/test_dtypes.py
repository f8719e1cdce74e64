"""dtypes against torch's: names, attributes, promotion, casting rules, finfo/iinfo, the default dtype."""
import itertools

import numpy as np
import pytest
import torch

import ember
from oracle import check

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
ALIASES = {"half": "float16", "float": "float32", "double": "float64", "short": "int16", "int": "int32",
           "long": "int64"}
PAIRS = list(itertools.product(NAMES, NAMES))


def both(name):
    return getattr(torch, name), getattr(ember, name)


@pytest.mark.parametrize("name", NAMES)
def test_dtype_attributes(name):
    t, e = both(name)
    assert repr(e) == repr(t).replace("torch.", "ember.") == str(e)
    assert e.is_floating_point == t.is_floating_point
    assert e.is_signed == t.is_signed
    assert e.is_complex == t.is_complex
    assert e.itemsize == t.itemsize
    assert e.to_real() is e
    assert isinstance(e, ember.dtype)
    assert ember.tensor([1], dtype=e).dtype is e


@pytest.mark.parametrize("alias", list(ALIASES))
def test_aliases(alias):
    assert getattr(ember, alias) is getattr(ember, ALIASES[alias])


def test_dtypes_pickle_to_the_same_object():
    import pickle
    for name in NAMES:
        assert pickle.loads(pickle.dumps(getattr(ember, name))) is getattr(ember, name)


@pytest.mark.parametrize("a,b", PAIRS)
def test_promote_types(a, b):
    expected = torch.promote_types(getattr(torch, a), getattr(torch, b))
    assert repr(ember.promote_types(getattr(ember, a), getattr(ember, b))) == repr(expected).replace("torch.", "ember.")


@pytest.mark.parametrize("a,b", PAIRS)
def test_can_cast(a, b):
    assert ember.can_cast(getattr(ember, a), getattr(ember, b)) == torch.can_cast(getattr(torch, a), getattr(torch, b))


SCALARS = [True, 2, 2.5, np.float64(1.5), np.int32(3)]


@pytest.mark.parametrize("a,b", PAIRS)
@pytest.mark.parametrize("dims", [(1, 1), (1, 0), (0, 1), (0, 0)])
def test_result_type_tensors(a, b, dims):
    def make(T, name, ndim):
        return T.ones((2,) * ndim, dtype=getattr(T, name))
    t = torch.result_type(make(torch, a, dims[0]), make(torch, b, dims[1]))
    e = ember.result_type(make(ember, a, dims[0]), make(ember, b, dims[1]))
    assert repr(e) == repr(t).replace("torch.", "ember.")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("scalar", SCALARS, ids=repr)
@pytest.mark.parametrize("ndim", [0, 1])
def test_result_type_with_scalars(name, scalar, ndim):
    t = torch.result_type(torch.ones((2,) * ndim, dtype=getattr(torch, name)), scalar)
    e = ember.result_type(ember.ones((2,) * ndim, dtype=getattr(ember, name)), scalar)
    assert repr(e) == repr(t).replace("torch.", "ember.")


@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_finfo(name):
    t, e = torch.finfo(getattr(torch, name)), ember.finfo(getattr(ember, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(e, attr) == getattr(t, attr), attr
        assert type(getattr(e, attr)) is type(getattr(t, attr)), attr
    assert repr(e) == repr(t)
    assert repr(ember.finfo()) == repr(torch.finfo())


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo(name):
    t, e = torch.iinfo(getattr(torch, name)), ember.iinfo(getattr(ember, name))
    for attr in ("bits", "max", "min", "dtype"):
        assert getattr(e, attr) == getattr(t, attr), attr
    assert repr(e) == repr(t)


@pytest.mark.parametrize("call", [lambda T: T.iinfo(T.float32), lambda T: T.iinfo(T.bool),
                                  lambda T: T.finfo(T.int32)])
def test_info_errors(call):
    for T in (torch, ember):
        with pytest.raises(TypeError):
            call(T)


def test_python_types_as_dtype():
    check(lambda T: T.zeros(2, dtype=float))
    check(lambda T: T.zeros(2, dtype=int))
    check(lambda T: T.zeros(2, dtype=bool))
    check(lambda T: T.ones(2).to(float))
    with pytest.raises(TypeError):
        ember.zeros(2, dtype="float32")


def test_default_dtype_follows_python_floats():
    assert ember.get_default_dtype() is ember.float32
    for d in (ember.float64, ember.float16, ember.float32):
        ember.set_default_dtype(d)
        try:
            assert ember.tensor(1.5).dtype is d
            assert ember.result_type(ember.tensor([1, 2]), 1.5) is d
            assert ember.finfo().bits == d.itemsize * 8
        finally:
            ember.set_default_dtype(ember.float32)
    for bad in (ember.int64, ember.bool):
        with pytest.raises(TypeError, match="only floating-point types are supported as the default type"):
            ember.set_default_dtype(bad)


def test_unsupported_numpy_dtype_message():
    with pytest.raises(TypeError) as e_err:
        ember.from_numpy(np.zeros(2, dtype=object))
    with pytest.raises(TypeError) as t_err:
        torch.from_numpy(np.zeros(2, dtype=object))
    assert str(e_err.value).split(".")[0] == str(t_err.value).split(".")[0]
