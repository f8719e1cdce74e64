"""The backward engine: graph walking (deep, wide, shared), freeing, version checks, anomaly mode.

Programs run on torch and ember alike (helpers from test_function); engine-only properties
(no recursion, linear time) use chains of bare nodes.
"""
import gc
import time
import warnings

import numpy as np
import pytest

import ember
from ember.autograd.graph import Node, gradient_edge
from oracle import rand
from test_function import LIBS, both, same_error, same_result


# --------------------------------------------------------------------------- depth and size
def test_chain_of_100k_ops_backpropagates():
    x = ember.ones(2, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])
    del y
    gc.collect()


def _node_chain(n: int):
    """A leaf and an output ``n`` identity nodes after it: the engine's cost with trivial vjps."""
    x = ember.ones(1, requires_grad=True)
    edge = gradient_edge(x)
    for _ in range(n):
        edge = (Node("IdentityBackward", lambda g: (g,), (edge,)), 0)
    out = ember.Tensor._make(x._data)
    out._rg, out.grad_fn = True, edge[0]
    return x, out


def _seconds(fn) -> float:
    """CPU seconds ``fn`` takes (CPU time: robust to other processes sharing the machine)."""
    start = time.process_time()
    fn()
    return time.process_time() - start


@pytest.mark.parametrize("mode", ["backward", "grad"])
def test_engine_time_is_linear_in_graph_size(mode):
    def run(n):
        x, out = _node_chain(n)
        if mode == "grad":
            return min(_seconds(lambda: ember.autograd.grad(out, x, ember.ones(1), retain_graph=True))
                       for _ in range(2))
        return min(_seconds(lambda: out.backward(ember.ones(1), retain_graph=True)) for _ in range(2))
    small, large = run(10_000), run(50_000)
    assert large < 12 * small, f"5x the nodes took {large / small:.1f}x the time"  # quadratic: 25x
    assert large < 5.0, f"{large:.2f}s for 50k trivial nodes"


def test_many_parents_of_one_input():
    """autograd.grad's pruning is linear in the edges even when one node has many parents."""
    x = ember.ones(1, requires_grad=True)
    edge = gradient_edge(x)
    layer = [Node("IdentityBackward", lambda g: (g,), (edge,)) for _ in range(20_000)]
    top = Node("SumBackward", lambda g: (g,) * len(layer), tuple((n, 0) for n in layer))
    out = ember.Tensor._make(x._data)
    out._rg, out.grad_fn = True, top
    g, = ember.autograd.grad(out, x, ember.ones(1))
    assert g.item() == 20_000


# --------------------------------------------------------------------------- graph shapes
def test_shared_subexpressions_sum_before_the_node_runs():
    def program(T, x, y):
        a = x * y
        calls = []
        a.grad_fn.register_prehook(lambda grads: calls.append(grads[0].clone()))
        b = a.exp()
        c = a * b + x
        d = (c * c + b * a).sum()
        return T.autograd.grad(d, (x, y)), len(calls), calls[0]
    same_result(program, rand(3, dtype=np.float64), rand(3, dtype=np.float64))


def test_same_tensor_used_twice_by_one_op():
    same_result(lambda T, x: T.autograd.grad((x * x * x).sum(), x), rand(4))


def test_grad_runs_only_the_nodes_it_needs():
    def program(T, x, y):
        ran = []
        other = y.exp()
        other.grad_fn.register_prehook(lambda grads: ran.append("other"))
        mine = x.exp()
        mine.grad_fn.register_prehook(lambda grads: ran.append("mine"))
        out = (other * mine).sum()
        return T.autograd.grad(out, x), ran
    same_result(program, rand(3), rand(3))


def test_several_outputs_and_leaf_roots():
    def program(T, x, y):
        a, b = x * y, (x + y).exp()
        grads = T.autograd.grad([a, b, x], [x, y], [T.ones(3), T.full((3,), 2.0), T.full((3,), 3.0)])
        return grads
    same_result(program, rand(3), rand(3))


# --------------------------------------------------------------------------- freeing the graph
def test_second_backward_through_freed_graph_raises():
    def program(T, x):
        y = x.exp()
        y.sum().backward()
        (y * 2).sum().backward()
    same_error(program, rand(3))


def test_nodes_without_saved_tensors_can_run_twice():
    def program(T, x):
        out = (x + 1).sum()
        out.backward()
        out.backward()
        return x.grad
    same_result(program, rand(3))


def test_retain_graph_then_free():
    def program(T, x):
        out = (x.exp() * x).sum()
        first = T.autograd.grad(out, x, retain_graph=True)
        second = T.autograd.grad(out, x)
        return first, second
    same_result(program, rand(3))
    same_error(lambda T, x: [T.autograd.grad(out, x) for out in [(x.exp() * x).sum()] for _ in range(2)],
               rand(3))


def test_saved_tensors_released_after_backward():
    x = ember.ones(3, requires_grad=True)
    y = x.exp()
    node = y.grad_fn
    y.sum().backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        node._saved_tensors


# --------------------------------------------------------------------------- version counters
def _sin_input_added(T, x):
    y = x * 1
    z = y.sin()
    y.add_(1)
    return z


def _sin_input_multiplied(T, x):
    y = x.exp()
    z = y.sin()
    y.mul_(2)
    return z


def _exp_output_changed(T, x):
    y = (x * 1).exp()
    y.add_(1)
    return y


def _leaf_changed_without_grad(T, x):
    y = x.sin()
    with T.no_grad():
        x.add_(1)
    return y


def _view_changed(T, x):
    y = x * 1
    v = y[:2]
    z = v.sin()
    v.mul_(2)
    return z


VERSION_PROGRAMS = {f.__name__: f for f in (_sin_input_added, _sin_input_multiplied, _exp_output_changed,
                                             _leaf_changed_without_grad, _view_changed)}


@pytest.mark.parametrize("name", sorted(VERSION_PROGRAMS))
def test_modified_saved_tensor_raises_torchs_error(name):
    same_error(lambda T, x: VERSION_PROGRAMS[name](T, x).sum().backward(), rand(3))


def test_unsaved_tensor_may_change():
    def program(T, x):
        y = x * 2
        z = y + 1  # add saves nothing
        y.add_(1)
        z.sum().backward()
        return x.grad, y._version
    same_result(program, rand(3))


def test_inplace_on_leaf_requiring_grad_raises():
    same_error(lambda T, x: x.mul_(2), rand(3))


def test_inplace_on_leaf_allowed_under_no_grad():
    def program(T, x):
        with T.no_grad():
            x.mul_(2)
        return x, x._version, x.requires_grad
    same_result(program, rand(3))


# --------------------------------------------------------------------------- anomaly mode
def _anomaly_flags(T) -> tuple:
    """(enabled, check_nan): torch has these at top level, ember in ``ember.autograd``."""
    space = T if T is not ember else ember.autograd
    return space.is_anomaly_enabled(), space.is_anomaly_check_nan_enabled()


def test_anomaly_names_the_op_that_made_nan():
    def program(T, x):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with T.autograd.detect_anomaly():
                (x / x).sum().backward()
    same_error(program, np.zeros(2, np.float32))


def test_anomaly_reports_the_forward_stack():
    x = ember.zeros(2, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with ember.autograd.detect_anomaly():
            y = x.sqrt() * 0  # the line the report must show
            with pytest.raises(RuntimeError, match="Function 'SqrtBackward0' returned nan values in its 0th"):
                y.sum().backward()
    messages = [str(w.message) for w in caught]
    assert any(m.startswith("Anomaly Detection has been enabled") for m in messages)
    report = next(m for m in messages if m.startswith("Error detected in SqrtBackward0"))
    assert "y = x.sqrt() * 0  # the line the report must show" in report


def test_anomaly_without_nan_check_and_mode_flags():
    def program(T, x):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with T.autograd.detect_anomaly(check_nan=False):
                inside = _anomaly_flags(T)
                (x / x).sum().backward()
            with T.autograd.set_detect_anomaly(True):
                switched = _anomaly_flags(T)
        return inside, switched, _anomaly_flags(T), x.grad
    same_result(program, np.zeros(2, np.float32))


def test_anomaly_changes_the_version_error_hint():
    def program(T, x):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with T.autograd.detect_anomaly():
                y = x.exp()
                z = y.sin()
                y.add_(1)
                z.sum().backward()
    same_error(program, rand(3))


def test_anomaly_is_off_by_default_and_free():
    assert not any(_anomaly_flags(T)[0] for T in LIBS)
    assert (ember.ones(2, requires_grad=True) * 2).grad_fn._trace is None


# --------------------------------------------------------------------------- .grad takes unshared gradients
def _address(t) -> int:
    return t.data_ptr()


def test_unshared_gradient_becomes_grad_without_a_copy():
    """As torch steals it: the matmul's fresh weight gradient is the very memory ``.grad`` holds."""
    def program(T, x, w):
        seen = []
        w.register_hook(lambda g: seen.append(_address(g)))
        (x @ w).sum().backward()
        return seen[0] == _address(w.grad)
    assert same_result(program, rand(5, 4, dtype=np.float64), rand(4, 3, dtype=np.float64)) is True


def test_shared_or_kept_gradients_are_copied():
    """A gradient two leaves receive, one a hook keeps, one the caller passed: ``.grad`` owns its copy."""
    def program(T, a, b):
        kept = []
        a.register_hook(lambda g: kept.append(g))
        (a + b).sum().backward()
        a.grad.mul_(10)
        b.grad.add_(1)
        given = T.ones(3)
        c = a.detach().requires_grad_()
        c.backward(given)
        c.grad.add_(5)
        return a.grad, b.grad, kept[0], given, c.grad
    same_result(program, rand(3), rand(3))


def test_gradient_of_a_transposed_leaf_keeps_its_layout():
    def program(T, x, w):
        leaf = w.detach().t().requires_grad_()
        (x @ leaf).sum().backward()
        return leaf.grad, leaf.grad.stride()
    same_result(program, rand(5, 4), rand(3, 4))
