"""RNN, LSTM, GRU, their cells and the packing utilities against torch, with torch's weights."""
import itertools
import os
import warnings

import numpy as np
import pytest
import torch

import ember
from tests.nn.module_oracle import compare, same_error, twins
from tests.oracle import check, rand

I, H, T, B = 3, 4, 5, 2
MODES = ["RNN", "LSTM", "GRU"]


def make(mode, **kw):
    return lambda nn: getattr(nn, mode)(I, H, **kw)


def states(mode, layers, batch=B, size=H, cell=H, dtype=np.float32):
    """Initial states as arrays: h0, and c0 for LSTM (a tuple argument of the call)."""
    h0 = rand(*((layers, batch, size) if batch else (layers, size)), dtype=dtype)
    if mode != "LSTM":
        return (h0,)
    return (h0, rand(*((layers, batch, cell) if batch else (layers, cell)), dtype=dtype))


def run(lib, mod, x, *state):
    hx = None if not state else (tuple(state) if len(state) == 2 else state[0])
    return mod(x, hx)


# ------------------------------------------------------------------------------------ dense sequences
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("layers,bidirectional", [(1, False), (2, False), (1, True), (2, True)])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_layers_with_initial_states(mode, layers, bidirectional, batch_first, bias):
    kw = dict(num_layers=layers, bidirectional=bidirectional, batch_first=batch_first, bias=bias)
    t, e = twins(make(mode, **kw))
    x = rand(B, T, I) if batch_first else rand(T, B, I)
    compare(t, e, run, x, *states(mode, layers * (2 if bidirectional else 1)))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_zero_initial_state_and_dtypes(mode, dtype):
    t, e = twins(make(mode, num_layers=2, bidirectional=True), dtype=dtype)
    compare(t, e, run, rand(T, B, I, dtype=dtype))


@pytest.mark.parametrize("layers,bidirectional,batch_first", [(1, False, False), (2, True, False), (2, False, True)])
def test_lstm_projection(layers, bidirectional, batch_first):
    t, e = twins(make("LSTM", num_layers=layers, bidirectional=bidirectional, batch_first=batch_first, proj_size=2))
    x = rand(B, T, I) if batch_first else rand(T, B, I)
    n = layers * (2 if bidirectional else 1)
    compare(t, e, run, x, rand(n, B, 2), rand(n, B, H))
    compare(t, e, run, x)


def test_relu_rnn():
    t, e = twins(lambda nn: nn.RNN(I, H, num_layers=2, nonlinearity="relu", bidirectional=True))
    compare(t, e, run, rand(T, B, I), rand(4, B, H))
    t, e = twins(lambda nn: nn.RNN(I, H, 1, "relu"))  # nonlinearity given by position
    assert e.nonlinearity == "relu"
    compare(t, e, run, rand(T, B, I))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_unbatched_input(mode, with_state, batch_first):
    t, e = twins(make(mode, num_layers=2, batch_first=batch_first))
    compare(t, e, run, rand(T, I), *(states(mode, 2, batch=0) if with_state else ()))


@pytest.mark.parametrize("mode", MODES)
def test_dropout_between_layers(mode):
    t, e = twins(make(mode, num_layers=3, dropout=0.5))  # eval mode: no dropout
    compare(t, e, run, rand(T, B, I))
    t, e = twins(make(mode, num_layers=2, dropout=0.0), train=True)
    compare(t, e, run, rand(T, B, I))
    e = make(mode, num_layers=2, dropout=0.5)(ember.nn).train()
    x = ember.tensor(rand(T, B, I), requires_grad=True)
    ember.manual_seed(0)
    a = e(x)[0]
    ember.manual_seed(0)
    assert np.array_equal(a.detach().numpy(), e(x)[0].detach().numpy())  # the same draws, the same result
    assert not np.allclose(a.detach().numpy(), e.eval()(x)[0].detach().numpy())  # and they do drop units
    a.sum().backward()
    assert x.grad is not None and e.weight_ih_l0.grad is not None


def test_long_sequence_and_one_step():
    t, e = twins(make("LSTM", num_layers=2))
    compare(t, e, run, rand(40, 3, I, low=-1, high=1))
    t, e = twins(make("GRU", bidirectional=True))
    compare(t, e, run, rand(1, 1, I))


def test_grad_fn_names_and_layout():
    for mode, kw in itertools.product(MODES, [{}, {"bidirectional": True}, {"batch_first": True}]):
        t, e = twins(make(mode, **kw))
        x = rand(B, T, I) if kw.get("batch_first") else rand(T, B, I)
        t_out, t_h = t(torch.tensor(x, requires_grad=True))
        e_out, e_h = e(ember.tensor(x, requires_grad=True))
        if not kw.get("batch_first"):  # torch's transpose there is TransposeBackward1 for RNN/GRU
            assert e_out.grad_fn.name() == t_out.grad_fn.name(), (mode, kw)
        t_h, e_h = (t_h[0], e_h[0]) if mode == "LSTM" else (t_h, e_h)
        assert e_h.grad_fn.name() == t_h.grad_fn.name()
        assert e_out.is_contiguous() == t_out.is_contiguous()


# ------------------------------------------------------------------------------------ packed sequences
LENGTHS = [3, 5, 1, 5]


def pack_run(enforce_sorted, batch_first=False, lengths=LENGTHS):
    def fn(lib, mod, x, *state):
        rnn = lib.nn.utils.rnn
        packed = rnn.pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
        out, hidden = run(lib, mod, packed, *state)
        assert isinstance(out, rnn.PackedSequence)
        return out, hidden, rnn.pad_packed_sequence(out, batch_first=batch_first)
    return fn


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("layers,bidirectional", [(1, False), (2, True)])
@pytest.mark.parametrize("with_state", [False, True])
def test_packed_unsorted(mode, layers, bidirectional, with_state):
    t, e = twins(make(mode, num_layers=layers, bidirectional=bidirectional))
    n = layers * (2 if bidirectional else 1)
    compare(t, e, pack_run(False), rand(T, 4, I), *(states(mode, n, batch=4) if with_state else ()))


@pytest.mark.parametrize("mode", MODES)
def test_packed_sorted_batch_first(mode):
    t, e = twins(make(mode, batch_first=True, bidirectional=True))
    compare(t, e, pack_run(True, batch_first=True, lengths=[5, 4, 4, 2]), rand(4, T, I), *states(mode, 2, batch=4))


def test_packed_lstm_projection():
    t, e = twins(make("LSTM", num_layers=2, bidirectional=True, proj_size=3))
    compare(t, e, pack_run(False), rand(T, 4, I), rand(4, 4, 3), rand(4, 4, H))


# ------------------------------------------------------------------------------------ gradcheck
@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN"])
def test_gradcheck_inputs_states_and_weights(mode):
    kw = {"proj_size": 2} if mode == "LSTM" else {}
    m = getattr(ember.nn, mode)(2, 3, num_layers=2, bidirectional=True, **kw).double()
    x = ember.tensor(rand(3, 2, 2, dtype=np.float64), requires_grad=True)
    h0 = ember.tensor(rand(4, 2, 2 if mode == "LSTM" else 3, dtype=np.float64), requires_grad=True)
    c0 = ember.tensor(rand(4, 2, 3, dtype=np.float64), requires_grad=True)
    params = list(m.parameters())

    def fn(x, h0, c0, *weights):
        out, hidden = m(x, (h0, c0) if mode == "LSTM" else h0)
        return (out,) + (hidden if mode == "LSTM" else (hidden,))
    assert ember.autograd.gradcheck(fn, (x, h0, c0, *params))


def test_gradcheck_packed_gru():
    m = ember.nn.GRU(2, 3, bidirectional=True).double()
    x = ember.tensor(rand(4, 3, 2, dtype=np.float64), requires_grad=True)

    def fn(x, *weights):
        packed = ember.nn.utils.rnn.pack_padded_sequence(x, [2, 4, 1], enforce_sorted=False)
        out, h = m(packed)
        return out.data, h
    assert ember.autograd.gradcheck(fn, (x, *m.parameters()))


@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
def test_gradgradcheck(mode):
    m = getattr(ember.nn, mode)(2, 2, bidirectional=True).double()
    x = ember.tensor(rand(3, 2, 2, dtype=np.float64), requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda x, w: m(x)[0], (x, m.weight_hh_l0))


# ------------------------------------------------------------------------------------ construction
@pytest.mark.parametrize("make_mod", [
    lambda nn: nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2, bias=False),
    lambda nn: nn.GRU(3, 5, 3, batch_first=True, dropout=0.25),
    lambda nn: nn.RNN(3, 5, nonlinearity="relu", bias=False, bidirectional=True),
    lambda nn: nn.LSTMCell(3, 5), lambda nn: nn.GRUCell(3, 5, bias=False), lambda nn: nn.RNNCell(3, 5, True, "relu"),
])
def test_parameters_state_dict_and_repr(make_mod):
    t, e = make_mod(torch.nn), make_mod(ember.nn)
    assert repr(e) == repr(t)
    t_sd, e_sd = t.state_dict(), e.state_dict()
    assert list(e_sd) == list(t_sd)
    for k in t_sd:
        assert tuple(e_sd[k].shape) == tuple(t_sd[k].shape), k
        bound = 1 / np.sqrt(5)
        values = e_sd[k].numpy()
        assert np.all(np.abs(values) <= bound) and values.std() > bound / 4, k  # U(-1/sqrt(H), 1/sqrt(H))
    if hasattr(t, "all_weights"):
        assert [[p.shape for p in ws] for ws in e.all_weights] == [[p.shape for p in ws] for ws in t.all_weights]
        assert e._flat_weights_names == t._flat_weights_names


def test_constructor_errors_and_warning():
    for args, kw in [((3, 4), {"dropout": 1.5}), ((3, 4), {"dropout": True}), ((3, 0), {}), ((0, 4), {}),
                     ((3, 4), {"num_layers": 0}), ((3, 4), {"proj_size": 4}), ((3, 4), {"proj_size": -1}),
                     ((3.0, 4), {}), ((3, 4), {"bias": 1}), ((3, 4), {"batch_first": None})]:
        same_error(lambda: torch.nn.LSTM(*args, **kw), lambda: ember.nn.LSTM(*args, **kw))
    same_error(lambda: torch.nn.GRU(3, 4, proj_size=2), lambda: ember.nn.GRU(3, 4, proj_size=2))
    same_error(lambda: torch.nn.RNN(3, 4, nonlinearity="gelu"), lambda: ember.nn.RNN(3, 4, nonlinearity="gelu"))
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        torch.nn.GRU(3, 4, dropout=0.5)
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        ember.nn.GRU(3, 4, dropout=0.5)
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]
    assert os.path.basename(ours[0].filename) == os.path.basename(theirs[0].filename)  # the layer's __init__


@pytest.mark.parametrize("mode", MODES)
def test_forward_errors(mode):
    t, e = twins(make(mode, num_layers=2))
    cases = [(rand(T, B, I + 1), None), (rand(T, B, I, 1), None), (rand(T, B, I), rand(1, B, H)),
             (rand(T, B, I), rand(2, B + 1, H)), (rand(T, B, I), rand(B, H)), (rand(T, I), rand(2, 1, H))]
    for x, h in cases:
        state = None if h is None else ((h, h) if mode == "LSTM" else h)
        same_error(lambda: t(torch.tensor(x), None if state is None else _map(torch.tensor, state)),
                   lambda: e(ember.tensor(x), None if state is None else _map(ember.tensor, state)))
    same_error(lambda: t(torch.tensor(rand(T, B, I, dtype=np.float64))),
               lambda: e(ember.tensor(rand(T, B, I, dtype=np.float64))))
    same_error(lambda: t(torch.zeros(0, B, I)), lambda: e(ember.zeros(0, B, I)))
    if mode != "LSTM":  # torch's LSTM fails inside oneDNN there, with its own words
        h = rand(2, B, H, dtype=np.float64)
        same_error(lambda: t(torch.tensor(rand(T, B, I)), torch.tensor(h)),
                   lambda: e(ember.tensor(rand(T, B, I)), ember.tensor(h)))


def _map(fn, state):
    return tuple(fn(s) for s in state) if isinstance(state, tuple) else fn(state)


# ------------------------------------------------------------------------------------ cells
@pytest.mark.parametrize("cell", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_state", [True, False])
@pytest.mark.parametrize("bias", [True, False])
def test_cells(cell, batched, with_state, bias):
    t, e = twins(lambda nn: getattr(nn, cell)(I, H, bias=bias))
    lead = (B,) if batched else ()
    state = ()
    if with_state:
        state = (rand(*lead, H), rand(*lead, H)) if cell == "LSTMCell" else (rand(*lead, H),)

    def step(lib, mod, x, *s):
        return mod(x, None if not s else (tuple(s) if len(s) == 2 else s[0]))
    t_out, e_out = compare(t, e, step, rand(*lead, I), *state)
    assert [o.grad_fn.name() for o in e_out] == [o.grad_fn.name() for o in t_out]


def test_relu_cell_and_cell_errors():
    t, e = twins(lambda nn: nn.RNNCell(I, H, nonlinearity="relu"))
    compare(t, e, lambda lib, mod, x, h: mod(x, h), rand(B, I), rand(B, H))
    for name in ["RNNCell", "LSTMCell", "GRUCell"]:
        t, e = twins(lambda nn: getattr(nn, name)(I, H))
        same_error(lambda: t(torch.zeros(1, B, I)), lambda: e(ember.zeros(1, B, I)))
        bad = torch.zeros(1, B, H)
        state_t = (bad, bad) if name == "LSTMCell" else bad
        bad_e = ember.zeros(1, B, H)
        state_e = (bad_e, bad_e) if name == "LSTMCell" else bad_e
        same_error(lambda: t(torch.zeros(B, I), state_t), lambda: e(ember.zeros(B, I), state_e))


# ------------------------------------------------------------------------------------ padding and packing
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence(batch_first, side):
    check(lambda lib, a, b, c: lib.nn.utils.rnn.pad_sequence([a, b, c], batch_first=batch_first, padding_value=-2.5,
                                                             padding_side=side),
          rand(3, 2, 2), rand(5, 2, 2), rand(1, 2, 2))
    check(lambda lib, a, b: lib.nn.utils.rnn.pad_sequence((a, b), batch_first), rand(2), rand(4))
    check(lambda lib, a: lib.nn.utils.rnn.pad_sequence(a, batch_first), rand(3, 2))  # a tensor: its rows


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted,lengths", [(True, [5, 3, 3, 1]), (False, [3, 5, 1, 5]), (False, [2, 2, 2, 2])])
def test_pack_and_pad_round_trip(batch_first, enforce_sorted, lengths):
    def fn(lib, x):
        rnn = lib.nn.utils.rnn
        packed = rnn.pack_padded_sequence(x, lib.tensor(lengths), batch_first, enforce_sorted)
        padded, lens = rnn.pad_packed_sequence(packed, batch_first, padding_value=0.5, total_length=7)
        return packed, padded, lens, rnn.unpack_sequence(packed)
    check(fn, rand(4, 5, 3) if batch_first else rand(5, 4, 3))


def test_pack_sequence_and_packed_sequence_type():
    check(lambda lib, a, b, c: lib.nn.utils.rnn.pack_sequence([a, b, c]), rand(4, 2), rand(3, 2), rand(3, 2))
    check(lambda lib, a, b, c: lib.nn.utils.rnn.pack_sequence([a, b, c], enforce_sorted=False),
          rand(1, 2), rand(3, 2), rand(2, 2))
    check(lambda lib, p, l: lib.nn.utils.rnn.unpad_sequence(p, l, batch_first=True), rand(3, 4, 2), np.array([4, 1, 3]))
    # torch transposes a time-major input in place (a leaf that requires grad cannot be); ember does not
    check(lambda lib, p, l: lib.nn.utils.rnn.unpad_sequence(p, l), rand(4, 3, 2), np.array([4, 1, 3]), grad=False)
    packed = ember.nn.utils.rnn.pack_sequence([ember.ones(2, 3), ember.ones(1, 3)])
    assert packed._fields == ("data", "batch_sizes", "sorted_indices", "unsorted_indices")
    assert packed.batch_sizes.dtype == ember.int64 and packed.sorted_indices is None
    double = packed.double()
    assert double.data.dtype == ember.float64 and double.batch_sizes is packed.batch_sizes
    assert packed.to(ember.float32) is packed
    rebuilt = ember.nn.utils.rnn.PackedSequence(packed.data, packed.batch_sizes, ember.tensor([1, 0]))
    assert rebuilt.unsorted_indices.tolist() == [1, 0]


def test_packing_errors():
    x = rand(4, 3, 2)
    for lengths, kw in [([3, 4, 2], {}), ([4, 3], {}), ([4, 3, 0], {}), ([4, -1, 2], {"enforce_sorted": False})]:
        same_error(lambda: torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x), lengths, **kw),
                   lambda: ember.nn.utils.rnn.pack_padded_sequence(ember.tensor(x), lengths, **kw))
    same_error(lambda: torch.nn.utils.rnn.pack_padded_sequence(torch.zeros(0, 3, 2), [1, 1, 1]),
               lambda: ember.nn.utils.rnn.pack_padded_sequence(ember.zeros(0, 3, 2), [1, 1, 1]))
    for seqs, kw in [(([2, 3], [3, 4]), {}), ((), {}), (([2],), {"padding_side": "middle"})]:
        same_error(lambda: torch.nn.utils.rnn.pad_sequence([torch.zeros(s) for s in seqs], **kw),
                   lambda: ember.nn.utils.rnn.pad_sequence([ember.zeros(s) for s in seqs], **kw))
    same_error(lambda: torch.nn.utils.rnn.pad_sequence(5), lambda: ember.nn.utils.rnn.pad_sequence(5))
    t_packed = torch.nn.utils.rnn.pack_sequence([torch.zeros(3), torch.zeros(2)])
    e_packed = ember.nn.utils.rnn.pack_sequence([ember.zeros(3), ember.zeros(2)])
    same_error(lambda: torch.nn.utils.rnn.pad_packed_sequence(t_packed, total_length=2),
               lambda: ember.nn.utils.rnn.pad_packed_sequence(e_packed, total_length=2))
