"""``gradcheck`` / ``gradgradcheck``: compare backward's Jacobians with finite differences.

The numerical Jacobian perturbs each input element in place (central differences, in the
input's own dtype, as torch does: use float64 inputs); the analytical one stacks
``autograd.grad`` with each unit cotangent. Both are ``(input.numel(), output.numel())``
matrices, compared with ``allclose(analytical, numerical, rtol, atol)``. ``fast_mode``
compares the scalars ``v^T J u`` for random unit-norm ``u`` and ``v`` instead, and on a
mismatch recomputes the full Jacobians for the message.
"""
from __future__ import annotations

import warnings
from typing import Callable, Optional, Sequence

import numpy as np

from .graph import Node, gradient_edge

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """Error raised by :func:`gradcheck` and :func:`gradgradcheck`."""


_NOT_REENTRANT = (
    "Backward is not reentrant, i.e., running backward with same input and grad_output multiple "
    "times gives different values, although analytical gradient matches numerical gradient.The "
    "tolerance for nondeterminism was {}.\n\nNOTE: If your op relies on non-deterministic "
    "operations, this failure might be expected: call gradcheck/gradgradcheck with "
    "`nondet_tol=<tol>` as a keyword argument.\n")

_FAST_FAIL_SLOW_OK = (
    "Fast gradcheck failed but element-wise differences are small. This means that the\n"
    "test might've passed in slow_mode!\n\n"
    "If you invoke gradcheck/gradgradcheck directly, call it with `fast_mode=False` as a "
    "keyword argument.")


def gradcheck(func: Callable, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0, check_undefined_grad: bool = True,
              check_grad_dtypes: bool = False, check_batched_grad: bool = False,
              check_batched_forward_grad: bool = False, check_forward_ad: bool = False,
              check_backward_ad: bool = True, fast_mode: bool = False,
              masked: Optional[bool] = None) -> bool:
    """Check the gradients of ``func(*inputs)`` w.r.t. the inputs that require grad.

    Returns True when every analytical Jacobian is ``allclose`` to its finite-difference
    estimate; otherwise raises :class:`GradcheckError` showing both (or returns False when
    ``raise_exception=False``). ember has no forward-mode AD and no vmap, so
    ``check_forward_ad``, ``check_batched_grad`` and ``check_batched_forward_grad`` raise
    NotImplementedError.
    """
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError("Expected at least one of check_forward_ad or check_backward_ad to be True")
    if check_batched_grad and not check_backward_ad:
        raise AssertionError("Setting check_batched_grad=True requires check_backward_ad to be True")
    if check_batched_forward_grad and not check_forward_ad:
        raise AssertionError("Setting check_batched_forward_grad=True requires check_forward_ad to be "
                             "True")
    if check_forward_ad or check_batched_forward_grad:
        raise NotImplementedError("gradcheck: ember has no forward-mode AD (check_forward_ad=True)")
    if check_batched_grad:
        raise NotImplementedError("gradcheck: ember has no vmap to batch gradients "
                                  "(check_batched_grad=True)")
    try:
        return _gradcheck(func, _as_tuple(inputs), eps, atol, rtol, nondet_tol, check_undefined_grad,
                          check_grad_dtypes, fast_mode)
    except GradcheckError:
        if raise_exception:
            raise
        return False


def gradgradcheck(func: Callable, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False,
                  raise_exception: bool = True, nondet_tol: float = 0.0,
                  check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
                  check_batched_grad: bool = False, check_fwd_over_rev: bool = False,
                  check_rev_over_rev: bool = True, fast_mode: bool = False,
                  masked: bool = False) -> bool:
    """Check second derivatives: ``gradcheck`` of the map (inputs, grad_outputs) -> input grads.

    Without ``grad_outputs``, random ones in [-1, 1) (requiring grad) are drawn for each
    differentiable output.
    """
    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError("Expected at least one of check_fwd_over_rev or check_rev_over_rev to be "
                             "True")
    if check_undefined_grad and not check_rev_over_rev:
        raise AssertionError("Setting check_undefined_grad=True requires check_rev_over_rev to be True")
    if check_batched_grad and not check_rev_over_rev:
        raise AssertionError("Setting check_batched_grad=True requires check_rev_over_rev to be True")
    from .. import autograd
    from ..tensor import Tensor

    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(_random_grad_output(o, rng, gen_non_contig_grad_outputs)
                             for o in _differentiable_outputs(func(*inputs)))
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_out = len(grad_outputs)
    diff_inputs = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]

    def input_grads(*args):
        ins, gos = args[:len(args) - n_out], args[len(args) - n_out:]
        outputs = _differentiable_outputs(func(*ins))
        grads = autograd.grad(outputs, [ins[i] for i in diff_inputs], gos, create_graph=True,
                              allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(input_grads, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad, check_grad_dtypes=check_grad_dtypes,
                     check_batched_grad=check_batched_grad, fast_mode=fast_mode,
                     check_forward_ad=check_fwd_over_rev, check_backward_ad=check_rev_over_rev,
                     masked=masked)


# ------------------------------------------------------------------------------------ driver
def _gradcheck(func, inputs: tuple, eps, atol, rtol, nondet_tol, check_undefined_grad,
               check_grad_dtypes, fast_mode) -> bool:
    _check_inputs(inputs)
    func_out = _tensor_outputs(func(*inputs))
    diff_pos = [p for p, o in enumerate(func_out) if o.requires_grad]
    outputs = [func_out[p] for p in diff_pos]
    diff_idx = [i for i, x in enumerate(inputs) if _is_tensor(x) and x.requires_grad]
    if not outputs:
        _check_zero_numerical(func, inputs, diff_idx, func_out, eps)
        return True
    if fast_mode:
        _fast_check(func, inputs, diff_idx, outputs, diff_pos, eps, atol, rtol, nondet_tol,
                    check_grad_dtypes)
    else:
        numerical = [_numerical_jacobian(func, inputs, i, outputs, diff_pos, eps) for i in diff_idx]
        for j, out in enumerate(outputs):
            analytical = _analytical_jacobian(inputs, diff_idx, out, nondet_tol, check_grad_dtypes)
            for k, (a, n) in enumerate(zip(analytical, (num[j] for num in numerical))):
                if not _allclose(a, n, rtol, atol):
                    raise GradcheckError(_mismatch_message(a, n, j, k))
    _check_backward_mul_by_grad_output(inputs, diff_idx, outputs)
    if check_undefined_grad:
        _check_undefined_grad(func, inputs, diff_idx)
    return True


def _check_inputs(inputs: tuple) -> None:
    any_requires_grad = False
    for idx, inp in enumerate(inputs):
        if not (_is_tensor(inp) and inp.requires_grad):
            continue
        if inp._data.dtype != np.float64:
            warnings.warn(f"Input #{idx} requires gradient and is not a double precision floating point "
                          "or complex. This check will likely fail if all the inputs are not of double "
                          "precision floating point or complex. ", stacklevel=4)
        if inp._data.size and any(st == 0 and sz > 1 for st, sz in zip(inp._data.strides,
                                                                       inp._data.shape)):
            raise RuntimeError(f"The {idx}th input has a dimension with stride 0. gradcheck only "
                               "supports inputs that are non-overlapping to be able to compute the "
                               "numerical gradients correctly. You should call .contiguous on the "
                               "input before passing it to gradcheck.")
        any_requires_grad = True
    if not any_requires_grad:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none "
                         "of them have requires_grad=True.")


# ------------------------------------------------------------------------------------ numerical
def _central_difference(func, inputs: tuple, arr: np.ndarray, where, delta, eps: float, idx=None) -> list:
    """(f(x + delta) - f(x - delta)) / (2 eps), flattened, for each tensor output of ``func``.

    ``arr[where]`` (an input's array) is perturbed in place and restored; ``delta`` is
    ``eps`` times a direction.
    """
    orig = arr[where].copy()
    arr[where] = orig - delta
    before = [o._data.copy() for o in _tensor_outputs(func(*inputs))]
    arr[where] = orig + delta
    after = [o._data.copy() for o in _tensor_outputs(func(*inputs))]
    arr[where] = orig
    for a, b in zip(before, after):
        _check_same_dtype_and_shape(a, b, eps, idx)
    return [((b - a) / (2 * eps)).reshape(-1) for a, b in zip(before, after)]


def _numerical_jacobian(func, inputs: tuple, input_idx: int, outputs: Sequence, positions: Sequence,
                        eps: float) -> list:
    """One ``(input.numel(), output.numel())`` Jacobian per output, perturbing each input element.

    ``positions`` are the indices of ``outputs`` among ``func``'s tensor outputs.
    """
    arr = inputs[input_idx]._data
    jacobians = [np.zeros((arr.size, o._data.size), o._data.dtype) for o in outputs]
    for d_idx, idx in enumerate(np.ndindex(*arr.shape)):
        cols = _central_difference(func, inputs, arr, idx, eps, eps, idx)
        for jac, p in zip(jacobians, positions):
            jac[d_idx] = cols[p]
    return jacobians


def _check_zero_numerical(func, inputs: tuple, diff_idx: list, func_out: list, eps: float) -> None:
    """With no differentiable output, finite differences must see no change."""
    positions = [p for p, o in enumerate(func_out) if o._data.dtype.kind == "f"]
    outputs = [func_out[p] for p in positions]
    for i in diff_idx:
        for jac in _numerical_jacobian(func, inputs, i, outputs, positions, eps):
            if np.any(jac != 0):
                raise GradcheckError("Numerical gradient for function expected to be zero")


def _check_same_dtype_and_shape(a: np.ndarray, b: np.ndarray, eps: float, idx) -> None:
    on_index = f"on index {idx} " if idx is not None else ""
    if a.shape != b.shape:
        raise AssertionError(f"Expected `func` to return outputs with the same shape when inputs are "
                             f"perturbed {on_index}by {eps}, but got: shapes {a.shape} and {b.shape}.")
    if a.dtype != b.dtype:
        raise AssertionError(f"Expected `func` to return outputs with the same dtype when inputs are "
                             f"perturbed {on_index}by {eps}, but got: dtypes {a.dtype} and {b.dtype}.")


# ------------------------------------------------------------------------------------ analytical
def _vjp(output, inputs: list, cotangent: np.ndarray) -> tuple:
    from .. import autograd
    from ..tensor import Tensor
    return autograd.grad(output, inputs, Tensor._make(cotangent), retain_graph=True, allow_unused=True)


def _analytical_jacobian(inputs: tuple, diff_idx: list, output, nondet_tol: float,
                         check_grad_dtypes: bool) -> list:
    """One ``(input.numel(), output.numel())`` Jacobian per differentiable input, row by row.

    Computed twice: the two must agree within ``nondet_tol`` (backward is reentrant).
    """
    diff_inputs = [inputs[i] for i in diff_idx]
    n = output._data.size
    runs = []
    for _ in range(2):
        jacobians = [np.zeros((t._data.size, n), t._data.dtype) for t in diff_inputs]
        sizes_ok = types_ok = True
        for j in range(n):
            cotangent = np.zeros(n, output._data.dtype)
            cotangent[j] = 1
            for jac, t, g in zip(jacobians, diff_inputs,
                                 _vjp(output, diff_inputs, cotangent.reshape(output._data.shape))):
                if g is None:
                    continue
                if g._data.shape != t._data.shape:
                    sizes_ok = False
                elif g._data.dtype != t._data.dtype:
                    types_ok = False
                if g._data.size != jac.shape[0]:
                    raise GradcheckError("Analytical gradient has incorrect size")
                jac[:, j] = g._data.reshape(-1)
        runs.append(jacobians)
    if not types_ok and check_grad_dtypes:
        raise GradcheckError("Gradient has dtype mismatch")
    if not sizes_ok:
        raise GradcheckError("Analytical gradient has incorrect size")
    if not _jacobians_equal(runs[0], runs[1], nondet_tol):
        raise GradcheckError(_NOT_REENTRANT.format(nondet_tol))
    return runs[0]


def _jacobians_equal(first: list, second: list, atol: float) -> bool:
    return all(a.size == 0 or np.abs(a - b).max() <= atol for a, b in zip(first, second))


# ------------------------------------------------------------------------------------ fast mode
def _fast_check(func, inputs: tuple, diff_idx: list, outputs: list, positions: list, eps, atol, rtol,
                nondet_tol, check_grad_dtypes) -> None:
    """Compare ``v^T J u`` computed both ways, for one random ``u`` per input, ``v`` per output."""
    rng = np.random.default_rng(0)
    all_u = [_unit_vector(rng, inputs[i]._data) for i in diff_idx]
    all_v = [_unit_vector(rng, o._data) for o in outputs]
    diff_inputs = [inputs[i] for i in diff_idx]
    vjps = []  # vjps[j][k]: v_j^T J for output j, input k, flattened
    for out, v in zip(outputs, all_v):
        runs = [_vjp(out, diff_inputs, v.reshape(out._data.shape)) for _ in range(2)]
        rows = []
        for t, g1, g2 in zip(diff_inputs, *runs):
            if g1 is not None and g1._data.shape != t._data.shape:
                raise GradcheckError("Analytical gradient has incorrect size")
            if g1 is not None and check_grad_dtypes and g1._data.dtype != t._data.dtype:
                raise GradcheckError("Gradient has dtype mismatch")
            a1, a2 = (np.zeros(t._data.size, t._data.dtype) if g is None else g._data.reshape(-1)
                      for g in (g1, g2))
            if not _jacobians_equal([a1], [a2], nondet_tol):
                raise GradcheckError(_NOT_REENTRANT.format(nondet_tol))
            rows.append(a1)
        vjps.append(rows)
    for k, (i, u) in enumerate(zip(diff_idx, all_u)):
        arr = inputs[i]._data
        ju = _central_difference(func, inputs, arr, Ellipsis, (eps * u).reshape(arr.shape), eps)
        for j, (v, p) in enumerate(zip(all_v, positions)):
            numerical = np.asarray(v @ ju[p])
            analytical = np.asarray(vjps[j][k] @ u)
            if not _allclose(analytical, numerical, rtol, atol * float(u.sum()) * float(v.sum())):
                raise GradcheckError(_mismatch_message(analytical, numerical, j, k)
                                     + _slow_mode_message(func, inputs, diff_idx, outputs, positions,
                                                          k, j, eps, atol, rtol))


def _unit_vector(rng: np.random.Generator, like: np.ndarray) -> np.ndarray:
    vec = rng.random(like.size).astype(like.dtype)
    norm = np.linalg.norm(vec)
    return vec / norm if norm else vec


def _slow_mode_message(func, inputs, diff_idx, outputs, positions, k, j, eps, atol, rtol) -> str:
    numerical = _numerical_jacobian(func, inputs, diff_idx[k], outputs, positions, eps)[j]
    analytical = _analytical_jacobian(inputs, diff_idx, outputs[j], float("inf"), False)[k]
    diff = np.abs(numerical - analytical).max() if numerical.size else 0.0
    msg = ("\nThe above quantities relating the numerical and analytical jacobians are computed \n"
           "in fast mode. Below, we recompute numerical and analytical jacobians in slow mode:\n\n"
           f"Numerical:\n {_show(numerical)}\nAnalytical:\n{_show(analytical)}\n\n"
           f"The max per-element difference (slow mode) is: {_show(np.asarray(diff))}.\n")
    if _allclose(analytical, numerical, rtol, atol):
        msg += _FAST_FAIL_SLOW_OK
    return msg


# ------------------------------------------------------------------------------------ extra checks
def _check_backward_mul_by_grad_output(inputs: tuple, diff_idx: list, outputs: tuple) -> None:
    """Zero cotangents must give zero gradients of the inputs' dtype and shape."""
    from .. import autograd
    from ..tensor import Tensor
    diff_inputs = [inputs[i] for i in diff_idx]
    zeros = [Tensor._make(np.zeros(o._data.shape, o._data.dtype)) for o in outputs]
    grads = autograd.grad(outputs, diff_inputs, zeros, allow_unused=True)
    for g, t in zip(grads, diff_inputs):
        if g is None:
            continue
        if np.any(g._data != 0):
            raise GradcheckError("backward not multiplied by grad_output")
        if g._data.dtype != t._data.dtype:
            raise GradcheckError("grad is incorrect type")
        if g._data.shape != t._data.shape:
            raise GradcheckError("grad is incorrect size")


def _undefined_grad(tensor):
    """An alias of ``tensor`` whose backward passes no gradient on (torch's UndefinedGrad)."""
    from ..tensor import Tensor
    alias = Tensor._make(tensor._data, tensor)
    alias._rg = True
    alias.grad_fn = Node("UndefinedGradBackward", lambda g: (None,), (gradient_edge(tensor),))
    return alias


def _check_undefined_grad(func, inputs: tuple, diff_idx: list) -> None:
    """Backward must cope with outputs that get no gradient, treating them as zeros."""
    from .. import autograd
    from ..tensor import Tensor
    diff_inputs = [inputs[i] for i in diff_idx]

    def check(outputs: Sequence) -> None:
        zeros = [Tensor._make(np.zeros(o._data.shape, o._data.dtype)) for o in outputs]
        try:
            grads = autograd.grad(outputs, diff_inputs, zeros, allow_unused=True)
        except RuntimeError as err:
            _warn_bc_breaking()
            raise GradcheckError("Expected backward function to handle undefined output grads. Please "
                                 'look at "Notes about undefined output gradients" in '
                                 '"tools/autograd/derivatives.yaml"') from err
        if any(g is not None and np.any(g._data != 0) for g in grads):
            _warn_bc_breaking()
            raise GradcheckError("Expected all input grads to be undefined or zero when all output "
                                 'grads are undefined or zero. Please look at "Notes about undefined '
                                 'output gradients" in "tools/autograd/derivatives.yaml"')

    check([_undefined_grad(o) for o in _differentiable_outputs(func(*inputs))])
    n_outputs = len(_differentiable_outputs(func(*inputs)))
    if n_outputs > 1:
        for undefined in range(n_outputs):
            outputs = _differentiable_outputs(func(*inputs))
            check([_undefined_grad(o) if k == undefined else o for k, o in enumerate(outputs)])


def _warn_bc_breaking() -> None:
    warnings.warn("Backwards compatibility: New undefined gradient support checking feature is enabled "
                  "by default, but it may break existing callers of this function. If this is true for "
                  'you, you can call this function with "check_undefined_grad=False" to disable the '
                  "feature", stacklevel=3)


# ------------------------------------------------------------------------------------ helpers
def _is_tensor(x) -> bool:
    from ..tensor import Tensor
    return isinstance(x, Tensor)


def _as_tuple(x) -> tuple:
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _tensor_outputs(outputs) -> list:
    return [o for o in _as_tuple(outputs) if _is_tensor(o)]


def _differentiable_outputs(outputs) -> tuple:
    return tuple(o for o in _as_tuple(outputs) if _is_tensor(o) and o.requires_grad)


def _random_grad_output(output, rng: np.random.Generator, non_contiguous: bool):
    """A random cotangent in [-1, 1) shaped like ``output``, requiring grad (float64 if not float)."""
    from ..tensor import Tensor
    dtype = output._data.dtype if output._data.dtype.kind == "f" else np.float64
    shape = output._data.shape
    if non_contiguous and shape:
        arr = np.empty(shape[:-1] + (shape[-1] * 2,), dtype)[..., ::2]
    else:
        arr = np.empty(shape, dtype)
    arr[...] = rng.uniform(-1, 1, shape)
    grad_output = Tensor._make(arr)
    grad_output._rg = True
    return grad_output


def _allclose(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    dtype = np.promote_types(a.dtype, b.dtype)
    return bool(np.allclose(a.astype(dtype, copy=False), b.astype(dtype, copy=False), rtol, atol))


def _show(arr: np.ndarray) -> str:
    from ..tensor import Tensor
    return repr(Tensor._make(arr))


def _mismatch_message(analytical: np.ndarray, numerical: np.ndarray, output_idx: int,
                      input_idx: int) -> str:
    return (f"Jacobian mismatch for output {output_idx:d} with respect to input {input_idx:d},\n"
            f"numerical:{_show(numerical)}\nanalytical:{_show(analytical)}\n")
