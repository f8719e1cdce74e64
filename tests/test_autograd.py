"""The ``ember.autograd`` API against torch's: grad modes, backward/grad, hooks, retain_grad,
requires_grad/detach/data, and ``autograd.functional``. Each program runs on both libraries."""
import threading
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import rand
from test_function import LIBS, both, same_error, same_result


# --------------------------------------------------------------------------- grad modes
def test_grad_mode_context_managers():
    def program(T, x):
        seen = []
        with T.no_grad():
            seen.append((T.is_grad_enabled(), (x * 2).requires_grad))
            with T.enable_grad():
                seen.append((T.is_grad_enabled(), (x * 2).requires_grad))
            with T.set_grad_enabled(True):
                seen.append(T.is_grad_enabled())
        with T.set_grad_enabled(False):
            seen.append(((x * 2).requires_grad, (x * 2).grad_fn is None))
        with T.inference_mode():
            seen.append((T.is_grad_enabled(), T.is_inference_mode_enabled(), (x * 2).requires_grad))
            with T.inference_mode(False):
                seen.append((T.is_grad_enabled(), T.is_inference_mode_enabled()))
        seen.append((T.is_grad_enabled(), T.is_inference_mode_enabled()))
        return seen
    same_result(program, rand(2))


def test_set_grad_enabled_as_a_call():
    def program(T, x):
        T.set_grad_enabled(False)
        off = (x * 2).requires_grad
        T.set_grad_enabled(True)
        return off, (x * 2).requires_grad
    same_result(program, rand(2))


def test_grad_modes_as_decorators():
    def program(T, x):
        @T.no_grad()
        def called():
            return (x * 2).requires_grad

        @T.no_grad
        def bare():
            return (x * 2).requires_grad

        @T.enable_grad()
        def enabled():
            return (x * 2).requires_grad

        @T.set_grad_enabled(False)
        def disabled():
            return (x * 2).requires_grad

        @T.inference_mode
        def inference():
            return T.is_inference_mode_enabled(), (x * 2).requires_grad

        after_definitions = T.is_grad_enabled()
        with T.no_grad():
            inside = enabled()
        return called(), bare(), inside, disabled(), inference(), after_definitions, T.is_grad_enabled(), \
            called.__name__
    same_result(program, rand(2))


def test_grad_mode_decorates_generators():
    def program(T, x):
        @T.no_grad()
        def gen():
            for _ in range(2):
                yield (x * 2).requires_grad, T.is_grad_enabled()
        steps = []
        for item in gen():
            steps.append((item, T.is_grad_enabled()))
        return steps
    same_result(program, rand(2))


def test_grad_mode_is_thread_local():
    for T in LIBS:
        seen = []
        with T.no_grad():
            worker = threading.Thread(target=lambda: seen.append(T.is_grad_enabled()))
            worker.start()
            worker.join()
            seen.append(T.is_grad_enabled())
        assert seen == [True, False]


def test_backward_in_a_thread():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    worker = threading.Thread(target=lambda: (x * x).sum().backward())
    with ember.no_grad():
        worker.start()
        worker.join()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


# --------------------------------------------------------------------------- backward and grad
def test_backward_scalar_and_with_gradient():
    def program(T, x, g):
        (x * x).sum().backward()
        first = x.grad.clone()
        (x * 3).backward(g.detach())
        return first, x.grad
    same_result(program, rand(2, 3), rand(2, 3))


@pytest.mark.parametrize("case", [
    lambda T, x: (x * 2).backward(),
    lambda T, x: (x * 2).backward(T.ones(4)),
    lambda T, x: T.autograd.grad(x * 2, x, T.ones(4)),
    lambda T, x: T.autograd.grad([(x * 2).sum(), (x * 3).sum()], x, [T.tensor(1.0)]),
    lambda T, x: T.autograd.grad((x * 2).sum(), x, [1.0]),
    lambda T, x: T.autograd.grad(x * 2, x, [None]),
    lambda T, x: T.ones(2).sum().backward(),
    lambda T, x: T.autograd.grad((x * 2).sum(), T.ones(2)),
    lambda T, x: T.autograd.grad([(x * 2).sum(), x.detach().sum()], x),
    lambda T, x: T.autograd.grad((x * 2).sum(), [x, T.ones(3, requires_grad=True)]),
    lambda T, x: T.autograd.grad((x * 2).sum(), x * 3),
    lambda T, x: T.autograd.grad((x * 2).sum(), [x], materialize_grads=True, allow_unused=False),
    lambda T, x: (x * 2).sum().backward(inputs=[]),
    lambda T, x: (x * 2).sum().backward(inputs=[T.ones(3)]),
    lambda T, x: T.autograd.grad((x * 2).sum(), []),
    lambda T, x: T.autograd.grad([], [x]),
    lambda T, x: (x * 2).sum().backward(grad_tensors=None),
])
def test_backward_errors_like_torch(case):
    def program(T, x):
        case(T, x)
    theirs, ours = both(program, rand(3))
    assert isinstance(theirs, Exception) and type(ours) is type(theirs), (ours, theirs)
    assert str(ours).replace("ember.Size", "torch.Size") == str(theirs)


def test_gradient_of_another_dtype_is_cast():
    def program(T, x):
        g, = T.autograd.grad(x * 2, x, T.ones(3, dtype=T.float64))
        h, = T.autograd.grad(x * 2, x, T.ones(3, dtype=T.int64))
        return g, h
    same_result(program, rand(3))


def test_grad_allow_unused_and_materialize():
    def program(T, x, y):
        unused = T.autograd.grad((x * 2).sum(), [x, y], allow_unused=True)
        zeros = T.autograd.grad((x * 2).sum(), [x, y], materialize_grads=True)
        return unused, zeros
    same_result(program, rand(3), rand(2))


def test_grad_with_respect_to_outputs_and_intermediates():
    def program(T, x):
        y = x * 2
        z = y.exp()
        return T.autograd.grad(z.sum(), [y, x]), T.autograd.grad(z, z, T.ones_like(z))
    same_result(program, rand(3))


def test_grad_does_not_touch_dot_grad():
    def program(T, x):
        T.autograd.grad((x * x).sum(), x)
        return x.grad is None
    same_result(program, rand(3))


def test_backward_inputs_restricts_accumulation():
    def program(T, x, y):
        w = x * 2
        w.retain_grad()
        (w * y).sum().backward(inputs=[x])
        leaf_only = (x.grad.clone(), y.grad)
        (w * y).sum().backward(inputs=y)
        z = x * 3
        (z * y).sum().backward(inputs=[z])
        return leaf_only, y.grad, z.grad, w.grad
    same_result(program, rand(3), rand(3))


def test_retain_graph_and_second_backward():
    def program(T, x):
        out = (x.exp() * x).sum()
        out.backward(retain_graph=True)
        out.backward()
        return x.grad
    same_result(program, rand(3))
    same_error(lambda T, x: [out.backward() for out in [(x.exp() * x).sum()] for _ in range(2)], rand(3))


def test_create_graph_gives_second_derivatives():
    def program(T, x, y):
        out = (x * x * y).sum()
        gx, gy = T.autograd.grad(out, (x, y), create_graph=True)
        hxx, hxy = T.autograd.grad(gx.sum(), (x, y), retain_graph=True)
        return gx, gy, hxx, hxy, T.autograd.grad((gx * gy).sum(), x)
    same_result(program, rand(3), rand(3))


def test_batched_grad():
    def program(T, x):
        y = x * x
        cotangents = T.eye(3, dtype=x.dtype)
        return T.autograd.grad(y, x, cotangents, is_grads_batched=True)
    same_result(program, rand(3))


def test_graph_nodes():
    def program(T, x):
        y = (x * 2).sum()
        mul = y.grad_fn.next_functions[0][0]
        acc = mul.next_functions[0][0]
        mul.metadata["note"] = 1
        return ([isinstance(n, T.autograd.graph.Node) for n in (y.grad_fn, mul, acc)],
                [n.name() for n in (y.grad_fn, mul, acc)], acc.next_functions, mul.metadata,
                acc.variable is x)
    same_result(program, rand(3))


# --------------------------------------------------------------------------- accumulation into .grad
def test_grad_accumulates_in_place_into_leaves():
    def program(T, x):
        (x * 2).sum().backward()
        first = x.grad
        (x * 3).sum().backward()
        return first is x.grad, x.grad
    same_result(program, rand(3))


def test_grad_never_aliases_the_incoming_gradient():
    def program(T, x, y):
        g = T.ones(3)
        (x * 1).backward(g)
        (x + y).sum().backward()
        return x.grad is g, x.grad.data_ptr() == g.data_ptr(), x.grad.data_ptr() == y.grad.data_ptr(), \
            x.grad, y.grad
    same_result(program, rand(3), rand(3))


def test_grad_layout_follows_the_leaf():
    arr = np.asfortranarray(rand(3, 4))
    strides = []
    for T in LIBS:
        x = T.from_numpy(arr.copy(order="F")).requires_grad_()
        (x * 2).sum().backward()
        y = x * 1
        y.retain_grad()
        (y * 2).sum().backward()
        strides.append((x.grad.stride(), y.grad.stride()))
    assert strides[0] == strides[1]


def test_user_assigned_grad_accumulates_in_place():
    def program(T, x):
        x.grad = T.ones(3)
        assigned = x.grad
        (x * 2).sum().backward()
        return assigned is x.grad, assigned
    same_result(program, rand(3))


def test_create_graph_accumulation_is_recorded():
    def program(T, x):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (x * x).sum().backward(create_graph=True)
            first = x.grad
            first_has_graph = first.grad_fn is not None
            (x * x).sum().backward(create_graph=True)
        return first_has_graph, first is x.grad, x.grad, x.grad.requires_grad, \
            T.autograd.grad(x.grad.sum(), x)
    same_result(program, rand(3))


def test_create_graph_backward_warns():
    x = ember.ones(2, requires_grad=True)  # (torch warns once per process, so it is not re-asked)
    with pytest.warns(UserWarning, match="Using backward\\(\\) with create_graph=True"):
        (x * x).sum().backward(create_graph=True)


# --------------------------------------------------------------------------- hooks
def test_hook_order_with_retain_grad_and_node_hooks():
    def program(T, x):
        y = x * 2
        log = []
        y.retain_grad()
        y.register_hook(lambda g: (log.append(("t1", g.tolist())), g * 10)[1])
        y.grad_fn.register_prehook(lambda gs: (log.append(("pre", gs[0].tolist())), (gs[0] + 1,))[1])
        y.register_hook(lambda g: (log.append(("t2", g.tolist())), g + 100)[1])
        y.grad_fn.register_hook(lambda gi, go: log.append(("post", gi[0].tolist(), go[0].tolist())))
        y.sum().backward()
        return log, y.grad, x.grad
    same_result(program, np.array([1.0, 2.0], np.float32))


def test_leaf_hooks_and_grad_capture():
    def program(T, x):
        x.register_hook(lambda g: g * 3)
        captured = T.autograd.grad((x * 2).sum(), x)
        (x * 2).sum().backward()
        y = x * 2
        y.register_hook(lambda g: g * 5)
        return captured, x.grad, T.autograd.grad((y * 2).sum(), y)
    same_result(program, rand(3))


def test_removed_hook_does_not_run():
    def program(T, x):
        y = x * 2
        handle = y.register_hook(lambda g: g * 0)
        handle.remove()
        leaf_handle = x.register_hook(lambda g: g * 0)
        leaf_handle.remove()
        y.sum().backward()
        return x.grad
    same_result(program, rand(3))


def test_post_hook_replaces_grad_inputs():
    def program(T, x):
        y = x * 2
        y.grad_fn.register_hook(lambda gi, go: (gi[0] * 10, None))
        y.sum().backward()
        return x.grad
    same_result(program, rand(3))


@pytest.mark.parametrize("hook", [lambda gi, go: (gi[0],) * 3, lambda gi, go: [gi[0], None]])
def test_bad_post_hook_results_like_torch(hook):
    def program(T, x):
        y = x * 2
        y.grad_fn.register_hook(hook)
        y.sum().backward()
    same_error(program, rand(3))


@pytest.mark.parametrize("hook", [lambda go: (go[0], go[0]), lambda go: [go[0]]])
def test_bad_pre_hook_results_like_torch(hook):
    def program(T, x):
        y = x * 2
        y.grad_fn.register_prehook(hook)
        y.sum().backward()
    same_error(program, rand(3))


@pytest.mark.parametrize("case", [
    lambda T, x: (x.register_hook(lambda g: g.sum()), (x * 2).sum().backward()),
    lambda T, x: (lambda y: (y.register_hook(lambda g: g.sum()), y.sum().backward()))(x * 2),
    lambda T, x: (lambda y: (y.register_hook(lambda g: g.double()), y.sum().backward()))(x * 2),
    lambda T, x: T.ones(2).register_hook(lambda g: g),
    lambda T, x: (x * 2).register_post_accumulate_grad_hook(lambda t: None),
    lambda T, x: T.ones(2).register_post_accumulate_grad_hook(lambda t: None),
    lambda T, x: T.ones(2).retain_grad(),
])
def test_hook_errors_like_torch(case):
    same_error(case, rand(3))


def test_post_accumulate_grad_hook():
    def program(T, x):
        seen = []
        x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.clone()))
        (x * 3).sum().backward()
        return seen
    same_result(program, rand(3))


# --------------------------------------------------------------------------- retain_grad
def test_retain_grad_accumulates_out_of_place():
    def program(T, x):
        y = x * 2
        y.retain_grad()
        z = (y * y).sum()
        z.backward(retain_graph=True)
        first = y.grad
        z.backward()
        return first, first is y.grad, y.grad, y.retains_grad, x.retains_grad
    same_result(program, rand(3))


def test_retain_grad_on_leaf_is_a_no_op():
    def program(T, x):
        x.retain_grad()
        (x * 2).sum().backward()
        return x.retains_grad, x.grad
    same_result(program, rand(3))


def test_non_leaf_grad_access_warns():
    for T in LIBS:
        y = T.ones(2, requires_grad=True) * 2
        with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
            assert y.grad is None


# --------------------------------------------------------------------------- requires_grad, detach, data
def test_requires_grad_flags():
    def program(T, x):
        y = x * 2
        return (x.is_leaf, y.is_leaf, y.requires_grad, y.requires_grad_(True) is y,
                T.ones(2, dtype=T.int64).requires_grad_(False).requires_grad, x.detach().requires_grad)
    same_result(program, rand(3))


@pytest.mark.parametrize("case", [
    lambda T, x: T.ones(2, dtype=T.int64).requires_grad_(),
    lambda T, x: (x * 2).requires_grad_(False),
    lambda T, x: x[:1].detach_(),
    lambda T, x: T.ones(3).view(3).detach_(),
    lambda T, x: setattr(x, "grad", T.ones(2)),
    lambda T, x: setattr(x, "grad", T.ones(3, dtype=T.float64)),
    lambda T, x: setattr(x, "grad", 3),
    lambda T, x: setattr(x, "data", [1.0]),
    lambda T, x: x.add_(1),
])
def test_flag_errors_like_torch(case):
    same_error(case, rand(3))


def test_detach_shares_data_and_version():
    def program(T, x):
        d = x.detach()
        d.add_(1)
        return d.requires_grad, d.is_leaf, d._base is None, x._version, d._version, x.detach()
    same_result(program, rand(3))


def test_detach_in_place():
    def program(T, x):
        y = x * 2
        y.detach_()
        return y.requires_grad, y.grad_fn is None, y.is_leaf
    same_result(program, rand(3))


def test_data_is_untracked_and_settable():
    def program(T, x):
        d = x.data
        d.add_(1)
        versions = (x._version, d.requires_grad)
        x.data = T.zeros(4)
        return versions, tuple(x.shape), x.requires_grad, x
    same_result(program, rand(3))


def test_legacy_variable():
    def program(T, x):
        v = T.autograd.Variable(x.detach(), requires_grad=True)
        w = T.autograd.Variable(x * 2)
        return (v.requires_grad, v.is_leaf, v.data_ptr() == x.data_ptr(), w.requires_grad, w.grad_fn is None,
                isinstance(x, T.autograd.Variable), isinstance(1.0, T.autograd.Variable), v)
    same_result(program, rand(3))
    same_error(lambda T, x: T.autograd.Variable([1.0]), rand(3))


# --------------------------------------------------------------------------- autograd.functional
FUNCTIONAL = {
    "vjp": lambda F, T, x, y: F.vjp(lambda a, b: (a * b).exp(), (x, y), T.ones(3, dtype=x.dtype)),
    "vjp_scalar": lambda F, T, x, y: F.vjp(lambda a: (a * a).sum(), x),
    "jvp": lambda F, T, x, y: F.jvp(lambda a, b: (a * b, a.exp()), (x, y), (y, x)),
    "jacobian": lambda F, T, x, y: F.jacobian(lambda a: a.exp() * a, x),
    "jacobian_tuples": lambda F, T, x, y: F.jacobian(lambda a, b: (a * b, (a + b).sum()), (x, y)),
    "hessian": lambda F, T, x, y: F.hessian(lambda a: (a * a * a).sum(), x),
    "hessian_tuple": lambda F, T, x, y: F.hessian(lambda a, b: (a * a * b).sum(), (x, y)),
    "hvp": lambda F, T, x, y: F.hvp(lambda a: (a.exp() * a).sum(), x, y),
    "vhp": lambda F, T, x, y: F.vhp(lambda a: (a.exp() * a).sum(), x, y),
    "jacobian_create_graph": lambda F, T, x, y: (lambda j: (j, j.requires_grad))(
        F.jacobian(lambda a: a * a * y, x, create_graph=True)),
    "jacobian_unused": lambda F, T, x, y: F.jacobian(lambda a, b: a * 2, (x, y)),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONAL))
def test_functional_like_torch(name):
    program = FUNCTIONAL[name]
    same_result(lambda T, x, y: program(T.autograd.functional, T, x, y), rand(3, dtype=np.float64),
                rand(3, dtype=np.float64))


@pytest.mark.parametrize("case", [
    lambda F, T, x: F.vjp(lambda a: a * 2, x),
    lambda F, T, x: F.vjp(lambda a: a * 2, x, T.ones(2)),
    lambda F, T, x: F.jacobian(lambda a: a * 2, [x]),
    lambda F, T, x: F.jacobian(lambda a, b: a * 2, (x, x.detach()), strict=True),
    lambda F, T, x: F.hessian(lambda a: a * 2, x),
    lambda F, T, x: F.vjp(lambda a: a.detach() * 2, x, T.ones(3), strict=True),
])
def test_functional_errors_like_torch(case):
    same_error(lambda T, x: case(T.autograd.functional, T, x), rand(3))
