"""ember.optim.lr_scheduler against torch's: the same learning-rate (and momentum) sequences."""
from __future__ import annotations

import copy
import math
import warnings

import numpy as np
import pytest
import torch

import ember

STEPS = 30
LRS = (0.1, 0.01)  # two param groups, so per-group handling is exercised


def make_optimizer(lib, name: str = "SGD"):
    params = [lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)]
    groups = [{"params": [params[0]], "lr": LRS[0]}, {"params": [params[1]], "lr": LRS[1]}]
    if name == "SGD":
        return lib.optim.SGD(groups, lr=LRS[0], momentum=0.9)
    return getattr(lib.optim, name)(groups, lr=LRS[0])


def half_every_third(epoch: int) -> float:
    return 0.5 ** (epoch // 3)


def decay(epoch: int) -> float:
    return 0.95


def shrink_after_five(epoch: int) -> float:
    return 0.9 if epoch > 5 else 1.0


class Warmup:
    """A callable object: its ``__dict__`` is what LambdaLR saves."""

    def __init__(self, steps: int) -> None:
        self.steps = steps

    def __call__(self, epoch: int) -> float:
        return min(1.0, (epoch + 1) / self.steps)


def sequential(lib, opt):
    s = lib.optim.lr_scheduler
    return s.SequentialLR(opt, [s.LinearLR(opt, start_factor=0.1, total_iters=5),
                                s.ExponentialLR(opt, gamma=0.9),
                                s.CosineAnnealingLR(opt, T_max=6, eta_min=1e-3)], milestones=[5, 12])


def chained(lib, opt):
    s = lib.optim.lr_scheduler
    return s.ChainedScheduler([s.ConstantLR(opt, factor=0.5, total_iters=4), s.ExponentialLR(opt, gamma=0.9),
                               s.CosineAnnealingLR(opt, T_max=7)])


SCHEDULERS = {
    "StepLR": lambda lib, opt: lib.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5),
    "MultiStepLR": lambda lib, opt: lib.optim.lr_scheduler.MultiStepLR(opt, milestones=[3, 8, 8, 20], gamma=0.3),
    "ExponentialLR": lambda lib, opt: lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9),
    "CosineAnnealingLR": lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=1e-3),
    "LambdaLR": lambda lib, opt: lib.optim.lr_scheduler.LambdaLR(opt, half_every_third),
    "LambdaLR-list": lambda lib, opt: lib.optim.lr_scheduler.LambdaLR(opt, [half_every_third, Warmup(6)]),
    "MultiplicativeLR": lambda lib, opt: lib.optim.lr_scheduler.MultiplicativeLR(opt, decay),
    "MultiplicativeLR-list": lambda lib, opt: lib.optim.lr_scheduler.MultiplicativeLR(
        opt, [decay, shrink_after_five]),
    "LinearLR": lambda lib, opt: lib.optim.lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=8),
    "LinearLR-down": lambda lib, opt: lib.optim.lr_scheduler.LinearLR(opt, start_factor=1.0, end_factor=0.1,
                                                                     total_iters=12),
    "ConstantLR": lambda lib, opt: lib.optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=6),
    "PolynomialLR": lambda lib, opt: lib.optim.lr_scheduler.PolynomialLR(opt, total_iters=20, power=2.0),
    "OneCycleLR-cos": lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=[1.0, 0.1],
                                                                         total_steps=STEPS + 1),
    "OneCycleLR-linear": lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=0.5, epochs=4, steps_per_epoch=8, anneal_strategy="linear", pct_start=0.25),
    "OneCycleLR-three-phase": lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=0.5, total_steps=STEPS, three_phase=True, base_momentum=0.8, max_momentum=0.9),
    "OneCycleLR-no-momentum": lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=0.5, total_steps=STEPS, cycle_momentum=False, div_factor=10.0, final_div_factor=100.0),
    "CyclicLR-triangular": lambda lib, opt: lib.optim.lr_scheduler.CyclicLR(opt, base_lr=0.01, max_lr=0.1,
                                                                            step_size_up=4),
    "CyclicLR-triangular2": lambda lib, opt: lib.optim.lr_scheduler.CyclicLR(
        opt, base_lr=[0.01, 0.001], max_lr=[0.1, 0.05], step_size_up=3, step_size_down=5, mode="triangular2"),
    "CyclicLR-exp_range": lambda lib, opt: lib.optim.lr_scheduler.CyclicLR(
        opt, base_lr=0.01, max_lr=0.1, step_size_up=5, mode="exp_range", gamma=0.95),
    "CosineAnnealingWarmRestarts": lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        opt, T_0=4, T_mult=2, eta_min=1e-4),
    "CosineAnnealingWarmRestarts-T_mult1": lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        opt, T_0=7),
    "SequentialLR": sequential,
    "ChainedScheduler": chained,
}

MOMENTUM_OPTIMIZERS = ("SGD", "Adam", "RMSprop")


def snapshot(opt, scheduler) -> list:
    """What a step sets: each group's lr, the reported last lrs, and the momentum / beta1."""
    momenta = [g["betas"][0] if "betas" in g else g.get("momentum") for g in opt.param_groups]
    return [g["lr"] for g in opt.param_groups] + list(scheduler.get_last_lr()) + momenta


def lr_sequence(lib, name: str, opt_name: str = "SGD", steps: int = STEPS) -> list:
    opt = make_optimizer(lib, opt_name)
    scheduler = SCHEDULERS[name](lib, opt)
    seq = [snapshot(opt, scheduler)]
    for _ in range(steps):
        opt.step()
        scheduler.step()
        seq.append(snapshot(opt, scheduler))
    return seq


def assert_same_sequence(ours: list, theirs: list) -> None:
    assert len(ours) == len(theirs)
    for step, (e, t) in enumerate(zip(ours, theirs)):
        assert e == pytest.approx(t, rel=1e-12, abs=1e-15), f"step {step}"


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_sequence_matches_torch(name):
    steps = STEPS - 1 if name.startswith("OneCycleLR") and "cos" not in name else STEPS
    assert_same_sequence(lr_sequence(ember, name, steps=steps), lr_sequence(torch, name, steps=steps))


@pytest.mark.parametrize("opt_name", MOMENTUM_OPTIMIZERS)
@pytest.mark.parametrize("name", ["OneCycleLR-cos", "OneCycleLR-three-phase", "CyclicLR-triangular2"])
def test_cycled_momentum_matches_torch(name, opt_name):
    """OneCycleLR / CyclicLR cycle ``momentum`` (SGD, RMSprop) or ``betas[0]`` (Adam)."""
    steps = STEPS - 1 if name == "OneCycleLR-three-phase" else STEPS
    assert_same_sequence(lr_sequence(ember, name, opt_name, steps), lr_sequence(torch, name, opt_name, steps))


def test_cycle_momentum_needs_a_momentum():
    for lib in (torch, ember):
        with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
            lib.optim.lr_scheduler.OneCycleLR(make_optimizer(lib, "Adagrad"), max_lr=0.1, total_steps=10)


def test_one_cycle_past_total_steps():
    for lib in (torch, ember):
        opt = make_optimizer(lib)
        scheduler = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=3)
        for _ in range(3):
            opt.step()
            scheduler.step()
        with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total steps is 3"):
            scheduler.step()


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
                                  "ConstantLR", "PolynomialLR", "CosineAnnealingWarmRestarts"])
def test_step_with_epoch_uses_closed_form(name):
    """The deprecated ``step(epoch)`` jumps (closed form where torch has one) and warns as torch does."""
    def run(lib):
        opt = make_optimizer(lib)
        scheduler = SCHEDULERS[name](lib, opt)
        seq = []
        for epoch in [1, 2, 5, 3, 11, 7, 20, 4]:
            opt.step()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                scheduler.step(epoch)
            seq.append(snapshot(opt, scheduler) + [str(w.message) for w in caught])
        return seq
    assert_same_sequence(run(ember), run(torch))


def test_warm_restarts_fractional_epochs():
    def run(lib):
        opt = make_optimizer(lib)
        scheduler = SCHEDULERS["CosineAnnealingWarmRestarts"](lib, opt)
        seq = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for epoch in range(10):
                for batch in range(3):
                    opt.step()
                    scheduler.step(epoch + batch / 3)
                    seq.append(snapshot(opt, scheduler))
        return seq
    assert_same_sequence(run(ember), run(torch))


PLATEAU = [
    dict(),
    dict(mode="max", patience=2, factor=0.5),
    dict(patience=1, threshold=0.05, threshold_mode="abs", cooldown=2, min_lr=[0.02, 1e-3]),
    dict(mode="max", patience=0, threshold=0.1, threshold_mode="rel", min_lr=0.004),
    dict(patience=0, factor=0.5, min_lr=0.0, eps=0.02),
]


@pytest.mark.parametrize("kwargs", PLATEAU, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()) or "default")
def test_reduce_on_plateau_matches_torch(kwargs):
    metrics = [1.0, 0.9, 0.91, 0.9, 0.95, 0.85, 0.86, 0.87, 0.86, 0.85, 0.7, 0.71, 0.72, 0.72, 0.73, 0.6,
               0.6, 0.61, 0.62, 0.9, 0.95, 1.0, 1.1, 1.2, 1.1, 1.0, 1.3, 1.2, 1.2, 1.2]

    def run(lib):
        opt = make_optimizer(lib)
        scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
        seq = [snapshot(opt, scheduler)]
        for m in metrics:
            opt.step()
            scheduler.step(lib.tensor(m) if m > 1.15 else m)  # a 1-element tensor metric works too
            seq.append(snapshot(opt, scheduler) + [scheduler.num_bad_epochs, scheduler.cooldown_counter])
        return seq
    assert_same_sequence(run(ember), run(torch))


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_state_dict_round_trip(name):
    """A scheduler (and its optimizer) restored mid-run continues the same sequence; keys match torch's."""
    opt = make_optimizer(ember)
    scheduler = SCHEDULERS[name](ember, opt)
    for _ in range(10):
        opt.step()
        scheduler.step()
    saved_sched = copy.deepcopy(scheduler.state_dict())
    saved_opt = copy.deepcopy(opt.state_dict())

    t_opt = make_optimizer(torch)
    t_scheduler = SCHEDULERS[name](torch, t_opt)
    assert set(saved_sched) == set(t_scheduler.state_dict())

    fresh_opt = make_optimizer(ember)
    fresh = SCHEDULERS[name](ember, fresh_opt)
    fresh.load_state_dict(saved_sched)
    fresh_opt.load_state_dict(saved_opt)
    for _ in range(STEPS - 12):
        for o, s in ((opt, scheduler), (fresh_opt, fresh)):
            o.step()
            s.step()
        assert snapshot(fresh_opt, fresh) == snapshot(opt, scheduler)


def test_plateau_state_dict_round_trip():
    opt = make_optimizer(ember)
    scheduler = ember.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="max", patience=1)
    for m in [1.0, 0.9, 0.8, 0.7]:
        scheduler.step(m)
    fresh = ember.optim.lr_scheduler.ReduceLROnPlateau(make_optimizer(ember))
    fresh.load_state_dict(copy.deepcopy(scheduler.state_dict()))
    assert fresh.mode == "max" and fresh.mode_worse == -math.inf and fresh.best == 1.0
    t_scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(make_optimizer(torch))
    assert set(scheduler.state_dict()) == set(t_scheduler.state_dict())


def test_lambda_state_dict_saves_callable_objects_only():
    for lib in (torch, ember):
        opt = make_optimizer(lib)
        warmup = Warmup(6)
        scheduler = lib.optim.lr_scheduler.LambdaLR(opt, [half_every_third, warmup])
        assert scheduler.state_dict()["lr_lambdas"] == [None, {"steps": 6}]
        saved = scheduler.state_dict()
        saved["lr_lambdas"][1] = {"steps": 3}
        scheduler.load_state_dict(saved)
        assert warmup.steps == 3 and "lr_lambdas" in saved


def test_warnings_match_torch():
    for lib in (torch, ember):
        opt = make_optimizer(lib)
        scheduler = lib.optim.lr_scheduler.StepLR(opt, step_size=2)
        with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before `optimizer.step"):
            scheduler.step()
        with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
            scheduler.get_lr()
        opt = make_optimizer(lib)
        scheduler = lib.optim.lr_scheduler.StepLR(opt, step_size=2)
        opt.step()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            scheduler.step()


def test_initial_lr_and_resume():
    for lib in (torch, ember):
        opt = make_optimizer(lib)
        with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups\\[0\\]"):
            lib.optim.lr_scheduler.StepLR(opt, step_size=2, last_epoch=3)
        lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
        assert [g["initial_lr"] for g in opt.param_groups] == list(LRS)


@pytest.mark.parametrize("build", [
    lambda lib, opt: lib.optim.lr_scheduler.StepLR(object(), step_size=2),
    lambda lib, opt: lib.optim.lr_scheduler.ConstantLR(opt, factor=2.0),
    lambda lib, opt: lib.optim.lr_scheduler.LinearLR(opt, start_factor=0.0),
    lambda lib, opt: lib.optim.lr_scheduler.LinearLR(opt, end_factor=1.5),
    lambda lib, opt: lib.optim.lr_scheduler.LambdaLR(opt, [half_every_third]),
    lambda lib, opt: lib.optim.lr_scheduler.MultiplicativeLR(opt, [decay, 3]),
    lambda lib, opt: lib.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=1.0),
    lambda lib, opt: lib.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="avg"),
    lambda lib, opt: lib.optim.lr_scheduler.ReduceLROnPlateau(opt, threshold_mode="x"),
    lambda lib, opt: lib.optim.lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0.1]),
    lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=0),
    lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=0),
    lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1),
    lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=0),
    lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=5, pct_start=2.0),
    lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=5, anneal_strategy="x"),
    lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=[0.1], total_steps=5),
    lambda lib, opt: lib.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1, mode="sine"),
    lambda lib, opt: lib.optim.lr_scheduler.SequentialLR(opt, [], milestones=[]),
    lambda lib, opt: lib.optim.lr_scheduler.SequentialLR(
        opt, [lib.optim.lr_scheduler.ExponentialLR(opt, 0.9)], milestones=[3]),
    lambda lib, opt: lib.optim.lr_scheduler.SequentialLR(
        opt, [lib.optim.lr_scheduler.ReduceLROnPlateau(opt)], milestones=[]),
    lambda lib, opt: lib.optim.lr_scheduler.ChainedScheduler([]),
], ids=lambda f: "")
def test_constructor_errors_match_torch(build):
    with pytest.raises(Exception) as expected:
        build(torch, make_optimizer(torch))
    with pytest.raises(type(expected.value)) as got:
        build(ember, make_optimizer(ember))
    assert str(got.value) == str(expected.value)


def test_tensor_lr_is_filled_in_place():
    for lib in (torch, ember):
        p = lib.zeros(2, requires_grad=True)
        lr = lib.tensor(0.1)
        opt = lib.optim.Adam([p], lr=lr)
        scheduler = lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
        opt.step()
        scheduler.step()
        assert opt.param_groups[0]["lr"] is lr
        assert float(lr) == pytest.approx(0.05)
        assert float(scheduler.get_last_lr()[0]) == pytest.approx(0.05)
        assert scheduler.get_last_lr()[0] is not lr
        np.testing.assert_allclose(float(scheduler.base_lrs[0]), 0.1)
