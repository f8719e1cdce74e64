"""The recurrences behind ``nn.RNN``, ``nn.LSTM`` and ``nn.GRU``, and their single-step cells.

A layer runs in two parts. The input projection of every time step is one GEMM
(``linear``), recorded as usual. The recurrence over the projections is then one recorded
op, ``recurrent_layer``: its forward loops over the steps in NumPy, per step one hidden
GEMM and the gate math, keeping what its backward needs; its backward is
backpropagation through time in NumPy, with the weight gradients as single GEMMs over all
steps at the end. When the backward itself must be differentiable (``create_graph``), it
instead replays the recurrence in ember ops from the saved inputs and differentiates that
replay, so gradients of every order are right.

The step math is written once, against a small namespace of array functions, and runs on
NumPy arrays (the fused forward) or on ember tensors (the replay and the ``*Cell`` modules).

Rows: a layer's input is 2-D, (rows, features), with each time step a block of rows. A
padded (T, B) batch has T blocks of B rows; a packed sequence has one block per step of
``batch_sizes[t]`` rows, the sequences still running at step t (a prefix of the batch, as
they are sorted longest first). Sequences that have ended keep their last hidden state.
"""
from __future__ import annotations

from typing import Callable, Optional, Sequence

import numpy as np

from ... import autograd, ops
from ...autograd import grad_mode
from ...autograd.graph import Node, gradient_edge
from ...ops._record import wrap
from ...tensor import Tensor
from .linear import linear

__all__: list = []  # internal to the recurrent modules; torch has no public functional RNNs

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# ---------------------------------------------------------------------------- array namespaces
def _np_linear(x: np.ndarray, w: np.ndarray, b: Optional[np.ndarray]) -> np.ndarray:
    y = x @ w.T
    if b is not None:
        y += b
    return y


def _np_sigmoid(x: np.ndarray) -> np.ndarray:
    y = np.negative(x)
    np.exp(y, out=y)
    y += 1
    return np.reciprocal(y, out=y)


class _NumPy:
    """The step math on NumPy arrays: the forward pass that actually runs."""
    linear = staticmethod(_np_linear)
    sigmoid = staticmethod(_np_sigmoid)
    tanh = staticmethod(np.tanh)
    relu = staticmethod(lambda x: np.maximum(x, 0))
    cat = staticmethod(np.concatenate)


class _Ember:
    """The step math on ember tensors: recorded, so it can be differentiated to any order."""
    linear = staticmethod(linear)
    sigmoid = staticmethod(ops.sigmoid)
    tanh = staticmethod(ops.tanh)
    relu = staticmethod(ops.relu)
    cat = staticmethod(ops.cat)


# ---------------------------------------------------------------------------- one time step
# Each step maps (input projection x, hidden h, cell c) to (new h, new c, activations kept
# for the backward). x already holds x @ W_ih^T + b_ih.
def _rnn_step(act: str, ns, x, h, c, w_hh, b_hh, w_hr):
    h = getattr(ns, act)(x + ns.linear(h, w_hh, b_hh))
    return h, None, (h,)


def _lstm_step(ns, x, h, c, w_hh, b_hh, w_hr):
    hidden = c.shape[1]
    gates = x + ns.linear(h, w_hh, b_hh)
    in_forget = ns.sigmoid(gates[:, :2 * hidden])
    i, f = in_forget[:, :hidden], in_forget[:, hidden:]
    g = ns.tanh(gates[:, 2 * hidden:3 * hidden])
    o = ns.sigmoid(gates[:, 3 * hidden:])
    c = f * c + i * g
    tanh_c = ns.tanh(c)
    y = o * tanh_c
    h = y if w_hr is None else ns.linear(y, w_hr, None)
    return h, c, (i, f, g, o, tanh_c, y)


def _gru_step(ns, x, h, c, w_hh, b_hh, w_hr):
    hidden = h.shape[1]
    hh = ns.linear(h, w_hh, b_hh)
    rz = ns.sigmoid(x[:, :2 * hidden] + hh[:, :2 * hidden])
    r, z = rz[:, :hidden], rz[:, hidden:]
    hh_n = hh[:, 2 * hidden:]
    n = ns.tanh(x[:, 2 * hidden:] + r * hh_n)
    return n + z * (h - n), None, (r, z, n, hh_n)


_STEPS: dict = {"RNN_TANH": lambda *a: _rnn_step("tanh", *a), "RNN_RELU": lambda *a: _rnn_step("relu", *a),
                "LSTM": _lstm_step, "GRU": _gru_step}


def _blocks(batch_sizes: Sequence[int]) -> list:
    """Each step's (start, stop) rows."""
    stops = np.cumsum(batch_sizes).tolist()
    return list(zip([0] + stops[:-1], stops))


def _recur(ns, step: Callable, rows, hx, cx, weights: tuple, blocks: list, reverse: bool) -> tuple:
    """Run ``step`` over the blocks (last to first when ``reverse``).

    Returns the per-step outputs in row order, the final h and c, and per step (in the
    order run) the previous h and c and the step's activations.
    """
    h_all, c_all = hx, cx
    batch = hx.shape[0]
    outs, kept = [], []
    for start, stop in (reversed(blocks) if reverse else blocks):
        n = stop - start
        h_prev = h_all[:n]
        c_prev = None if c_all is None else c_all[:n]
        h, c, acts = step(ns, rows[start:stop], h_prev, c_prev, *weights)
        outs.append(h)
        kept.append((h_prev, c_prev, acts))
        h_all = h if n == batch else ns.cat((h, h_all[n:]))
        if c is not None:
            c_all = c if n == batch else ns.cat((c, c_all[n:]))
    return (outs[::-1] if reverse else outs), h_all, c_all, kept


# ---------------------------------------------------------------------------- the fused layer op
def recurrent_layer(mode: str, xp: Tensor, hx: Tensor, cx: Optional[Tensor], w_hh: Tensor,
                    b_hh: Optional[Tensor], w_hr: Optional[Tensor], batch_sizes: Sequence[int],
                    reverse: bool = False) -> tuple:
    """One direction of one layer over a whole sequence, as one recorded op.

    ``xp`` is the input projection ``x @ W_ih^T + b_ih``, (..., gates) with the rows of
    each step in blocks of ``batch_sizes``; ``hx`` (batch, out) and, for LSTM, ``cx``
    (batch, hidden) are the initial states. Returns the output of every step (``xp``'s
    leading shape, ``out`` features), the final h and, for LSTM, the final c.
    """
    gates = xp._data.shape[-1]
    rows = xp._data.reshape(-1, gates)
    weights = (w_hh._data, None if b_hh is None else b_hh._data, None if w_hr is None else w_hr._data)
    blocks = _blocks(batch_sizes)
    with np.errstate(over="ignore"):
        outs, h_n, c_n, kept = _recur(_NumPy, _STEPS[mode], rows, hx._data, None if cx is None else cx._data,
                                      weights, blocks, reverse)
    out = np.concatenate(outs)
    results = (wrap(out.reshape(xp._data.shape[:-1] + (out.shape[1],))), wrap(h_n)) + \
        (() if c_n is None else (wrap(c_n),))
    inputs = (xp, hx, cx, w_hh, b_hh, w_hr)
    if grad_mode._state.enabled and any(t is not None and t._rg for t in inputs):
        def vjp(*grads):
            if grad_mode._state.enabled:
                return _replay_grad(mode, inputs, grads, batch_sizes, reverse)
            return _bptt(mode, inputs, [g._data for g in grads], kept, blocks, reverse)
        meta = tuple((r.shape, r.dtype) for r in results)
        # the grad_fn torch shows on a one-layer, one-direction output
        name = "MkldnnRnnLayerBackward0" if mode == "LSTM" and w_hr is None else "StackBackward0"
        edges = tuple(gradient_edge(t) if t is not None else (None, 0) for t in inputs)
        node = Node(name, vjp, edges, [t for t in inputs if t is not None], meta)
        for i, r in enumerate(results):
            r._rg, r.grad_fn, r._output_nr = True, node, i
    return results


def _replay_grad(mode: str, inputs: tuple, grads: tuple, batch_sizes, reverse: bool) -> tuple:
    """The vjp as a differentiable graph: replay the layer in ember ops and differentiate it."""
    xp, hx, cx, w_hh, b_hh, w_hr = inputs
    outs, h_n, c_n, _ = _recur(_Ember, _STEPS[mode], xp.reshape(-1, xp.shape[-1]), hx, cx,
                               (w_hh, b_hh, w_hr), _blocks(batch_sizes), reverse)
    results = (ops.cat(outs).reshape(xp.shape[:-1] + (h_n.shape[1],)), h_n) + (() if c_n is None else (c_n,))
    pairs = [(r, g) for r, g in zip(results, grads) if r._rg]
    wanted = [i for i, t in enumerate(inputs) if t is not None and t._rg]
    found = autograd.grad([r for r, _ in pairs], [inputs[i] for i in wanted], [g for _, g in pairs],
                          retain_graph=True, create_graph=True, allow_unused=True)
    grads_in = [None] * len(inputs)
    for i, g in zip(wanted, found):
        grads_in[i] = g
    return tuple(grads_in)


# ---------------------------------------------------------------------------- backpropagation through time
def _dsigmoid(s: np.ndarray) -> np.ndarray:
    return s - s * s


def _dtanh(t: np.ndarray) -> np.ndarray:
    return 1 - t * t


def _rnn_back(mode, dh, dc, h_prev, c_prev, acts, d_x, d_hh, w_hr):
    """Writes d(pre-activation) into ``d_x`` (the same array as ``d_hh``: both sums see it)."""
    h = acts[0]
    if mode == "RNN_TANH":
        np.multiply(dh, _dtanh(h), out=d_x)
    else:
        np.multiply(dh, h > 0, out=d_x)
    return None


def _lstm_back(mode, dh, dc, h_prev, c_prev, acts, d_x, d_hh, w_hr):
    i, f, g, o, tanh_c, y = acts
    hidden = i.shape[1]
    dy = dh if w_hr is None else dh @ w_hr
    dc = dc + dy * o * _dtanh(tanh_c)
    np.multiply(dc * g, _dsigmoid(i), out=d_x[:, :hidden])
    np.multiply(dc * c_prev, _dsigmoid(f), out=d_x[:, hidden:2 * hidden])
    np.multiply(dc * i, _dtanh(g), out=d_x[:, 2 * hidden:3 * hidden])
    np.multiply(dy * tanh_c, _dsigmoid(o), out=d_x[:, 3 * hidden:])
    return dc * f


def _gru_back(mode, dh, dc, h_prev, c_prev, acts, d_x, d_hh, w_hr):
    r, z, n, hh_n = acts
    hidden = r.shape[1]
    d_n = dh * (1 - z) * _dtanh(n)
    np.multiply(d_n * hh_n, _dsigmoid(r), out=d_x[:, :hidden])
    np.multiply(dh * (h_prev - n), _dsigmoid(z), out=d_x[:, hidden:2 * hidden])
    d_x[:, 2 * hidden:] = d_n
    d_hh[:, :2 * hidden] = d_x[:, :2 * hidden]
    np.multiply(d_n, r, out=d_hh[:, 2 * hidden:])
    return None


_BACKS: dict = {"RNN_TANH": _rnn_back, "RNN_RELU": _rnn_back, "LSTM": _lstm_back, "GRU": _gru_back}


def _bptt(mode: str, inputs: tuple, grads: list, kept: list, blocks: list, reverse: bool) -> tuple:
    """Backpropagation through time on the activations the forward kept.

    Walks the steps in the opposite order of the forward. ``dh_all``/``dc_all`` hold, per
    sequence, the gradient flowing into its current hidden/cell state; when the walk is done
    they are the initial states' gradients. The gradients of the pre-activations are kept
    per row, so the weights' gradients are one GEMM each at the end.
    """
    xp, hx, cx, w_hh, b_hh, w_hr = inputs
    g_out, g_hn = grads[0], grads[1]
    w, w_r = w_hh._data, None if w_hr is None else w_hr._data
    rows_shape = (-1, xp._data.shape[-1])
    g_rows = g_out.reshape(-1, g_out.shape[-1])
    d_x = np.empty(xp._data.shape, xp._data.dtype).reshape(rows_shape)
    d_hh = d_x if mode != "GRU" else np.empty_like(d_x)
    dh_all = g_hn.copy()
    dc_all = grads[2].copy() if mode == "LSTM" else None
    dh_rows = np.empty_like(g_rows) if w_hr is not None and w_hr._rg else None
    back = _BACKS[mode]
    order = list(reversed(blocks) if reverse else blocks)
    with np.errstate(over="ignore", invalid="ignore"):
        for (start, stop), (h_prev, c_prev, acts) in zip(reversed(order), reversed(kept)):
            n = stop - start
            dh = dh_all[:n] + g_rows[start:stop]
            if dh_rows is not None:
                dh_rows[start:stop] = dh
            dc_prev = back(mode, dh, None if dc_all is None else dc_all[:n], h_prev, c_prev, acts,
                           d_x[start:stop], d_hh[start:stop], w_r)
            dh_prev = d_hh[start:stop] @ w
            if mode == "GRU":
                dh_prev += dh * acts[1]
            dh_all[:n] = dh_prev
            if dc_prev is not None:
                dc_all[:n] = dc_prev
    kept_rows = kept[::-1] if reverse else kept  # kept is in run order; the sums want row order
    d_w_hh = d_b_hh = d_w_hr = None
    if w_hh._rg:
        d_w_hh = wrap(d_hh.T @ np.concatenate([h_prev for h_prev, _, _ in kept_rows]))
    if b_hh is not None and b_hh._rg:
        d_b_hh = wrap(d_hh.sum(0))
    if dh_rows is not None:
        d_w_hr = wrap(dh_rows.T @ np.concatenate([acts[5] for _, _, acts in kept_rows]))
    return (wrap(d_x.reshape(xp._data.shape)) if xp._rg else None,
            wrap(dh_all) if hx._rg else None,
            wrap(dc_all) if cx is not None and cx._rg else None,
            d_w_hh, d_b_hh, d_w_hr)


# ---------------------------------------------------------------------------- single-step cells
def cell(mode: str, input: Tensor, hx: Tensor, cx: Optional[Tensor], w_ih: Tensor, w_hh: Tensor,
         b_ih: Optional[Tensor], b_hh: Optional[Tensor]) -> tuple:
    """One step of a cell on (batch, features) inputs, in ember ops: the new h and (LSTM) c."""
    h, c, _ = _STEPS[mode](_Ember, linear(input, w_ih, b_ih), hx, cx, w_hh, b_hh, None)
    return h, c
