"""nn.Module, Parameter and the containers against torch.nn: names, state dicts, errors, hooks, reprs."""
import copy
import warnings

import numpy as np
import pytest
import torch

import ember


def build(lib):
    """The same small network in either library: nested containers, a buffer, a shared layer."""
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 3)
            self.act = nn.ReLU()
            self.register_buffer("steps", lib.zeros(2))
            self.register_buffer("scratch", lib.ones(1), persistent=False)
            self.scale = nn.Parameter(lib.ones(3))

        def forward(self, x):
            return self.act(self.fc(x)) * self.scale

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = Block()
            self.layers = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Dropout(0.25))
            self.heads = nn.ModuleList([nn.Linear(5, 2) for _ in range(3)] + [nn.Identity()])
            self.table = nn.ModuleDict({"b": nn.Linear(2, 2), "a": nn.Sigmoid()})
            self.plist = nn.ParameterList([nn.Parameter(lib.ones(2, 3)), lib.zeros(4)])
            self.pdict = nn.ParameterDict({"w": nn.Parameter(lib.ones(2))})
            self.shared = self.layers[0]

        def forward(self, x):
            return self.heads[0](self.layers(self.block(x)))
    return Net()


def to_ember_state(state):
    return {k: ember.tensor(v.detach().numpy()) for k, v in state.items()}


def same_error(fn_torch, fn_ember, exc=None, replace=(("torch.Size", "ember.Size"),)):
    with pytest.raises(Exception) as theirs:
        fn_torch()
    with pytest.raises(Exception) as ours:
        fn_ember()
    assert type(ours.value) is type(theirs.value)
    expected = str(theirs.value)
    for a, b in replace:
        expected = expected.replace(a, b)
    assert str(ours.value) == expected


@pytest.fixture
def nets():
    return build(torch), build(ember)


# ------------------------------------------------------------------------------------ traversal
def test_names_match_torch(nets):
    t, e = nets
    for method in ("named_parameters", "named_buffers", "named_modules", "named_children"):
        assert [n for n, _ in getattr(e, method)()] == [n for n, _ in getattr(t, method)()], method
    assert [n for n, _ in e.named_parameters(remove_duplicate=False)] == \
        [n for n, _ in t.named_parameters(remove_duplicate=False)]
    assert [n for n, _ in e.named_modules(remove_duplicate=False)] == \
        [n for n, _ in t.named_modules(remove_duplicate=False)]
    assert [n for n, _ in e.named_parameters(prefix="m", recurse=False)] == \
        [n for n, _ in t.named_parameters(prefix="m", recurse=False)]
    assert len(list(e.parameters())) == len(list(t.parameters()))
    assert len(list(e.buffers())) == len(list(t.buffers()))
    assert len(list(e.children())) == len(list(t.children()))
    assert len(list(e.modules())) == len(list(t.modules()))
    assert [tuple(p.shape) for p in e.parameters()] == [tuple(p.shape) for p in t.parameters()]
    assert all(isinstance(p, ember.nn.Parameter) for p in e.parameters())


def test_state_dict_keys_order_and_detach(nets):
    t, e = nets
    ts, es = t.state_dict(), e.state_dict()
    assert type(es).__name__ == "OrderedDict"
    assert list(es) == list(ts)
    assert "block.scratch" not in es
    assert all(not v.requires_grad and type(v) is ember.Tensor for v in es.values())
    kept = e.state_dict(keep_vars=True)
    assert kept["block.scale"] is e.block.scale
    assert list(e.state_dict(prefix="net.")) == list(t.state_dict(prefix="net."))
    assert list(es._metadata) == list(ts._metadata)


def test_load_state_dict_from_torch_then_forward(nets):
    t, e = nets
    result = e.load_state_dict(to_ember_state(t.state_dict()))
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == repr(t.load_state_dict(t.state_dict()))
    t.eval(), e.eval()
    x = np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32)
    np.testing.assert_allclose(e(ember.tensor(x)).detach().numpy(), t(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    for (name, a), (_, b) in zip(e.state_dict().items(), t.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)


def test_load_keeps_parameter_identity(nets):
    t, e = nets
    w = e.block.fc.weight
    e.load_state_dict(to_ember_state(t.state_dict()))
    assert e.block.fc.weight is w
    np.testing.assert_array_equal(w.detach().numpy(), t.block.fc.weight.detach().numpy())


def test_load_state_dict_strict_errors(nets):
    t, e = nets
    ts = t.state_dict()
    bad = dict(ts)
    del bad["block.fc.weight"]
    bad["extra.weight"] = torch.zeros(1)
    bad["block.unknown"] = torch.zeros(1)
    same_error(lambda: t.load_state_dict(bad), lambda: e.load_state_dict(to_ember_state(bad)))
    rt, re_ = t.load_state_dict(bad, strict=False), e.load_state_dict(to_ember_state(bad), strict=False)
    assert re_.missing_keys == rt.missing_keys and re_.unexpected_keys == rt.unexpected_keys
    assert repr(re_) == repr(rt)

    wrong = dict(ts)
    wrong["layers.0.weight"] = torch.zeros(2, 2)
    wrong["block.scale"] = torch.zeros(4)
    same_error(lambda: t.load_state_dict(wrong), lambda: e.load_state_dict(to_ember_state(wrong)))
    same_error(lambda: t.load_state_dict(wrong, strict=False),
               lambda: e.load_state_dict(to_ember_state(wrong), strict=False))


def test_load_state_dict_linear_message():
    t, e = torch.nn.Linear(3, 2), ember.nn.Linear(3, 2)
    same_error(lambda: t.load_state_dict({"weight": torch.zeros(2, 3)}),
               lambda: e.load_state_dict({"weight": ember.zeros(2, 3)}))
    same_error(lambda: t.load_state_dict({"weight": torch.zeros(2, 3), "bias": 3}),
               lambda: e.load_state_dict({"weight": ember.zeros(2, 3), "bias": 3}))
    same_error(lambda: t.load_state_dict([1]), lambda: e.load_state_dict([1]),
               replace=(("torch", "ember"),))
    # assign=True replaces the tensors; the Parameter keeps requires_grad
    src = ember.arange(6.0).reshape(2, 3)
    e.load_state_dict({"weight": src, "bias": ember.zeros(2)}, assign=True)
    assert isinstance(e.weight, ember.nn.Parameter) and e.weight.requires_grad
    np.testing.assert_array_equal(e.weight.detach().numpy(), src.numpy())


def test_state_dict_hooks_and_extra_state():
    class WithExtra(ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = ember.nn.Linear(2, 2)
            self.value = 0

        def get_extra_state(self):
            return {"value": self.value}

        def set_extra_state(self, state):
            self.value = state["value"]

    m = WithExtra()
    m.value = 7
    sd = m.state_dict()
    assert list(sd) == ["_extra_state", "lin.weight", "lin.bias"]  # own state first, as in torch
    other = WithExtra()
    other.load_state_dict(sd)
    assert other.value == 7
    seen = []
    m.register_state_dict_pre_hook(lambda mod, prefix, keep: seen.append(("pre", prefix)))
    m.register_load_state_dict_post_hook(lambda mod, keys: seen.append(("post", tuple(keys.missing_keys))))
    m.state_dict(prefix="p.")
    m.load_state_dict(sd)
    assert seen == [("pre", "p."), ("post", ())]


# ------------------------------------------------------------------------------------ registration
@pytest.mark.parametrize("action", [
    lambda lib, m: m.register_buffer("a.b", lib.zeros(1)),
    lambda lib, m: m.register_buffer("", lib.zeros(1)),
    lambda lib, m: m.register_buffer("weight", lib.zeros(1)),
    lambda lib, m: m.register_buffer("buf", [1, 2]),
    lambda lib, m: m.register_buffer(3, lib.zeros(1)),
    lambda lib, m: m.register_parameter("x.y", None),
    lambda lib, m: m.register_parameter("p", lib.zeros(2)),
    lambda lib, m: m.register_parameter("training", None),
    lambda lib, m: m.register_parameter("p", lib.nn.Parameter(lib.zeros(2)) * 2),
    lambda lib, m: m.add_module("a.b", lib.nn.ReLU()),
    lambda lib, m: m.add_module("", lib.nn.ReLU()),
    lambda lib, m: m.add_module("weight", lib.nn.ReLU()),
    lambda lib, m: m.add_module("m", 3),
    lambda lib, m: setattr(m, "weight", lib.zeros(3, 2)),
    lambda lib, m: m.get_submodule("nothing"),
    lambda lib, m: m.get_parameter("nothing"),
    lambda lib, m: m.get_parameter("in_features"),
    lambda lib, m: m.get_buffer("weight"),
    lambda lib, m: m.missing_attribute,
    lambda lib, m: m.train("yes"),
    lambda lib, m: m.to(lib.int64),
    lambda lib, m: m(),
])
def test_registration_errors(action):
    same_error(lambda: action(torch, torch.nn.Linear(2, 3)), lambda: action(ember, ember.nn.Linear(2, 3)),
               replace=(("torch.nn.modules.", "ember.nn.modules."), ("torch.float", "ember.float"),
                        ("torch.int", "ember.int")))


def test_missing_forward():
    same_error(lambda: torch.nn.Module()(1), lambda: ember.nn.Module()(1))


def test_setattr_delattr_semantics():
    m = ember.nn.Linear(2, 3)
    m.bias = None
    assert m.bias is None and "bias" in m._parameters
    assert list(m.state_dict()) == ["weight"]
    m.extra = ember.nn.Parameter(ember.zeros(1))
    assert "extra" in m._parameters
    with pytest.raises(TypeError, match="cannot assign 'ember.nn.modules.activation.ReLU' as parameter 'extra'"):
        m.extra = ember.nn.ReLU()
    m.act = ember.nn.ReLU()
    m.act = ember.nn.Parameter(ember.zeros(1))  # a parameter replaces the module of the same name
    assert "act" in m._parameters and "act" not in m._modules
    m.register_buffer("buf", ember.zeros(2))
    m.buf = ember.ones(2)  # assigning a tensor to a buffer name updates the buffer
    assert m._buffers["buf"].numpy().tolist() == [1.0, 1.0]
    m.stat = ember.nn.Buffer(ember.zeros(3), persistent=False)
    assert "stat" in m._buffers and "stat" not in m.state_dict()
    del m.extra, m.buf, m.weight
    assert "extra" not in m._parameters and "buf" not in m._buffers and "weight" not in m._parameters
    assert {"stat", "bias"} <= set(dir(m))
    with pytest.raises(AttributeError):
        m.weight
    assert m.get_submodule("") is m


def test_get_submodule_parameter_buffer(nets):
    t, e = nets
    assert e.get_submodule("block.fc") is e.block.fc
    assert e.get_parameter("block.fc.weight") is e.block.fc.weight
    assert e.get_buffer("block.steps") is e.block.steps
    same_error(lambda: t.get_submodule("block.fc.weight"), lambda: e.get_submodule("block.fc.weight"))
    same_error(lambda: t.get_buffer("block.fc.weight"), lambda: e.get_buffer("block.fc.weight"))


# ------------------------------------------------------------------------------------ modes, grads, dtypes
def test_train_eval_apply_requires_grad(nets):
    t, e = nets
    e.eval()
    assert not any(m.training for m in e.modules())
    e.train()
    assert all(m.training for m in e.modules())
    assert e.layers.train(False) is e.layers and not e.layers[2].training and e.block.training
    order_t, order_e = [], []
    t.apply(lambda m: order_t.append(type(m).__name__))
    e.apply(lambda m: order_e.append(type(m).__name__))
    assert order_e == order_t
    e.requires_grad_(False)
    assert not any(p.requires_grad for p in e.parameters())


def test_zero_grad():
    m = ember.nn.Linear(3, 2)
    m(ember.ones(4, 3)).sum().backward()
    g = m.weight.grad
    m.zero_grad(set_to_none=False)
    assert m.weight.grad is g and not g.numpy().any()
    m.zero_grad()
    assert m.weight.grad is None and m.bias.grad is None


def test_to_and_casts_keep_parameters():
    m = ember.nn.Sequential(ember.nn.Linear(3, 2), ember.nn.Embedding(4, 2))
    m.register_buffer("count", ember.zeros(1, dtype=ember.int64))
    w = m[0].weight
    m(ember.ones(1, 3)) if False else None
    assert m.double() is m and m[0].weight is w and w.dtype == ember.float64
    assert m.count.dtype == ember.int64  # integer state keeps its dtype
    m.to(ember.float32)
    assert w.dtype == ember.float32
    m.to("cpu").cpu()
    m.to(ember.zeros(1, dtype=ember.float64))
    assert w.dtype == ember.float64
    m.half()
    assert w.dtype == ember.float16
    m.float()
    out = m[0](ember.ones(2, 3))
    out.sum().backward()
    m.double()
    assert w.grad.dtype == ember.float64


def test_deepcopy_module():
    m = ember.nn.Sequential(ember.nn.Linear(3, 2))
    c = copy.deepcopy(m)
    assert c[0].weight is not m[0].weight
    assert isinstance(c[0].weight, ember.nn.Parameter) and c[0].weight.requires_grad
    np.testing.assert_array_equal(c[0].weight.detach().numpy(), m[0].weight.detach().numpy())
    with ember.no_grad():
        c[0].weight.mul_(0)
    assert m[0].weight.detach().numpy().any()


# ------------------------------------------------------------------------------------ Parameter
def test_parameter():
    t = ember.ones(2, 2)
    p = ember.nn.Parameter(t)
    assert isinstance(p, ember.Tensor) and p.requires_grad and p.is_leaf
    assert repr(p) == repr(torch.nn.Parameter(torch.ones(2, 2))) == str(p)
    assert repr(ember.nn.Parameter(t, requires_grad=False)) == \
        repr(torch.nn.Parameter(torch.ones(2, 2), requires_grad=False))
    with ember.no_grad():
        p.add_(1)
    assert t.numpy()[0, 0] == 2  # shares the data
    assert type(p * 2) is ember.Tensor and type(p.detach()) is ember.Tensor
    assert ember.nn.Parameter().shape == (0,)
    with ember.no_grad():
        assert ember.nn.Parameter(ember.zeros(1)).requires_grad
    with pytest.raises(RuntimeError):
        ember.nn.Parameter(ember.zeros(2, dtype=ember.int64))
    q = copy.deepcopy(p)
    assert isinstance(q, ember.nn.Parameter) and q is not p and q.requires_grad


# ------------------------------------------------------------------------------------ reprs
def test_repr_matches_torch(nets):
    t, e = nets
    assert repr(e) == repr(t).replace("torch.float32", "ember.float32")
    assert repr(ember.nn.Sequential()) == repr(torch.nn.Sequential())
    assert repr(ember.nn.ModuleList()) == repr(torch.nn.ModuleList())


@pytest.mark.parametrize("make", [
    lambda nn: nn.ReLU(inplace=True), lambda nn: nn.LeakyReLU(0.2, True), lambda nn: nn.ELU(),
    lambda nn: nn.CELU(2.0), lambda nn: nn.SELU(), lambda nn: nn.GELU("tanh"), lambda nn: nn.SiLU(),
    lambda nn: nn.Softplus(2, 10), lambda nn: nn.Hardtanh(-2, 3), lambda nn: nn.ReLU6(),
    lambda nn: nn.PReLU(3), lambda nn: nn.Mish(), lambda nn: nn.Softsign(), lambda nn: nn.Hardsigmoid(),
    lambda nn: nn.Hardswish(), lambda nn: nn.LogSigmoid(), lambda nn: nn.Threshold(0.1, 20),
    lambda nn: nn.Softmax(dim=1), lambda nn: nn.LogSoftmax(1), lambda nn: nn.Softmin(), lambda nn: nn.GLU(),
    lambda nn: nn.Hardshrink(), lambda nn: nn.Softshrink(0.3), lambda nn: nn.Tanhshrink(),
    lambda nn: nn.Linear(3, 4, bias=False), lambda nn: nn.Bilinear(2, 3, 4), lambda nn: nn.Identity(3),
    lambda nn: nn.Flatten(), lambda nn: nn.Unflatten(1, (2, 5)), lambda nn: nn.Dropout(0.3),
    lambda nn: nn.Dropout2d(inplace=True), lambda nn: nn.AlphaDropout(0.2),
    lambda nn: nn.Embedding(10, 3, padding_idx=0, max_norm=1.0, scale_grad_by_freq=True),
    lambda nn: nn.CrossEntropyLoss(label_smoothing=0.1), lambda nn: nn.MSELoss(reduction="sum"),
    lambda nn: nn.ModuleList([nn.ReLU(), nn.ReLU(), nn.Tanh(), nn.ReLU()]),
    lambda nn: nn.Sequential(nn.Sequential(nn.Linear(1, 2), nn.ReLU()), nn.ModuleDict({"x": nn.Tanh()})),
    lambda nn: nn.ParameterDict({"a": nn.Parameter(nn.init.zeros_(nn.Linear(2, 3).weight.detach()))}),
])
def test_layer_reprs(make):
    assert repr(make(ember.nn)) == repr(make(torch.nn))


def test_parameter_list_repr():
    e = ember.nn.ParameterList([ember.nn.Parameter(ember.ones(2, 3)), ember.zeros(4), "x"])
    t = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(2, 3)), torch.zeros(4), "x"])
    assert repr(e) == repr(t).replace("torch.float32", "ember.float32")


# ------------------------------------------------------------------------------------ hooks
def test_forward_hooks():
    m = ember.nn.Linear(2, 2)
    calls = []

    def pre(mod, args):
        calls.append("pre")
        return (args[0] * 0,)

    def pre_kw(mod, args, kwargs):
        calls.append("pre_kw")

    def post(mod, args, out):
        calls.append("post")
        return out + 1

    h1 = m.register_forward_pre_hook(pre)
    h2 = m.register_forward_pre_hook(pre_kw, with_kwargs=True, prepend=True)
    h3 = m.register_forward_hook(post)
    out = m(ember.ones(1, 2))
    assert calls == ["pre_kw", "pre", "post"]
    np.testing.assert_allclose(out.detach().numpy(), m.bias.detach().numpy()[None] + 1, rtol=1e-6)
    for h in (h1, h2, h3):
        h.remove()
    assert not m._forward_hooks and not m._forward_pre_hooks and not m._forward_pre_hooks_with_kwargs
    calls.clear()
    m(ember.ones(1, 2))
    assert calls == []


def test_forward_hook_with_kwargs_and_always_call():
    class Boom(ember.nn.Module):
        def forward(self, x, scale=1.0):
            if scale < 0:
                raise ValueError("boom")
            return x * scale

    m = Boom()
    seen = []
    m.register_forward_hook(lambda mod, args, kwargs, out: seen.append(kwargs["scale"]), with_kwargs=True)
    m.register_forward_hook(lambda mod, args, out: seen.append("always"), always_call=True)
    m(ember.ones(1), scale=2.0)
    assert seen == [2.0, "always"]
    seen.clear()
    with pytest.raises(ValueError):
        m(ember.ones(1), scale=-1.0)
    assert seen == ["always"]


def _backward_hook_run(lib):
    lin = lib.nn.Linear(3, 2)
    lin.load_state_dict({"weight": lib.tensor([[1.0, -2.0, 0.5], [0.3, 0.2, -1.0]]), "bias": lib.zeros(2)})
    record = []

    def hook(mod, grad_in, grad_out):
        record.append((tuple(None if g is None else g.detach().numpy().copy() for g in grad_in),
                       tuple(g.detach().numpy().copy() for g in grad_out)))
        return (grad_in[0] * 2,)

    def pre_hook(mod, grad_out):
        return (grad_out[0] * 3,)

    lin.register_full_backward_hook(hook)
    lin.register_full_backward_pre_hook(pre_hook)
    x = lib.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]], requires_grad=True)
    out = lin(x)
    (out * lib.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    return record, x.grad.numpy(), lin.weight.grad.numpy(), out.grad_fn.name()


def test_full_backward_hooks_match_torch():
    (t_rec, t_gx, t_gw, t_name), (e_rec, e_gx, e_gw, e_name) = \
        _backward_hook_run(torch), _backward_hook_run(ember)
    assert e_name == t_name
    assert len(e_rec) == len(t_rec) == 1
    for ours, theirs in zip(e_rec[0], t_rec[0]):
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(e_gx, t_gx, rtol=1e-6)
    np.testing.assert_allclose(e_gw, t_gw, rtol=1e-6)


def test_backward_hook_no_input_grad_warns():
    lin = ember.nn.Linear(2, 1)
    fired = []
    lin.register_full_backward_hook(lambda m, gi, go: fired.append((gi, go[0].shape)))
    with pytest.warns(UserWarning, match="Full backward hook is firing"):
        lin(ember.ones(3, 2)).sum().backward()
    assert fired and fired[0][0] == (None,)


# ------------------------------------------------------------------------------------ containers
def test_sequential():
    a, b, c = ember.nn.Linear(2, 3), ember.nn.ReLU(), ember.nn.Linear(3, 1)
    s = ember.nn.Sequential(a, b, c)
    assert len(s) == 3 and list(s) == [a, b, c] and s[0] is a and s[-1] is c
    assert isinstance(s[1:], ember.nn.Sequential) and list(s[1:]) == [b, c]
    assert list(s[1:]._modules) == ["1", "2"]
    out = s(ember.ones(4, 2))
    assert out.shape == (4, 1)
    s.append(ember.nn.Tanh())
    assert len(s) == 4 and list(s._modules) == ["0", "1", "2", "3"]
    del s[1]
    assert list(s._modules) == ["0", "1", "2"] and s[1] is c
    s[0] = b
    assert s[0] is b
    s.insert(1, a)
    assert s[1] is a and len(s) == 4
    assert len(s + ember.nn.Sequential(a)) == 5 and len(s * 2) == 8
    assert s.pop(0) is b
    with pytest.raises(IndexError, match="index 10 is out of range"):
        s[10]
    named = ember.nn.Sequential(__import__("collections").OrderedDict([("first", a), ("second", c)]))
    assert list(named._modules) == ["first", "second"] and named.first is a
    assert "0" not in dir(s)


def test_module_list_and_dict():
    layers = ember.nn.ModuleList([ember.nn.Linear(2, 2) for _ in range(3)])
    assert len(layers) == 3 and len(list(layers.parameters())) == 6
    layers.append(ember.nn.ReLU())
    layers.extend([ember.nn.Tanh()])
    layers.insert(0, ember.nn.Identity())
    assert [type(m).__name__ for m in layers] == ["Identity", "Linear", "Linear", "Linear", "ReLU", "Tanh"]
    assert isinstance(layers[1:3], ember.nn.ModuleList) and len(layers[1:3]) == 2
    del layers[0]
    assert type(layers[0]).__name__ == "Linear" and list(layers._modules) == [str(i) for i in range(5)]
    with pytest.raises(TypeError):
        layers.extend(3)
    d = ember.nn.ModuleDict({"b": ember.nn.ReLU(), "a": ember.nn.Tanh()})
    assert list(d.keys()) == ["b", "a"] and "a" in d and len(d) == 2
    d["c"] = ember.nn.Linear(1, 1)
    d.update([("e", ember.nn.Identity())])
    assert list(d) == ["b", "a", "c", "e"] and len(list(d.parameters())) == 2
    assert isinstance(d.pop("c"), ember.nn.Linear) and "c" not in d
    with pytest.raises(ValueError):
        d.update([("x",)])


def test_parameter_list_and_dict():
    pl = ember.nn.ParameterList([ember.ones(2), ember.nn.Parameter(ember.zeros(3))])
    assert all(isinstance(p, ember.nn.Parameter) for p in pl) and len(pl) == 2
    pl.append(ember.ones(1))
    assert [n for n, _ in pl.named_parameters()] == ["0", "1", "2"]
    assert len(pl[1:]) == 2
    with pytest.raises(RuntimeError, match="ParameterList should not be called."):
        pl(1)
    pd = ember.nn.ParameterDict({"b": ember.ones(1), "a": ember.ones(2)})
    assert list(pd.keys()) == ["a", "b"]  # a plain dict is added in sorted order, as torch does
    pd["c"] = ember.zeros(1)
    assert isinstance(pd["c"], ember.nn.Parameter) and "c" in pd and len(pd) == 3
    assert [n for n, _ in pd.named_parameters()] == ["a", "b", "c"]
    assert pd.get("zz", 5) == 5 and pd.pop("c").shape == (1,)
    merged = pd | ember.nn.ParameterDict({"z": ember.ones(1)})
    assert list(merged.keys()) == ["a", "b", "z"]
    with pytest.raises(TypeError):
        pd[3]


def test_incompatible_keys_repr():
    e = ember.nn.Linear(2, 2)
    assert str(e.load_state_dict(e.state_dict())) == "<All keys matched successfully>"


def test_dropout_hooks_do_not_leak_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = ember.nn.Sequential(ember.nn.Linear(2, 2))
        m(ember.ones(1, 2)).sum().backward()


def _two_input_hook_run(lib):
    class Mul(lib.nn.Module):
        def forward(self, a, b, scale):
            return a * b * scale, b.sum()

    m = Mul()
    seen = []
    m.register_full_backward_hook(lambda mod, gi, go: seen.append(
        ([None if g is None else g.detach().numpy().copy() for g in gi],
         [None if g is None else g.detach().numpy().copy() for g in go])))
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    b = lib.tensor([3.0, 4.0])
    out, total = m(a, b, 2.0)
    out.sum().backward()
    return seen


def test_full_backward_hook_entries_for_non_differentiable_arguments():
    """torch passes zeros for tensor inputs without grad, None for non-tensors and for outputs without grad."""
    (t_gi, t_go), (e_gi, e_go) = _two_input_hook_run(torch)[0], _two_input_hook_run(ember)[0]
    assert [g is None for g in e_gi] == [g is None for g in t_gi] == [False, False, True]
    assert [g is None for g in e_go] == [g is None for g in t_go] == [False, True]
    for ours, theirs in ((e_gi[0], t_gi[0]), (e_gi[1], t_gi[1]), (e_go[0], t_go[0])):
        np.testing.assert_allclose(ours, theirs)
