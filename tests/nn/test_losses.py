"""Losses against torch: every reduction, values and gradients of input (and target), errors."""
import warnings

import numpy as np
import pytest
import torch

import ember
from tests.oracle import check, check_raises, rand

REDUCTIONS = ["mean", "sum", "none"]
RNG = np.random.default_rng(11)


def probs(*shape, dtype=np.float32):
    return RNG.uniform(0.05, 0.95, shape).astype(dtype)


def labels(n_classes, *shape):
    return RNG.integers(0, n_classes, shape).astype(np.int64)


def same_message(fn, *arrays, replace=(("torch.Size", "ember.Size"),)):
    """ember raises torch's exception type with torch's message."""
    with pytest.raises(Exception) as theirs:
        fn(torch, *[torch.from_numpy(a) for a in arrays])
    with pytest.raises(Exception) as ours:
        fn(ember, *[ember.from_numpy(a) for a in arrays])
    assert type(ours.value) is type(theirs.value)
    expected = str(theirs.value)
    for a, b in replace:
        expected = expected.replace(a, b)
    assert str(ours.value) == expected


def F(lib):
    return lib.nn.functional


# ------------------------------------------------------------------------------------ regression losses
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,kwargs", [("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {}),
                                         ("smooth_l1_loss", {"beta": 0.5}), ("smooth_l1_loss", {"beta": 0.0}),
                                         ("huber_loss", {}), ("huber_loss", {"delta": 0.3})])
def test_regression_losses(name, kwargs, reduction, dtype):
    x, y = rand(4, 5, dtype=dtype), rand(4, 5, dtype=dtype)
    y[0, :2] = x[0, :2]  # zero difference: the kink of l1 and smooth l1
    check(lambda T, a, b: getattr(F(T), name)(a, b, reduction=reduction, **kwargs), x, y)


@pytest.mark.parametrize("cls,kwargs", [("MSELoss", {}), ("L1Loss", {}), ("SmoothL1Loss", {"beta": 2.0}),
                                        ("HuberLoss", {"delta": 0.5})])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_modules(cls, kwargs, reduction):
    check(lambda T, a, b: getattr(T.nn, cls)(reduction=reduction, **kwargs)(a, b), rand(3, 2, 4), rand(3, 2, 4))


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_elementwise_weight(name, reduction):
    check(lambda T, a, b, w: getattr(F(T), name)(a, b, reduction=reduction, weight=w),
          rand(3, 4), rand(3, 4), probs(3, 4), requires_grad=[True, True, False])


def test_broadcast_warning_and_error():
    with pytest.warns(UserWarning, match="Using a target size"):
        out = ember.nn.functional.mse_loss(ember.ones(4, 3), ember.zeros(4, 1))
    assert out.item() == 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_message(lambda T, a, b: F(T).mse_loss(a, b), rand(4, 3), rand(3, 1))
    check_raises(lambda T, a, b: F(T).smooth_l1_loss(a, b, beta=-1.0), rand(3), rand(3))
    check_raises(lambda T, a, b: F(T).huber_loss(a, b, delta=0.0), rand(3), rand(3))


@pytest.mark.parametrize("size_average,reduce", [(None, False), (False, None), (True, True), (False, True)])
def test_legacy_reduction_arguments(size_average, reduce):
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        check(lambda T, a, b: F(T).mse_loss(a, b, size_average=size_average, reduce=reduce), rand(3, 2), rand(3, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda T, a, b: T.nn.L1Loss(size_average, reduce)(a, b), rand(3, 2), rand(3, 2))
        assert ember.nn.MSELoss(size_average, reduce).reduction == torch.nn.MSELoss(size_average, reduce).reduction


def test_invalid_reduction():
    same_message(lambda T, a, b: F(T).mse_loss(a, b, reduction="avg"), rand(3), rand(3))
    same_message(lambda T, a, b: F(T).cross_entropy(a, b, reduction="avg"), rand(2, 3), labels(3, 2))


# ------------------------------------------------------------------------------------ binary losses
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce(reduction, weighted, dtype):
    x, y = probs(4, 3, dtype=dtype), probs(4, 3, dtype=dtype)
    if weighted:
        check(lambda T, a, b, w: F(T).binary_cross_entropy(a, b, weight=w, reduction=reduction), x, y,
              probs(3, dtype=dtype), requires_grad=[True, True, False])
    else:
        check(lambda T, a, b: T.nn.BCELoss(reduction=reduction)(a, b), x, y)


def test_bce_saturated_inputs_clamp_log():
    check(lambda T, a, b: F(T).binary_cross_entropy(a, b), np.array([0.0, 1.0, 0.5], np.float32),
          np.array([1.0, 0.0, 1.0], np.float32), grad=False)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("extra", ["none", "weight", "pos_weight", "both"])
def test_bce_with_logits(reduction, extra):
    x, y = rand(4, 3, low=-30, high=30), probs(4, 3)
    w = probs(4, 3) if extra in ("weight", "both") else None
    pw = probs(3) * 3 if extra in ("pos_weight", "both") else None

    def fn(T, a, b, *rest):
        kw = {}
        rest = list(rest)
        if w is not None:
            kw["weight"] = rest.pop(0)
        if pw is not None:
            kw["pos_weight"] = rest.pop(0)
        return T.nn.BCEWithLogitsLoss(reduction=reduction, **kw)(a, b)
    arrays = [a for a in (x, y, w, pw) if a is not None]
    check(fn, *arrays, requires_grad=[True, True] + [False] * (len(arrays) - 2))


def test_binary_errors():
    same_message(lambda T, a, b: F(T).binary_cross_entropy(a, b), probs(4), probs(3))
    same_message(lambda T, a, b: F(T).binary_cross_entropy(a, b), probs(4) * 2, probs(4))
    same_message(lambda T, a, b: F(T).binary_cross_entropy_with_logits(a, b), rand(4), probs(3))
    for lib in (torch, ember):
        with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'weight'"):
            F(lib).binary_cross_entropy(lib.tensor([0.5]), lib.tensor([1.0]),
                                        weight=lib.tensor([1.0], requires_grad=True))


# ------------------------------------------------------------------------------------ NLL and cross entropy
CLASS_CASES = [((6, 5), (6,)), ((5,), ()), ((2, 4, 3), (2, 3)), ((2, 3, 2, 4), (2, 2, 4)), ((0, 4), (0,))]


@pytest.mark.parametrize("in_shape,t_shape", CLASS_CASES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": True}, {"ignore_index": 1}, {"weight": True, "ignore_index": 2}])
def test_nll_and_cross_entropy(in_shape, t_shape, reduction, options):
    n_classes = in_shape[1] if len(in_shape) > 1 else in_shape[0]
    x = rand(*in_shape)
    t = labels(n_classes, *t_shape)
    kw = {"reduction": reduction}
    if "ignore_index" in options:
        kw["ignore_index"] = options["ignore_index"]
    arrays = [x, t] + ([probs(n_classes)] if options.get("weight") else [])

    def fn(name):
        def call(T, a, b, *w):
            return getattr(F(T), name)(a, b, weight=w[0] if w else None, **kw)
        return call
    check(fn("cross_entropy"), *arrays, requires_grad=[True, False, False])
    check(fn("nll_loss"), *arrays, requires_grad=[True, False, False])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.1, 1.0])
@pytest.mark.parametrize("options", [{}, {"weight": True}, {"ignore_index": 0}, {"weight": True, "ignore_index": 3}])
def test_cross_entropy_label_smoothing(reduction, smoothing, options):
    x, t = rand(6, 4), labels(4, 6)
    w = [probs(4)] if options.get("weight") else []
    kw = {k: v for k, v in options.items() if k != "weight"}
    check(lambda T, a, b, *w: T.nn.CrossEntropyLoss(weight=w[0] if w else None, reduction=reduction,
                                                    label_smoothing=smoothing, **kw)(a, b),
          x, t, *w, requires_grad=[True, False, False])


@pytest.mark.parametrize("shape", [(5, 4), (4,), (2, 4, 3)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": True}, {"label_smoothing": 0.2}])
def test_cross_entropy_probability_targets(shape, reduction, options):
    n_classes = shape[1] if len(shape) > 1 else shape[0]
    x = rand(*shape)
    target = torch.softmax(torch.tensor(rand(*shape)), dim=1 if len(shape) > 1 else 0).numpy()
    w = [probs(n_classes)] if options.get("weight") else []
    ls = options.get("label_smoothing", 0.0)
    check(lambda T, a, b, *w: F(T).cross_entropy(a, b, weight=w[0] if w else None, reduction=reduction,
                                                 label_smoothing=ls), x, target, *w,
          requires_grad=[True, True, False])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_extreme_logits_are_stable(dtype):
    x = np.array([[1000.0, -1000.0, 0.0], [-500.0, 500.0, 499.0]], dtype)
    check(lambda T, a, b: F(T).cross_entropy(a, b), x, np.array([1, 2]))


def test_cross_entropy_graph_and_double_backward():
    x = ember.randn(4, 5, requires_grad=True)
    loss = ember.nn.functional.cross_entropy(x, ember.tensor([1, 2, 3, 0]))
    assert loss.grad_fn.name() == "NllLossBackward0"  # fused: the log_softmax is inside this node
    smoothed = ember.nn.functional.cross_entropy(x.reshape(4, 5, 1), ember.tensor([[1], [2], [3], [0]]))
    assert smoothed.grad_fn.next_functions[0][0].name() == "LogSoftmaxBackward0"
    for reduction in REDUCTIONS:
        for kw in ({}, {"weight": probs(4).astype(np.float64), "ignore_index": 2}):
            def hvp(T, a, b, v, kw=kw):
                kw = {k: T.tensor(w) if k == "weight" else w for k, w in kw.items()}
                loss = F(T).cross_entropy(a, b, reduction=reduction, **kw)
                loss = loss.sum() if reduction == "none" else loss
                (g,) = T.autograd.grad(loss, a, create_graph=True)
                return T.autograd.grad((g * v).sum(), a)
            check(hvp, rand(3, 4, dtype=np.float64), np.array([0, 3, 2]), rand(3, 4, dtype=np.float64),
                  requires_grad=[True, False, False], grad=False)


@pytest.mark.parametrize("name", ["nll_loss", "cross_entropy"])
def test_all_targets_ignored(name):
    check(lambda T, a, b: getattr(F(T), name)(a, b, ignore_index=1), rand(3, 4), np.array([1, 1, 1]),
          requires_grad=[True, False])


@pytest.mark.parametrize("fn,arrays", [
    (lambda T, a, b: F(T).cross_entropy(a, b), (rand(4, 10), np.array([1, 2, 3, 10]))),
    (lambda T, a, b: F(T).cross_entropy(a, b), (rand(4, 10), np.array([1, 2, 3, -1]))),
    (lambda T, a, b: F(T).cross_entropy(a, b), (rand(4, 10), np.array([1, 2, 3, 4], np.int32))),
    (lambda T, a, b: F(T).cross_entropy(a, b), (rand(4, 10), rand(4, 9))),
    (lambda T, a, b: F(T).cross_entropy(a, b), (rand(4, 10), rand(4))),
    (lambda T, a, b: F(T).cross_entropy(a, b), (rand(4, 10), np.array([1, 2, 3]))),
    (lambda T, a, b: F(T).cross_entropy(a, b, ignore_index=3), (rand(4, 10), rand(4, 10))),
    (lambda T, a, b: F(T).cross_entropy(a, b, label_smoothing=1.5), (rand(4, 10), np.array([1, 2, 3, 4]))),
    (lambda T, a, b: F(T).cross_entropy(a, b), (rand(4, 10), np.array([[1, 2, 3, 4]]))),
    (lambda T, a, b: F(T).cross_entropy(a, b), (rand(2, 3, 4), np.array([[1, 2, 0], [1, 1, 1]]))),
    (lambda T, a, b: F(T).cross_entropy(a, b), (rand(4, 10), np.array([1, 2, 3, 4]).reshape(4, 1) * 1.0)),
    (lambda T, a, b, w: F(T).cross_entropy(a, b, weight=w), (rand(4, 10), np.array([1, 2, 3, 4]), rand(9))),
    (lambda T, a, b: F(T).nll_loss(a, b), (rand(4, 10), np.array([1, 2, 3]))),
    (lambda T, a, b: F(T).nll_loss(a, b), (np.array(1.0, np.float32), np.array(1))),
])
def test_classification_errors(fn, arrays):
    same_message(fn, *arrays)


def test_cross_entropy_module_state():
    w = ember.tensor([1.0, 2.0, 3.0])
    ce = ember.nn.CrossEntropyLoss(weight=w, ignore_index=2, label_smoothing=0.1)
    assert list(ce.state_dict()) == ["weight"] and ce.weight is w
    assert list(ember.nn.BCEWithLogitsLoss(pos_weight=w).state_dict()) == ["pos_weight"]
    assert list(ember.nn.NLLLoss().state_dict()) == []


# ------------------------------------------------------------------------------------ KL divergence
@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    x = torch.log_softmax(torch.tensor(rand(4, 5)), 1).numpy()
    target = torch.softmax(torch.tensor(rand(4, 5)), 1).numpy()
    if log_target:
        target = np.log(target)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda T, a, b: T.nn.KLDivLoss(reduction=reduction, log_target=log_target)(a, b), x, target)


def test_kl_div_zero_target_and_mean_warning():
    x = torch.log_softmax(torch.tensor(rand(3, 4)), 1).numpy()
    target = np.array([[0.0, 0.5, 0.5, 0.0], [0.25, 0.25, 0.25, 0.25], [1.0, 0.0, 0.0, 0.0]], np.float32)
    check(lambda T, a, b: F(T).kl_div(a, b, reduction="batchmean"), x, target, requires_grad=[True, False])
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        ember.nn.functional.kl_div(ember.tensor(x), ember.tensor(target))


# ------------------------------------------------------------------------------------ float64 gradcheck
@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides the total loss")
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("fn", [
    lambda F, x, y, r: F.mse_loss(x, y, reduction=r),
    lambda F, x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.5),
    lambda F, x, y, r: F.huber_loss(x, y, reduction=r, delta=0.7),
    lambda F, x, y, r: F.binary_cross_entropy(x.sigmoid(), y.sigmoid(), reduction=r),
    lambda F, x, y, r: F.binary_cross_entropy_with_logits(x, y.sigmoid(), reduction=r,
                                                          pos_weight=ember.tensor([1.5, 0.5, 2.0], dtype=ember.float64)),
    lambda F, x, y, r: F.cross_entropy(x, y.softmax(1), reduction=r, label_smoothing=0.1),
    lambda F, x, y, r: F.cross_entropy(x, ember.tensor([0, 2, 1, 2]), reduction=r, label_smoothing=0.2,
                                       weight=ember.tensor([0.5, 1.0, 2.0], dtype=ember.float64)),
    lambda F, x, y, r: F.nll_loss(x, ember.tensor([0, 2, 1, 1]), reduction=r, ignore_index=1),
    lambda F, x, y, r: F.kl_div(x.log_softmax(1), y.softmax(1), reduction=r),
])
def test_loss_gradcheck(fn, reduction):
    from ember.autograd import gradcheck, gradgradcheck
    F = ember.nn.functional
    x = ember.tensor(RNG.standard_normal((4, 3)), requires_grad=True)
    y = ember.tensor(RNG.standard_normal((4, 3)), requires_grad=True)
    assert gradcheck(lambda a, b: fn(F, a, b, reduction), (x, y))
    assert gradgradcheck(lambda a, b: fn(F, a, b, reduction), (x, y))


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div",
                                  "binary_cross_entropy", "binary_cross_entropy_with_logits"])
@pytest.mark.parametrize("dtypes", [(np.float32, np.float64), (np.float64, np.float32), (np.float32, np.int64)])
def test_mixed_dtypes(name, dtypes):
    """Promotion (or torch's error) when input and target dtypes differ.

    Every pair has a float32 side, and both libraries compute part of the loss in it (the softplus
    of float32 logits, the log of a float32 target), so results agree to float32's tolerance only.
    """
    x = probs(3, 2, dtype=dtypes[0])
    y = probs(3, 2).astype(dtypes[1]) if np.dtype(dtypes[1]).kind == "f" else (probs(3, 2) > 0.5).astype(dtypes[1])
    fn = lambda T, a, b: getattr(F(T), name)(a, b, reduction="sum")  # noqa: E731
    try:
        getattr(torch.nn.functional, name)(torch.from_numpy(x), torch.from_numpy(y), reduction="sum")
    except RuntimeError:
        same_message(fn, x, y)
    else:
        # torch's huber backward fails on mixed dtypes ("Found dtype Double but expected Float")
        check(fn, x, y, requires_grad=[True, y.dtype.kind == "f"], grad=name != "huber_loss",
              atol=1e-5, rtol=1e-4)
