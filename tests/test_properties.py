"""Property-based differential tests: hypothesis draws the inputs, torch is the oracle.

Each test draws shapes (0-d up to 5-d, with size-0 and size-1 dims), broadcasting partners,
dtypes, memory layouts (contiguous, Fortran order, step-2 slices) and op arguments, then
calls ``same``: where torch raises, ember must raise the same exception type in its own
words (never NumPy's); otherwise values, dtype, shape and input gradients must agree
(``oracle.check``).
"""
from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, assume, event, given, settings, strategies as st
from hypothesis.control import currently_in_test_context
from hypothesis.extra import numpy as hnp

import ember
from oracle import check, layout

FLOATS = (np.float32, np.float64)
INTS = (np.int64, np.int32, np.int16, np.int8, np.uint8)
ALL = FLOATS + INTS + (np.bool_,)

# Derandomized, so CI draws the same examples every run; to hunt for new failures, raise
# max_examples and set derandomize=False locally (findings go to FOUND or KNOWN_BUGS below).
PROPS = settings(max_examples=150, deadline=None, derandomize=True, database=None, print_blob=False,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Messages NumPy writes: seeing one means ember let a NumPy error through unchecked.
NUMPY_WORDS = re.compile(r"could not be broadcast|out of bounds for (axis|array)|cannot reshape array|"
                         r"not aligned|zero-size array|mismatch in its core dimension|"
                         r"all the input array|array dimensions|ufunc|numpy|ndarray|axes don't match|"
                         r"repeated axis|must have the same shape|boolean index did not match")


# ---------------------------------------------------------------------------- the comparison
def _flat(out) -> list:
    return [o for x in out for o in _flat(x)] if isinstance(out, (tuple, list)) else [out]


def _error(lib, fn, arrays):
    """What ``fn`` raises on ``lib``'s tensors, forward or backward (floats require grad), or None."""
    inputs = [lib.from_numpy(a).requires_grad_(a.dtype.kind == "f") if isinstance(a, np.ndarray) else a
              for a in arrays]
    try:
        outs = [o for o in _flat(fn(lib, *inputs)) if isinstance(o, lib.Tensor) and o.requires_grad]
        leaves = [t for t in inputs if isinstance(t, lib.Tensor) and t.requires_grad]
        if outs:
            lib.autograd.grad(outs, leaves, [lib.ones_like(o) for o in outs], allow_unused=True)
    except Exception as err:  # noqa: BLE001 - any exception is an outcome to compare
        return err
    return None


def _count(outcome: str) -> None:
    """Tally the outcome in hypothesis's statistics (``--hypothesis-show-statistics``)."""
    if currently_in_test_context():
        event(outcome)


def same(fn, *arrays, **tolerances) -> None:
    """``fn(lib, *tensors)`` behaves the same in torch and ember: same error type, or same results."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = _error(torch, fn, arrays)
        if expected is None:
            _count("compared results")
            if not tolerances and any(getattr(a, "dtype", None) == np.float32 for a in arrays):
                tolerances = {"atol": 1e-5, "rtol": 1e-4}  # a float64 result may pass through float32
            check(fn, *arrays, **tolerances)
            return
        _count(f"compared errors ({type(expected).__name__})")
        err = _error(ember, fn, arrays)
    assert err is not None, f"ember did not raise; torch raises {type(expected).__name__}: {expected}"
    assert isinstance(err, type(expected)), \
        f"ember raised {type(err).__name__}: {err}; torch raises {type(expected).__name__}: {expected}"
    leak = NUMPY_WORDS.search(str(err))
    assert not leak or leak.group() in str(expected), f"NumPy's message leaked: {err!r} (torch: {expected})"


# ---------------------------------------------------------------------------- strategies
def shapes(min_dims: int = 0, max_dims: int = 5, max_side: int = 4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=0, max_side=max_side)


def _values(rng: np.random.Generator, shape: tuple, dtype: np.dtype, kind: str) -> np.ndarray:
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        low = 0 if dtype.kind == "u" else -3
        return rng.integers(low, 4, shape).astype(dtype)
    if kind == "ties":  # small whole numbers: zeros and equal elements, where subgradients matter
        return rng.integers(-2, 3, shape).astype(dtype)
    out = rng.uniform(-3, 3, shape).astype(dtype)
    if kind == "special" and out.size:
        picks = rng.random(shape) < 0.3
        out[picks] = rng.choice(np.array([0.0, -0.0, 1.0, np.inf, -np.inf, np.nan], dtype), picks.sum())
    return out


@st.composite
def arrays(draw, shape, dtypes=FLOATS, special: bool = True):
    """An array of ``shape`` (or a drawn shape) with seeded values, in a drawn memory layout."""
    shape = draw(shape) if isinstance(shape, st.SearchStrategy) else tuple(shape)
    dtype = np.dtype(draw(st.sampled_from(dtypes)))
    kinds = ("uniform", "ties", "special") if special else ("uniform", "ties")
    kind = draw(st.sampled_from(kinds))
    arr = np.asarray(_values(np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1))), shape, dtype, kind))
    return layout(arr, draw(st.sampled_from(("C", "T", "sliced"))))


def python_scalars():
    return st.one_of(st.integers(-3, 3), st.sampled_from([0.5, -1.5, 2.0, 0.0]), st.booleans())


# ---------------------------------------------------------------------------- elementwise
BINARY = {
    "add": lambda T, x, y: T.add(x, y),
    "add_alpha": lambda T, x, y: T.add(x, y, alpha=2),
    "sub": lambda T, x, y: T.sub(x, y),
    "mul": lambda T, x, y: T.mul(x, y),
    "div": lambda T, x, y: T.div(x, y),
    "div_floor": lambda T, x, y: T.div(x, y, rounding_mode="floor"),
    "div_trunc": lambda T, x, y: T.div(x, y, rounding_mode="trunc"),
    "pow": lambda T, x, y: T.pow(x, y),
    "maximum": lambda T, x, y: T.maximum(x, y),
    "operator+": lambda T, x, y: x + y,
    "operator-": lambda T, x, y: x - y,
    "operator*": lambda T, x, y: x * y,
    "operator/": lambda T, x, y: x / y,
    "operator**": lambda T, x, y: x ** y,
}
REFLECTED = {"+": lambda T, x, s: s + x, "-": lambda T, x, s: s - x, "*": lambda T, x, s: s * x,
             "/": lambda T, x, s: s / x, "**": lambda T, x, s: s ** x}


def _grad_tolerances(name: str, dtypes) -> dict:
    """pow's gradient multiplies by a log, so float32 needs a looser bound there."""
    if "**" in name or "pow" in name:
        return {"atol": 1e-4, "rtol": 1e-4} if np.float32 in dtypes else {}
    return {}


@PROPS
@given(st.sampled_from(sorted(BINARY)),
       hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=5, max_side=4), st.data())
def test_binary_tensor_tensor(name, pair, data):
    a, b = pair.input_shapes
    x = data.draw(arrays(a, ALL))
    y = data.draw(arrays(b, ALL))
    same(BINARY[name], x, y, **_grad_tolerances(name, (x.dtype, y.dtype)))


@PROPS
@given(st.sampled_from(sorted(BINARY)), arrays(shapes(), ALL), python_scalars())
def test_binary_tensor_scalar(name, x, s):
    if ("pow" in name or "**" in name) and isinstance(s, bool):
        s = int(s)  # torch's gradient of x ** False at x = 0 is nan (0 * inf), ember's is 0
    same(lambda T, x: BINARY[name](T, x, s), x, **_grad_tolerances(name, (x.dtype,)))


@PROPS
@given(st.sampled_from(sorted(REFLECTED)), arrays(shapes(), ALL), python_scalars())
def test_binary_scalar_tensor(op, x, s):
    if op == "**" and isinstance(s, bool):
        s = int(s)  # torch's backward of ``bool ** tensor`` fails an internal assert
    same(lambda T, x: REFLECTED[op](T, x, s), x, **_grad_tolerances(op, (x.dtype,)))


UNARY = {
    "exp": lambda T, x: T.exp(x),
    "tanh": lambda T, x: T.tanh(x),
    "sigmoid": lambda T, x: T.sigmoid(x),
    "abs": lambda T, x: T.abs(x),
    "neg": lambda T, x: -x,
    "log": lambda T, x: x.log(),
    "sqrt": lambda T, x: x.sqrt(),
}


@PROPS
@given(st.sampled_from(sorted(UNARY)), arrays(shapes(), ALL))
def test_unary(name, x):
    same(UNARY[name], x)


def _bound(data, shape, kind):
    """A clamp bound: None, a Python number, or a tensor broadcastable to ``shape``."""
    if data.draw(st.integers(0, 3)) == 0:
        return None
    if kind == "number":
        return data.draw(st.sampled_from([-1, 0, 1, -0.5, 1.5]))
    # a bound broadcasting past the input's shape: torch's backward fails its own shape check
    to_shape = st.tuples(*(st.sampled_from((n, 1)) for n in shape)).flatmap(
        lambda full: st.integers(0, len(full)).map(lambda k: full[k:]))
    return data.draw(arrays(to_shape, ALL))


@PROPS
@given(arrays(shapes(), ALL), st.data())
def test_clamp(x, data):
    # torch takes two numbers or two tensors, not one of each (ember takes both: not compared)
    kind = data.draw(st.sampled_from(("number", "tensor")))
    lo, hi = _bound(data, x.shape, kind), _bound(data, x.shape, kind)
    bounds = [b for b in (lo, hi) if isinstance(b, np.ndarray)]

    def fn(T, x, *tensors):
        it = iter(tensors)
        lo_ = next(it) if isinstance(lo, np.ndarray) else lo
        hi_ = next(it) if isinstance(hi, np.ndarray) else hi
        return T.clamp(x, min=lo_, max=hi_)
    same(fn, x, *bounds)


@PROPS
@given(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=4, max_side=3), st.data())
def test_where(triple, data):
    c, a, b = triple.input_shapes
    cond = data.draw(arrays(c, (np.bool_, np.bool_, np.bool_, np.uint8, np.float32)))
    x = data.draw(st.one_of(arrays(a, ALL), python_scalars()))
    y = data.draw(st.one_of(arrays(b, ALL), python_scalars()))
    same(lambda T, c, x, y: T.where(c, x, y), cond, x, y)


# ---------------------------------------------------------------------------- reductions
@st.composite
def reduction_dims(draw, ndim: int, faults: bool = True):
    """None, one dim or distinct dims, some negative; with ``faults``, now and then one dim out of range
    or repeated (one fault at a time: the order torch checks faults in is not the spec)."""
    rank = max(ndim, 1)
    one = st.integers(-rank, rank - 1)
    dims = draw(st.one_of(st.none(), one, st.lists(one, max_size=ndim, unique_by=lambda d: d % rank)
                          .map(tuple)))
    if not faults or draw(st.integers(0, 4)):
        return dims
    if dims is None or dims == () or draw(st.booleans()):
        bad = draw(st.sampled_from((-rank - 1, rank)))
        return bad if dims is None or isinstance(dims, int) else dims + (bad,)
    return (dims, dims) if isinstance(dims, int) else dims + (dims[0],)


REDUCTIONS = {
    "sum": lambda T, x, dim, keep: T.sum(x) if dim is None else T.sum(x, dim, keepdim=keep),
    "sum_method": lambda T, x, dim, keep: x.sum(dim=dim, keepdim=keep),
    "mean": lambda T, x, dim, keep: T.mean(x) if dim is None else T.mean(x, dim, keepdim=keep),
    "amax": lambda T, x, dim, keep: T.amax(x, () if dim is None else dim, keepdim=keep),
    "logsumexp": lambda T, x, dim, keep: T.logsumexp(x, tuple(range(x.ndim)) if dim is None else dim,
                                                     keepdim=keep),
    "var": lambda T, x, dim, keep: T.var(x, dim, keepdim=keep),
    "var_correction0": lambda T, x, dim, keep: T.var(x, dim, correction=0, keepdim=keep),
    "var_unbiased_false": lambda T, x, dim, keep: x.var(dim, unbiased=False, keepdim=keep),
}


@PROPS
@given(st.sampled_from(sorted(REDUCTIONS)), arrays(shapes(), ALL), st.booleans(), st.data())
def test_reduction(name, x, keepdim, data):
    # bad dims only where nothing else is wrong (a dtype mean refuses, an empty amax)
    dim = data.draw(reduction_dims(x.ndim, faults=x.dtype.kind == "f" and x.size > 0))
    if dim == () and name.startswith(("logsumexp", "var")):
        dim = None  # torch mishandles dim=() there: logsumexp fails a shape check, var's gradient is inf
    assume(not (name.startswith("var") and x.ndim == 0 and np.isnan(x)))  # torch's gradient: inf, not nan
    same(lambda T, x: REDUCTIONS[name](T, x, dim, keepdim), x)


# ---------------------------------------------------------------------------- shape ops
@st.composite
def reshape_targets(draw, numel: int):
    """A shape holding ``numel`` elements (maybe with one -1), or now and then one that does not."""
    sizes, left = [], numel
    for _ in range(draw(st.integers(0, 4))):
        if left == 0:
            size = draw(st.integers(0, 3))
        else:
            divisors = [d for d in range(1, min(left, 6) + 1) if left % d == 0]
            size = draw(st.sampled_from(divisors))
            left //= size
        sizes.append(size)
    if left != 1 or not sizes:
        sizes.append(left if numel else 0)
    if draw(st.booleans()):
        sizes[draw(st.integers(0, len(sizes) - 1))] = -1
    if draw(st.integers(0, 9)) == 0:
        sizes.append(draw(st.integers(2, 3)))  # numel no longer fits
    return tuple(draw(st.permutations(sizes)))


@PROPS
@given(arrays(shapes(), ALL), st.booleans(), st.data())
def test_reshape_and_view(x, as_view, data):
    target = data.draw(reshape_targets(x.size))
    if as_view:  # view must refuse exactly where torch's stride rules do
        same(lambda T, x: x.view(target), x)
    else:
        same(lambda T, x: T.reshape(x, target), x)


@PROPS
@given(arrays(shapes(), ALL), st.data())
def test_permute(x, data):
    order = list(data.draw(st.permutations(range(x.ndim))))
    order = [d - x.ndim if data.draw(st.booleans()) else d for d in order]
    if data.draw(st.integers(0, 9)) == 0:
        order = order[:-1] + [order[0]] if order else [0]  # a repeated or out-of-range dim
    same(lambda T, x: T.permute(x, order), x)


@PROPS
@given(arrays(shapes(), ALL), st.data())
def test_transpose(x, data):
    rank = max(x.ndim, 1)
    d0, d1 = data.draw(st.integers(-rank - 1, rank)), data.draw(st.integers(-rank - 1, rank))
    same(lambda T, x: T.transpose(x, d0, d1), x)


@st.composite
def expand_targets(draw, shape: tuple):
    """Extra leading sizes, then each size kept, -1, or (for size 1) any size; sometimes wrong."""
    lead = draw(st.lists(st.integers(0, 3), max_size=2))
    sizes = []
    for s in shape:
        choices = [s, -1] + ([0, 2, 3] if s == 1 else [])
        sizes.append(draw(st.sampled_from(choices)))
    if shape and draw(st.integers(0, 9)) == 0:
        i = draw(st.integers(0, len(shape) - 1))
        sizes[i] = shape[i] + 1 if shape[i] != 1 else sizes[i]
    return tuple(lead) + tuple(sizes)


@PROPS
@given(arrays(shapes(), ALL), st.data())
def test_expand(x, data):
    target = data.draw(expand_targets(x.shape))
    same(lambda T, x: x.expand(*target) if len(target) % 2 else x.expand(target), x)


@PROPS
@given(shapes(min_dims=1, max_dims=4), st.integers(1, 3), st.data())
def test_cat(shape, count, data):
    rank = len(shape)
    dim = data.draw(st.integers(-rank - 1, rank))
    d = dim % rank if -rank <= dim < rank else 0
    parts = []
    for _ in range(count):
        part = list(shape)
        part[d] = data.draw(st.integers(0, 3))
        if parts and data.draw(st.integers(0, 11)) == 0:
            part = [0]  # torch's legacy rule: a 1-d empty tensor is skipped
        elif data.draw(st.integers(0, 11)) == 0 and rank > 1:
            part[(d + 1) % rank] += 1  # mismatch off the cat dim
        parts.append(data.draw(arrays(tuple(part), ALL)))
    # torch checks no dim when every part is a legacy empty tensor (ember does): not compared
    assume(any(p.shape != (0,) for p in parts))
    same(lambda T, *xs: T.cat(xs, dim), *parts)


@PROPS
@given(shapes(max_dims=4), st.integers(1, 3), st.data())
def test_stack(shape, count, data):
    rank = len(shape) + 1
    dim = data.draw(st.integers(-rank - 1, rank))
    parts = []
    for _ in range(count):
        part = list(shape)
        if part and data.draw(st.integers(0, 11)) == 0:
            part[0] += 1
        parts.append(data.draw(arrays(tuple(part), ALL)))
    same(lambda T, *xs: T.stack(xs, dim), *parts)


@PROPS
@given(arrays(shapes(max_side=2), ALL), st.data())
def test_squeeze(x, data):
    dim = data.draw(reduction_dims(x.ndim))
    same(lambda T, x: T.squeeze(x) if dim is None else T.squeeze(x, dim), x)


# ---------------------------------------------------------------------------- indexing
@st.composite
def basic_indices(draw, shape: tuple):
    """A tuple of ints, stepped slices, None and at most one Ellipsis, over (about) ``shape``."""
    entries, dims = [], list(shape)
    ellipsis = draw(st.booleans())
    for _ in range(draw(st.integers(0, len(shape) + 1))):
        kind = draw(st.sampled_from(("int", "slice", "slice", "none")))
        n = dims.pop(0) if dims and kind != "none" else 2
        if kind == "int":
            entries.append(draw(st.integers(-n - 1, n)))  # the ends are out of range
        elif kind == "slice":
            bound = st.one_of(st.none(), st.integers(-n - 2, n + 2))
            entries.append(slice(draw(bound), draw(bound), draw(st.sampled_from([None, 1, 2, 3]))))
        else:
            entries.append(None)
    if ellipsis:
        entries.insert(draw(st.integers(0, len(entries))), Ellipsis)
    return tuple(entries)


@PROPS
@given(arrays(shapes(), FLOATS + (np.int64, np.bool_)), st.data())
def test_basic_indexing(x, data):
    index = data.draw(basic_indices(x.shape))
    same(lambda T, x: x[index], x)


@st.composite
def advanced_indices(draw, shape: tuple):
    """Integer arrays (as lists or tensors, some indices out of range) mixed with slices, or a bool mask."""
    if draw(st.booleans()) or not shape:
        k = draw(st.integers(min(1, len(shape)), len(shape)))
        mask_shape = list(shape[:k])
        if mask_shape and draw(st.integers(0, 9)) == 0:
            mask_shape[-1] += 1  # does not match the indexed dims
        rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
        return (np.asarray(rng.random(mask_shape) < 0.5),)
    entries = []
    idx_shape = draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=3))
    if not np.prod(shape):  # torch checks an index only when an element is read (ember always does)
        idx_shape = (0,) + idx_shape[1:]
    for n in shape[:draw(st.integers(1, len(shape)))]:
        if draw(st.booleans()):
            entries.append(slice(None, None, draw(st.sampled_from([1, 2]))))
            continue
        hi = n + 1 if draw(st.integers(0, 9)) == 0 else n
        rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
        values = rng.integers(-n, max(hi, 1 - n), idx_shape) if n or hi else np.zeros(idx_shape, np.int64)
        entries.append(values.tolist() if draw(st.booleans()) and values.ndim else values)
    return tuple(entries)


def _as_index(T, entry):
    if isinstance(entry, np.ndarray):
        return T.from_numpy(entry.copy())
    return entry


@PROPS
@given(arrays(shapes(max_dims=4), FLOATS + (np.int64, np.bool_)), st.data())
def test_advanced_indexing(x, data):
    index = data.draw(advanced_indices(x.shape))
    same(lambda T, x: x[tuple(_as_index(T, e) for e in index)], x)


@PROPS
@given(arrays(shapes(max_dims=4), FLOATS), st.data())
def test_index_put(x, data):
    index = data.draw(st.one_of(basic_indices(x.shape), advanced_indices(x.shape)))
    # a value tensor of another dtype: torch refuses it for most indices, ember casts (not compared)
    value = data.draw(st.one_of(python_scalars(), arrays(shapes(max_dims=2, max_side=3), (x.dtype,))))

    def fn(T, x, *v):
        y = x * 1
        y[tuple(_as_index(T, e) for e in index)] = v[0] if v else value
        return y
    same(fn, x, *([value] if isinstance(value, np.ndarray) else []))


@PROPS
@given(arrays(shapes(min_dims=1, max_dims=4), FLOATS + (np.int64,)), st.data())
def test_gather(x, data):
    rank = x.ndim
    dim = data.draw(st.integers(-rank, rank - 1))
    d = dim % rank
    index_shape = tuple(data.draw(st.integers(0, s)) if i != d else data.draw(st.integers(0, 3))
                        for i, s in enumerate(x.shape))
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1)))
    hi = x.shape[d] + (1 if data.draw(st.integers(0, 9)) == 0 else 0)
    index = rng.integers(0, max(hi, 1), index_shape).astype(
        data.draw(st.sampled_from((np.int64, np.int64, np.int64, np.int32))))
    same(lambda T, x, i: T.gather(x, dim, i), x, index)


# ---------------------------------------------------------------------------- linear algebra
@st.composite
def matmul_shapes(draw):
    """Operand shapes for every rank pair in 0..4, with broadcast batch dims and (rarely) a bad inner dim."""
    rank = st.sampled_from((0, 1, 1, 2, 2, 3, 3, 4, 4))  # 0-d is only an error case: drawn less
    ra, rb = draw(rank), draw(rank)
    m, n, p = (draw(st.integers(0, 4)) for _ in range(3))
    k = n + 1 if draw(st.integers(0, 9)) == 0 else n
    base = (draw(st.integers(0, 3)), draw(st.integers(0, 3)))

    def operand(rank, rows, cols, vector):
        if rank < 2:
            return ((vector,) if rank else ())
        return tuple(1 if draw(st.booleans()) else s for s in base[4 - rank:]) + (rows, cols)
    return operand(ra, m, n, n), operand(rb, k, p, k)


@PROPS
@given(matmul_shapes(), st.sampled_from(FLOATS + (np.int64,)), st.integers(0, 9), st.data())
def test_matmul(shapes_ab, dtype, mixed, data):
    a, b = shapes_ab
    x = data.draw(arrays(a, (dtype,), special=False))
    # mixed dtypes (mixed == 0) are refused, except by torch when an operand is empty: not compared there
    mixed = mixed if a and b and np.prod(a) and np.prod(b) else 1
    y = data.draw(arrays(b, (np.float32 if mixed == 0 and dtype != np.float32 else dtype,), special=False))
    same(lambda T, x, y: x @ y if mixed == 1 else T.matmul(x, y), x, y)


# ---------------------------------------------------------------------------- found by the properties
def _put(T, x, index, v):
    y = x * 1
    y[index] = v
    return y


# Inputs the properties found in longer, randomized runs, kept so CI checks them every time.
FOUND = {
    "setitem_value_with_leading_ones": (lambda T, x, v: _put(T, x, T.tensor([0, 1]), v),
                                        np.zeros(3, np.float32), np.ones((1, 2), np.float32)),
    "stack_checks_dim_before_sizes": (lambda T, a, b: T.stack([a, b], 5),
                                      np.zeros((1, 0, 0, 0), np.float32), np.zeros((0, 0, 0, 0), np.float32)),
    "int_division_by_zero_of_empty": (lambda T, x: T.div(x, 0, rounding_mode="floor"), np.zeros(0, np.int64)),
    "zero_base_pow_nan_exponent_grad": (lambda T, x: 0 ** x, np.array([np.nan, 1.0], np.float32)),
}
# ember bugs in files other helpers own (reported); strict, so a fix turns them into failures to remove.
KNOWN_BUGS: dict = {}


@pytest.mark.parametrize("name", sorted(FOUND))
def test_found(name):
    fn, *arrays = FOUND[name]
    same(fn, *arrays)


@pytest.mark.xfail(strict=True, reason="ember bug reported to the owner of the file")
@pytest.mark.parametrize("name", sorted(KNOWN_BUGS))
def test_known_bug(name):
    fn, *arrays = KNOWN_BUGS[name]
    same(fn, *arrays)
