"""Tensor products (matmul family, add* forms, einsum, tensordot, inner, outer, kron) against torch."""
import numpy as np
import pytest
import torch

import ember
from ember.autograd import gradcheck, gradgradcheck
from oracle import check, check_raises, rand, layout, FLOATS


def same_error(fn, *arrays):
    """Like ``check_raises``, and the message must be torch's word for word."""
    check_raises(fn, *arrays)
    with pytest.raises(Exception) as theirs:
        fn(torch, *[torch.from_numpy(a) for a in arrays])
    with pytest.raises(Exception) as ours:
        fn(ember, *[ember.from_numpy(a) for a in arrays])
    assert str(ours.value) == str(theirs.value)


def gradchecks(fn, *shapes):
    """float64 gradcheck and gradgradcheck of ``fn(ember, *tensors)`` on random inputs."""
    inputs = [ember.from_numpy(rand(*s, dtype=np.float64)).requires_grad_() for s in shapes]
    assert gradcheck(lambda *t: fn(ember, *t), inputs)
    assert gradgradcheck(lambda *t: fn(ember, *t), inputs)


# ---------------------------------------------------------------------------- matmul
MATMUL_SHAPES = [
    ((4,), (4,)),                      # dot
    ((3, 4), (4,)),                    # mv
    ((4,), (4, 5)),                    # vector-matrix, prepended dim removed
    ((3, 4), (4, 5)),                  # mm
    ((2, 3, 4), (4, 5)),               # batch x matrix (folded)
    ((3, 4), (2, 4, 5)),               # matrix x batch
    ((2, 3, 4), (2, 4, 5)),            # bmm
    ((2, 3, 4), (4,)),                 # batch x vector
    ((4,), (2, 4, 5)),                 # vector x batch
    ((2, 1, 3, 4), (5, 4, 2)),         # broadcast batch dims
    ((1, 3, 4), (2, 1, 4, 5)),
    ((0, 4), (4, 5)),                  # size-0 dims
    ((3, 0), (0, 5)),
    ((2, 0, 3, 4), (4, 5)),
    ((2, 3, 0), (0, 5)),
    ((2, 3, 0), (2, 0, 5)),
    ((0,), (0,)),
    ((1, 1), (1, 1)),                  # size-1 dims
    ((1, 4), (4, 1)),
    ((2, 1, 4), (1, 4, 1)),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul(sa, sb, dtype):
    check(lambda T, a, b: T.matmul(a, b), rand(*sa, dtype=dtype), rand(*sb, dtype=dtype))


@pytest.mark.parametrize("sa,sb", [((3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), ((2, 3, 4), (4, 5))])
@pytest.mark.parametrize("la", ["C", "T", "sliced"])
@pytest.mark.parametrize("lb", ["C", "T", "sliced"])
def test_matmul_layouts(sa, sb, la, lb):
    check(lambda T, a, b: a @ b, layout(rand(*sa), la), layout(rand(*sb), lb))


def test_matmul_transposed_views():
    check(lambda T, a, b: a.t() @ b.t(), rand(4, 3), rand(5, 4))
    check(lambda T, a, b: a.transpose(-2, -1).matmul(b.transpose(1, 2)), rand(2, 4, 3), rand(2, 5, 4))


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.float16])
def test_matmul_other_dtypes(dtype):
    check(lambda T, a, b: T.matmul(a, b), rand(2, 3, 4, dtype=dtype), rand(4, 2, dtype=dtype),
          grad=False, atol=1e-2)


def test_matmul_grad_fn_names():
    """The node torch shows for each rank pair."""
    for sa, sb in MATMUL_SHAPES[:9]:
        t = torch.matmul(torch.zeros(sa, requires_grad=True), torch.zeros(sb))
        e = ember.matmul(ember.zeros(sa, requires_grad=True), ember.zeros(sb))
        assert e.grad_fn.name() == t.grad_fn.name()


MATMUL_ERRORS = [
    ((64, 784), (128, 10)), ((4,), (5,)), ((3, 4), (5,)), ((3, 4, 5), (6,)), ((4,), (5, 6)),
    ((3, 4, 5), (2, 6, 7)), ((2, 3, 4, 5), (3, 6, 7)), ((2, 3, 4, 5), (2, 5, 7)), ((6,), (3, 4, 5)),
    ((), (2, 2)), ((2, 2), ()),
]


@pytest.mark.parametrize("sa,sb", MATMUL_ERRORS)
def test_matmul_errors(sa, sb):
    same_error(lambda T, a, b: T.matmul(a, b), rand(*sa), rand(*sb))


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES[:9])
@pytest.mark.parametrize("da,db", [(np.float32, np.float64), (np.float64, np.float32), (np.int64, np.int32)])
def test_matmul_dtype_mismatch(sa, sb, da, db):
    same_error(lambda T, a, b: T.matmul(a, b), rand(*sa, dtype=da), rand(*sb, dtype=db))


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES[:9])
def test_matmul_bool(sa, sb):
    same_error(lambda T, a, b: T.matmul(a, b), rand(*sa, dtype=np.bool_), rand(*sb, dtype=np.bool_))


def test_matmul_not_tensor():
    same_error(lambda T, a: T.matmul(a, 2), rand(2, 2))
    same_error(lambda T, a: T.mm(2, a), rand(2, 2))


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES[:11] + [((2, 1, 2, 3), (1, 2, 3, 2))])
def test_matmul_gradcheck(sa, sb):
    gradchecks(lambda T, a, b: T.matmul(a, b), sa, sb)


def test_matmul_out():
    check(lambda T, a, b: T.matmul(a, b, out=T.empty(0)), rand(3, 4), rand(4, 2), grad=False)


# ---------------------------------------------------------------------------- fixed-rank kernels
KERNELS = {
    "mm": ((3, 4), (4, 5)), "bmm": ((2, 3, 4), (2, 4, 5)), "mv": ((3, 4), (4,)), "dot": ((4,), (4,)),
    "vdot": ((4,), (4,)), "inner": ((2, 3, 4), (5, 4)), "outer": ((3,), (4,)), "ger": ((3,), (4,)),
    "kron": ((2, 3), (3, 2)),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("op", KERNELS)
def test_kernel(op, dtype):
    sa, sb = KERNELS[op]
    check(lambda T, a, b: getattr(T, op)(a, b), rand(*sa, dtype=dtype), rand(*sb, dtype=dtype))
    check(lambda T, a, b: getattr(a, op)(b), rand(*sa, dtype=dtype), rand(*sb, dtype=dtype))


@pytest.mark.parametrize("op", KERNELS)
@pytest.mark.parametrize("la,lb", [("T", "C"), ("C", "sliced"), ("sliced", "T")])
def test_kernel_layouts(op, la, lb):
    if op == "kron" and "T" in (la, lb):
        pytest.skip("torch 2.13's kron fails on column-major operands (it calls view)")
    sa, sb = KERNELS[op]
    check(lambda T, a, b: getattr(T, op)(a, b), layout(rand(*sa), la), layout(rand(*sb), lb))


@pytest.mark.parametrize("op", KERNELS)
def test_kernel_gradcheck(op):
    gradchecks(lambda T, a, b: getattr(T, op)(a, b), *KERNELS[op])


@pytest.mark.parametrize("op,sa,sb", [
    ("mm", (0, 3), (3, 4)), ("mm", (2, 0), (0, 4)), ("bmm", (0, 2, 3), (0, 3, 4)), ("bmm", (2, 1, 0), (2, 0, 1)),
    ("mv", (0, 3), (3,)), ("mv", (3, 0), (0,)), ("dot", (0,), (0,)), ("outer", (0,), (3,)),
    ("inner", (), (2, 3)), ("inner", (2, 3), ()), ("inner", (3,), (3,)), ("inner", (3,), (2, 3)),
    ("inner", (2, 0), (3, 0)), ("kron", (), (2, 3)), ("kron", (2,), (3, 2, 2)), ("kron", (1, 2), (0, 3)),
])
def test_kernel_edge_shapes(op, sa, sb):
    check(lambda T, a, b: getattr(T, op)(a, b), rand(*sa), rand(*sb))


@pytest.mark.parametrize("op,sa,sb,da,db", [
    ("mm", (5,), (5, 6), np.float32, np.float32), ("mm", (4, 5), (5,), np.float32, np.float32),
    ("mm", (2, 3), (4, 2), np.float32, np.float64), ("mm", (2, 2), (2, 2), np.float32, np.float16),
    ("mm", (2, 2), (2, 2), np.float32, np.int16), ("mm", (2, 2), (2, 2), np.float32, np.int8),
    ("mm", (2, 2), (2, 2), np.float32, np.uint8), ("mm", (2, 2), (2, 2), np.bool_, np.bool_),
    ("bmm", (4, 5, 6), (4, 5, 7), np.float32, np.float32), ("bmm", (4, 5, 6), (3, 6, 7), np.float32, np.float32),
    ("bmm", (5, 6), (3, 6, 7), np.float32, np.float32), ("bmm", (4, 5, 6), (6, 7), np.float32, np.float32),
    ("bmm", (2, 2, 2), (2, 2, 2), np.float64, np.float32), ("bmm", (2, 2, 2), (2, 2, 2), np.bool_, np.bool_),
    ("mv", (4, 5), (6,), np.float32, np.float32), ("mv", (4, 5), (6, 1), np.float32, np.float32),
    ("mv", (4,), (4,), np.float32, np.float32), ("mv", (2, 2), (2,), np.float32, np.float64),
    ("dot", (2, 2), (2, 2), np.float32, np.float32), ("dot", (3,), (4,), np.float32, np.float32),
    ("dot", (3,), (3,), np.float32, np.float64), ("dot", (3,), (3,), np.bool_, np.bool_),
    ("vdot", (2,), (3,), np.float32, np.float32), ("vdot", (2, 1), (2, 1), np.float32, np.float32),
    ("outer", (3, 1), (4,), np.float32, np.float32), ("outer", (3,), (4, 1), np.float32, np.float32),
    ("inner", (3, 4), (5, 3), np.float32, np.float32), ("inner", (3,), (3,), np.float32, np.float64),
    ("inner", (2,), (2,), np.bool_, np.bool_),
])
def test_kernel_errors(op, sa, sb, da, db):
    same_error(lambda T, a, b: getattr(T, op)(a, b), rand(*sa, dtype=da), rand(*sb, dtype=db))


def test_outer_promotes():
    check(lambda T, a, b: T.outer(a, b), rand(3), rand(4, dtype=np.float64))
    check(lambda T, a, b: T.kron(a, b), rand(2, 2), rand(2, dtype=np.float64))
    check(lambda T, a, b: T.outer(a, b), rand(3, dtype=np.bool_), rand(4, dtype=np.int64), grad=False)


@pytest.mark.parametrize("dtype", [np.int64, np.int32])
def test_kernel_integers(dtype):
    for op, (sa, sb) in KERNELS.items():
        check(lambda T, a, b: getattr(T, op)(a, b), rand(*sa, dtype=dtype), rand(*sb, dtype=dtype), grad=False)


# ---------------------------------------------------------------------------- beta * input + alpha * product
FUSED = {
    "addmm": [((4,), (3, 2), (2, 4)), ((3, 4), (3, 2), (2, 4)), ((1, 4), (3, 2), (2, 4)), ((), (3, 2), (2, 4)),
              ((3, 1), (3, 0), (0, 1))],
    "addmv": [((3,), (3, 2), (2,)), ((), (3, 2), (2,)), ((1,), (3, 2), (2,)), ((0,), (0, 2), (2,))],
    "baddbmm": [((2, 3, 4), (2, 3, 5), (2, 5, 4)), ((4,), (2, 3, 5), (2, 5, 4)), ((3, 1), (2, 3, 5), (2, 5, 4)),
                ((1, 3, 4), (2, 3, 0), (2, 0, 4))],
    "addbmm": [((3, 4), (2, 3, 5), (2, 5, 4)), ((4,), (2, 3, 5), (2, 5, 4)), ((3, 4), (0, 3, 5), (0, 5, 4))],
}
FUSED_CASES = [(op, shapes) for op, cases in FUSED.items() for shapes in cases]
SCALARS = [dict(), dict(beta=0.5, alpha=2.0), dict(beta=0, alpha=-1.5), dict(beta=2, alpha=0)]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("scalars", SCALARS)
@pytest.mark.parametrize("op,shapes", FUSED_CASES)
def test_fused(op, shapes, scalars, dtype):
    arrays = [rand(*s, dtype=dtype) for s in shapes]
    check(lambda T, i, a, b: getattr(T, op)(i, a, b, **scalars), *arrays)
    check(lambda T, i, a, b: getattr(i, op)(a, b, **scalars), *arrays)


@pytest.mark.parametrize("op", FUSED)
@pytest.mark.parametrize("layouts", [("T", "T", "C"), ("sliced", "C", "T"), ("C", "sliced", "sliced")])
def test_fused_layouts(op, layouts):
    arrays = [layout(rand(*s), lay) for s, lay in zip(FUSED[op][0], layouts)]
    check(lambda T, i, a, b: getattr(T, op)(i, a, b, beta=0.5, alpha=2), *arrays)


def test_fused_ignores_input_when_beta_is_zero():
    bias = np.full(4, np.nan, np.float32)
    check(lambda T, i, a, b: T.addmm(i, a, b, beta=0), bias, rand(3, 2), rand(2, 4))


def test_fused_integers():
    ints = [rand(*s, dtype=np.int64) for s in FUSED["addmm"][1]]
    check(lambda T, i, a, b: T.addmm(i, a, b, beta=1.5, alpha=0.5), *ints, grad=False)
    check(lambda T, i, a, b: T.addmm(i, a, b, beta=3, alpha=-2), *ints, grad=False)


@pytest.mark.parametrize("op,shapes", [FUSED_CASES[1], FUSED_CASES[5], FUSED_CASES[9], FUSED_CASES[13]])
def test_fused_inplace(op, shapes):
    check(lambda T, i, a, b: getattr(i.clone(), op + "_")(a, b, beta=0.5, alpha=2), *[rand(*s) for s in shapes])


def test_fused_inplace_cannot_broadcast_self():
    check_raises(lambda T, i, a, b: i.addmm_(a, b), *[rand(*s) for s in FUSED["addmm"][0]])


@pytest.mark.parametrize("op,shapes", FUSED_CASES[:1] + FUSED_CASES[5:6] + FUSED_CASES[9:10] + FUSED_CASES[13:14])
def test_fused_gradcheck(op, shapes):
    gradchecks(lambda T, i, a, b: getattr(T, op)(i, a, b, beta=0.5, alpha=-2), *shapes)


@pytest.mark.parametrize("op,shapes,dtypes", [
    ("addmm", ((2,), (2, 2, 2), (2, 2)), "fff"), ("addmm", ((2,), (2,), (2, 2)), "fff"),
    ("addmm", ((2,), (2, 2), (2,)), "fff"), ("addmm", ((2,), (2, 3), (2, 2)), "fff"),
    ("addmm", ((4, 3), (2, 4), (4, 3)), "fff"), ("addmm", ((1, 2, 2), (2, 2), (2, 2)), "fff"),
    ("addmm", ((2,), (2, 2), (2, 2)), "fdd"), ("addmm", ((2,), (2, 2), (2, 2)), "dfd"),
    ("addmm", ((2,), (2, 2), (2, 2)), "ddf"),
    ("addmv", ((3,), (2, 4), (4,)), "fff"), ("addmv", ((2,), (2,), (2,)), "fff"),
    ("addmv", ((3, 1), (2, 3), (3,)), "fff"), ("addmv", ((2,), (2, 2), (2,)), "fdd"),
    ("baddbmm", ((2,), (2, 2), (2, 2, 2)), "fff"), ("baddbmm", ((2,), (2, 2, 3), (2, 2, 2)), "fff"),
    ("baddbmm", ((3, 2), (2, 2, 3), (2, 3, 2)), "fff"), ("baddbmm", ((2,), (2, 2, 2), (2, 2, 2)), "fdd"),
    ("baddbmm", ((2,), (2, 2, 2), (2, 2, 2)), "dfd"), ("baddbmm", ((1, 1, 2, 2), (1, 2, 2), (1, 2, 2)), "fff"),
    ("addbmm", ((2,), (2, 2, 3), (2, 2, 2)), "fff"), ("addbmm", ((2,), (2, 2, 3), (3, 3, 2)), "fff"),
    ("addbmm", ((2,), (2, 3), (3, 3, 2)), "fff"), ("addbmm", ((3,), (2, 2, 3), (2, 3, 2)), "fff"),
    ("addbmm", ((2,), (2, 2, 2), (2, 2, 2)), "fdd"), ("addbmm", ((2,), (2, 2, 2), (2, 2, 2)), "dfd"),
])
def test_fused_errors(op, shapes, dtypes):
    kinds = {"f": np.float32, "d": np.float64}
    same_error(lambda T, i, a, b: getattr(T, op)(i, a, b),
               *[rand(*s, dtype=kinds[k]) for s, k in zip(shapes, dtypes)])


# ---------------------------------------------------------------------------- einsum
EINSUM = [
    ("ij,jk->ik", (2, 3), (3, 4)), ("ij,jk", (2, 3), (3, 4)), ("bij,bjk->bik", (2, 3, 4), (2, 4, 5)),
    ("i,i->", (4,), (4,)), ("i,j->ij", (3,), (4,)), ("ij->ji", (2, 3)), ("ij->", (2, 3)), ("ij->j", (2, 3)),
    ("ii->i", (3, 3)), ("ii", (3, 3)), ("iij->ij", (3, 3, 2)), ("ii,i->i", (3, 3), (3,)),
    ("ba", (2, 3)), ("bA", (2, 3)), ("b...a", (2, 4, 3)), ("...ij,...jk", (5, 2, 3), (3, 4)),
    ("...ij,...jk->...ik", (2, 1, 2, 3), (5, 3, 4)), ("...i->i", (2, 3)), ("i...->...", (2, 3, 4)),
    ("ij,jk->ik", (2, 1), (3, 4)), ("ij,jk->ik", (2, 3), (1, 4)), ("ij,ij->ij", (2, 3), (1, 3)),
    ("ij,jk,kl->il", (2, 3), (3, 4), (4, 5)), ("i,i,i", (3,), (3,), (3,)), (",i->i", (), (3,)), ("", ()),
    (" i j , j k -> i k ", (2, 3), (3, 4)), ("ij,jk->ik", (0, 3), (3, 4)), ("ij,jk->ik", (2, 0), (0, 4)),
    ("ij,kl->ijkl", (2, 1), (1, 3)), ("bhqd,bhkd->bhqk", (2, 3, 4, 5), (2, 3, 6, 5)),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("case", EINSUM, ids=lambda c: c[0])
def test_einsum(case, dtype):
    eq, *shapes = case
    check(lambda T, *ops: T.einsum(eq, *ops), *[rand(*s, dtype=dtype) for s in shapes])


def test_einsum_forms():
    a, b = rand(2, 3), rand(3, 4)
    check(lambda T, x, y: T.einsum("ij,jk->ik", [x, y]), a, b)
    check(lambda T, x, y: T.einsum(x, [0, 1], y, [1, 2], [0, 2]), a, b)
    check(lambda T, x, y: T.einsum(x, [0, 1], y, [1, 2]), a, b)
    check(lambda T, x: T.einsum(x, [Ellipsis, 1], [1]), rand(2, 3, 4))
    check(lambda T, x: T.einsum("ij->ij", x.t()), a)


def test_einsum_layouts():
    check(lambda T, x, y: T.einsum("bij,bjk->bik", x, y), layout(rand(2, 3, 4), "T"), layout(rand(2, 4, 5), "sliced"))


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_einsum_integers(dtype):
    for eq, *shapes in [("ij,jk", (2, 3), (3, 4)), ("i->", (3,)), ("ii->i", (3, 3)), ("i,i->i", (3,), (3,))]:
        if dtype == np.bool_ and eq == "ij,jk":
            continue
        check(lambda T, *ops: T.einsum(eq, *ops), *[rand(*s, dtype=dtype) for s in shapes], grad=False)


@pytest.mark.parametrize("case", [c for c in EINSUM if 0 not in sum(c[1:], ())], ids=lambda c: c[0])
def test_einsum_gradcheck(case):
    eq, *shapes = case
    gradchecks(lambda T, *ops: T.einsum(eq, *ops), *shapes)


@pytest.mark.parametrize("eq,shapes", [
    ("ij,jk->ik", ((2, 3), (4, 4))), ("ij,jk", ((2, 3), (3, 4), (4,))), ("i,i", ((2,),)),
    ("ij->", ((2, 3, 4),)), ("ijk->", ((3, 3),)), ("ijk...->", ((3, 3),)), ("ij->ii", ((2, 2),)),
    ("ii->i", ((2, 3),)), ("i1->i", ((2, 3),)), ("ij->ik", ((2, 3),)), ("i..,i", ((3,), (3,))),
    ("...i->......", ((3,),)), ("...i...", ((2,),)), ("i->i->i", ((2,),)), ("i->i,i", ((3,),)),
    ("...i,...i->...i", ((2, 3), (4, 3))), ("i", ()), ("ij,jk", ((2, 2), (2, 2), "d")),
    ("ij,jk", ((2, 2), (2, 2), "b")),
])
def test_einsum_errors(eq, shapes):
    dtype = {"d": np.float64, "b": np.bool_}.get(shapes[-1] if shapes and isinstance(shapes[-1], str) else "")
    shapes = [s for s in shapes if not isinstance(s, str)]
    arrays = [rand(*s) for s in shapes]
    if dtype is not None:
        arrays = [a.astype(np.bool_) for a in arrays] if dtype == np.bool_ else [arrays[0], arrays[1].astype(dtype)]
    same_error(lambda T, *ops: T.einsum(eq, *ops), *arrays)


def test_einsum_sublist_error():
    same_error(lambda T, x: T.einsum(x, [0, 60]), rand(2, 3))


def test_einsum_view():
    x = ember.from_numpy(rand(3, 3))
    assert ember.einsum("ii->i", x)._base is x


def test_einsum_view_inplace():
    """A one-operand einsum is a view: in-place writes through it or its base reach both histories."""
    def write_view(T, x):
        y = x * 1
        T.einsum("ii->i", y).mul_(2)
        return y

    def write_base(T, x):
        y = x * 1
        d = T.einsum("ii->i", y)
        y.mul_(3)
        return d
    check(write_view, rand(3, 3))
    check(write_base, rand(3, 3))


# ---------------------------------------------------------------------------- tensordot
TENSORDOT = [
    ((2, 3, 4), (3, 4, 5), 2), ((2, 3, 4), (3, 4, 5), ([1, 2], [0, 1])), ((2, 3), (3, 2), ([1], [0])),
    ((2, 3), (3, 2), 0), ((2, 3), (3, 2), ([-1], [-2])), ((2, 3, 4), (4, 3, 5), ([1, 2], [1, 0])),
    ((2, 1), (3, 2), 1), ((2, 3), (1, 2), 1), ((2, 3), (2, 3), 2), ((0, 3), (3, 2), 1),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("sa,sb,dims", TENSORDOT)
def test_tensordot(sa, sb, dims, dtype):
    check(lambda T, a, b: T.tensordot(a, b, dims=dims), rand(*sa, dtype=dtype), rand(*sb, dtype=dtype))


def test_tensordot_forms():
    check(lambda T, a, b: T.tensordot(a, b), layout(rand(2, 3, 4), "T"), layout(rand(3, 4, 5), "sliced"))
    check(lambda T, a, b: T.tensordot(a, b, dims=T.tensor(1)), rand(2, 3), rand(3, 2))


@pytest.mark.parametrize("sa,sb,dims", TENSORDOT[:8])
def test_tensordot_gradcheck(sa, sb, dims):
    gradchecks(lambda T, a, b: T.tensordot(a, b, dims=dims), sa, sb)


@pytest.mark.parametrize("sa,sb,dims,db", [
    ((2, 3), (3, 2), 1, np.float64), ((2, 3), (4, 2), 1, np.float64), ((2, 3), (3, 2), -1, np.float32),
    ((2, 3), (3, 2), 3, np.float32), ((2, 3), (3, 2), ([1], [0, 1]), np.float32),
    ((2, 3, 4), (4, 4, 5), ([1, 2], [0, 1]), np.float32), ((2, 3), (3, 2), (1, 0), np.float32),
])
def test_tensordot_errors(sa, sb, dims, db):
    same_error(lambda T, a, b: T.tensordot(a, b, dims=dims), rand(*sa), rand(*sb, dtype=db))
