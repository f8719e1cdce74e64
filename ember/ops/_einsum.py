"""``einsum``: torch's equation (or sublist) form parsed to integer labels, contracted by ``np.einsum``.

Each operand's gradient is another einsum: of the output gradient with the other operands.
Three kinds of operand dims need more than that, and get a constant operand each: a label
no other operand has at this size (summed or broadcast in the forward, so its gradient is
broadcast along it: ``ones``), a
repeated label (a diagonal, so its gradient lies on one: ``eye``), and a size-1 dim that
broadcast against a longer one (its gradient is summed: a fresh label on ``ones(1)``).
"""
from __future__ import annotations

import string
from typing import List

import numpy as np

from ..tensor import Tensor
from ._record import wrap, needs_grad, record, _CAPITAL
from .views import _register

# torch's label numbering (A-Z, then a-z) is also the sort order of an implicit output.
_LETTERS = string.ascii_uppercase + string.ascii_lowercase
_NUM_LABELS = len(_LETTERS)  # np.einsum's limit on distinct labels
_ELLIPSIS = -1
# Below this many multiply-adds np.einsum's own loop beats planning a BLAS contraction.
_PLAN_WORK = 1 << 16


def einsum(*args) -> Tensor:
    """``einsum(equation, *operands)``, ``einsum(equation, [operands])`` or the sublist form
    ``einsum(op1, sublist1, op2, sublist2, ..., [sublist_out])``."""
    equation, operands = _equation_and_operands(args)
    for i, t in enumerate(operands):
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum(): argument 'tensors' must be tuple of Tensors, but found element of "
                            f"type {type(t).__name__} at pos {i}")
    terms, output = _parse(equation, len(operands))
    subs, out_sub = _resolve(terms, output, operands)
    _check_dtypes(operands, subs, out_sub)
    summed = any(label not in out_sub for sub in subs for label in sub)
    if len(operands) == 1 and summed and operands[0]._data.dtype.kind in "biu":
        operands = (operands[0].long(),)  # a one-operand einsum that sums is torch's sum: int64
    return _contract(operands, subs, out_sub)


def _equation_and_operands(args: tuple) -> tuple:
    if not args or (isinstance(args[0], str) and len(args) == 1):
        raise ValueError("einsum(): must specify the equation string and at least one operand, or at least "
                         "one operand and its subscripts list")
    if isinstance(args[0], str):
        operands = args[1:]
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = tuple(operands[0])
        return args[0], operands
    operands, sublists = args[0::2], list(args[1::2])
    output = None
    if len(args) % 2:
        operands, output = operands[:-1], args[-1]
    equation = ",".join(_sublist_text(s) for s in sublists)
    if output is not None:
        equation += "->" + _sublist_text(output)
    return equation, operands


def _sublist_text(sublist) -> str:
    text = []
    for s in sublist:
        if s is Ellipsis:
            text.append("...")
        elif not 0 <= s < _NUM_LABELS:
            raise ValueError(f"einsum(): subscript in subscript list is not within the valid range [0, "
                             f"{_NUM_LABELS})")
        else:
            text.append(_LETTERS[s])
    return "".join(text)


def _parse(equation: str, n_operands: int) -> tuple:
    """Label lists (``_ELLIPSIS`` marking '...') for the inputs, and the output's (None: implicit)."""
    arrow = equation.find("->")
    lhs_end = len(equation) if arrow < 0 else arrow
    terms: List[list] = [[]]
    i = 0
    while i < lhs_end:
        c = equation[i]
        if c == ",":
            terms.append([])
        elif c == ".":
            _ellipsis(equation, i, terms[-1], f"operand {len(terms) - 1}")
            i += 2
        elif c != " ":
            terms[-1].append(_label(equation, i))
        i += 1
    if len(terms) > n_operands:
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < n_operands:
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    if arrow < 0:
        return terms, None
    output: list = []
    i = arrow + 2
    while i < len(equation):
        c = equation[i]
        if c == ".":
            _ellipsis(equation, i, output, "output")
            i += 2
        elif c != " ":
            label = _label(equation, i)
            if label in output:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
            output.append(label)
        i += 1
    return terms, output


def _label(equation: str, i: int) -> int:
    c = equation[i]
    if c not in _LETTERS:
        raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the equation string, "
                           "subscripts must be in [a-zA-Z]")
    return _LETTERS.index(c)


def _ellipsis(equation: str, i: int, term: list, what: str) -> None:
    if equation[i:i + 3] != "...":
        raise RuntimeError(f"einsum(): found '.' for {what} that is not part of any ellipsis")
    if _ELLIPSIS in term:
        raise RuntimeError(f"einsum(): found '.' for {what} for which an ellipsis was already found"
                           if what != "output" else
                           "einsum(): found '.' for output but an ellipsis (...) was already found")
    term.append(_ELLIPSIS)


def _resolve(terms: list, output, operands) -> tuple:
    """Give the ellipsis dims labels, check sizes, and make the output list (implicit or explicit)."""
    used = {label for term in terms for label in term} | set(output or ())
    free = [label for label in range(_NUM_LABELS) if label not in used]
    n_ell = 0
    for k, (term, t) in enumerate(zip(terms, operands)):
        named, ndim = len(term) - (_ELLIPSIS in term), t._data.ndim
        if _ELLIPSIS not in term and named != ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({named}) does not match "
                               f"the number of dimensions ({ndim}) for operand {k} and no ellipsis was given")
        if named > ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({named}) is more than "
                               f"the number of dimensions ({ndim}) for operand {k}")
        if _ELLIPSIS in term:
            n_ell = max(n_ell, ndim - named)
    if n_ell > len(free):
        raise RuntimeError("einsum(): too many subscripts in the equation")
    ell = free[:n_ell]
    subs = []
    for term, t in zip(terms, operands):
        n = t._data.ndim - (len(term) - 1)
        subs.append(_expand(term, ell[n_ell - n:] if n else []))
    _check_sizes(subs, operands, set(ell))
    if output is None:
        counts: dict = {}
        for sub in subs:
            for label in sub:
                counts[label] = counts.get(label, 0) + 1
        out_sub = ell + sorted(label for label, c in counts.items() if c == 1 and label not in ell)
    else:
        out_sub = _expand(output, ell)
        present = {label for sub in subs for label in sub}
        for label in out_sub:
            if label not in present:
                raise RuntimeError(f"einsum(): output subscript {_LETTERS[label]} does not appear in the "
                                   "equation for any input operand")
    return subs, out_sub


def _expand(term: list, ell: list) -> list:
    if _ELLIPSIS not in term:
        return list(term)
    i = term.index(_ELLIPSIS)
    return term[:i] + ell + term[i + 1:]


def _check_sizes(subs: list, operands, ell: set) -> None:
    """A label's sizes must agree within an operand, and agree or be 1 across operands."""
    seen: dict = {}
    for k, (sub, t) in enumerate(zip(subs, operands)):
        own: dict = {}
        ell_dim = 0
        for label, size in zip(sub, t._data.shape):
            if label in own and own[label] != size:
                raise RuntimeError(f"einsum(): subscript {_LETTERS[label]} is repeated for operand {k} but "
                                   f"the sizes don't match, {size} != {own[label]}")
            own[label] = size
            prev = seen.get(label, 1)
            if size != prev and size != 1 and prev != 1:
                if label in ell:
                    raise RuntimeError(f"einsum(): dimension {ell_dim} covered by ellipsis in operand {k}has "
                                       f"size {size} which does not broadcast with previously seen ellipsis "
                                       f"with size {prev} for the respective dimension")
                raise RuntimeError(f"einsum(): subscript {_LETTERS[label]} has size {size} for operand {k} "
                                   f"which does not broadcast with previously seen size {prev}")
            seen[label] = size if prev == 1 else prev
            ell_dim += label in ell


def _check_dtypes(operands, subs: list, out_sub: list) -> None:
    if len(operands) < 2:
        return
    first = operands[0]._data.dtype
    for t in operands[1:]:
        if t._data.dtype != first:
            raise RuntimeError(f"expected scalar type {_CAPITAL[first.name]} but found "
                               f"{_CAPITAL[t._data.dtype.name]}")
    if first == np.bool_ and any(label not in out_sub for sub in subs for label in sub):
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")


def _label_sizes(operands, subs: list) -> dict:
    sizes: dict = {}
    for sub, t in zip(subs, operands):
        for label, size in zip(sub, t._data.shape):
            if size != 1 or label not in sizes:
                sizes[label] = size
    return sizes


def _contract(operands, subs: list, out_sub: list) -> Tensor:
    """The einsum of checked operands with resolved label lists, recorded for autograd."""
    arrays = [t._data for t in operands]
    args = [x for pair in zip(arrays, subs) for x in pair]
    sizes = _label_sizes(operands, subs)
    work = 1
    for size in sizes.values():
        work *= size
    result = np.einsum(*args, out_sub, optimize=len(arrays) > 1 and work > _PLAN_WORK)
    alias = len(arrays) == 1 and np.may_share_memory(result, arrays[0])
    out = wrap(result, operands[0] if alias else None)
    if needs_grad(*operands):
        wanted = [t._rg for t in operands]
        # operand j's gradient reads every other operand
        saved = [t for j, t in enumerate(operands) if any(w for i, w in enumerate(wanted) if i != j)]

        def vjp(g):
            return tuple(_operand_grad(g, i, operands, subs, out_sub, sizes) if w else None
                         for i, w in enumerate(wanted))
        record(out, "EinsumBackward0", operands, vjp, saved)
        if alias:  # like any graphed view: an in-place change of the base must reach its history
            _register(out)
    return out


def _operand_grad(g: Tensor, i: int, operands, subs: list, out_sub: list, sizes: dict) -> Tensor:
    """Operand ``i``'s gradient: the einsum of ``g`` with the other operands onto its labels."""
    # labels another operand (or the output) has at full size; np.einsum takes the rest from extras
    elsewhere = set(out_sub).union(*({label for label, size in zip(sub, operands[j]._data.shape)
                                      if size == sizes[label]} for j, sub in enumerate(subs) if j != i))
    used = set(sizes) | set(out_sub)
    fresh = (label for label in range(_NUM_LABELS) if label not in used)
    npd = g._data.dtype
    grad_sub, extra, extra_subs = [], [], []
    for label, size in zip(subs[i], operands[i]._data.shape):
        if size == 1 and sizes[label] != 1:  # broadcast dim: the gradient sums over the label
            new = _next_label(fresh)
            grad_sub.append(new)
            extra.append(np.ones(1, npd))
            extra_subs.append([new])
        elif label in grad_sub:  # repeated label: the gradient lies on the diagonal
            new = _next_label(fresh)
            grad_sub.append(new)
            extra.append(np.eye(size, dtype=npd))
            extra_subs.append([label, new])
        else:
            grad_sub.append(label)
            if label not in elsewhere:  # summed only here: the gradient is broadcast along it
                extra.append(np.ones(size, npd))
                extra_subs.append([label])
    ops = [g] + [t for j, t in enumerate(operands) if j != i] + [wrap(e) for e in extra]
    op_subs = [out_sub] + [sub for j, sub in enumerate(subs) if j != i] + extra_subs
    return _contract(ops, op_subs, grad_sub)


def _next_label(fresh) -> int:
    label = next(fresh, None)
    if label is None:
        raise RuntimeError("einsum(): too many subscripts to differentiate this equation")
    return label
