"""scaled_dot_product_attention and MultiheadAttention against torch, with torch's weights."""
import warnings

import numpy as np
import pytest
import torch

import ember
from tests.nn.module_oracle import compare, same_error, twins
from tests.oracle import check, rand

L, S, N, E = 3, 4, 2, 6


def sdpa(**kw):
    return lambda lib, q, k, v, *mask: lib.nn.functional.scaled_dot_product_attention(
        q, k, v, *mask, **kw)


# ------------------------------------------------------------------------------------ scaled_dot_product_attention
@pytest.mark.parametrize("shapes", [((2, 3, L, 4), (2, 3, S, 4), (2, 3, S, 5)), ((2, L, 4), (2, S, 4), (2, S, 4)),
                                    ((L, 4), (S, 4), (S, 2)), ((2, 1, L, 4), (1, 3, S, 4), (1, 3, S, 4))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sdpa_plain(shapes, dtype):
    q, k, v = (rand(*s, dtype=dtype) for s in shapes)
    check(sdpa(), q, k, v)
    check(sdpa(scale=0.3), q, k, v)


@pytest.mark.parametrize("mask_shape", [(L, S), (2, 1, L, S), (1, S)])
def test_sdpa_bool_mask(mask_shape):
    mask = np.random.default_rng(1).random(mask_shape) < 0.6
    mask[..., 0] = True
    check(sdpa(), rand(2, 3, L, 4), rand(2, 3, S, 4), rand(2, 3, S, 4), mask)


def test_sdpa_float_mask_gets_a_gradient():
    check(sdpa(), rand(2, 3, L, 4), rand(2, 3, S, 4), rand(2, 3, S, 4), rand(L, S))
    check(sdpa(), rand(2, L, 4), rand(2, S, 4), rand(2, S, 4), rand(2, L, S), requires_grad=[True, True, True, False])


def test_sdpa_fully_masked_rows_give_zeros():
    bool_mask = np.ones((L, S), bool)
    bool_mask[1] = False
    float_mask = np.where(bool_mask, 0.0, -np.inf).astype(np.float32)
    check(sdpa(), rand(2, L, 4), rand(2, S, 4), rand(2, S, 4), bool_mask)
    check(sdpa(), rand(2, L, 4), rand(2, S, 4), rand(2, S, 4), float_mask, requires_grad=[True] * 3 + [False])


@pytest.mark.parametrize("length,source", [(4, 4), (3, 5), (5, 3)])
def test_sdpa_causal(length, source):
    check(sdpa(is_causal=True), rand(2, 2, length, 4), rand(2, 2, source, 4), rand(2, 2, source, 3))


def test_sdpa_grouped_query_attention():
    check(sdpa(enable_gqa=True), rand(2, 6, L, 4), rand(2, 2, S, 4), rand(2, 3, S, 4))
    check(sdpa(enable_gqa=True, is_causal=True), rand(4, 3, 4), rand(2, 3, 4), rand(1, 3, 4))


def test_sdpa_dropout():
    q, k, v = (ember.tensor(rand(2, L, 4), requires_grad=True) for _ in range(3))
    ember.manual_seed(3)
    a = ember.nn.functional.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    ember.manual_seed(3)
    b = ember.nn.functional.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    c = ember.nn.functional.scaled_dot_product_attention(q, k, v)
    assert np.array_equal(a.detach().numpy(), b.detach().numpy())
    assert not np.allclose(a.detach().numpy(), c.detach().numpy())
    a.sum().backward()
    assert q.grad is not None


def test_sdpa_errors():
    f = rand(2, L, 4)
    for args in [(rand(4), rand(4), rand(4)), (f, f, f.astype(np.float64)), (f, f, f, np.zeros((L, L), np.int64)),
                 (rand(4, L, 4), rand(3, L, 4), rand(3, L, 4))]:
        same_error(lambda: torch.nn.functional.scaled_dot_product_attention(*map(torch.tensor, args)),
                   lambda: ember.nn.functional.scaled_dot_product_attention(*map(ember.tensor, args)))
    mask = rand(L, L)
    same_error(lambda: torch.nn.functional.scaled_dot_product_attention(
        *map(torch.tensor, (f, f, f)), torch.tensor(mask, requires_grad=True), is_causal=True),
        lambda: ember.nn.functional.scaled_dot_product_attention(
            *map(ember.tensor, (f, f, f)), ember.tensor(mask, requires_grad=True), is_causal=True))
    g = rand(4, 3, 4)
    same_error(lambda: torch.nn.functional.scaled_dot_product_attention(
        *map(torch.tensor, (g, rand(3, 3, 4), rand(3, 3, 4))), enable_gqa=True),
        lambda: ember.nn.functional.scaled_dot_product_attention(
            *map(ember.tensor, (g, rand(3, 3, 4), rand(3, 3, 4))), enable_gqa=True))


def test_sdpa_gradcheck():
    q, k, v = (ember.tensor(rand(2, 3, 3, dtype=np.float64), requires_grad=True) for _ in range(3))
    mask = ember.tensor(rand(3, 3, dtype=np.float64), requires_grad=True)
    sdpa_e = ember.nn.functional.scaled_dot_product_attention
    assert ember.autograd.gradcheck(lambda q, k, v, m: sdpa_e(q, k, v, m), (q, k, v, mask))
    assert ember.autograd.gradcheck(lambda q, k, v: sdpa_e(q, k, v, is_causal=True), (q, k, v))
    assert ember.autograd.gradgradcheck(lambda q, k, v: sdpa_e(q, k, v), (q, k, v))


# ------------------------------------------------------------------------------------ MultiheadAttention
def masks(kind: str, batch: int, length: int, source: int, heads: int = 2):
    """Named mask arguments as arrays: boolean masks always leave each query one key."""
    rng = np.random.default_rng(5)
    if kind == "kpm":
        m = rng.random((batch, source)) < 0.4
        m[:, 0] = False
        return {"key_padding_mask": m}
    if kind == "kpm_float":
        return {"key_padding_mask": np.where(masks("kpm", batch, length, source)["key_padding_mask"], -np.inf,
                                             0.0).astype(np.float32)}
    if kind == "attn_bool":
        m = rng.random((length, source)) < 0.4
        m[:, 0] = False
        return {"attn_mask": m}
    if kind == "attn_float3d":
        return {"attn_mask": rand(batch * heads, length, source)}
    if kind == "both":
        return {**masks("kpm", batch, length, source), **masks("attn_bool", batch, length, source)}
    if kind == "causal":
        return {"attn_mask": np.triu(np.full((length, length), -np.inf, np.float32), 1), "is_causal": True}
    return {}


def mha_call(names, need_weights=True, average=True, self_attention=False):
    """``mod(q, k, v, **masks)`` with the masks given positionally after q, k, v (as arrays)."""
    def fn(lib, mod, q, k, v, *mask_values):
        kw = dict(zip(names, mask_values))
        if self_attention:
            k = v = q
        return mod(q, k, v, need_weights=need_weights, average_attn_weights=average, **kw)
    return fn


def run_mha(ctor, kind, batch_first=False, need_weights=True, average=True, self_attention=False, kdim=E, vdim=E,
            dtype=np.float32, train=False):
    t, e = twins(lambda nn: nn.MultiheadAttention(E, 2, batch_first=batch_first, kdim=kdim, vdim=vdim, **ctor),
                 dtype=dtype, train=train)
    source = L if kind == "causal" or self_attention else S
    mask_kw = masks(kind, N, L, source)
    is_causal = mask_kw.pop("is_causal", False)
    shape = (lambda n, d: (N, n, d)) if batch_first else (lambda n, d: (n, N, d))
    args = [rand(*shape(L, E), dtype=dtype), rand(*shape(source, kdim), dtype=dtype),
            rand(*shape(source, vdim), dtype=dtype)]
    names = list(mask_kw) + (["is_causal"] if is_causal else [])
    values = list(mask_kw.values()) + ([True] if is_causal else [])
    return compare(t, e, mha_call(names, need_weights, average, self_attention), *args, *values)


CONFIGS = [{}, {"bias": False}, {"add_bias_kv": True}, {"add_zero_attn": True},
           {"add_bias_kv": True, "add_zero_attn": True}]


@pytest.mark.parametrize("ctor", CONFIGS)
@pytest.mark.parametrize("kind", ["none", "kpm", "kpm_float", "attn_bool", "attn_float3d", "both"])
@pytest.mark.parametrize("need_weights,average", [(True, True), (True, False), (False, True)])
def test_mha_masks_and_weights(ctor, kind, need_weights, average):
    run_mha(ctor, kind, need_weights=need_weights, average=average)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("self_attention", [False, True])
@pytest.mark.parametrize("need_weights", [False, True])
def test_mha_layouts_and_causal(batch_first, self_attention, need_weights):
    run_mha({}, "none", batch_first, need_weights, self_attention=self_attention)
    if not need_weights:  # is_causal with need_weights goes through the explicit mask (covered by masks above)
        run_mha({}, "causal", batch_first, need_weights, self_attention=self_attention)


@pytest.mark.parametrize("kind", ["none", "kpm", "attn_bool"])
def test_mha_kdim_vdim(kind):
    run_mha({}, kind, kdim=3, vdim=5)
    run_mha({"bias": False}, kind, need_weights=False, kdim=5, vdim=2)


def test_mha_float64_and_train_mode_without_dropout():
    run_mha({}, "kpm", dtype=np.float64)
    run_mha({"dropout": 0.0}, "attn_bool", train=True, batch_first=True)
    run_mha({"dropout": 0.3}, "attn_bool", train=False)  # eval mode: no dropout


def test_mha_cross_attention_key_is_value():
    t, e = twins(lambda nn: nn.MultiheadAttention(E, 3))
    compare(t, e, lambda lib, mod, q, kv: mod(q, kv, kv), rand(L, N, E), rand(S, N, E))


def test_mha_unbatched():
    t, e = twins(lambda nn: nn.MultiheadAttention(E, 2, batch_first=True))
    kpm = np.array([False, True, False, False])
    compare(t, e, lambda lib, mod, q, k, v, m: mod(q, k, v, key_padding_mask=m), rand(L, E), rand(S, E), rand(S, E),
            kpm)
    compare(t, e, lambda lib, mod, q, k, v, m: mod(q, k, v, attn_mask=m, need_weights=False),
            rand(L, E), rand(S, E), rand(S, E), rand(2, L, S))
    compare(t, e, lambda lib, mod, q, k, v, m: mod(q, k, v, attn_mask=m, average_attn_weights=False),
            rand(L, E), rand(S, E), rand(S, E), rand(2, L, S))


def test_mha_inference_fast_path_agrees():
    t, e = twins(lambda nn: nn.MultiheadAttention(E, 2, batch_first=True))
    kpm = masks("kpm", N, L, L)
    with torch.no_grad(), ember.no_grad():
        compare(t, e, lambda lib, mod, x, m: mod(x, x, x, key_padding_mask=m), rand(N, L, E), kpm["key_padding_mask"],
                grad=False)


def test_mha_repr_parameters_and_init():
    for kw in [{}, {"kdim": 3, "vdim": 5, "bias": False}, {"add_bias_kv": True}]:
        t, e = torch.nn.MultiheadAttention(E, 2, **kw), ember.nn.MultiheadAttention(E, 2, **kw)
        assert repr(e) == repr(t)
        assert [(n, tuple(p.shape)) for n, p in e.named_parameters()] == \
            [(n, tuple(p.shape)) for n, p in t.named_parameters()]
        if e.in_proj_bias is not None:
            assert not np.any(e.in_proj_bias.detach().numpy()) and not np.any(e.out_proj.bias.detach().numpy())
    assert ember.nn.modules.activation.MultiheadAttention is ember.nn.MultiheadAttention


def test_mha_errors():
    same_error(lambda: torch.nn.MultiheadAttention(E, 4), lambda: ember.nn.MultiheadAttention(E, 4))
    same_error(lambda: torch.nn.MultiheadAttention(0, 2), lambda: ember.nn.MultiheadAttention(0, 2))
    t, e = twins(lambda nn: nn.MultiheadAttention(E, 2))
    x = rand(L, N, E)
    cases = [((x, rand(S, N, E), rand(S, N, E)), {"key_padding_mask": np.zeros((N, S), np.int64)}),
             ((x, x, x), {"attn_mask": rand(L + 1, L)}),
             ((x, x, x), {"attn_mask": rand(3, L, L)}),
             ((x, x, x), {"attn_mask": rand(1, 1, L, L)}),
             ((x, x, x), {"key_padding_mask": np.zeros((N, L + 1), bool)}),
             ((x, x, rand(L, N)), {}), ((rand(L, N, 4), rand(L, N, 4), rand(L, N, 4)), {}),
             ((rand(1, L, N, E),) * 3, {}), ((x, x, x), {"is_causal": True}),
             ((rand(L, E), rand(L, E), rand(L, E)), {"key_padding_mask": np.zeros((N, L), bool)})]
    for args, kw in cases:
        same_error(lambda: t(*map(torch.tensor, args), **{k: torch.tensor(v) if isinstance(v, np.ndarray) else v
                                                           for k, v in kw.items()}),
                   lambda: e(*map(ember.tensor, args), **{k: ember.tensor(v) if isinstance(v, np.ndarray) else v
                                                          for k, v in kw.items()}))


def test_mha_mismatched_mask_types_warn():
    t, e = twins(lambda nn: nn.MultiheadAttention(E, 2))
    x, kpm, attn = rand(L, N, E), np.zeros((N, L), bool), np.zeros((L, L), np.float32)
    for lib, mod in ((torch, t), (ember, e)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            mod(*[lib.tensor(x)] * 3, key_padding_mask=lib.tensor(kpm), attn_mask=lib.tensor(attn))
        assert [str(w.message) for w in caught] == ["Support for mismatched key_padding_mask and attn_mask is "
                                                    "deprecated. Use same type for both instead."]


def test_mha_gradcheck():
    m = ember.nn.MultiheadAttention(4, 2, add_bias_kv=True).double()
    q = ember.tensor(rand(3, 2, 4, dtype=np.float64), requires_grad=True)
    kpm = ember.tensor(np.array([[False, False, True], [False, False, False]]))

    def fn(q, *params):
        return m(q, q, q, key_padding_mask=kpm)
    assert ember.autograd.gradcheck(fn, (q, *m.parameters()))
