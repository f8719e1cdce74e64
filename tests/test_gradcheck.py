"""``ember.autograd.gradcheck`` / ``gradgradcheck`` against torch's on the same programs."""
import re
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.autograd import gradcheck, gradgradcheck, GradcheckError
from ember.ops._record import record, wrap, needs_grad

from oracle import rand, layout


def _inputs(lib, *arrays, requires_grad=True):
    return tuple(lib.tensor(a, requires_grad=requires_grad) for a in arrays)


def _both(check, fn, *arrays, **kwargs):
    """Run ``check`` (gradcheck or gradgradcheck) on torch and ember; return both results/errors."""
    results = []
    for lib in (torch, ember):
        try:
            results.append(check[lib](lambda *a: fn(lib, *a), _inputs(lib, *arrays), **kwargs))
        except Exception as err:  # noqa: BLE001 - the outcome itself is compared
            results.append(err)
    return results


GRADCHECK = {torch: torch.autograd.gradcheck, ember: gradcheck}
GRADGRADCHECK = {torch: torch.autograd.gradgradcheck, ember: gradgradcheck}


# --------------------------------------------------------------------------- ops with bad backward
class _TorchHalfSquare(torch.autograd.Function):
    """x**2 whose backward forgets the factor 2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 2

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * x


class _TorchDetachedSquare(torch.autograd.Function):
    """x**2 with a right first derivative whose own derivative is wrong (x is detached)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 2

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * 2 * x.detach()


class _TorchNoisy(torch.autograd.Function):
    """2x whose backward adds a tiny different noise every call (not reentrant)."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2 + torch.rand_like(g) * 1e-9


def _ember_op(name, forward, backward, saves_input=True):
    def op(x):
        out = wrap(forward(x._data))
        if needs_grad(x):
            record(out, name, (x,), lambda g: (backward(g, x),), (x,) if saves_input else ())
        return out
    return op


_EMBER_BAD = {
    "half_square": _ember_op("HalfSquareBackward", lambda a: a ** 2, lambda g, x: g * x),
    "detached_square": _ember_op("DetachedSquareBackward", lambda a: a ** 2,
                                 lambda g, x: g * 2 * x.detach()),
    "noisy": _ember_op("NoisyBackward", lambda a: a * 2,
                       lambda g, x: g * 2 + ember.from_numpy(np.random.rand(*g.shape) * 1e-9), False),
}
_TORCH_BAD = {"half_square": _TorchHalfSquare.apply, "detached_square": _TorchDetachedSquare.apply,
              "noisy": _TorchNoisy.apply}


def _bad(name):
    return lambda lib, x: (_TORCH_BAD if lib is torch else _EMBER_BAD)[name](x)


# --------------------------------------------------------------------------- passing checks
PROGRAMS = {
    "mul_exp": (lambda T, a, b: a * b + a.exp(), [(2, 3), (3,)]),
    "div_broadcast": (lambda T, a, b: a / (b * b + 1), [(4, 1), (1, 3)]),
    "sum_dim": (lambda T, a: (a * a).sum(0), [(3, 2)]),
    "two_outputs": (lambda T, a: (a * 2, a.exp()), [(3,)]),
    "scalar": (lambda T, a: a * a * a, [()]),
    "reshape": (lambda T, a: a.reshape(6) * 2, [(2, 3)]),
}


@pytest.mark.parametrize("fast_mode", [False, True])
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_gradcheck_passes_like_torch(name, fast_mode):
    fn, shapes = PROGRAMS[name]
    arrays = [rand(*s, dtype=np.float64) for s in shapes]
    t_res, e_res = _both(GRADCHECK, fn, *arrays, fast_mode=fast_mode)
    assert t_res is True
    assert e_res is True


@pytest.mark.parametrize("name", ["mul_exp", "div_broadcast", "sum_dim", "two_outputs", "scalar"])
def test_gradgradcheck_passes_like_torch(name):
    fn, shapes = PROGRAMS[name]
    arrays = [rand(*s, dtype=np.float64) for s in shapes]
    t_res, e_res = _both(GRADGRADCHECK, fn, *arrays)
    assert t_res is True
    assert e_res is True


@pytest.mark.parametrize("fast_mode", [False, True])
def test_gradcheck_empty_input(fast_mode):
    for lib, check in GRADCHECK.items():
        x = lib.zeros(0, 2, dtype=lib.float64, requires_grad=True)
        assert check(lambda a: a * 3, (x,), fast_mode=fast_mode) is True


def test_gradcheck_non_contiguous_input():
    arr = layout(rand(3, 4, dtype=np.float64), "sliced")
    x = ember.from_numpy(arr).requires_grad_()
    assert gradcheck(lambda a: a * a, (x,))
    np.testing.assert_array_equal(x.detach().numpy(), arr)


def test_gradcheck_restores_inputs():
    arr = rand(2, 3, dtype=np.float64)
    x = ember.from_numpy(arr.copy()).requires_grad_()
    gradcheck(lambda a: a.exp(), (x,))
    np.testing.assert_array_equal(x.detach().numpy(), arr)


def test_gradcheck_non_tensor_and_constant_inputs():
    a, b = rand(3, dtype=np.float64), rand(3, dtype=np.float64)
    for lib, check in GRADCHECK.items():
        x, = _inputs(lib, a)
        y, = _inputs(lib, b, requires_grad=False)
        assert check(lambda u, v, k: u * v * k, (x, y, 2.5)) is True


# --------------------------------------------------------------------------- failing checks
def _first_line(err):
    return str(err).split("\n")[0]


@pytest.mark.parametrize("fast_mode", [False, True])
def test_wrong_gradient_raises_like_torch(fast_mode):
    t_err, e_err = _both(GRADCHECK, _bad("half_square"), rand(3, dtype=np.float64), fast_mode=fast_mode)
    assert type(t_err).__name__ == type(e_err).__name__ == "GradcheckError"
    assert isinstance(e_err, RuntimeError)
    assert _first_line(e_err) == _first_line(t_err) == \
        "Jacobian mismatch for output 0 with respect to input 0,"
    assert "numerical:tensor(" in str(e_err) and "\nanalytical:tensor(" in str(e_err)


def test_wrong_gradient_message_shows_jacobians():
    x = ember.from_numpy(np.array([1.0, 2.0])).requires_grad_()
    with pytest.raises(GradcheckError) as info:
        gradcheck(_EMBER_BAD["half_square"], (x,))
    numerical, analytical = re.findall(r"(?:numerical|analytical):tensor\((\[\[.*?\]\])", str(info.value),
                                       re.S)
    assert np.allclose(np.array(eval(numerical)), [[2, 0], [0, 4]], atol=1e-5)
    assert np.allclose(np.array(eval(analytical)), [[1, 0], [0, 2]])


def test_raise_exception_false_returns_false_like_torch():
    assert _both(GRADCHECK, _bad("half_square"), rand(3, dtype=np.float64),
                 raise_exception=False) == [False, False]
    assert _both(GRADGRADCHECK, _bad("detached_square"), rand(3, dtype=np.float64),
                 raise_exception=False) == [False, False]


def test_gradgradcheck_catches_wrong_second_derivative():
    t_err, e_err = _both(GRADGRADCHECK, _bad("detached_square"), rand(3, dtype=np.float64))
    assert type(t_err).__name__ == type(e_err).__name__ == "GradcheckError"
    assert _first_line(e_err) == _first_line(t_err)
    # while the first derivative is right
    assert _both(GRADCHECK, _bad("detached_square"), rand(3, dtype=np.float64)) == [True, True]


def test_not_reentrant_like_torch():
    t_err, e_err = _both(GRADCHECK, _bad("noisy"), rand(3, dtype=np.float64))
    assert type(t_err).__name__ == type(e_err).__name__ == "GradcheckError"
    assert str(e_err).startswith(str(t_err)[:140])
    t_res, e_res = _both(GRADCHECK, _bad("noisy"), rand(3, dtype=np.float64), nondet_tol=1e-6)
    assert str(e_res) == str(t_res) == "backward not multiplied by grad_output"


def test_no_differentiable_output_must_be_constant_like_torch():
    t_err, e_err = _both(GRADCHECK, lambda T, a: a.detach() * 2, rand(3, dtype=np.float64))
    assert type(t_err).__name__ == type(e_err).__name__ == "GradcheckError"
    assert str(e_err) == str(t_err)
    assert _both(GRADCHECK, lambda T, a: T.ones(2, dtype=T.float64), rand(3, dtype=np.float64)) == \
        [True, True]


def _same_error(fn_torch, fn_ember):
    with pytest.raises(Exception) as t_info:
        fn_torch()
    with pytest.raises(Exception) as e_info:
        fn_ember()
    assert type(e_info.value) is type(t_info.value)
    assert str(e_info.value) == str(t_info.value)


def test_no_input_requires_grad_like_torch():
    a = rand(3, dtype=np.float64)
    _same_error(lambda: torch.autograd.gradcheck(lambda x: x * 2, _inputs(torch, a, requires_grad=False)),
                lambda: gradcheck(lambda x: x * 2, _inputs(ember, a, requires_grad=False)))


def test_stride_zero_input_like_torch():
    a = rand(1, 3, dtype=np.float64)
    _same_error(lambda: torch.autograd.gradcheck(
                    lambda x: x * 2, (torch.from_numpy(a).expand(4, 3).requires_grad_(),)),
                lambda: gradcheck(lambda x: x * 2, (ember.from_numpy(a).expand(4, 3).requires_grad_(),)))


def test_bad_flag_combinations_like_torch():
    a = rand(3, dtype=np.float64)
    for kwargs in ({"check_forward_ad": False, "check_backward_ad": False},
                   {"check_batched_grad": True, "check_backward_ad": False, "check_forward_ad": True}):
        _same_error(lambda: torch.autograd.gradcheck(lambda x: x * 2, _inputs(torch, a), **kwargs),
                    lambda: gradcheck(lambda x: x * 2, _inputs(ember, a), **kwargs))
    _same_error(lambda: torch.autograd.gradgradcheck(lambda x: x * 2, _inputs(torch, a),
                                                     check_rev_over_rev=False),
                lambda: gradgradcheck(lambda x: x * 2, _inputs(ember, a), check_rev_over_rev=False))


def test_forward_ad_is_not_implemented():
    with pytest.raises(NotImplementedError):
        gradcheck(lambda x: x * 2, _inputs(ember, rand(3, dtype=np.float64)), check_forward_ad=True)


def test_float32_input_warns_like_torch():
    a = rand(3, dtype=np.float32)
    messages = []
    for lib, check in GRADCHECK.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            check(lambda x: x * 2, _inputs(lib, a), raise_exception=False)
        messages.append([str(w.message) for w in caught if "double precision" in str(w.message)])
    assert messages[0] == messages[1] and len(messages[1]) == 1


def test_float32_perturbation_precision_matches_torch():
    """Finite differences run in the input's dtype, so float32 fails (or passes) as torch does."""
    a = rand(4, dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = _both(GRADCHECK, lambda T, x: x * 2, a, raise_exception=False)
    assert results[0] == results[1]
