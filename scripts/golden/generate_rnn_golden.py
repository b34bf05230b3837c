#!/usr/bin/env python3
"""Generate the PyTorch golden data for RnnGraph's recurrent-layer parity tests.

Run from anywhere:  /usr/bin/python3 scripts/golden/generate_rnn_golden.py
Needs PyTorch (written against 1.13) and numpy; the tests that read the output need neither.
Output is deterministic: re-running reproduces identical files (seeded per case, one thread).

What it writes, under tests/golden/rnn/:

  manifest.json                 every case with its configuration (see `manifest_entry`)
  <case>/spec.yaml              the model spec (DESIGN §4 CONTRACT); custom cells declare
                                `cells:` (DESIGN §3 CONTRACT)
  <case>/weights.safetensors    F32 parameters, PyTorch state_dict names prefixed by the
                                layer name: rnn.weight_ih_l0, rnn.bias_hh_l1_reverse,
                                rnn.weight_p_l0 (peepholes), dense.weight [out,in], dense.bias;
                                custom cells: rnn.<param>_l<k>[_reverse]
  <case>/inputs.safetensors     F32: x [T,B,I] ([B,T,I] if batch_first); optional initial
                                states <s>0 [L*D,B,H] (h0, c0, or a custom state such as m0);
                                optional upstream gradients dy (shape of y), d<s>_n (dh_n,
                                dc_n, dm_n) [L*D,B,H]; a missing gradient means zero
  <case>/expected.safetensors   F64 references, named as `rnngraph eval` writes them
                                (DESIGN §5 CONTRACT): y, h_n, c_n (lstm) or <s>_n (further
                                states of a custom cell); when any upstream gradient is given
                                also grad.x, grad.<s>0 for each given initial state, and
                                grad.<param> for every parameter (e.g. grad.rnn.weight_ih_l0)

References are computed in float64 from the float32-rounded weights and inputs, so a float32
implementation and the reference start from the same numbers. Built-in cells with PyTorch's
own semantics use nn.RNN/nn.GRU/nn.LSTM; the GRU with reset_after: false, the LSTM with
peepholes and the user-declared cells use the step-by-step implementation below, which is
checked against the nn modules at start-up. Gradients are torch.autograd.grad of
  (y*dy).sum() + sum over final states s of (s_n*ds_n).sum()
with respect to x, the given initial states and all parameters.

Each case is also run in float32 and must meet the parity tolerance of DESIGN §6,
|f32 - ref| <= 1e-5 + 1e-4*max|ref| per tensor, so every case is one a correct float32
implementation can pass.

Safetensors files are written here with struct + json (no safetensors package needed) using
the layout rules of RnnGraph's writer: `__metadata__` first, then tensors sorted by name with
contiguous data in that order, compact JSON padded with spaces to a multiple of 8 bytes.
"""

import json
import os
import random
import shutil
import struct
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "golden" / "rnn"
GENERATOR = "scripts/golden/generate_rnn_golden.py"
ABS_TOL, REL_TOL = 1e-5, 1e-4


# ---------------------------------------------------------------------------------------
# safetensors writing
# ---------------------------------------------------------------------------------------

_DTYPES = {torch.float32: ("F32", "<f4"), torch.float64: ("F64", "<f8"), torch.int64: ("I64", "<i8")}


def write_safetensors(path, tensors, metadata=None):
    """Writes a dict name -> tensor (float32, float64 or int64), atomically via a temporary file."""
    header = {}
    if metadata:
        header["__metadata__"] = dict(sorted(metadata.items()))
    blobs, offset = [], 0
    for name in sorted(tensors):
        tensor = tensors[name].detach().contiguous()
        dtype, numpy_type = _DTYPES[tensor.dtype]
        blob = tensor.numpy().astype(numpy_type).tobytes()
        header[name] = {"dtype": dtype, "shape": list(tensor.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    temp = Path(str(path) + ".tmp")
    with open(temp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    os.replace(temp, path)


# ---------------------------------------------------------------------------------------
# cells: parameters (symbolic shapes, the single source for specs and weights) and steps
# ---------------------------------------------------------------------------------------

def _shape(dims, input_size, hidden):
    return [eval(d, {}, {"input": input_size, "hidden": hidden}) if isinstance(d, str) else d for d in dims]


def _linear(p, weight, bias, v):
    """weight @ v (+ bias when the layer has biases), for a batch of row vectors v [B, n]."""
    out = v @ p[weight].t()
    return out + p[bias] if bias in p else out


@dataclass
class Cell:
    """A recurrent cell: its parameters, its states and one time step in PyTorch."""
    name: str
    params: list            # [(name, [dim expressions])], in state_dict order
    step: object            # (params, x [B,I], states {s: [B,H]}) -> new states
    states: list = field(default_factory=lambda: ["h"])
    output: str = "h"
    equations: str = ""     # set for user-declared cells: rendered into the spec's `cells:`

    def param_shapes(self, input_size, hidden, bias):
        return [(n, _shape(d, input_size, hidden)) for n, d in self.params if bias or not n.startswith("bias")]


def _gated_params(gates, extra=()):
    g = f"{gates}*hidden" if gates > 1 else "hidden"
    return [("weight_ih", [g, "input"]), ("weight_hh", [g, "hidden"]), ("bias_ih", [g]), ("bias_hh", [g])] + list(extra)


def rnn_step(activation):
    def step(p, x, s):
        return {"h": activation(_linear(p, "weight_ih", "bias_ih", x) + _linear(p, "weight_hh", "bias_hh", s["h"]))}
    return step


def gru_step(reset_after):
    def step(p, x, s):
        h = s["h"]
        xr, xz, xn = _linear(p, "weight_ih", "bias_ih", x).chunk(3, 1)
        if reset_after:
            hr, hz, hn = _linear(p, "weight_hh", "bias_hh", h).chunk(3, 1)
            r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
            n = torch.tanh(xn + r * hn)
        else:
            # Original form (ONNX linear_before_reset=0): r scales h before the hidden matmul.
            w_hr, w_hz, w_hn = p["weight_hh"].chunk(3, 0)
            b_hr, b_hz, b_hn = p["bias_hh"].chunk(3) if "bias_hh" in p else (0, 0, 0)
            r = torch.sigmoid(xr + h @ w_hr.t() + b_hr)
            z = torch.sigmoid(xz + h @ w_hz.t() + b_hz)
            n = torch.tanh(xn + (r * h) @ w_hn.t() + b_hn)
        return {"h": (1 - z) * n + z * h}
    return step


def lstm_step(peepholes):
    def step(p, x, s):
        h, c = s["h"], s["c"]
        gi, gf, gg, go = (_linear(p, "weight_ih", "bias_ih", x) + _linear(p, "weight_hh", "bias_hh", h)).chunk(4, 1)
        if peepholes:
            # ONNX LSTM: P = [p_i, p_o, p_f]; i and f see c[t-1], o sees the new c.
            p_i, p_o, p_f = p["weight_p"].chunk(3)
            i, f = torch.sigmoid(gi + p_i * c), torch.sigmoid(gf + p_f * c)
            c = f * c + i * torch.tanh(gg)
            o = torch.sigmoid(go + p_o * c)
        else:
            i, f, o = torch.sigmoid(gi), torch.sigmoid(gf), torch.sigmoid(go)
            c = f * c + i * torch.tanh(gg)
        return {"h": o * torch.tanh(c), "c": c}
    return step


def mgu_step(p, x, s):
    h = s["h"]
    xf, xn = _linear(p, "weight_ih", "bias_ih", x).chunk(2, 1)
    f = torch.sigmoid(xf + h @ p["weight_hf"].t())
    n = torch.tanh(xn + (f * h) @ p["weight_hn"].t())
    return {"h": (1 - f) * h + f * n}


def gru_orig_step(p, x, s):
    h = s["h"]
    xr, xz, xn = _linear(p, "weight_ih", "bias_ih", x).chunk(3, 1)
    hr, hz = _linear(p, "weight_hh", "bias_hh", h).chunk(2, 1)
    r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
    n = torch.tanh(xn + _linear(p, "weight_hn", "bias_hn", r * h))
    return {"h": (1 - z) * n + z * h}


def memo_step(p, x, s):
    h, m = s["h"], s["m"]
    a = x @ p["weight_ih"].t() + h @ p["weight_hh"].t()
    if "bias" in p:
        a = a + p["bias"]
    probs = torch.softmax(a, dim=1)
    g = torch.log(1 + torch.exp(-torch.relu(a)))
    m = 0.5 * m + probs / (1 + g)
    return {"h": torch.tanh(torch.cat([m, -h], dim=1) @ p["weight_c"].t()), "m": m}


BUILTIN = {
    "rnn_tanh": Cell("rnn_tanh", _gated_params(1), rnn_step(torch.tanh)),
    "rnn_relu": Cell("rnn_relu", _gated_params(1), rnn_step(torch.relu)),
    "gru": Cell("gru", _gated_params(3), gru_step(True)),
    "lstm": Cell("lstm", _gated_params(4), lstm_step(False), states=["h", "c"]),
}
GRU_ORIGINAL = Cell("gru", _gated_params(3), gru_step(False))
LSTM_PEEPHOLES = Cell("lstm", _gated_params(4, [("weight_p", ["3*hidden"])]), lstm_step(True), states=["h", "c"])

CUSTOM = {
    # Minimal gated unit: one gate f serves as both update and reset gate.
    "mgu": Cell("mgu", [
        ("weight_ih", ["2*hidden", "input"]),
        ("weight_hf", ["hidden", "hidden"]),
        ("weight_hn", ["hidden", "hidden"]),
        ("bias_ih", ["2*hidden"]),
    ], mgu_step, equations="""\
xf, xn = chunk(weight_ih @ x + bias_ih, 2)
f = sigmoid(xf + weight_hf @ h[t-1])
n = tanh(xn + weight_hn @ (f * h[t-1]))
h = (1 - f) * h[t-1] + f * n
"""),
    # The original GRU (reset before the hidden matmul); W_hn is its own parameter because
    # it multiplies r*h while W_hr and W_hz multiply h.
    "gru_orig": Cell("gru_orig", [
        ("weight_ih", ["3*hidden", "input"]),
        ("weight_hh", ["2*hidden", "hidden"]),
        ("weight_hn", ["hidden", "hidden"]),
        ("bias_ih", ["3*hidden"]),
        ("bias_hh", ["2*hidden"]),
        ("bias_hn", ["hidden"]),
    ], gru_orig_step, equations="""\
xr, xz, xn = chunk(weight_ih @ x + bias_ih, 3)
hr, hz = chunk(weight_hh @ h[t-1] + bias_hh, 2)
r = sigmoid(xr + hr)
z = sigmoid(xz + hz)
n = tanh(xn + weight_hn @ (r * h[t-1]) + bias_hn)
h = (1 - z) * n + z * h[t-1]
"""),
    # PyTorch's LSTM written as a user cell: two states, so c comes out as c_n like lstm.
    "lstm_eq": Cell("lstm_eq", _gated_params(4), lstm_step(False), states=["h", "c"], equations="""\
i, f, g, o = chunk(weight_ih @ x + bias_ih + weight_hh @ h[t-1] + bias_hh, 4)
c = sigmoid(f) * c[t-1] + sigmoid(i) * tanh(g)
h = sigmoid(o) * tanh(c)
"""),
    # Exercises the rest of the language: softmax, log, exp, relu, unary minus, division,
    # literals, concat, and a second state m that comes out as m_n.
    "memo": Cell("memo", [
        ("weight_ih", ["hidden", "input"]),
        ("weight_hh", ["hidden", "hidden"]),
        ("weight_c", ["hidden", "2*hidden"]),
        ("bias", ["hidden"]),
    ], memo_step, states=["h", "m"], equations="""\
a = weight_ih @ x + weight_hh @ h[t-1] + bias
p = softmax(a)
g = log(1 + exp(-relu(a)))
m = 0.5 * m[t-1] + p / (1 + g)
h = tanh(weight_c @ concat(m, -h[t-1]))
"""),
}


# ---------------------------------------------------------------------------------------
# cases
# ---------------------------------------------------------------------------------------

@dataclass
class Case:
    name: str
    cell: str                     # built-in name or a key of CUSTOM
    T: int
    B: int
    I: int
    H: int
    layers: int = 1
    bidirectional: bool = False
    batch_first: bool = False
    bias: bool = True
    init: tuple = ()              # states whose initial value is given, e.g. ("h", "c")
    upstream: tuple = ("y",)      # upstream gradients given: "y" and/or state names
    dense: tuple = None           # (units, activation, bias)
    reset_after: bool = None      # written to the spec only when set
    peepholes: bool = None
    explicit: bool = True         # False: spec leaves layers/bidirectional/bias/batch_first at defaults

    @property
    def cell_def(self):
        if self.cell in CUSTOM:
            return CUSTOM[self.cell]
        if self.cell == "gru" and self.reset_after is False:
            return GRU_ORIGINAL
        if self.cell == "lstm" and self.peepholes:
            return LSTM_PEEPHOLES
        return BUILTIN[self.cell]

    @property
    def directions(self):
        return 2 if self.bidirectional else 1

    @property
    def uses_nn_module(self):
        return self.cell in BUILTIN and self.cell_def is BUILTIN[self.cell]


def _sizes(name):
    rng = random.Random(zlib.crc32(name.encode()))
    return dict(T=rng.randint(2, 6), B=rng.randint(1, 3), I=rng.randint(2, 5), H=rng.randint(2, 5))


def _upstream_modes(cell):
    states = tuple(CUSTOM[cell].states if cell in CUSTOM else (["h", "c"] if cell == "lstm" else ["h"]))
    modes = [("y",), ("y",) + states, states]
    if len(states) > 1:
        modes.append(("y", "h"))          # dc_n absent: zero
    return modes


def build_cases():
    cases = []
    # The full cross product over the built-in cells.
    for cell in ["rnn_tanh", "rnn_relu", "gru", "lstm"]:
        modes = _upstream_modes(cell)
        index = 0
        for layers in (1, 2):
            for bidirectional in (False, True):
                for batch_first in (False, True):
                    for bias in (False, True):
                        for given in (False, True):
                            name = "{}_L{}_{}_{}_{}_{}".format(
                                cell, layers, "bi" if bidirectional else "uni", "bf" if batch_first else "tf",
                                "bias" if bias else "nobias", "init" if given else "noinit")
                            init = (("h", "c") if cell == "lstm" else ("h",)) if given else ()
                            cases.append(Case(name, cell, layers=layers, bidirectional=bidirectional, batch_first=batch_first,
                                              bias=bias, init=init, upstream=modes[index % len(modes)], **_sizes(name)))
                            index += 1

    def add(name, cell, **kw):
        sizes = _sizes(name)
        sizes.update({k: kw.pop(k) for k in list(kw) if k in sizes})
        cases.append(Case(name, cell, **sizes, **kw))

    # LSTM given h0 but not c0: c0 starts at zero.
    add("lstm_h0only_L1_uni", "lstm", init=("h",), upstream=("y", "h", "c"))
    add("lstm_h0only_L2_bi", "lstm", layers=2, bidirectional=True, init=("h",), upstream=("y", "h", "c"))
    add("lstm_h0only_L1_bi_bf", "lstm", bidirectional=True, batch_first=True, init=("h",), upstream=("y",))
    add("lstm_h0only_L2_uni_nobias", "lstm", layers=2, bias=False, init=("h",), upstream=("h", "c"))
    # Shapes at the edges.
    add("rnn_tanh_L3_bi", "rnn_tanh", layers=3, bidirectional=True, init=("h",), upstream=("y", "h"))
    add("gru_L3_uni_bf", "gru", layers=3, batch_first=True, upstream=("y", "h"))
    add("lstm_L3_bi", "lstm", layers=3, bidirectional=True, init=("h", "c"), upstream=("y", "h", "c"))
    add("lstm_T1", "lstm", T=1, init=("h", "c"), upstream=("y", "h", "c"))
    add("gru_T1_bi", "gru", T=1, bidirectional=True, upstream=("y",))
    add("rnn_relu_T1_bf", "rnn_relu", T=1, batch_first=True, init=("h",), upstream=("y", "h"))
    add("lstm_T40", "lstm", T=40, B=2, I=3, H=4, upstream=("y", "h", "c"))
    add("gru_T40_bi", "gru", T=40, B=2, I=2, H=3, bidirectional=True, upstream=("y",))
    add("rnn_tanh_T40", "rnn_tanh", T=40, B=3, I=2, H=3, init=("h",), upstream=("y", "h"))
    add("rnn_relu_H1", "rnn_relu", H=1, layers=2, upstream=("y", "h"))
    add("lstm_H1_bi", "lstm", H=1, bidirectional=True, init=("h", "c"), upstream=("y", "h", "c"))
    add("gru_H1_bf", "gru", H=1, batch_first=True, upstream=("y",))
    add("gru_I1", "gru", I=1, layers=2, bidirectional=True, upstream=("y", "h"))
    add("lstm_I1_bf", "lstm", I=1, batch_first=True, upstream=("y",))
    add("rnn_tanh_I1_H1_B1", "rnn_tanh", I=1, H=1, B=1, init=("h",), upstream=("y", "h"))
    add("lstm_B1_L2_bi", "lstm", B=1, layers=2, bidirectional=True, init=("h", "c"), upstream=("y", "h", "c"))
    add("gru_B1_bf", "gru", B=1, batch_first=True, upstream=("y",))
    # Forward only: no upstream gradient, so no grad.* outputs.
    add("lstm_forward_only", "lstm", layers=2, init=("h", "c"), upstream=())
    add("gru_forward_only_bi", "gru", bidirectional=True, upstream=())
    # Defaults left out of the spec (layers 1, unidirectional, bias, time-major).
    add("lstm_defaults", "lstm", explicit=False, upstream=("y", "h", "c"))
    add("rnn_tanh_defaults", "rnn_tanh", explicit=False, upstream=("y",))
    # A dense head at every step: y is the dense output, h_n still the rnn's.
    add("lstm_dense_softmax", "lstm", dense=(3, "softmax", True), upstream=("y",))
    add("gru_bi_dense_none", "gru", bidirectional=True, dense=(3, "none", True), init=("h",), upstream=("y", "h"))
    add("rnn_tanh_bf_dense_softmax", "rnn_tanh", batch_first=True, dense=(3, "softmax", True), upstream=("y", "h"))
    add("lstm_L2_bi_dense_none", "lstm", layers=2, bidirectional=True, dense=(3, "none", True), init=("h", "c"), upstream=("y", "h", "c"))
    add("gru_dense_nobias", "gru", dense=(3, "none", False), upstream=("y",))
    add("lstm_dense_states_grad_only", "lstm", dense=(3, "softmax", True), upstream=("h", "c"))
    # GRU in the original form (reset before the hidden matmul), built in.
    add("gru_reset_before_L1", "gru", reset_after=False, upstream=("y", "h"))
    add("gru_reset_before_L2_bi", "gru", reset_after=False, layers=2, bidirectional=True, init=("h",), upstream=("y", "h"))
    add("gru_reset_before_bf_nobias", "gru", reset_after=False, batch_first=True, bias=False, upstream=("y",))
    add("gru_reset_before_dense", "gru", reset_after=False, dense=(3, "softmax", True), init=("h",), upstream=("y",))
    add("gru_reset_after_explicit", "gru", reset_after=True, upstream=("y", "h"))
    # LSTM with ONNX peepholes.
    add("lstm_peepholes_L1", "lstm", peepholes=True, upstream=("y", "h", "c"))
    add("lstm_peepholes_L2_bi", "lstm", peepholes=True, layers=2, bidirectional=True, init=("h", "c"), upstream=("y", "h", "c"))
    add("lstm_peepholes_bf_nobias", "lstm", peepholes=True, batch_first=True, bias=False, init=("h",), upstream=("y",))
    add("lstm_peepholes_T40", "lstm", peepholes=True, T=40, B=1, I=2, H=3, upstream=("y", "h"))
    add("lstm_peepholes_false_explicit", "lstm", peepholes=False, upstream=("y",))
    # User-declared cells.
    add("mgu_L1", "mgu", upstream=("y", "h"))
    add("mgu_L2_bi", "mgu", layers=2, bidirectional=True, init=("h",), upstream=("y", "h"))
    add("mgu_bf_nobias", "mgu", batch_first=True, bias=False, upstream=("y",))
    add("mgu_dense_softmax", "mgu", dense=(3, "softmax", True), init=("h",), upstream=("y",))
    add("mgu_T40_H1", "mgu", T=40, H=1, upstream=("y", "h"))
    add("gru_orig_L1", "gru_orig", init=("h",), upstream=("y", "h"))
    add("gru_orig_L2_bi_bf", "gru_orig", layers=2, bidirectional=True, batch_first=True, upstream=("y",))
    add("gru_orig_nobias", "gru_orig", bias=False, init=("h",), upstream=("h",))
    add("lstm_eq_L1", "lstm_eq", init=("h", "c"), upstream=("y", "h", "c"))
    add("lstm_eq_L2_bi", "lstm_eq", layers=2, bidirectional=True, init=("h",), upstream=("y", "h"))
    add("memo_L1", "memo", init=("h", "m"), upstream=("y", "h", "m"))
    add("memo_L2_bi", "memo", layers=2, bidirectional=True, upstream=("y",))
    add("memo_bf_nobias_m0only", "memo", batch_first=True, bias=False, init=("m",), upstream=("y", "m"))
    add("memo_forward_only", "memo", init=("h", "m"), upstream=())
    return cases


# ---------------------------------------------------------------------------------------
# spec.yaml
# ---------------------------------------------------------------------------------------

def _yaml_bool(value):
    return "true" if value else "false"


def spec_yaml(case):
    lines = [f"# Golden case {case.name}: generated by {GENERATOR}; do not edit."]
    if case.cell in CUSTOM:
        cell = CUSTOM[case.cell]
        lines += ["cells:", f"  {cell.name}:", "    params:"]
        lines += [f"      {name}: [{', '.join(str(d) for d in dims)}]" for name, dims in cell.params]
        lines += [f"    state: [{', '.join(cell.states)}]", "    equations: |"]
        lines += [f"      {eq}" for eq in cell.equations.splitlines()]
        lines += [f"    output: {cell.output}"]
    options = [f"cell: {case.cell}", f"hidden: {case.H}"]
    if case.explicit:
        options += [f"layers: {case.layers}", f"bidirectional: {_yaml_bool(case.bidirectional)}",
                    f"bias: {_yaml_bool(case.bias)}", f"batch_first: {_yaml_bool(case.batch_first)}"]
    if case.reset_after is not None:
        options.append(f"reset_after: {_yaml_bool(case.reset_after)}")
    if case.peepholes is not None:
        options.append(f"peepholes: {_yaml_bool(case.peepholes)}")
    lines += ["model:", "  inputs:", f"    x: {{ size: {case.I} }}", "  layers:",
              f"    - rnn: {{ {', '.join(options)} }}"]
    if case.dense:
        units, activation, bias = case.dense
        dense = [f"units: {units}", f"activation: {activation}"] + ([] if bias else ["bias: false"])
        lines.append(f"    - dense: {{ {', '.join(dense)} }}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------
# data and reference computation
# ---------------------------------------------------------------------------------------

def make_data(case):
    """Float32 parameters and inputs, from a generator seeded by the case name."""
    gen = torch.Generator().manual_seed(zlib.crc32(case.name.encode()))
    cell, D, H = case.cell_def, case.directions, case.H
    params = {}
    for layer in range(case.layers):
        input_size = case.I if layer == 0 else D * H
        for d in range(D):
            suffix = f"_l{layer}" + ("_reverse" if d else "")
            for name, shape in cell.param_shapes(input_size, H, case.bias):
                # PyTorch's default initialisation range, U(-1/sqrt(H), 1/sqrt(H)).
                k = 1.0 / H ** 0.5
                params[f"rnn.{name}{suffix}"] = (torch.rand(shape, generator=gen) * 2 - 1) * k
    if case.dense:
        units, _, bias = case.dense
        k = 1.0 / (D * H) ** 0.5
        params["dense.weight"] = (torch.rand([units, D * H], generator=gen) * 2 - 1) * k
        if bias:
            params["dense.bias"] = (torch.rand([units], generator=gen) * 2 - 1) * k

    x_shape = [case.B, case.T, case.I] if case.batch_first else [case.T, case.B, case.I]
    inputs = {"x": torch.randn(x_shape, generator=gen)}
    state_shape = [case.layers * D, case.B, H]
    for s in case.init:
        inputs[f"{s}0"] = 0.5 * torch.randn(state_shape, generator=gen)
    y_width = case.dense[0] if case.dense else D * H
    y_shape = x_shape[:2] + [y_width]
    for g in case.upstream:
        inputs["dy" if g == "y" else f"d{g}_n"] = torch.randn(y_shape if g == "y" else state_shape, generator=gen)
    return params, inputs


def run_stack(case, params, x, init):
    """Runs the stacked (bi)directional layer step by step; returns y [T,B,D*H] time-major and the final states."""
    cell, D, H = case.cell_def, case.directions, case.H
    T, B = x.shape[0], x.shape[1]
    finals = {s: [] for s in cell.states}
    layer_input = x
    for layer in range(case.layers):
        outputs = []
        for d in range(D):
            suffix = f"_l{layer}" + ("_reverse" if d else "")
            p = {name: params[f"rnn.{name}{suffix}"] for name, _ in cell.param_shapes(1, H, case.bias)}
            index = layer * D + d
            state = {s: init[s][index] if s in init else x.new_zeros(B, H) for s in cell.states}
            out = [None] * T
            for t in (range(T) if d == 0 else reversed(range(T))):
                state = cell.step(p, layer_input[t], state)
                out[t] = state[cell.output]
            outputs.append(torch.stack(out))
            for s in cell.states:
                finals[s].append(state[s])
        layer_input = torch.cat(outputs, dim=2)
    return layer_input, {s: torch.stack(v) for s, v in finals.items()}


def run_nn_module(case, params, x, init):
    """The same through nn.RNN/GRU/LSTM (time-major x, so batch_first is handled by the caller)."""
    kind = {"rnn_tanh": "RNN", "rnn_relu": "RNN", "gru": "GRU", "lstm": "LSTM"}[case.cell]
    kwargs = {"nonlinearity": case.cell[4:]} if kind == "RNN" else {}
    module = getattr(torch.nn, kind)(case.I, case.H, num_layers=case.layers, bias=case.bias,
                                     bidirectional=case.bidirectional, **kwargs).to(x.dtype)
    # Replace the module's parameters by ours so that autograd reaches our leaf tensors.
    for name in list(dict(module.named_parameters())):
        delattr(module, name)
        setattr(module, name, params["rnn." + name])
    module.flatten_parameters = lambda: None
    shape = (case.layers * case.directions, x.shape[1], case.H)
    if kind == "LSTM":
        hx = None
        if init:
            hx = (init.get("h", x.new_zeros(shape)), init.get("c", x.new_zeros(shape)))
        y, (h_n, c_n) = module(x, hx)
        return y, {"h": h_n, "c": c_n}
    y, h_n = module(x, init.get("h"))
    return y, {"h": h_n}


def evaluate(case, params32, inputs32, dtype, use_module=None):
    """Forward and backward in `dtype`; returns the eval CONTRACT output tensors."""
    use_module = case.uses_nn_module if use_module is None else use_module
    params = {n: t.to(dtype).requires_grad_() for n, t in params32.items()}
    x = inputs32["x"].to(dtype).requires_grad_()
    init = {s: inputs32[f"{s}0"].to(dtype).requires_grad_() for s in case.init}
    x_tm = x.transpose(0, 1) if case.batch_first else x
    y, finals = (run_nn_module if use_module else run_stack)(case, params, x_tm, init)
    if case.batch_first:
        y = y.transpose(0, 1)
    if case.dense:
        _, activation, _ = case.dense
        y = y @ params["dense.weight"].t()
        if "dense.bias" in params:
            y = y + params["dense.bias"]
        if activation == "softmax":
            y = torch.softmax(y, dim=-1)
    out = {"y": y}
    for s, value in finals.items():
        out[f"{s}_n"] = value
    if case.upstream:
        loss = 0
        for g in case.upstream:
            loss = loss + (out["y" if g == "y" else f"{g}_n"] * inputs32["dy" if g == "y" else f"d{g}_n"].to(dtype)).sum()
        wrt = {"grad.x": x, **{f"grad.{s}0": v for s, v in init.items()}, **{f"grad.{n}": p for n, p in params.items()}}
        grads = torch.autograd.grad(loss, list(wrt.values()), allow_unused=True)
        for (name, leaf), grad in zip(wrt.items(), grads):
            out[name] = torch.zeros_like(leaf) if grad is None else grad
    return {n: t.detach() for n, t in out.items()}


def check_float32(case, params, inputs, reference):
    """A float32 run of the same computation must meet the parity tolerance (DESIGN §6)."""
    got = evaluate(case, params, inputs, torch.float32)
    worst = 0.0
    for name, ref in reference.items():
        tol = ABS_TOL + REL_TOL * ref.abs().max().item() if ref.numel() else 0
        err = (got[name].double() - ref).abs().max().item() if ref.numel() else 0
        if err > tol:
            sys.exit(f"{case.name}: float32 {name} misses the tolerance: {err:.3g} > {tol:.3g}")
        worst = max(worst, err / tol if tol else 0)
    return worst


def self_test():
    """The step-by-step stack must agree with nn.RNN/GRU/LSTM before it is trusted for the other cells."""
    for cell in BUILTIN:
        for bf in (False, True):
            case = Case(f"selftest_{cell}_{bf}", cell, T=4, B=3, I=3, H=4, layers=2, bidirectional=True, batch_first=bf,
                        init=("h", "c") if cell == "lstm" else ("h",), upstream=("y", "h", "c") if cell == "lstm" else ("y", "h"))
            params, inputs = make_data(case)
            a = evaluate(case, params, inputs, torch.float64, use_module=True)
            b = evaluate(case, params, inputs, torch.float64, use_module=False)
            assert a.keys() == b.keys(), (a.keys(), b.keys())
            for name in a:
                diff = (a[name] - b[name]).abs().max().item()
                assert diff < 1e-12, f"self-test {case.name}: {name} differs by {diff}"


# ---------------------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------------------

def manifest_entry(case, expected):
    return {
        "name": case.name,
        "cell": case.cell,
        "custom_cell": case.cell in CUSTOM,
        "T": case.T, "batch": case.B, "input": case.I, "hidden": case.H,
        "layers": case.layers,
        "bidirectional": case.bidirectional,
        "batch_first": case.batch_first,
        "bias": case.bias,
        "reset_after": case.reset_after,      # null: not in the spec (default true)
        "peepholes": case.peepholes,          # null: not in the spec (default false)
        "dense": None if not case.dense else {"units": case.dense[0], "activation": case.dense[1], "bias": case.dense[2]},
        "states": case.cell_def.states,
        "initial_states": [f"{s}0" for s in case.init],
        "upstream_gradients": ["dy" if g == "y" else f"d{g}_n" for g in case.upstream],
        "expected": sorted(expected),
    }


def main():
    torch.set_num_threads(1)
    self_test()
    cases = build_cases()
    names = [c.name for c in cases]
    assert len(set(names)) == len(names), "duplicate case names"
    OUT.mkdir(parents=True, exist_ok=True)
    # Cases dropped from the list must not linger as stale directories.
    for stale in OUT.iterdir():
        if stale.is_dir() and stale.name not in names:
            shutil.rmtree(stale)

    metadata = {"generator": GENERATOR}
    entries, worst = [], (0.0, None)
    for case in cases:
        params, inputs = make_data(case)
        expected = evaluate(case, params, inputs, torch.float64)
        ratio = check_float32(case, params, inputs, expected)
        worst = max(worst, (ratio, case.name), key=lambda w: w[0])
        directory = OUT / case.name
        directory.mkdir(exist_ok=True)
        (directory / "spec.yaml").write_text(spec_yaml(case), encoding="utf-8")
        write_safetensors(directory / "weights.safetensors", params, metadata)
        write_safetensors(directory / "inputs.safetensors", inputs, metadata)
        write_safetensors(directory / "expected.safetensors", expected, metadata)
        entries.append(manifest_entry(case, expected))

    manifest = {
        "generator": GENERATOR,
        "torch": torch.__version__.split("+")[0],
        "tolerance": {"abs": ABS_TOL, "rel": REL_TOL, "rule": "|got-ref| <= abs + rel*max|ref| per tensor"},
        "cases": entries,
    }
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"{len(cases)} cases in {OUT.relative_to(ROOT)}; worst float32 error / tolerance {worst[0]:.3f} ({worst[1]})")


if __name__ == "__main__":
    main()
