"""Transformer layers, stacks and the full model against torch, with torch's weights."""
import warnings

import numpy as np
import pytest
import torch

import ember
from tests.nn.module_oracle import compare, same_error, twins
from tests.oracle import rand

S, T, N, E, HEADS, FF = 5, 4, 2, 8, 2, 16


def causal(n):
    return np.triu(np.full((n, n), -np.inf, np.float32), 1)


def padding(batch, length, seed=0):
    """A left-aligned key padding mask (True = padded); every sequence keeps its first position."""
    lengths = np.random.default_rng(seed).integers(1, length + 1, batch)
    lengths[0] = length
    return np.arange(length)[None, :] >= lengths[:, None]


def seq(length, batch_first, batched=True, dtype=np.float32):
    if not batched:
        return rand(length, E, dtype=dtype)
    return rand(N, length, E, dtype=dtype) if batch_first else rand(length, N, E, dtype=dtype)


def call_with(names):
    """``mod(*tensors, **masks)``: the first ``len(args) - len(names)`` arguments positional."""
    def fn(lib, mod, *args):
        split = len(args) - len(names)
        return mod(*args[:split], **dict(zip(names, args[split:])))
    return fn


ACTIVATIONS = {"relu": lambda nn: "relu", "gelu": lambda nn: "gelu", "gelu_fn": lambda nn: nn.functional.gelu,
               "module": lambda nn: nn.GELU(), "callable": lambda nn: nn.functional.silu}
LAYER_CONFIGS = [dict(norm_first=nf, batch_first=bf, bias=b, activation=a)
                 for nf, bf, b, a in [(False, False, True, "relu"), (True, False, True, "gelu"),
                                      (False, True, False, "gelu_fn"), (True, True, True, "module"),
                                      (False, True, True, "callable")]]


def layer_kwargs(nn, config, dropout=0.0):
    kw = dict(config, activation=ACTIVATIONS[config["activation"]](nn))
    return dict(kw, dim_feedforward=FF, dropout=dropout, layer_norm_eps=1e-6)


# ------------------------------------------------------------------------------------ encoder layer
@pytest.mark.parametrize("config", LAYER_CONFIGS)
@pytest.mark.parametrize("masks", [(), ("src_mask",), ("src_key_padding_mask",), ("src_mask", "src_key_padding_mask"),
                                   ("src_mask", "is_causal")])
def test_encoder_layer(config, masks):
    t, e = twins(lambda nn: nn.TransformerEncoderLayer(E, HEADS, **layer_kwargs(nn, config)), train=True)
    values = {"src_mask": causal(S), "src_key_padding_mask": padding(N, S), "is_causal": True}
    compare(t, e, call_with(masks), seq(S, config["batch_first"]), *[values[m] for m in masks])


@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer_eval_with_dropout_unbatched_and_bool_mask(batch_first):
    t, e = twins(lambda nn: nn.TransformerEncoderLayer(E, HEADS, FF, dropout=0.3, batch_first=batch_first))
    bool_mask = np.random.default_rng(2).random((S, S)) < 0.3
    np.fill_diagonal(bool_mask, False)
    compare(t, e, call_with(["src_mask"]), seq(S, batch_first), bool_mask)
    compare(t, e, call_with(["src_mask"]), seq(S, batch_first, batched=False), causal(S))
    compare(t, e, call_with([]), seq(S, batch_first, dtype=np.float64).astype(np.float32))


def test_encoder_layer_float64():
    t, e = twins(lambda nn: nn.TransformerEncoderLayer(E, HEADS, FF, dropout=0.1, norm_first=True), dtype=np.float64)
    compare(t, e, call_with(["src_key_padding_mask"]), seq(S, False, dtype=np.float64), padding(N, S))


# ------------------------------------------------------------------------------------ decoder layer
@pytest.mark.parametrize("config", LAYER_CONFIGS)
@pytest.mark.parametrize("masks", [(), ("tgt_mask", "tgt_is_causal"), ("tgt_mask", "memory_key_padding_mask"),
                                   ("tgt_key_padding_mask", "memory_mask"), ("tgt_mask", "memory_is_causal")])
def test_decoder_layer(config, masks):
    t, e = twins(lambda nn: nn.TransformerDecoderLayer(E, HEADS, **layer_kwargs(nn, config)), train=True)
    values = {"tgt_mask": causal(T), "tgt_is_causal": True, "memory_key_padding_mask": padding(N, S),
              "tgt_key_padding_mask": padding(N, T, seed=1), "memory_mask": rand(T, S), "memory_is_causal": False}
    bf = config["batch_first"]
    compare(t, e, call_with(masks), seq(T, bf), seq(S, bf), *[values[m] for m in masks])


def test_decoder_layer_unbatched_eval():
    t, e = twins(lambda nn: nn.TransformerDecoderLayer(E, HEADS, FF, dropout=0.2))
    compare(t, e, call_with(["tgt_mask"]), seq(T, False, batched=False), seq(S, False, batched=False), causal(T))


# ------------------------------------------------------------------------------------ stacks
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_norm", [False, True])
def test_encoder_and_decoder_stacks(batch_first, with_norm):
    def encoder(nn):
        layer = nn.TransformerEncoderLayer(E, HEADS, FF, dropout=0.1, batch_first=batch_first)
        return nn.TransformerEncoder(layer, 2, nn.LayerNorm(E) if with_norm else None, enable_nested_tensor=False)

    def decoder(nn):
        layer = nn.TransformerDecoderLayer(E, HEADS, FF, dropout=0.1, batch_first=batch_first, norm_first=True)
        return nn.TransformerDecoder(layer, 2, nn.LayerNorm(E) if with_norm else None)
    t, e = twins(encoder)
    compare(t, e, call_with(["mask", "src_key_padding_mask"]), seq(S, batch_first), causal(S), padding(N, S))
    compare(t, e, call_with(["mask"]), seq(S, batch_first), causal(S))  # detected as causal
    t, e = twins(decoder)
    compare(t, e, call_with(["tgt_mask", "memory_key_padding_mask"]), seq(T, batch_first), seq(S, batch_first),
            causal(T), padding(N, S))


@pytest.mark.parametrize("with_norm", [False, True])
@pytest.mark.parametrize("aligned", [True, False])
def test_encoder_inference_zeroes_padding_as_torch(with_norm, aligned):
    """In inference torch runs the encoder on nested tensors: padded positions come out as zeros."""
    def encoder(nn):
        layer = nn.TransformerEncoderLayer(E, HEADS, FF, batch_first=True)
        return nn.TransformerEncoder(layer, 2, nn.LayerNorm(E) if with_norm else None)
    t, e = twins(encoder)
    pad = padding(N, S)
    pad[1, 1:] = True
    if not aligned:
        pad[0, 2] = True  # a hole: not left-aligned, so torch does not nest
    with torch.no_grad(), ember.no_grad():
        t_out, e_out = compare(t, e, call_with(["src_key_padding_mask"]), seq(S, True), pad, grad=False)
    if not with_norm:
        assert np.all(e_out[0].numpy()[1, 1:] == 0) == aligned


# ------------------------------------------------------------------------------------ the full model
@pytest.mark.parametrize("batch_first,norm_first", [(False, False), (True, True)])
def test_transformer(batch_first, norm_first):
    def model(nn):
        return nn.Transformer(E, HEADS, 2, 2, FF, dropout=0.1, batch_first=batch_first, norm_first=norm_first,
                              activation="gelu")
    t, e = twins(model, train=False)
    names = ["src_mask", "tgt_mask", "memory_mask", "src_key_padding_mask", "tgt_key_padding_mask",
             "memory_key_padding_mask"]
    compare(t, e, call_with(names), seq(S, batch_first), seq(T, batch_first), rand(S, S), causal(T), rand(T, S),
            padding(N, S), padding(N, T, seed=3), padding(N, S, seed=4))
    compare(t, e, call_with(["tgt_mask", "tgt_is_causal"]), seq(S, batch_first), seq(T, batch_first), causal(T), True)


def test_transformer_train_mode_without_dropout_and_custom_parts():
    t, e = twins(lambda nn: nn.Transformer(E, HEADS, 1, 1, FF, dropout=0.0, bias=False), train=True)
    compare(t, e, call_with([]), seq(S, False), seq(T, False))

    def custom(nn):
        enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(E, HEADS, FF, 0.0), 1, enable_nested_tensor=False)
        return nn.Transformer(E, HEADS, custom_encoder=enc, num_decoder_layers=1, dim_feedforward=FF, dropout=0.0)
    t, e = twins(custom)
    compare(t, e, call_with([]), seq(S, False, batched=False), seq(T, False, batched=False))


def test_generate_square_subsequent_mask():
    for size, dtype in [(1, None), (4, None), (3, "float64")]:
        ours = ember.nn.Transformer.generate_square_subsequent_mask(size, dtype=dtype and getattr(ember, dtype))
        theirs = torch.nn.Transformer.generate_square_subsequent_mask(size, dtype=dtype and getattr(torch, dtype))
        assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_structure_repr_and_init():
    makes = [lambda nn: nn.Transformer(E, HEADS, 2, 1, FF),
             lambda nn: nn.TransformerEncoderLayer(E, HEADS, FF, bias=False),
             lambda nn: nn.TransformerDecoderLayer(E, HEADS, FF, norm_first=True, batch_first=True)]
    for make in makes:
        t, e = make(torch.nn), make(ember.nn)
        assert repr(e) == repr(t)
        assert [(n, tuple(p.shape)) for n, p in e.named_parameters()] == \
            [(n, tuple(p.shape)) for n, p in t.named_parameters()]
    e = ember.nn.Transformer(E, HEADS, 1, 1, FF)
    bound = np.sqrt(6 / (E + E))  # Xavier-uniform on every matrix, e.g. the (E, E) output projections
    w = e.encoder.layers[0].self_attn.out_proj.weight.detach().numpy()
    assert np.all(np.abs(w) <= bound) and w.std() > bound / 4


def test_errors_and_warnings():
    t, e = twins(lambda nn: nn.Transformer(E, HEADS, 1, 1, FF))
    for src, tgt in [(rand(S, N, E), rand(T, N + 1, E)), (rand(S, N, E), rand(T, N, E + 1))]:
        same_error(lambda: t(torch.tensor(src), torch.tensor(tgt)), lambda: e(ember.tensor(src), ember.tensor(tgt)))
    same_error(lambda: torch.nn.TransformerEncoderLayer(E, HEADS, activation="tanh"),
               lambda: ember.nn.TransformerEncoderLayer(E, HEADS, activation="tanh"))
    for kw in [{}, {"norm_first": True}, {"batch_first": True, "bias": False}, {"batch_first": True}]:
        caught = []
        for nn in (torch.nn, ember.nn):
            with warnings.catch_warnings(record=True) as got:
                warnings.simplefilter("always")
                nn.TransformerEncoder(nn.TransformerEncoderLayer(E, HEADS, FF, **kw), 1)
            caught.append([str(w.message) for w in got])
        assert caught[1] == caught[0]


def test_encoder_layer_gradcheck():
    layer = ember.nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0).double()
    x = ember.tensor(rand(3, 2, 4, dtype=np.float64), requires_grad=True)
    mask = ember.tensor(causal(3).astype(np.float64))
    assert ember.autograd.gradcheck(lambda x, *params: layer(x, src_mask=mask), (x, *layer.parameters()))
