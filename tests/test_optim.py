"""ember.optim against torch.optim: same trajectories, same state dicts, same errors."""
from __future__ import annotations

import copy
import itertools
import warnings

import numpy as np
import pytest
import torch

import ember

STEPS = 20
_RNG = np.random.default_rng(1234)
# Parameters of several shapes (matrix, Fortran-ordered matrix, vector, 0-d) and fixed curvatures.
INIT = [_RNG.uniform(-1.5, 1.5, (3, 4)), np.asfortranarray(_RNG.uniform(-1.5, 1.5, (2, 3))),
        _RNG.uniform(-1.5, 1.5, (5,)), np.array(0.7)]
CURVATURE = [_RNG.uniform(0.5, 2.0, a.shape) for a in INIT]


def loss_grad(i: int, x: np.ndarray) -> np.ndarray:
    """Gradient of a fixed non-quadratic loss: sum(w x^2 / 2 + sin 3x + x^4 / 10) + (sum x)^2 / 20."""
    return CURVATURE[i] * x + 3 * np.cos(3 * x) + 0.4 * x ** 3 + 0.1 * x.sum()


def make_params(lib, dtype=np.float64, arrays=INIT):
    return [lib.tensor(a.astype(dtype), requires_grad=True) for a in arrays]


def set_grads(lib, params, sign: float = 1.0) -> None:
    """Gradients of the loss (``sign=-1``: of minus the loss, which ``maximize`` climbs)."""
    for i, p in enumerate(params):
        x = p.detach().numpy()
        p.grad = lib.tensor(np.asarray(sign * loss_grad(i, x), dtype=x.dtype))


def groups(params, split: bool):
    """One group, or two groups where the second overrides lr (the 0-d param in the first)."""
    if not split:
        return params
    return [{"params": [params[0], params[3]]}, {"params": params[1:3], "lr": 0.02}]


def trajectory(lib, name: str, kwargs: dict, split: bool = False, dtype=np.float64, steps: int = STEPS):
    """Every parameter's values after each of ``steps`` steps, and the optimizer."""
    params = make_params(lib, dtype)
    opt = getattr(lib.optim, name)(groups(params, split), **kwargs)
    history = []
    for _ in range(steps):
        set_grads(lib, params, -1.0 if kwargs.get("maximize") else 1.0)
        opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history, opt, params


def assert_same_history(ours, theirs, atol=1e-9, rtol=1e-7) -> None:
    for step, (e_step, t_step) in enumerate(zip(ours, theirs)):
        for k, (e, t) in enumerate(zip(e_step, t_step)):
            assert np.all(np.isfinite(t))
            np.testing.assert_allclose(e, t, atol=atol, rtol=rtol, err_msg=f"step {step + 1}, param {k}")


def assert_same_state_dict(ours: dict, theirs: dict, atol=1e-9, rtol=1e-7) -> None:
    """Same structure (keys, param ids, options) and the same state tensors (dtype, shape, values)."""
    assert ours["param_groups"] == theirs["param_groups"]
    assert list(ours["state"]) == list(theirs["state"])
    for pid, t_state in theirs["state"].items():
        e_state = ours["state"][pid]
        assert list(e_state) == list(t_state), f"param {pid}"
        for key, t_val in t_state.items():
            e_val = e_state[key]
            assert isinstance(e_val, ember.Tensor), f"state[{pid}][{key!r}] is {type(e_val)}"
            assert str(e_val.dtype).split(".")[-1] == str(t_val.dtype).split(".")[-1], key
            assert tuple(e_val.shape) == tuple(t_val.shape), key
            np.testing.assert_allclose(e_val.numpy(), t_val.numpy(), atol=atol, rtol=rtol, err_msg=key)


def grid(**options) -> list[dict]:
    keys = list(options)
    return [dict(zip(keys, values)) for values in itertools.product(*options.values())]


CONFIGS = (
    [("SGD", dict(lr=0.01, **c)) for c in grid(momentum=[0, 0.9], dampening=[0, 0.3], nesterov=[False, True],
                                               weight_decay=[0, 0.1], maximize=[False, True])
     if not (c["nesterov"] and (c["momentum"] == 0 or c["dampening"] != 0))]
    + [("Adam", dict(lr=0.05, **c)) for c in grid(amsgrad=[False, True], weight_decay=[0, 0.1],
                                                  maximize=[False, True], betas=[(0.9, 0.999), (0.5, 0.9)])]
    + [("Adam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True))]
    + [("AdamW", dict(lr=0.05, **c)) for c in grid(amsgrad=[False, True], weight_decay=[0, 0.01, 0.3],
                                                   maximize=[False, True])]
    + [("RMSprop", dict(lr=0.01, **c)) for c in grid(centered=[False, True], momentum=[0, 0.5],
                                                     weight_decay=[0, 0.1], maximize=[False, True],
                                                     alpha=[0.99, 0.8])]
    + [("Adagrad", dict(lr=0.1, **c)) for c in grid(lr_decay=[0, 0.05], weight_decay=[0, 0.1],
                                                    initial_accumulator_value=[0, 0.1], maximize=[False, True])]
    + [("Adadelta", dict(**c)) for c in grid(lr=[1.0, 0.3], rho=[0.9, 0.5], weight_decay=[0, 0.1],
                                             maximize=[False, True])]
)


def _id(config) -> str:
    name, kwargs = config
    return name + "-" + ",".join(f"{k}={v}" for k, v in kwargs.items())


@pytest.mark.parametrize("config", CONFIGS, ids=_id)
def test_trajectory_matches_torch(config):
    name, kwargs = config
    ours, e_opt, _ = trajectory(ember, name, kwargs)
    theirs, t_opt, _ = trajectory(torch, name, kwargs)
    assert_same_history(ours, theirs)
    assert_same_state_dict(e_opt.state_dict(), t_opt.state_dict())


DEFAULTS = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta"]


@pytest.mark.parametrize("name", DEFAULTS)
def test_param_groups_and_missing_grads(name):
    """Per-group options apply per group; a parameter without a gradient is left alone (no state)."""
    def run(lib):
        params = make_params(lib)
        opt = getattr(lib.optim, name)(groups(params, split=True), lr=0.05)
        history = []
        for step in range(STEPS):
            set_grads(lib, params)
            if step % 3 == 0:
                params[1].grad = None
            if step < 5:
                params[2].grad = None
            opt.step()
            history.append([p.detach().numpy().copy() for p in params])
        return history, opt

    ours, e_opt = run(ember)
    theirs, t_opt = run(torch)
    assert_same_history(ours, theirs)
    assert_same_state_dict(e_opt.state_dict(), t_opt.state_dict())


@pytest.mark.parametrize("name", DEFAULTS)
def test_float32_trajectory(name):
    ours, e_opt, e_params = trajectory(ember, name, {"lr": 0.05}, dtype=np.float32)
    theirs, t_opt, _ = trajectory(torch, name, {"lr": 0.05}, dtype=np.float32)
    assert_same_history(ours, theirs, atol=1e-5, rtol=1e-4)
    assert all(p.dtype == ember.float32 for p in e_params)
    assert_same_state_dict(e_opt.state_dict(), t_opt.state_dict(), atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("name", DEFAULTS)
def test_fresh_state_dict_and_repr(name):
    """Before any step: the same (possibly empty) state, options and printed form as torch."""
    e_opt = getattr(ember.optim, name)(groups(make_params(ember), split=True), lr=0.05)
    t_opt = getattr(torch.optim, name)(groups(make_params(torch), split=True), lr=0.05)
    assert_same_state_dict(e_opt.state_dict(), t_opt.state_dict())
    assert repr(e_opt) == repr(t_opt)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad"])
def test_tensor_lr(name):
    """A 1-element tensor lr works like the number."""
    def run(lib):
        params = make_params(lib)
        opt = getattr(lib.optim, name)(params, lr=lib.tensor(0.05, dtype=lib.float64))
        for _ in range(5):
            set_grads(lib, params)
            opt.step()
        return [[p.detach().numpy() for p in params]]
    assert_same_history(run(ember), run(torch))


@pytest.mark.parametrize("name,kwargs", [("SGD", {"lr": 0.01, "momentum": 0.9}), ("Adam", {"amsgrad": True}),
                                         ("AdamW", {}), ("RMSprop", {"momentum": 0.5, "centered": True}),
                                         ("Adagrad", {"lr_decay": 0.1}), ("Adadelta", {})])
def test_state_dict_round_trip(name, kwargs):
    """Saving mid-run and loading into a fresh optimizer (on copies of the params) continues identically."""
    history, opt, params = trajectory(ember, name, kwargs, split=True, steps=10)
    saved = copy.deepcopy(opt.state_dict())
    _, t_opt, _ = trajectory(torch, name, kwargs, split=True, steps=10)
    assert_same_state_dict(saved, t_opt.state_dict())  # what is saved is what torch saves
    clones = [ember.tensor(np.copy(p.detach().numpy()), requires_grad=True) for p in params]
    fresh = getattr(ember.optim, name)(groups(clones, split=True), **kwargs)
    fresh.load_state_dict(saved)
    assert_same_state_dict(fresh.state_dict(), opt.state_dict(), atol=0, rtol=0)
    for _ in range(10):
        for ps, o in ((params, opt), (clones, fresh)):
            set_grads(ember, ps)
            o.step()
        for a, b in zip(params, clones):
            np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_load_state_dict_casts_and_shares_like_torch():
    """Floating state takes the parameter's dtype, ``step`` is kept, and uncast tensors are shared."""
    for lib in (torch, ember):
        p32 = lib.zeros(3, dtype=lib.float32, requires_grad=True)
        opt = lib.optim.Adam([p32])
        p32.grad = lib.ones(3, dtype=lib.float32)
        opt.step()
        saved = opt.state_dict()
        p64 = lib.zeros(3, dtype=lib.float64, requires_grad=True)
        other = lib.optim.Adam([p64])
        other.load_state_dict(saved)
        state = other.state[p64]
        assert state["exp_avg"].dtype == lib.float64
        assert state["step"].dtype == lib.float32 and state["step"] is saved["state"][0]["step"]
        same = lib.optim.Adam([p32])
        same.load_state_dict(saved)
        assert same.state[p32]["exp_avg"] is saved["state"][0]["exp_avg"]
        assert opt.state_dict()["state"][0] is opt.state[p32]  # the live per-parameter dict


def test_load_state_dict_errors():
    for lib in (torch, ember):
        a, b = make_params(lib)[:2]
        opt = lib.optim.SGD([a, b], lr=0.1)
        with pytest.raises(ValueError, match="different number of parameter groups"):
            opt.load_state_dict(lib.optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).state_dict())
        with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
            opt.load_state_dict(lib.optim.SGD([a], lr=0.1).state_dict())


def _same_error(build) -> None:
    """``build(lib)`` raises the same exception type with the same message in both libraries."""
    with pytest.raises(Exception) as expected:
        build(torch)
    with pytest.raises(type(expected.value)) as got:
        build(ember)
    assert str(got.value) == str(expected.value)


def _param(lib):
    return lib.zeros(2, requires_grad=True)


@pytest.mark.parametrize("build", [
    lambda lib: lib.optim.SGD([], lr=0.1),
    lambda lib: lib.optim.SGD([_param(lib), 1], lr=0.1),
    lambda lib: lib.optim.SGD([_param(lib), "w"], lr=0.1),
    lambda lib: lib.optim.SGD([{"params": {_param(lib)}}], lr=0.1),
    lambda lib: lib.optim.SGD([_param(lib) * 2], lr=0.1),
    lambda lib: lib.optim.SGD([_param(lib)], lr=-0.1),
    lambda lib: lib.optim.SGD([_param(lib)], lr=0.1, momentum=-1),
    lambda lib: lib.optim.SGD([_param(lib)], lr=0.1, weight_decay=-1),
    lambda lib: lib.optim.SGD([_param(lib)], lr=0.1, nesterov=True),
    lambda lib: lib.optim.SGD([_param(lib)], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
    lambda lib: lib.optim.Adam([_param(lib)], lr=-1e-3),
    lambda lib: lib.optim.Adam([_param(lib)], eps=-1.0),
    lambda lib: lib.optim.Adam([_param(lib)], betas=(1.0, 0.999)),
    lambda lib: lib.optim.Adam([_param(lib)], betas=(0.9, -0.1)),
    lambda lib: lib.optim.Adam([_param(lib)], betas=(0.9, 1)),
    lambda lib: lib.optim.AdamW([_param(lib)], weight_decay=-0.1),
    lambda lib: lib.optim.RMSprop([_param(lib)], alpha=-0.5),
    lambda lib: lib.optim.RMSprop([_param(lib)], momentum=-0.5),
    lambda lib: lib.optim.Adagrad([_param(lib)], lr_decay=-0.5),
    lambda lib: lib.optim.Adagrad([_param(lib)], initial_accumulator_value=-0.5),
    lambda lib: lib.optim.Adadelta([_param(lib)], rho=1.5),
    lambda lib: lib.optim.Adadelta([_param(lib)], eps=-1e-6),
    lambda lib: lib.optim.SGD([("a", _param(lib)), _param(lib)], lr=0.1),
    lambda lib: lib.optim.SGD([_param(lib)], lr=0.1).add_param_group([_param(lib)]),
], ids=lambda f: "")
def test_constructor_errors_match_torch(build):
    _same_error(build)


def test_parameter_in_two_groups_and_duplicates():
    for lib in (torch, ember):
        p, q = _param(lib), _param(lib)
        opt = lib.optim.SGD([p], lr=0.1)
        with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
            opt.add_param_group({"params": [q, p]})
        with pytest.warns(UserWarning, match="duplicate parameters"):
            lib.optim.SGD([q, q], lr=0.1)


def test_add_param_group_fills_defaults_and_names():
    for lib in (torch, ember):
        p, q = _param(lib), _param(lib)
        opt = lib.optim.Adam([p], lr=0.01, weight_decay=0.1)
        opt.add_param_group({"params": q, "lr": 0.5})
        assert len(opt.param_groups[1]["params"]) == 1 and opt.param_groups[1]["params"][0] is q
        assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[1]["weight_decay"] == 0.1
        named = lib.optim.SGD([("w", p), ("b", q)], lr=0.1)
        assert named.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]
        with pytest.raises(ValueError, match="cannot add param group without names"):
            named.add_param_group({"params": [_param(lib)]})


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    p = ember.tensor([1.0, 2.0], requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    grad = p.grad
    opt.zero_grad(set_to_none=set_to_none)
    if set_to_none:
        assert p.grad is None
    else:
        assert p.grad is grad and not grad.requires_grad
        np.testing.assert_array_equal(grad.numpy(), [0.0, 0.0])


def test_zero_grad_default_is_set_to_none():
    p = _param(ember)
    opt = ember.optim.SGD([p], lr=0.1)
    p.grad = ember.ones(2)
    opt.zero_grad()
    assert p.grad is None


@pytest.mark.parametrize("name", DEFAULTS)
def test_closure_with_autograd(name):
    """``step(closure)`` runs the closure (with grad on, even under no_grad) and returns its loss."""
    w = CURVATURE[0]

    def run(lib):
        x = lib.tensor(INIT[0].copy(), requires_grad=True)
        weight = lib.tensor(w)
        opt = getattr(lib.optim, name)([x], lr=0.05)
        losses = []

        def closure():
            opt.zero_grad()
            loss = (x * x * weight).sum()
            loss.backward()
            return loss

        for _ in range(10):
            with lib.no_grad():
                losses.append(float(opt.step(closure)))
        return losses, x.detach().numpy()

    e_losses, e_x = run(ember)
    t_losses, t_x = run(torch)
    np.testing.assert_allclose(e_losses, t_losses, rtol=1e-9)
    np.testing.assert_allclose(e_x, t_x, rtol=1e-9, atol=1e-12)


def test_step_bumps_version_and_keeps_array():
    p = _param(ember)
    data = p._data
    opt = ember.optim.Adam([p])
    p.grad = ember.ones(2)
    version = p._version
    opt.step()
    assert p._version == version + 1 and p._data is data
    assert opt.step() is None


def test_step_hooks():
    calls = []
    p = _param(ember)
    opt = ember.optim.SGD([p], lr=0.1)
    pre = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append(("pre", o is opt, args, kwargs)))
    post = opt.register_step_post_hook(lambda o, args, kwargs: calls.append(("post", o is opt)))
    glob = ember.optim.register_optimizer_step_pre_hook(lambda o, args, kwargs: calls.append(("global",)))
    opt.step()
    assert calls == [("global",), ("pre", True, (), {}), ("post", True)]
    for handle in (pre, post, glob):
        handle.remove()
    opt.step()
    assert len(calls) == 3

    # a pre hook may replace the arguments: here it supplies a closure
    opt.register_step_pre_hook(lambda o, args, kwargs: ((), {"closure": lambda: 42.0}))
    assert opt.step() == 42.0


def test_subclass_step_is_hooked():
    class Halve(ember.optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {})

        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    p._data *= 0.5

    p = ember.ones(2, requires_grad=True)
    opt = Halve([p])
    seen = []
    opt.register_step_post_hook(lambda o, a, k: seen.append(True))
    opt.step()
    assert seen == [True]
    np.testing.assert_array_equal(p.detach().numpy(), [0.5, 0.5])


def test_state_dict_hooks():
    p = _param(ember)
    opt = ember.optim.SGD([p], lr=0.1, momentum=0.9)
    order = []
    opt.register_state_dict_pre_hook(lambda o: order.append("pre"))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    opt.register_load_state_dict_pre_hook(lambda o, sd: {k: v for k, v in sd.items() if k != "extra"})
    opt.register_load_state_dict_post_hook(lambda o: order.append("loaded"))
    saved = opt.state_dict()
    assert saved["extra"] == 1 and order == ["pre"]
    opt.load_state_dict(saved)
    assert order == ["pre", "loaded"]


def test_unsupported_flags_are_refused():
    with pytest.raises(NotImplementedError, match="differentiable"):
        ember.optim.SGD([_param(ember)], lr=0.1, differentiable=True)
    with pytest.raises(NotImplementedError, match="capturable"):
        ember.optim.Adam([_param(ember)], capturable=True)


def test_default_dtype_float64_makes_float64_steps():
    for lib in (torch, ember):
        old = lib.get_default_dtype()
        lib.set_default_dtype(lib.float64)
        try:
            p = lib.zeros(2, requires_grad=True)
            opt = lib.optim.Adam([p])
            p.grad = lib.ones(2)
            opt.step()
            assert opt.state[p]["step"].dtype == lib.float64
        finally:
            lib.set_default_dtype(old)


def test_old_checkpoint_with_number_step_loads():
    p = _param(ember)
    opt = ember.optim.Adam([p])
    p.grad = ember.ones(2)
    opt.step()
    saved = opt.state_dict()
    saved["state"][0]["step"] = 1
    other = ember.optim.Adam([p])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        other.load_state_dict(saved)
    assert isinstance(other.state[p]["step"], ember.Tensor) and float(other.state[p]["step"]) == 1.0


LBFGS_CONFIGS = grid(line_search_fn=[None, "strong_wolfe"], lr=[1.0, 0.5], history_size=[3, 100],
                     max_iter=[4, 20])


@pytest.mark.parametrize("kwargs", LBFGS_CONFIGS, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_lbfgs_matches_torch(kwargs):
    """LBFGS with a closure: same losses, parameters and evaluation counts after each step."""
    def run(lib):
        params = make_params(lib)
        opt = lib.optim.LBFGS(params, **kwargs)
        calls = []

        def closure():
            calls.append(1)
            loss = 0.0
            for i, p in enumerate(params):
                x = p.detach().numpy()
                loss += float(np.sum(CURVATURE[i] * x * x / 2 + np.sin(3 * x) + x ** 4 / 10) + x.sum() ** 2 / 20)
            set_grads(lib, params)
            return lib.tensor(loss)

        history = []
        for _ in range(4):
            loss = opt.step(closure)
            history.append([np.array(float(loss)), np.array(len(calls))] + [p.detach().numpy().copy() for p in params])
        return history, opt

    ours, e_opt = run(ember)
    theirs, t_opt = run(torch)
    assert_same_history(ours, theirs, atol=1e-8, rtol=1e-6)
    e_state, t_state = e_opt.state_dict()["state"][0], t_opt.state_dict()["state"][0]
    assert list(e_state) == list(t_state)
    for key in ("func_evals", "n_iter"):
        assert e_state[key] == t_state[key]
    for key in ("d", "prev_flat_grad"):
        np.testing.assert_allclose(e_state[key].numpy(), t_state[key].numpy(), atol=1e-8, rtol=1e-6)
    assert len(e_state["old_dirs"]) == len(t_state["old_dirs"])
    assert e_opt.state_dict()["param_groups"] == t_opt.state_dict()["param_groups"]


def test_lbfgs_errors_match_torch():
    _same_error(lambda lib: lib.optim.LBFGS([{"params": [_param(lib)]}, {"params": [_param(lib)]}]))
    _same_error(lambda lib: lib.optim.LBFGS([_param(lib)], lr=-1.0))


@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_nn_parameters(name):
    """Module parameters (``nn.Parameter``) are optimized like plain leaf tensors."""
    if not hasattr(ember.nn, "Parameter"):
        pytest.skip("ember.nn.Parameter is not available yet")

    def run(lib):
        params = [lib.nn.Parameter(lib.tensor(a.copy())) for a in INIT]
        opt = getattr(lib.optim, name)(params, lr=0.05)
        for _ in range(5):
            set_grads(lib, params)
            opt.step()
        return [[p.detach().numpy() for p in params]], opt

    (ours, e_opt), (theirs, t_opt) = run(ember), run(torch)
    assert_same_history(ours, theirs)
    assert_same_state_dict(e_opt.state_dict(), t_opt.state_dict())
