"""``ember.autograd.Function`` against ``torch.autograd.Function``: the same classes, run on both.

Each custom op is written once, as a factory over the library (``T`` is torch or ember),
so both libraries run literally the same code; values, gradients, grad_fn names, flags
and error types/messages are compared.
"""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same, rand

LIBS = (torch, ember)


def _same(ours, theirs, what="value"):
    """Compare nested results: tensors with the oracle, containers element-wise, the rest by ==."""
    if isinstance(theirs, (tuple, list)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs), f"{what}: {ours!r} vs {theirs!r}"
        for i, (o, t) in enumerate(zip(ours, theirs)):
            _same(o, t, f"{what}[{i}]")
    else:
        assert_same(ours, theirs, what=what)


def _message(err: Exception) -> str:
    """torch's wording with ember's names where the message names an API."""
    return str(err).replace("torch.autograd.set_detect_anomaly", "ember.autograd.set_detect_anomaly") \
        .replace("torch.Size", "ember.Size")


def both(program, *arrays):
    """``program(T, *tensors)`` on torch and on ember; each result or the exception raised."""
    results = []
    for T in LIBS:
        tensors = [T.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
        try:
            results.append(program(T, *tensors))
        except Exception as err:  # noqa: BLE001 - the outcome itself is compared
            results.append(err)
    return results


def same_result(program, *arrays):
    theirs, ours = both(program, *arrays)
    if isinstance(theirs, Exception):
        raise AssertionError(f"torch raised {theirs!r}")
    if isinstance(ours, Exception):
        raise ours
    _same(ours, theirs)
    return ours


def same_error(program, *arrays):
    theirs, ours = both(program, *arrays)
    assert isinstance(theirs, Exception), f"torch did not raise: {theirs!r}"
    assert isinstance(ours, Exception), f"ember did not raise, torch raised {theirs!r}"
    assert type(ours) is type(theirs), f"ember raised {ours!r}, torch {theirs!r}"
    assert _message(ours) == _message(theirs)


def grads_of(T, out, *inputs):
    """Gradients of ``out.sum()`` (or of a tuple's sum of sums) with respect to ``inputs``."""
    outs = out if isinstance(out, tuple) else (out,)
    total = sum(o.sum() for o in outs if isinstance(o, T.Tensor) and o.requires_grad)
    return T.autograd.grad(total, inputs, allow_unused=True)


# --------------------------------------------------------------------------- the custom ops
def square(T):
    class Square(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 2 * x * g
    return Square


def scale(T):
    """Non-tensor arguments, an attribute on ctx, and ``needs_input_grad``."""
    class Scale(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, k, y=None):
            ctx.k = k
            ctx.flags = ctx.needs_input_grad
            return x * k if y is None else x * k + y

        @staticmethod
        def backward(ctx, g):
            need = ctx.needs_input_grad  # one flag per positional argument
            grads = (g * ctx.k if need[0] else None, None, g if len(need) > 2 and need[2] else None)
            return grads[:len(need)]
    return Scale


def mul_add(T):
    """Two outputs from two inputs."""
    class MulAdd(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y, x + y

        @staticmethod
        def backward(ctx, g_mul, g_add):
            x, y = ctx.saved_tensors
            return g_mul * y + g_add, g_mul * x + g_add
    return MulAdd


def exp_saving_output(T):
    class Exp(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            y, = ctx.saved_tensors
            return g * y
    return Exp


# --------------------------------------------------------------------------- basics
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(), (3,), (2, 0), (2, 3)])
def test_square_values_and_gradients(shape, dtype):
    def program(T, x):
        y = square(T).apply(x)
        return y, grads_of(T, y, x), type(y.grad_fn).__name__, y.grad_fn.name(), y.is_leaf, y.requires_grad
    ours = same_result(program, rand(*shape, dtype=dtype))
    assert ours[2] == "SquareBackward"


def test_next_functions_and_repr():
    def program(T, x, y):
        out = scale(T).apply(x, 2.0, y)
        return [type(n).__name__ if n is not None else None for n, _ in out.grad_fn.next_functions], \
            repr(out.grad_fn).split(" object")[0].split(".")[-1]
    same_result(program, rand(3), rand(3))


@pytest.mark.parametrize("dtype", [np.float64])
def test_gradcheck_and_gradgradcheck_of_custom_ops(dtype):
    for T in LIBS:
        x = T.tensor(rand(3, dtype=dtype), requires_grad=True)
        y = T.tensor(rand(3, dtype=dtype), requires_grad=True)
        assert T.autograd.gradcheck(square(T).apply, (x,))
        assert T.autograd.gradgradcheck(square(T).apply, (x,))
        assert T.autograd.gradcheck(mul_add(T).apply, (x, y))
        assert T.autograd.gradgradcheck(mul_add(T).apply, (x, y))
        assert T.autograd.gradcheck(lambda a: scale(T).apply(a, 3.0), (x,))


def test_double_backward_through_custom_backward():
    def program(T, x):
        g, = T.autograd.grad(square(T).apply(x).sum(), x, create_graph=True)
        gg, = T.autograd.grad((g * g).sum(), x)
        return g, gg, g.requires_grad
    same_result(program, rand(4))


def test_non_tensor_args_and_needs_input_grad():
    def program(T, x, y):
        const = y.detach()
        out = scale(T).apply(x, 3.0, const)
        return out, grads_of(T, out, x), out.grad_fn.flags, out.grad_fn.k
    same_result(program, rand(3), rand(3))


def test_kwargs_bound_to_forward():
    def program(T, x, y):
        out = scale(T).apply(x, k=2.0, y=y)  # y is passed by keyword: not an input of the node
        return out, out.grad_fn.flags, grads_of(T, out, x, y)
    same_result(program, rand(3), rand(3))


def test_forward_runs_without_grad():
    def make(T):
        class Probe(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                inner = x * 2
                ctx.seen = (T.is_grad_enabled(), inner.requires_grad, inner.grad_fn is None)
                return inner

            @staticmethod
            def backward(ctx, g):
                return g * 2
        return Probe

    def program(T, x):
        out = make(T).apply(x)
        return out.grad_fn.seen, grads_of(T, out, x)
    same_result(program, rand(3))


def test_not_recorded_when_no_input_requires_grad():
    def program(T, x):
        plain = square(T).apply(x.detach())
        with T.no_grad():
            off = square(T).apply(x)
        return plain.requires_grad, plain.grad_fn is None, off.requires_grad, off.grad_fn is None
    same_result(program, rand(3))


# --------------------------------------------------------------------------- several outputs
def test_multiple_outputs():
    def program(T, x, y):
        a, b = mul_add(T).apply(x, y)
        return (a, b), a.grad_fn is b.grad_fn, grads_of(T, (a * b,), x, y)
    same_result(program, rand(2, 3), rand(2, 3))


def test_outputs_without_gradient_are_materialized_as_zeros():
    def make(T):
        class Pair(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, ga, gb):
                ctx.received = (ga.clone(), gb.clone())
                return ga * 2 + gb * 3
        return Pair

    def program(T, x):
        a, b = make(T).apply(x)
        grads = T.autograd.grad(b.sum(), x)
        return grads, a.grad_fn.received
    same_result(program, rand(3))


def test_set_materialize_grads_false_passes_none():
    def make(T):
        class Pair(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(False)
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, ga, gb):
                ctx.received = (ga is None, gb is None)
                return (ga * 2 if ga is not None else 0) + gb * 3
        return Pair

    def program(T, x):
        a, b = make(T).apply(x)
        return T.autograd.grad(b.sum(), x), a.grad_fn.received
    same_result(program, rand(3))


def test_non_differentiable_and_integer_outputs():
    def make(T):
        class WithMask(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                values = x * 2
                mask = (x > 0).to(T.int64)
                scaled = x * 3
                ctx.mark_non_differentiable(scaled)
                return values, mask, scaled

            @staticmethod
            def backward(ctx, g_values, g_mask, g_scaled):
                ctx.received = (g_mask.clone(), g_scaled.clone())
                return g_values * 2
        return WithMask

    def program(T, x):
        values, mask, scaled = make(T).apply(x)
        flags = [(t.requires_grad, t.grad_fn is None) for t in (values, mask, scaled)]
        return flags, T.autograd.grad((values * values).sum(), x), values.grad_fn.received
    same_result(program, rand(5))


def test_non_tensor_outputs_get_none_gradients():
    def make(T):
        class WithExtras(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2, 5, None

            @staticmethod
            def backward(ctx, g, g_int, g_none):
                ctx.received = (g_int, g_none)
                return g * 2
        return WithExtras

    def program(T, x):
        out, five, nothing = make(T).apply(x)
        return five, nothing, T.autograd.grad(out.sum(), x), out.grad_fn.received
    same_result(program, rand(3))


def test_list_output_is_not_recorded():
    def make(T):
        class AsList(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return [x * 2, x * 3]

            @staticmethod
            def backward(ctx, g):
                return g
        return AsList

    same_result(lambda T, x: [t.requires_grad for t in make(T).apply(x)], rand(3))


# --------------------------------------------------------------------------- in-place and aliasing
def mul2_inplace(T, mark=True, give_back=True):
    class Mul2(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            if mark:
                ctx.mark_dirty(x)
            return x if give_back else x * 1

        @staticmethod
        def backward(ctx, g):
            return g * 2
    return Mul2


def test_mark_dirty_rebases_the_input():
    def program(T, x):
        y = x * 1
        out = mul2_inplace(T).apply(y)
        return out is y, type(y.grad_fn).__name__, y._version, out, T.autograd.grad(out.sum(), x)
    same_result(program, rand(3))


def test_mark_dirty_on_a_view_rebases_its_base():
    def program(T, x):
        y = x * 1
        view = y[:2]
        out = mul2_inplace(T).apply(view)
        grads = T.autograd.grad((y * y).sum(), x)
        return out is view, y.grad_fn.name(), view.grad_fn.name(), y, grads
    same_result(program, rand(4))


def test_mark_dirty_on_leaf_raises():
    same_error(lambda T, x: mul2_inplace(T).apply(x), rand(3))


def test_dirty_input_not_returned_raises():
    same_error(lambda T, x: mul2_inplace(T, give_back=False).apply(x * 1), rand(3))


def test_input_returned_as_is_becomes_a_view():
    def make(T):
        class Identity(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 3
        return Identity

    def program(T, x):
        out = make(T).apply(x)
        return out is x, out._base is x, out.is_leaf, out, T.autograd.grad(out.sum(), x)
    same_result(program, rand(3))


# --------------------------------------------------------------------------- saved tensors
def test_saved_tensors_are_the_inputs_and_keep_none():
    def make(T):
        class Keep(T.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                ctx.save_for_backward(x, None, y)
                ctx.inside = ctx.saved_tensors
                return x * y

            @staticmethod
            def backward(ctx, g):
                x, nothing, y = ctx.saved_tensors
                ctx.identity = (nothing is None, x is ctx.original)
                return g * y, g * x
        return Keep

    def program(T, x, y):
        fn = make(T)
        out = fn.apply(x, y)
        out.grad_fn.original = x
        grads = T.autograd.grad(out.sum(), (x, y))
        return out.grad_fn.inside, grads, out.grad_fn.identity
    same_result(program, rand(3), rand(3))


def test_saved_tensors_freed_after_backward():
    def program(T, x):
        out = square(T).apply(x)
        out.sum().backward()
        return out.grad_fn.saved_tensors
    same_error(program, rand(3))

    def twice(T, x):
        out = square(T).apply(x).sum()
        out.backward()
        out.backward()
    same_error(twice, rand(3))


def test_retain_graph_keeps_saved_tensors():
    def program(T, x):
        out = square(T).apply(x).sum()
        first = T.autograd.grad(out, x, retain_graph=True)
        return first, T.autograd.grad(out, x), len(out.grad_fn.next_functions)
    same_result(program, rand(3))


def test_function_without_saved_tensors_runs_twice():
    def program(T, x):
        out = scale(T).apply(x, 2.0).sum()
        out.backward()
        out.backward()
        return x.grad
    same_result(program, rand(3))


def test_modified_saved_input_raises_at_backward():
    def program(T, x):
        y = x * 1
        out = square(T).apply(y)
        y.add_(1)
        out.sum().backward()
    same_error(program, rand(3))


def test_modified_saved_output_raises_at_backward():
    def program(T, x):
        out = exp_saving_output(T).apply(x)
        out.mul_(2)
        out.sum().backward()
    same_error(program, rand(3))


def test_modified_saved_leaf_raises_at_backward():
    def program(T, x):
        out = square(T).apply(x)
        with T.no_grad():
            x.add_(1)
        out.sum().backward()
    same_error(program, rand(3))


def test_save_for_backward_rejects_non_tensors():
    def make(T):
        class SavesInt(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x, 3)
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g
        return SavesInt
    same_error(lambda T, x: make(T).apply(x), rand(3))


# --------------------------------------------------------------------------- backward's results
def returning(T, result_fn, n_args=1):
    class Returns(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, *extra):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return result_fn(g)
    return Returns


@pytest.mark.parametrize("name, result, extra", [
    ("too few", lambda g: g, (2.0,)),
    ("too many", lambda g: (g, g), ()),
    ("grad for a number", lambda g: (g, g), (2.0,)),
    ("wrong shape", lambda g: g[:2], ()),
    ("scalar for a vector", lambda g: g.sum(), ()),
    ("a float", lambda g: 3.0, ()),
    ("a list", lambda g: [g], ()),
])
def test_bad_backward_results_raise_like_torch(name, result, extra):
    same_error(lambda T, x: returning(T, result).apply(x, *extra).sum().backward(), rand(3))


@pytest.mark.parametrize("name, result, extra", [
    ("extra Nones", lambda g: (g * 2, None, None), ()),
    ("one-tuple", lambda g: (g * 2,), ()),
    ("broadcast grad", lambda g: g.expand(2, 3), ()),
    ("other dtype", lambda g: g.double(), ()),
    ("integer grad", lambda g: g.long(), ()),
    ("None", lambda g: None, ()),
])
def test_accepted_backward_results_like_torch(name, result, extra):
    def program(T, x):
        returning(T, result).apply(x, *extra).sum().backward()
        return x.grad
    same_result(program, rand(3))


def test_missing_backward_raises():
    def make(T):
        class NoBackward(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2
        return NoBackward
    same_error(lambda T, x: make(T).apply(x).sum().backward(), rand(3))


def test_vjp_alias_and_both_defined():
    def make(T, both_defined):
        class ByVjp(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def vjp(ctx, g):
                return g * 5
        if both_defined:
            ByVjp.backward = staticmethod(lambda ctx, g: g)
        return ByVjp

    def program(T, x):
        make(T, False).apply(x).sum().backward()
        return x.grad
    same_result(program, rand(3))
    same_error(lambda T, x: make(T, True).apply(x).sum().backward(), rand(3))


# --------------------------------------------------------------------------- other styles and hooks
def test_setup_context_style_with_defaults():
    def make(T):
        class Scaled(T.autograd.Function):
            @staticmethod
            def forward(x, k=2.0, shift=0.0):
                ctx_free = T.is_grad_enabled()
                return x * k + shift, ctx_free

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.n_inputs = len(inputs)
                ctx.k = inputs[1]
                ctx.save_for_backward(inputs[0])

            @staticmethod
            def backward(ctx, g, _):
                return g * ctx.k, None, None
        return Scaled

    def program(T, x):
        fn = make(T)
        out, grad_enabled = fn.apply(x)
        out3, _ = fn.apply(x, k=3.0)
        return out, out3, grad_enabled, out.grad_fn.n_inputs, grads_of(T, (out, out3), x)
    same_result(program, rand(3))


def test_once_differentiable():
    def make(T):
        class Cube(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            @T.autograd.function.once_differentiable
            def backward(ctx, g):
                x, = ctx.saved_tensors
                ctx.grad_mode = T.is_grad_enabled()
                return 3 * x * x * g
        return Cube

    def first_order(T, x):
        out = make(T).apply(x)
        return T.autograd.grad(out.sum(), x), out.grad_fn.grad_mode

    def second_order(T, x):
        out = make(T).apply(x)
        g, = T.autograd.grad(out, x, T.ones_like(out, requires_grad=True), create_graph=True)
        assert g.requires_grad and g.grad_fn.name() == "torch::autograd::Error"
        g.sum().backward()
    same_result(first_order, rand(3))
    same_error(second_order, rand(3))


def test_node_hooks_on_custom_function():
    def program(T, x, y):
        a, b = mul_add(T).apply(x, y)
        log = []
        a.grad_fn.register_prehook(lambda grads: log.append(("pre", [g is None for g in grads])))
        a.grad_fn.register_hook(lambda gi, go: log.append(("post", len(gi), len(go))))
        a.sum().backward()
        return log, x.grad, y.grad
    same_result(program, rand(3), rand(3))


def test_instantiating_a_function():
    for T in LIBS:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            instance = square(T)()
        assert caught[0].category is DeprecationWarning
        with pytest.raises(RuntimeError, match="Legacy autograd function with non-static forward method"):
            instance(T.ones(2))
