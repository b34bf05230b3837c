#!/usr/bin/env python3
"""Generate the ONNX golden data for RnnGraph's ONNX interop tests (runtime, import, export).

Run from anywhere:  /usr/bin/python3 scripts/golden/generate_onnx_golden.py
Needs onnx 1.12, PyTorch 1.13 and numpy; the tests that read the output need none of them.
Output is deterministic: re-running reproduces identical bytes (seeded per case, one thread).

What it writes, under tests/golden/onnx/:

  manifest.json                  a JSON list with one entry per case: name, group ("node",
                                 "random", "torch"), op ("RNN", "GRU", "LSTM" or "model"),
                                 description, inputs / outputs (graph input and output names,
                                 in graph order), opset, op_types (the operator types in the
                                 graph), attributes (op cases: the node's attributes)
  <case>/model.onnx              the model; onnx.checker.check_model passes on every one
  <case>/inputs.safetensors      one tensor per graph input, keyed by its name: F32 for float
                                 inputs, I32 for sequence_lens (ONNX declares it int32), I64
                                 for token ids
  <case>/expected.safetensors    one tensor per graph output, keyed by its name: F32 for the
                                 "node" group (ONNX's own float32 results), F64 for "random"
                                 and "torch" (references computed in float64 from the
                                 float32-rounded inputs and weights)
  <case>/torch_state.safetensors "torch" group only: the model's F32 state_dict under
                                 RnnGraph's weight names (DESIGN §5): the recurrent layer is
                                 `rnn` (rnn.weight_ih_l0, rnn.bias_hh_l1_reverse, ...), the
                                 embedding `embed` (embed.weight), the linear layer `dense`
                                 (dense.weight [out,in], dense.bias)

The groups:

  node    ONNX's own backend node tests for RNN, GRU and LSTM (onnx/backend/test/case/node/
          {rnn,gru,lstm}.py): every export_* method is run with the module's `expect`
          replaced by `capture_node_case` below, which builds the one-node model the way
          ONNX's `expect` does (value_info from the numpy arrays, the op's since_version in
          onnx 1.12 as the opset) and writes the files. Omitted optional inputs ("" in the
          node's input list) are not graph inputs. The cases that draw random weights use
          np.random, seeded here per case.
  random  random weights and inputs for what the official cases leave out (their weights
          are mostly constant): directions, layout 1, sequence_lens, initial states, clip,
          peepholes, input_forget, linear_before_reset, non-default activations, omitted
          outputs. The reference is `onnx_recurrent` below, a float64 numpy implementation
          of the ONNX operator spec, checked before anything is written against ONNX's own
          numpy helpers (RNN_Helper / GRU_Helper / LSTM_Helper, forward direction) and
          against torch.nn.RNN / GRU / LSTM in float64 (gates reordered; GRU with
          linear_before_reset=1 only; bidirectional and reverse; sequence_lens through
          pack_padded_sequence).
  torch   models exported by torch.onnx.export (opset 14, eval mode, dynamic batch and
          sequence axes, constant folding on): a 2-layer LSTM, a 2-layer bidirectional GRU
          and embedding -> LSTM (batch_first) -> linear -> log_softmax. Exported with one
          (batch, length) and evaluated on another, so the dynamic shapes are exercised.
          Expected values come from a float64 copy of the model; they are also checked
          against the exported graph run by the small numpy interpreter below
          (`run_graph`, the ops torch emits plus `onnx_recurrent` for RNN/GRU/LSTM).
  torch-opsets  a token classifier (embedding, 2-layer bidirectional LSTM/GRU/RNN with dropout,
          linear on the last step, softmax) exported at opsets 9, 11, 13 and 17, with and without
          constant folding; expected from a float64 copy of the model.

Semantics this data fixes where the ONNX spec is terse:

  activation_alpha / activation_beta
      The lists are consumed in order, and only by the activation functions that take the
      value: alpha by Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu; beta
      by Affine, ScaledTanh, HardSigmoid. An activation finds its value at the next unused
      position of the list; when the list is used up it takes ONNX's default (LeakyRelu
      0.01, ThresholdedRelu 1, Elu 1, HardSigmoid 0.2/0.5, Affine 1/0, ScaledTanh 1/1). The
      activations of a bidirectional op are the forward direction's, then the reverse's, and
      consume from the same two lists in that order. Every case but one is chosen so that
      reading the lists by activation position gives the same numbers; the exception,
      `lstm_acts_alpha_beta_consumed`, is marked in its description.
  clip
      Clamps every gate pre-activation (the argument of f, g; for LSTM including the
      peephole term) to [-clip, clip]. The LSTM cell state itself is not clipped: h is
      applied to the unclipped C_t.
  input_forget=1 (LSTM)
      f = 1 - i; the forget gate's weights, biases and peephole are ignored.
  sequence_lens
      Batch entry b runs steps 0..len[b]-1 only (the reverse direction from len[b]-1 down to
      0). Y is 0 at steps t >= len[b] in both directions; Y_h (Y_c) is the state after the
      last step run. Every length here is >= 1.
  layout=1
      X [B,T,I], initial_h/initial_c [B,D,H], Y [B,T,D,H], Y_h/Y_c [B,D,H].

Safetensors files are written with struct + json (no safetensors package needed) following
the layout rules of RnnGraph's writer, as scripts/golden/generate_rnn_golden.py does:
`__metadata__` first, then tensors sorted by name with contiguous data in that order,
compact JSON padded with spaces to a multiple of 8 bytes.
"""

import copy
import importlib
import io
import json
import os
import shutil
import struct
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import onnx.helper
import onnx.numpy_helper
import torch

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "golden" / "onnx"
GENERATOR = "scripts/golden/generate_onnx_golden.py"
PRODUCER = "rnngraph-golden"
ABS_TOL, REL_TOL = 1e-5, 1e-4      # DESIGN §6 parity tolerance, per tensor


# ---------------------------------------------------------------------------------------
# safetensors writing
# ---------------------------------------------------------------------------------------

_DTYPES = {np.dtype(np.float32): ("F32", "<f4"), np.dtype(np.float64): ("F64", "<f8"),
           np.dtype(np.int32): ("I32", "<i4"), np.dtype(np.int64): ("I64", "<i8")}


def write_safetensors(path, tensors, metadata=None):
    """Writes a dict name -> numpy array (float32/64, int32/64), atomically via a temporary file."""
    header = {}
    if metadata:
        header["__metadata__"] = dict(sorted(metadata.items()))
    blobs, offset = [], 0
    for name in sorted(tensors):
        array = np.asarray(tensors[name])
        dtype, numpy_type = _DTYPES[array.dtype]
        blob = np.ascontiguousarray(array).astype(numpy_type).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(blob)]}
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


def write_bytes(path, data):
    temp = Path(str(path) + ".tmp")
    temp.write_bytes(data)
    os.replace(temp, path)


# ---------------------------------------------------------------------------------------
# the ONNX RNN / GRU / LSTM reference (float64 numpy, from the operator spec)
# ---------------------------------------------------------------------------------------

def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# name -> (function(x, alpha, beta), default alpha or None if it takes none, default beta or None)
ACTIVATIONS = {
    "Relu": (lambda x, a, b: np.maximum(x, 0.0), None, None),
    "Tanh": (lambda x, a, b: np.tanh(x), None, None),
    "Sigmoid": (lambda x, a, b: _sigmoid(x), None, None),
    "Affine": (lambda x, a, b: a * x + b, 1.0, 0.0),
    "LeakyRelu": (lambda x, a, b: np.where(x >= 0, x, a * x), 0.01, None),
    "ThresholdedRelu": (lambda x, a, b: np.where(x >= a, x, 0.0), 1.0, None),
    "ScaledTanh": (lambda x, a, b: a * np.tanh(b * x), 1.0, 1.0),
    "HardSigmoid": (lambda x, a, b: np.minimum(np.maximum(a * x + b, 0.0), 1.0), 0.2, 0.5),
    "Elu": (lambda x, a, b: np.where(x >= 0, x, a * (np.exp(x) - 1.0)), 1.0, None),
    "Softsign": (lambda x, a, b: x / (1.0 + np.abs(x)), None, None),
    "Softplus": (lambda x, a, b: np.log1p(np.exp(x)), None, None),
}
DEFAULT_ACTIVATIONS = {"RNN": ["Tanh"], "GRU": ["Sigmoid", "Tanh"], "LSTM": ["Sigmoid", "Tanh", "Tanh"]}
GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}


def resolve_activations(op, directions, names=None, alphas=None, betas=None):
    """The activation functions per direction, with alpha/beta bound by the consumption rule
    in the module docstring: each list is read in order, only by the functions that take it."""
    per_direction = len(DEFAULT_ACTIVATIONS[op])
    names = list(names) if names else DEFAULT_ACTIVATIONS[op] * directions
    assert len(names) == per_direction * directions, (op, names)
    alphas, betas = list(alphas or []), list(betas or [])
    bound = []
    for name in names:
        fn, default_alpha, default_beta = ACTIVATIONS[name]
        alpha = (alphas.pop(0) if alphas else default_alpha) if default_alpha is not None else None
        beta = (betas.pop(0) if betas else default_beta) if default_beta is not None else None
        bound.append(lambda x, fn=fn, alpha=alpha, beta=beta: fn(x, alpha, beta))
    assert not alphas and not betas, "unused activation_alpha/beta values"
    return [bound[d * per_direction:(d + 1) * per_direction] for d in range(directions)]


def onnx_recurrent(op, X, W, R, B=None, sequence_lens=None, initial_h=None, initial_c=None, P=None, *,
                   hidden_size, direction="forward", layout=0, activations=None, activation_alpha=None,
                   activation_beta=None, clip=None, linear_before_reset=0, input_forget=0, dtype=np.float64):
    """ONNX RNN/GRU/LSTM (opset 14) on numpy arrays; returns {"Y", "Y_h"[, "Y_c"]} in the layout asked for."""
    cast = lambda a: None if a is None else np.asarray(a).astype(dtype)
    X, W, R, B, initial_h, initial_c, P = map(cast, (X, W, R, B, initial_h, initial_c, P))
    if layout == 1:
        X = X.transpose(1, 0, 2)
        initial_h = None if initial_h is None else initial_h.transpose(1, 0, 2)
        initial_c = None if initial_c is None else initial_c.transpose(1, 0, 2)
    T, batch, _ = X.shape
    H = hidden_size
    D = 2 if direction == "bidirectional" else 1
    assert W.shape[0] == D and R.shape == (D, GATES[op] * H, H)
    lens = [T] * batch if sequence_lens is None else [int(n) for n in sequence_lens]
    acts = resolve_activations(op, D, activations, activation_alpha, activation_beta)
    cl = (lambda a: np.clip(a, -clip, clip)) if clip is not None else (lambda a: a)

    Y = np.zeros((T, D, batch, H), dtype)
    Y_h = np.zeros((D, batch, H), dtype)
    Y_c = np.zeros((D, batch, H), dtype)
    for d in range(D):
        reverse = direction == "reverse" or d == 1
        w, r = W[d], R[d]
        wb, rb = (B[d][:GATES[op] * H], B[d][GATES[op] * H:]) if B is not None else (0.0 * w[:, 0], 0.0 * w[:, 0])
        f = acts[d][0]
        for b in range(batch):
            h = initial_h[d, b] if initial_h is not None else np.zeros(H, dtype)
            c = initial_c[d, b] if initial_c is not None else np.zeros(H, dtype)
            for t in (reversed(range(lens[b])) if reverse else range(lens[b])):
                x = X[t, b]
                if op == "RNN":
                    h = f(cl(w @ x + r @ h + wb + rb))
                elif op == "GRU":
                    g = acts[d][1]
                    wz, wr, wh = np.split(w, 3)
                    rz, rr, rh = np.split(r, 3)
                    wbz, wbr, wbh = np.split(wb, 3)
                    rbz, rbr, rbh = np.split(rb, 3)
                    z = f(cl(wz @ x + rz @ h + wbz + rbz))
                    rg = f(cl(wr @ x + rr @ h + wbr + rbr))
                    if linear_before_reset:
                        n = g(cl(wh @ x + rg * (rh @ h + rbh) + wbh))
                    else:
                        n = g(cl(wh @ x + rh @ (rg * h) + rbh + wbh))
                    h = (1 - z) * n + z * h
                else:
                    g, hact = acts[d][1], acts[d][2]
                    gi, go, gf, gc = np.split(w @ x + r @ h + wb + rb, 4)
                    pi, po, pf = np.split(P[d], 3) if P is not None else (0.0, 0.0, 0.0)
                    i = f(cl(gi + pi * c))
                    fg = 1 - i if input_forget else f(cl(gf + pf * c))
                    c = fg * c + i * g(cl(gc))
                    o = f(cl(go + po * c))
                    h = o * hact(c)
                Y[t, d, b] = h
            Y_h[d, b] = h
            Y_c[d, b] = c
    out = {"Y": Y, "Y_h": Y_h}
    if op == "LSTM":
        out["Y_c"] = Y_c
    if layout == 1:
        out = {k: v.transpose(2, 0, 1, 3) if k == "Y" else v.transpose(1, 0, 2) for k, v in out.items()}
    return out


# ---------------------------------------------------------------------------------------
# group "node": ONNX's own backend node test cases
# ---------------------------------------------------------------------------------------

def _value_info(name, array):
    elem = onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[array.dtype]
    return onnx.helper.make_tensor_value_info(name, elem, array.shape)


def build_node_model(node, inputs, outputs, name):
    """A one-node model as onnx.backend.test.case.node.expect builds it."""
    present_in = [n for n in node.input if n]
    present_out = [n for n in node.output if n]
    assert len(present_in) == len(inputs) and len(present_out) == len(outputs), name
    graph = onnx.helper.make_graph(
        nodes=[node], name=name,
        inputs=[_value_info(n, a) for n, a in zip(present_in, inputs)],
        outputs=[_value_info(n, a) for n, a in zip(present_out, outputs)])
    opset = onnx.defs.get_schema(node.op_type, node.domain).since_version
    model = onnx.helper.make_model_gen_version(
        graph, producer_name=PRODUCER, opset_imports=[onnx.helper.make_operatorsetid(node.domain, opset)])
    onnx.checker.check_model(model, full_check=True)
    return model, opset


def node_attributes(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _json_attributes(node):
    out = {}
    for name, value in sorted(node_attributes(node).items()):
        if isinstance(value, bytes):
            value = value.decode()
        elif isinstance(value, list):
            value = [v.decode() if isinstance(v, bytes) else float(np.float32(v)) if isinstance(v, float) else v
                     for v in value]
        elif isinstance(value, float):
            value = float(np.float32(value))
        out[name] = value
    return out


def describe_attributes(op, attrs):
    parts = [f"hidden_size {attrs['hidden_size']}"]
    parts.append(f"direction {attrs.get('direction', 'forward')}")
    parts.append(f"layout {attrs.get('layout', 0)}")
    if "activations" in attrs:
        parts.append("activations [" + ", ".join(attrs["activations"]) + "]")
    else:
        parts.append("default activations (" + ", ".join(DEFAULT_ACTIVATIONS[op]) + ")")
    for key in ("activation_alpha", "activation_beta"):
        if key in attrs:
            parts.append(f"{key} [" + ", ".join(f"{v:g}" for v in attrs[key]) + "]")
    if "clip" in attrs:
        parts.append(f"clip {attrs['clip']:g}")
    if op == "GRU":
        parts.append(f"linear_before_reset {attrs.get('linear_before_reset', 0)}")
    if op == "LSTM":
        parts.append(f"input_forget {attrs.get('input_forget', 0)}")
    return ", ".join(parts)


def _node_reference_kwargs(node, inputs):
    """Keyword arguments of onnx_recurrent for a node and its present inputs."""
    names = ["X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"]
    kwargs = {}
    values = iter(inputs)
    for slot, name in zip(names, node.input):
        if name:
            kwargs[slot] = next(values)
    for key, value in node_attributes(node).items():
        if isinstance(value, bytes):
            value = value.decode()
        elif isinstance(value, list):
            value = [v.decode() if isinstance(v, bytes) else v for v in value]
        kwargs[key] = value
    return kwargs


def collect_node_cases():
    """Runs every export_* of ONNX's rnn/gru/lstm node test modules with `expect` captured."""
    cases = []
    for module_name, op in (("rnn", "RNN"), ("gru", "GRU"), ("lstm", "LSTM")):
        module = importlib.import_module(f"onnx.backend.test.case.node.{module_name}")
        cls = getattr(module, op)
        for method in sorted(m for m in vars(cls) if m.startswith("export")):
            captured = []
            module.expect = lambda node, inputs, outputs, name, **kw: captured.append((node, inputs, outputs, name, kw))
            np.random.seed(zlib.crc32(f"{op}.{method}".encode()))
            getattr(cls, method)()
            assert captured, f"{op}.{method} produced no case"
            for node, inputs, outputs, name, kw in captured:
                assert not kw, (name, kw)
                cases.append((op, method, node, inputs, outputs, name))
    return cases


def write_node_cases(entries):
    for op, method, node, inputs, outputs, name in collect_node_cases():
        model, opset = build_node_model(node, inputs, outputs, name)
        present_in = [n for n in node.input if n]
        present_out = [n for n in node.output if n]
        # Our reference must reproduce ONNX's own results (float32, rtol 1e-3 in ONNX's suite).
        inputs64 = [a.astype(np.float64) if a.dtype == np.float32 else a for a in inputs]
        ref = onnx_recurrent(op, **_node_reference_kwargs(node, inputs64))
        slots = ["Y", "Y_h", "Y_c"]
        for slot, out_name in zip(slots, node.output):
            if out_name:
                expected = outputs[present_out.index(out_name)]
                assert expected.shape == ref[slot].shape, (name, slot, expected.shape, ref[slot].shape)
                err = np.abs(expected - ref[slot]).max()
                assert err <= 1e-5 + 1e-5 * np.abs(ref[slot]).max(), \
                    f"{name}: {slot} differs from our reference by {err}"
        attrs = _json_attributes(node)
        given = ", ".join(present_in[3:]) or "no optional inputs"
        entry = dict(name=name, group="node", op=op,
                     description=f"ONNX backend node test {name} ({op}.{method} in onnx 1.12): "
                                 f"{describe_attributes(op, attrs)}; optional inputs given: {given}",
                     inputs=present_in, outputs=present_out, opset=opset, op_types=[op], attributes=attrs)
        write_case(name, model, dict(zip(present_in, inputs)), dict(zip(present_out, outputs)))
        entries.append(entry)


# ---------------------------------------------------------------------------------------
# group "random": random-weight cases against the float64 reference
# ---------------------------------------------------------------------------------------

@dataclass
class OpCase:
    name: str
    op: str
    T: int
    B: int
    I: int
    H: int
    direction: str = "forward"
    layout: int = 0
    bias: bool = True
    seq_lens: list = None
    init_h: bool = False
    init_c: bool = False
    peepholes: bool = False
    clip: float = None
    activations: list = None
    alpha: list = None
    beta: list = None
    lbr: int = None                   # GRU linear_before_reset (None: attribute absent, 0)
    input_forget: int = None          # LSTM (None: attribute absent, 0)
    outputs: tuple = None             # requested outputs, e.g. ("", "Y_h"); None: all
    scale: float = 0.7                # weights ~ U(-scale, scale)
    note: str = ""

    @property
    def D(self):
        return 2 if self.direction == "bidirectional" else 1

    @property
    def output_slots(self):
        if self.outputs is not None:
            return list(self.outputs)
        return ["Y", "Y_h", "Y_c"] if self.op == "LSTM" else ["Y", "Y_h"]


def random_cases():
    C = OpCase
    return [
        # RNN
        C("rnn_tanh_reverse", "RNN", T=4, B=2, I=3, H=4, direction="reverse", init_h=True),
        C("rnn_relu_bidi_seqlens", "RNN", T=5, B=3, I=3, H=4, direction="bidirectional",
          activations=["Relu", "Relu"], seq_lens=[5, 2, 3], init_h=True, scale=0.5),
        C("rnn_tanh_layout1_bidi", "RNN", T=3, B=2, I=4, H=3, direction="bidirectional", layout=1, init_h=True),
        C("rnn_elu", "RNN", T=4, B=2, I=3, H=4, activations=["Elu"], alpha=[0.7], init_h=True),
        C("rnn_softplus_reverse_nobias", "RNN", T=3, B=2, I=2, H=3, direction="reverse", bias=False,
          activations=["Softplus"], scale=0.4),
        C("rnn_thresholdedrelu_elu_bidi", "RNN", T=4, B=2, I=3, H=4, direction="bidirectional",
          activations=["ThresholdedRelu", "Elu"], alpha=[0.3, 0.6], init_h=True, scale=0.5),
        C("rnn_clip_bidi", "RNN", T=4, B=2, I=3, H=3, direction="bidirectional", clip=0.6, scale=1.5),
        # GRU
        C("gru_lbr0_forward_bias_init", "GRU", T=4, B=2, I=3, H=4, init_h=True),
        C("gru_lbr1_bidi", "GRU", T=4, B=3, I=3, H=4, direction="bidirectional", lbr=1, init_h=True),
        C("gru_lbr0_reverse_seqlens", "GRU", T=5, B=3, I=2, H=3, direction="reverse", lbr=0,
          seq_lens=[3, 5, 1], init_h=True),
        C("gru_lbr1_layout1_seqlens", "GRU", T=4, B=2, I=3, H=3, layout=1, lbr=1, seq_lens=[2, 4], init_h=True),
        C("gru_lbr1_forward_nobias", "GRU", T=3, B=2, I=3, H=4, lbr=1, bias=False),
        C("gru_acts_sigmoid_softsign", "GRU", T=4, B=2, I=3, H=3, activations=["Sigmoid", "Softsign"], init_h=True),
        C("gru_acts_hardsigmoid_affine_bidi", "GRU", T=3, B=2, I=3, H=3, direction="bidirectional", lbr=1,
          activations=["HardSigmoid", "Affine", "Sigmoid", "Tanh"], alpha=[0.3, 0.8], beta=[0.45, 0.1]),
        C("gru_clip", "GRU", T=4, B=2, I=3, H=3, clip=0.4, scale=1.5, init_h=True),
        C("gru_only_yh", "GRU", T=4, B=2, I=3, H=3, direction="bidirectional", outputs=("", "Y_h")),
        # LSTM
        C("lstm_bidi_init_seqlens", "LSTM", T=5, B=3, I=3, H=4, direction="bidirectional", init_h=True,
          init_c=True, seq_lens=[4, 5, 2]),
        C("lstm_layout1", "LSTM", T=4, B=3, I=2, H=3, layout=1, init_h=True, init_c=True),
        C("lstm_layout1_bidi_seqlens", "LSTM", T=4, B=2, I=3, H=3, layout=1, direction="bidirectional",
          seq_lens=[3, 4], init_h=True, init_c=True),
        C("lstm_peepholes", "LSTM", T=4, B=2, I=3, H=4, peepholes=True, init_h=True, init_c=True),
        C("lstm_peepholes_bidi_seqlens", "LSTM", T=4, B=3, I=2, H=3, direction="bidirectional", peepholes=True,
          seq_lens=[1, 4, 3], init_h=True, init_c=True),
        C("lstm_clip", "LSTM", T=5, B=2, I=3, H=4, clip=0.5, scale=1.5, init_h=True, init_c=True),
        C("lstm_clip_peepholes_reverse", "LSTM", T=4, B=2, I=3, H=3, direction="reverse", clip=0.7,
          peepholes=True, scale=1.5, init_c=True),
        C("lstm_acts_hardsigmoid_scaledtanh_leakyrelu", "LSTM", T=4, B=2, I=3, H=4,
          activations=["HardSigmoid", "ScaledTanh", "LeakyRelu"], alpha=[0.3, 0.8, 0.1], beta=[0.45, 1.2],
          init_h=True, init_c=True),
        C("lstm_acts_alpha_beta_consumed", "LSTM", T=3, B=2, I=3, H=3,
          activations=["HardSigmoid", "LeakyRelu", "ScaledTanh"], alpha=[0.25, 0.05, 0.9], beta=[0.55, 1.3],
          init_h=True, init_c=True,
          note="alpha/beta consumption matters here: activation_beta [0.55, 1.3] goes to HardSigmoid "
               "and ScaledTanh (LeakyRelu takes no beta); reading it by activation position would differ"),
        C("lstm_acts_bidi_mixed", "LSTM", T=3, B=2, I=2, H=3, direction="bidirectional",
          activations=["HardSigmoid", "Softsign", "Softsign", "Sigmoid", "Tanh", "Tanh"], alpha=[0.25],
          beta=[0.4]),
        C("lstm_input_forget", "LSTM", T=4, B=2, I=3, H=3, input_forget=1, init_h=True, init_c=True),
        C("lstm_input_forget_peepholes_bidi", "LSTM", T=3, B=2, I=2, H=3, direction="bidirectional",
          input_forget=1, peepholes=True, init_c=True),
        C("lstm_init_h_only_reverse", "LSTM", T=4, B=2, I=3, H=3, direction="reverse", init_h=True),
        C("lstm_only_y", "LSTM", T=4, B=2, I=3, H=3, init_h=True, init_c=True, outputs=("Y",)),
        C("lstm_only_yc", "LSTM", T=3, B=2, I=2, H=3, direction="bidirectional", outputs=("", "", "Y_c")),
        C("lstm_only_yh_nobias", "LSTM", T=4, B=3, I=3, H=2, bias=False, seq_lens=[4, 1, 2], outputs=("", "Y_h")),
    ]


def make_op_data(case):
    """Float32 graph inputs (ONNX input slot name -> array) from a generator seeded by the case name."""
    rng = np.random.default_rng(zlib.crc32(case.name.encode()))
    G, D, H = GATES[case.op], case.D, case.H
    u = lambda *shape: rng.uniform(-case.scale, case.scale, size=shape).astype(np.float32)
    x_shape = (case.B, case.T, case.I) if case.layout else (case.T, case.B, case.I)
    s_shape = (case.B, D, H) if case.layout else (D, case.B, H)
    data = {"X": rng.standard_normal(x_shape).astype(np.float32), "W": u(D, G * H, case.I), "R": u(D, G * H, H)}
    if case.bias:
        data["B"] = u(D, 2 * G * H)
    if case.seq_lens is not None:
        assert len(case.seq_lens) == case.B and all(1 <= n <= case.T for n in case.seq_lens)
        data["sequence_lens"] = np.array(case.seq_lens, dtype=np.int32)
    if case.init_h:
        data["initial_h"] = (0.5 * rng.standard_normal(s_shape)).astype(np.float32)
    if case.init_c:
        data["initial_c"] = (0.5 * rng.standard_normal(s_shape)).astype(np.float32)
    if case.peepholes:
        data["P"] = u(D, 3 * H)
    return data


def op_attributes(case):
    attrs = {"hidden_size": case.H}
    if case.direction != "forward":
        attrs["direction"] = case.direction
    if case.layout:
        attrs["layout"] = case.layout
    if case.activations:
        attrs["activations"] = list(case.activations)
    if case.alpha:
        attrs["activation_alpha"] = list(case.alpha)
    if case.beta:
        attrs["activation_beta"] = list(case.beta)
    if case.clip is not None:
        attrs["clip"] = case.clip
    if case.lbr is not None:
        attrs["linear_before_reset"] = case.lbr
    if case.input_forget is not None:
        attrs["input_forget"] = case.input_forget
    return attrs


INPUT_SLOTS = ["X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"]


def _trim(names):
    names = list(names)
    while names and not names[-1]:
        names.pop()
    return names


def build_op_model(case, data, expected):
    slots = INPUT_SLOTS[:8] if case.op == "LSTM" else INPUT_SLOTS[:6]
    node_inputs = _trim([s if s in data else "" for s in slots])
    node_outputs = _trim(case.output_slots)
    node = onnx.helper.make_node(case.op, inputs=node_inputs, outputs=node_outputs, **op_attributes(case))
    graph = onnx.helper.make_graph(
        nodes=[node], name=case.name,
        inputs=[_value_info(n, data[n]) for n in node_inputs if n],
        outputs=[_value_info(n, expected[n].astype(np.float32)) for n in node_outputs if n])
    # Float attributes are stored as float32; the reference must use exactly those values.
    model = onnx.helper.make_model_gen_version(
        graph, producer_name=PRODUCER, opset_imports=[onnx.helper.make_operatorsetid("", 14)])
    onnx.checker.check_model(model, full_check=True)
    return model, node


def reference_for(case, data, dtype=np.float64, **override):
    """Runs onnx_recurrent with the case's attributes as the model stores them (floats as float32)."""
    kwargs = dict(hidden_size=case.H, direction=case.direction, layout=case.layout, activations=case.activations,
                  activation_alpha=[float(np.float32(a)) for a in case.alpha] if case.alpha else None,
                  activation_beta=[float(np.float32(b)) for b in case.beta] if case.beta else None,
                  clip=float(np.float32(case.clip)) if case.clip is not None else None,
                  linear_before_reset=case.lbr or 0, input_forget=case.input_forget or 0, dtype=dtype)
    kwargs.update(override)
    return onnx_recurrent(case.op, **data, **kwargs)


# --- independent check 1: ONNX's own numpy helpers (forward, default activations, no clip) ---

def helper_supports(case):
    return (case.direction == "forward" and case.seq_lens is None and not case.activations and case.clip is None
            and not case.input_forget)


def check_with_onnx_helpers(case, data, ref):
    """ONNX's RNN_Helper/GRU_Helper/LSTM_Helper on the same float64 data. Their Y_h for layout 1
    indexes the wrong axis (Y[:, :, -1, :] of [B,T,D,H], i.e. all steps), so with layout 1 only
    Y is compared."""
    module = importlib.import_module(f"onnx.backend.test.case.node.{case.op.lower()}")
    helper = getattr(module, f"{case.op}_Helper")
    params = {k: v.astype(np.float64) for k, v in data.items()}
    if case.op == "GRU":
        params["linear_before_reset"] = case.lbr or 0
    if case.layout:
        params["layout"] = case.layout      # the helper swaps the axes of X itself
        # The helper takes its default initial state's batch size from X.shape[1], which is T
        # in layout 1, and wants initial states as [1,B,H]: give them explicitly.
        for key in ("initial_h", "initial_c") if case.op == "LSTM" else ("initial_h",):
            params[key] = params[key].transpose(1, 0, 2) if key in params else np.zeros((1, case.B, case.H))
    Y, Y_h = helper(**params).step()
    diffs = [np.abs(Y - ref["Y"]).max()]
    if not case.layout:
        diffs.append(np.abs(Y_h - ref["Y_h"]).max())
    assert max(diffs) < 1e-12, f"{case.name}: ONNX helper differs by {max(diffs)}"


# --- independent check 2: torch.nn.RNN / GRU / LSTM in float64 ---

def torch_supports(case):
    if case.clip is not None or case.peepholes or case.input_forget:
        return False
    if case.op == "RNN":
        acts = case.activations or ["Tanh"] * case.D
        return len(set(acts)) == 1 and acts[0] in ("Tanh", "Relu")
    if case.op == "GRU":
        return case.lbr == 1 and not case.activations
    return not case.activations


def _onnx_to_torch_gates(op, m):
    """ONNX gate blocks (rows) -> PyTorch order: LSTM i,o,f,c -> i,f,g,o; GRU z,r,h -> r,z,n."""
    if op == "LSTM":
        i, o, f, c = np.split(m, 4)
        return np.concatenate([i, f, c, o])
    if op == "GRU":
        z, r, h = np.split(m, 3)
        return np.concatenate([r, z, h])
    return m


def check_with_torch(case, data, ref):
    """The same computation through torch.nn in float64; a reverse-only op is the reverse half
    of a bidirectional module whose forward half is a copy."""
    d64 = {k: v.astype(np.float64) if v.dtype == np.float32 else v for k, v in data.items()}
    X, H, D = d64["X"], case.H, case.D
    if case.layout:
        X = X.transpose(1, 0, 2)
    T, B, I = X.shape
    kwargs = {}
    if case.op == "RNN":
        kwargs["nonlinearity"] = (case.activations or ["Tanh"])[0].lower()
    module = getattr(torch.nn, case.op)(I, H, bias=case.bias, bidirectional=case.direction != "forward",
                                        **kwargs).double()
    index = [0, 0] if case.direction == "reverse" else list(range(D))
    states = {}
    for key in ("initial_h", "initial_c"):
        if key in d64:
            s = d64[key].transpose(1, 0, 2) if case.layout else d64[key]
            states[key] = torch.from_numpy(s[index].copy())
    with torch.no_grad():
        for k, d in enumerate(index):
            suffix = "_reverse" if k == 1 else ""
            getattr(module, "weight_ih_l0" + suffix).copy_(torch.from_numpy(_onnx_to_torch_gates(case.op, d64["W"][d])))
            getattr(module, "weight_hh_l0" + suffix).copy_(torch.from_numpy(_onnx_to_torch_gates(case.op, d64["R"][d])))
            if case.bias:
                wb, rb = np.split(d64["B"][d], 2)
                getattr(module, "bias_ih_l0" + suffix).copy_(torch.from_numpy(_onnx_to_torch_gates(case.op, wb)))
                getattr(module, "bias_hh_l0" + suffix).copy_(torch.from_numpy(_onnx_to_torch_gates(case.op, rb)))
        zeros = torch.zeros(len(index), B, H, dtype=torch.float64)
        h0 = states.get("initial_h", zeros)
        hx = (h0, states.get("initial_c", zeros)) if case.op == "LSTM" else h0
        x = torch.from_numpy(X.copy())
        if "sequence_lens" in data:
            lengths = torch.from_numpy(data["sequence_lens"].astype(np.int64))
            packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=False)
            y, final = module(packed, hx)
            y, _ = torch.nn.utils.rnn.pad_packed_sequence(y, total_length=T)
        else:
            y, final = module(x, hx)
    finals = final if case.op == "LSTM" else (final,)
    y = y.reshape(T, B, len(index), H).permute(0, 2, 1, 3).numpy()
    got = {"Y": y, "Y_h": finals[0].numpy()}
    if case.op == "LSTM":
        got["Y_c"] = finals[1].numpy()
    if case.direction == "reverse":
        got = {k: v[:, 1:2] if k == "Y" else v[1:2] for k, v in got.items()}
    if case.layout:
        got = {k: v.transpose(2, 0, 1, 3) if k == "Y" else v.transpose(1, 0, 2) for k, v in got.items()}
    for k, v in got.items():
        diff = np.abs(v - ref[k]).max()
        assert diff < 1e-12, f"{case.name}: torch.nn differs in {k} by {diff}"


def check_input_forget(case, data, ref):
    """input_forget=1 makes f = 1 - f_act(a_i) with a_i the input gate's pre-activation. For the
    default Sigmoid that is Sigmoid(-a_i), and clip is symmetric, so the same LSTM with
    input_forget=0 whose forget-gate rows (weights, both biases, peephole) are the negated
    input-gate rows gives the same result; that LSTM is checked against torch.nn when torch
    supports the case."""
    assert not case.activations or case.activations[0::3] == ["Sigmoid"] * case.D
    H = case.H
    tied = dict(data)
    for key in ("W", "R"):
        m = data[key].copy()
        m[:, 2 * H:3 * H] = -m[:, 0:H]          # rows i,o,f,c: f := -i
        tied[key] = m
    if "B" in data:
        b = data["B"].copy()
        for half in (0, 4 * H):
            b[:, half + 2 * H:half + 3 * H] = -b[:, half:half + H]
        tied["B"] = b
    if "P" in data:
        p = data["P"].copy()
        p[:, 2 * H:3 * H] = -p[:, 0:H]          # P = [p_i, p_o, p_f]
        tied["P"] = p
    plain = reference_for(case, tied, input_forget=0)
    diff = max(np.abs(plain[k] - ref[k]).max() for k in ref)
    assert diff < 1e-12, f"{case.name}: input_forget differs from the tied forget gate by {diff}"
    tied_case = OpCase(**{**case.__dict__, "input_forget": None})
    if torch_supports(tied_case):
        check_with_torch(tied_case, tied, plain)


def self_test():
    """The reference against both independent implementations on configurations they share,
    beyond those of the cases themselves."""
    checked = 0
    for op in ("RNN", "GRU", "LSTM"):
        for layout in (0, 1):
            for variant in range(4):
                case = OpCase(f"selftest_{op}_{layout}_{variant}", op, T=4, B=3, I=3, H=4, layout=layout,
                              bias=variant != 1, init_h=variant >= 2, init_c=variant == 3 and op == "LSTM",
                              lbr=(variant % 2) if op == "GRU" else None, peepholes=op == "LSTM" and variant == 2)
                data = make_op_data(case)
                ref = reference_for(case, data)
                check_with_onnx_helpers(case, data, ref)
                checked += 1
                for direction in ("forward", "reverse", "bidirectional"):
                    for lens in (None, [2, 4, 1]):
                        tcase = OpCase(case.name + f"_{direction}_{lens is None}", op, T=4, B=3, I=3, H=4,
                                       layout=layout, bias=case.bias, init_h=case.init_h, init_c=case.init_c,
                                       direction=direction, seq_lens=lens, lbr=1 if op == "GRU" else None,
                                       activations=["Relu"] * (2 if direction == "bidirectional" else 1)
                                       if op == "RNN" and variant == 1 else None)
                        tdata = make_op_data(tcase)
                        check_with_torch(tcase, tdata, reference_for(tcase, tdata))
                        checked += 1
    return checked


def within_tolerance(name, got, ref):
    for k in ref:
        tol = ABS_TOL + REL_TOL * np.abs(ref[k]).max()
        err = np.abs(got[k].astype(np.float64) - ref[k]).max()
        assert err <= tol, f"{name}: float32 {k} misses the parity tolerance: {err:.3g} > {tol:.3g}"


def write_random_cases(entries):
    checks = {"onnx_helper": 0, "torch": 0, "input_forget": 0}
    for case in random_cases():
        data = make_op_data(case)
        ref = reference_for(case, data)
        for k, v in ref.items():
            assert np.all(np.isfinite(v)) and np.abs(v).max() > 1e-3, f"{case.name}: degenerate {k}"
        if helper_supports(case):
            check_with_onnx_helpers(case, data, ref)
            checks["onnx_helper"] += 1
        if torch_supports(case):
            check_with_torch(case, data, ref)
            checks["torch"] += 1
        if case.input_forget:
            check_input_forget(case, data, ref)
            checks["input_forget"] += 1
        if case.clip is not None:
            unclipped = reference_for(case, data, clip=None)
            diff = max(np.abs(unclipped[k] - ref[k]).max() for k in ref)
            assert diff > 1e-2, f"{case.name}: clip changes nothing ({diff})"
        if case.alpha or case.beta:
            # The explicit values must matter: the defaults give a different result.
            default = reference_for(case, data, activation_alpha=None, activation_beta=None)
            diff = max(np.abs(default[k] - ref[k]).max() for k in ref)
            assert diff > 1e-3, f"{case.name}: activation_alpha/beta change nothing ({diff})"
        # A float32 evaluation of the same model must meet the parity tolerance.
        within_tolerance(case.name, reference_for(case, data, dtype=np.float32), ref)

        expected = {slot: ref[slot] for slot in case.output_slots if slot}
        model, node = build_op_model(case, data, expected)
        inputs = [n for n in node.input if n]
        outputs = [n for n in node.output if n]
        attrs = _json_attributes(node)
        given = ", ".join(inputs[3:]) or "no optional inputs"
        description = (f"random weights U(-{case.scale:g},{case.scale:g}); {describe_attributes(case.op, attrs)}; "
                       f"optional inputs given: {given}")
        if case.seq_lens is not None:
            description += f"; sequence_lens {case.seq_lens} (T={case.T})"
        if len(outputs) < len(["Y", "Y_h", "Y_c"][:2 + (case.op == 'LSTM')]):
            description += "; node outputs " + json.dumps(list(node.output)) + " (empty name = omitted)"
        if case.note:
            description += "; " + case.note
        write_case(case.name, model, {n: data[n] for n in inputs}, expected)
        entries.append(dict(name=case.name, group="random", op=case.op, description=description, inputs=inputs,
                            outputs=outputs, opset=14, op_types=[case.op], attributes=attrs))
    return checks


# ---------------------------------------------------------------------------------------
# a small numpy interpreter for the graphs torch exports (independent check of "torch")
# ---------------------------------------------------------------------------------------

def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def run_graph(model, feeds):
    """Evaluates the model's graph in float64 with numpy; RNN/GRU/LSTM through onnx_recurrent."""
    env = {init.name: onnx.numpy_helper.to_array(init) for init in model.graph.initializer}
    env = {k: v.astype(np.float64) if v.dtype == np.float32 else v for k, v in env.items()}
    env.update(feeds)
    env[""] = None
    for node in model.graph.node:
        a = _attrs(node)
        x = [env[n] for n in node.input]
        op = node.op_type
        if op == "Constant":
            v = onnx.numpy_helper.to_array(a["value"])
            out = [v.astype(np.float64) if v.dtype == np.float32 else v]
        elif op == "Shape":
            out = [np.array(x[0].shape, dtype=np.int64)]
        elif op == "Gather":
            out = [np.take(x[0], x[1], axis=a.get("axis", 0))]
        elif op == "Unsqueeze":
            v = x[0]
            for axis in sorted(int(i) for i in x[1]):
                v = np.expand_dims(v, axis)
            out = [v]
        elif op == "Squeeze":
            out = [np.squeeze(x[0], axis=tuple(int(i) for i in x[1]))]
        elif op == "Concat":
            out = [np.concatenate(x, axis=a["axis"])]
        elif op == "ConstantOfShape":
            value = onnx.numpy_helper.to_array(a["value"]) if "value" in a else np.zeros(1, np.float32)
            dtype = np.float64 if value.dtype == np.float32 else value.dtype
            out = [np.full(tuple(int(i) for i in x[0]), value.reshape(-1)[0], dtype=dtype)]
        elif op == "Slice":
            starts, ends = x[1], x[2]
            axes = x[3] if len(x) > 3 and x[3] is not None else range(len(starts))
            steps = x[4] if len(x) > 4 and x[4] is not None else [1] * len(starts)
            index = [slice(None)] * x[0].ndim
            for s, e, ax, st in zip(starts, ends, axes, steps):
                index[int(ax)] = slice(int(s), int(e), int(st))
            out = [x[0][tuple(index)]]
        elif op == "Transpose":
            out = [np.transpose(x[0], a.get("perm"))]
        elif op == "Reshape":
            shape = [x[0].shape[i] if s == 0 else int(s) for i, s in enumerate(x[1])]
            out = [x[0].reshape(shape)]
        elif op == "Expand":
            out = [x[0] * np.ones(tuple(int(i) for i in x[1]), dtype=x[0].dtype)]
        elif op == "MatMul":
            out = [x[0] @ x[1]]
        elif op == "Gemm":
            A = x[0].T if a.get("transA") else x[0]
            Bm = x[1].T if a.get("transB") else x[1]
            out = [a.get("alpha", 1.0) * A @ Bm + (a.get("beta", 1.0) * x[2] if len(x) > 2 else 0)]
        elif op == "Add":
            out = [x[0] + x[1]]
        elif op == "LogSoftmax":
            v = x[0] - x[0].max(axis=a.get("axis", -1), keepdims=True)
            out = [v - np.log(np.exp(v).sum(axis=a.get("axis", -1), keepdims=True))]
        elif op in ("RNN", "GRU", "LSTM"):
            kwargs = {slot: v for slot, v in zip(INPUT_SLOTS, x) if v is not None}
            for k, v in a.items():
                kwargs[k] = v.decode() if isinstance(v, bytes) else [s.decode() for s in v] if (
                    isinstance(v, list) and v and isinstance(v[0], bytes)) else v
            res = onnx_recurrent(op, **kwargs)
            out = [res[s] for s in ["Y", "Y_h", "Y_c"][:len(node.output)]]
        else:
            raise NotImplementedError(f"run_graph: no {op}")
        for name, value in zip(node.output, out):
            if name:
                env[name] = value
    return {o.name: env[o.name] for o in model.graph.output}


# ---------------------------------------------------------------------------------------
# group "torch": models exported by torch.onnx.export
# ---------------------------------------------------------------------------------------

class EmbedLstmLogSoftmax(torch.nn.Module):
    def __init__(self, vocab, embed, hidden):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab, embed)
        self.rnn = torch.nn.LSTM(embed, hidden, batch_first=True)
        self.dense = torch.nn.Linear(hidden, vocab)

    def forward(self, tokens):
        y, _ = self.rnn(self.embed(tokens))
        return torch.log_softmax(self.dense(y), dim=-1)


class Wrapped(torch.nn.Module):
    """A bare recurrent module under the layer name `rnn`, returning its outputs flat."""
    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn

    def forward(self, x):
        y, state = self.rnn(x)
        return (y, *state) if isinstance(state, tuple) else (y, state)


@dataclass
class TorchCase:
    name: str
    build: object                 # () -> module with layers rnn / embed / dense
    description: str
    input_names: list
    output_names: list
    dynamic_axes: dict
    export_shape: tuple           # dummy input used for export
    eval_shape: tuple             # data written to inputs.safetensors
    tokens: int = 0               # > 0: integer token ids below this bound


def torch_cases():
    return [
        TorchCase("torch_lstm_stack", lambda: Wrapped(torch.nn.LSTM(3, 4, num_layers=2)),
                  "torch.nn.LSTM(3, 4, num_layers=2), time-major x [T,B,3] -> y [T,B,4], h_n, c_n [2,B,4]; "
                  "exported with T=5, B=2, evaluated with T=4, B=3",
                  ["x"], ["y", "h_n", "c_n"],
                  {"x": {0: "T", 1: "B"}, "y": {0: "T", 1: "B"}, "h_n": {1: "B"}, "c_n": {1: "B"}},
                  (5, 2, 3), (4, 3, 3)),
        TorchCase("torch_bigru", lambda: Wrapped(torch.nn.GRU(3, 4, num_layers=2, bidirectional=True)),
                  "torch.nn.GRU(3, 4, num_layers=2, bidirectional=True), time-major x [T,B,3] -> y [T,B,8], "
                  "h_n [4,B,4]; exported with T=5, B=2, evaluated with T=3, B=3",
                  ["x"], ["y", "h_n"],
                  {"x": {0: "T", 1: "B"}, "y": {0: "T", 1: "B"}, "h_n": {1: "B"}},
                  (5, 2, 3), (3, 3, 3)),
        TorchCase("torch_embed_lstm_logsoftmax", lambda: EmbedLstmLogSoftmax(7, 3, 5),
                  "token ids (int64) [B,T] -> nn.Embedding(7, 3) -> nn.LSTM(3, 5, batch_first=True) -> "
                  "nn.Linear(5, 7) -> log_softmax(-1) = logp [B,T,7]; exported with B=2, T=5, evaluated with "
                  "B=3, T=4",
                  ["tokens"], ["logp"], {"tokens": {0: "B", 1: "T"}, "logp": {0: "B", 1: "T"}},
                  (2, 5), (3, 4), tokens=7),
    ]


def export_onnx(module, example, case):
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # torch warns that LSTMs exported with batch > 1 may not run at another batch size;
        # the check below runs the exported graph at another batch size.
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (example,), buffer, opset_version=14, input_names=case.input_names,
                          output_names=case.output_names, dynamic_axes=case.dynamic_axes)
    model = onnx.load_from_string(buffer.getvalue())
    onnx.checker.check_model(model, full_check=True)
    return model


def write_torch_cases(entries):
    summary = {}
    for case in torch_cases():
        seed = zlib.crc32(case.name.encode())
        torch.manual_seed(seed)
        module = case.build().eval()
        gen = torch.Generator().manual_seed(seed + 1)

        def sample(shape):
            if case.tokens:
                return torch.randint(0, case.tokens, shape, generator=gen, dtype=torch.int64)
            return torch.randn(shape, generator=gen)

        example, data = sample(case.export_shape), sample(case.eval_shape)
        model = export_onnx(module, example, case)
        assert [i.name for i in model.graph.input] == case.input_names, [i.name for i in model.graph.input]
        assert [o.name for o in model.graph.output] == case.output_names

        # Expected: a float64 copy of the model on the evaluation data.
        with torch.no_grad():
            module_double = copy.deepcopy(module).double()
            outs64 = module_double(data if case.tokens else data.double())
            outs32 = module(data)
        outs64 = outs64 if isinstance(outs64, tuple) else (outs64,)
        outs32 = outs32 if isinstance(outs32, tuple) else (outs32,)
        expected = {n: t.numpy() for n, t in zip(case.output_names, outs64)}
        within_tolerance(case.name, {n: t.numpy() for n, t in zip(case.output_names, outs32)}, expected)

        # The exported graph, run by the numpy interpreter at the evaluation shape, must agree.
        feed = data.numpy() if case.tokens else data.numpy().astype(np.float64)
        graph_out = run_graph(model, {case.input_names[0]: feed})
        for n in case.output_names:
            assert graph_out[n].shape == expected[n].shape, (case.name, n, graph_out[n].shape, expected[n].shape)
            diff = np.abs(graph_out[n] - expected[n]).max()
            assert diff < 1e-10, f"{case.name}: exported graph differs from torch in {n} by {diff}"

        # Both model classes name their layers rnn / embed / dense, so state_dict names are RnnGraph's.
        state = {k: v.detach().numpy().astype(np.float32) for k, v in module.state_dict().items()}
        op_types = sorted({n.op_type for n in model.graph.node})
        summary[case.name] = op_types
        print(f"{case.name}: op types {', '.join(op_types)}")
        write_case(case.name, model, {case.input_names[0]: data.numpy()}, expected, torch_state=state)
        entries.append(dict(name=case.name, group="torch", op="model",
                            description=case.description + "; torch.onnx.export (torch 1.13, opset 14, eval mode, "
                            "dynamic batch and sequence axes); expected from a float64 copy of the model",
                            inputs=case.input_names, outputs=case.output_names, opset=14, op_types=op_types))
    return summary


class EmbedBiStackLastSoftmax(torch.nn.Module):
    """Token ids [B,T] -> Embedding -> 2-layer bidirectional RNN/GRU/LSTM (batch_first, dropout between layers)
    -> Linear on the last step -> softmax: the kind of classifier users export, at every opset."""
    def __init__(self, kind, vocab=11, embed=6, hidden=5):
        super().__init__()
        cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn_tanh": torch.nn.RNN}[kind]
        self.embed = torch.nn.Embedding(vocab, embed)
        self.rnn = cls(embed, hidden, num_layers=2, batch_first=True, bidirectional=True, dropout=0.3)
        self.dense = torch.nn.Linear(2 * hidden, vocab)

    def forward(self, tokens):
        y = self.rnn(self.embed(tokens))[0]
        return torch.softmax(self.dense(y[:, -1]), dim=-1)


# (opset, constant folding): the older opsets carry Squeeze/Unsqueeze/Slice axes as attributes and Softmax's
# 2-D coercion; without folding the gate reordering of the weights runs as Slice/Concat in the graph.
OPSET_VARIANTS = [(9, True), (11, False), (13, True), (17, False)]


def write_torch_opset_cases(entries):
    for kind in ("lstm", "gru", "rnn_tanh"):
        for opset, fold in OPSET_VARIANTS:
            name = f"torch_opset{opset}_{kind}_{'folded' if fold else 'unfolded'}"
            seed = zlib.crc32(name.encode())
            torch.manual_seed(seed)
            module = EmbedBiStackLastSoftmax(kind).eval()
            gen = torch.Generator().manual_seed(seed + 1)
            example = torch.randint(0, 11, (2, 5), generator=gen, dtype=torch.int64)
            data = torch.randint(0, 11, (3, 7), generator=gen, dtype=torch.int64)
            buffer = io.BytesIO()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                torch.onnx.export(module, (example,), buffer, opset_version=opset, do_constant_folding=fold,
                                  input_names=["tokens"], output_names=["p"],
                                  dynamic_axes={"tokens": {0: "B", 1: "T"}, "p": {0: "B"}})
            model = onnx.load_from_string(buffer.getvalue())
            onnx.checker.check_model(model, full_check=True)
            with torch.no_grad():
                expected = {"p": copy.deepcopy(module).double()(data).numpy()}
                within_tolerance(name, {"p": module(data).numpy()}, expected)
            op_types = sorted({n.op_type for n in model.graph.node})
            write_case(name, model, {"tokens": data.numpy()}, expected)
            entries.append(dict(name=name, group="torch-opsets", op="model",
                                description=f"token ids [B,T] -> nn.Embedding(11, 6) -> 2-layer bidirectional {kind} "
                                f"(hidden 5, batch_first, dropout 0.3) -> nn.Linear(10, 11) on the last step -> softmax; "
                                f"torch.onnx.export opset {opset}, constant folding {'on' if fold else 'off'}; exported "
                                f"with B=2, T=5, evaluated with B=3, T=7; expected from a float64 copy of the model",
                                inputs=["tokens"], outputs=["p"], opset=opset, op_types=op_types))


# ---------------------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------------------

def write_case(name, model, inputs, expected, torch_state=None):
    directory = OUT / name
    directory.mkdir(parents=True, exist_ok=True)
    metadata = {"generator": GENERATOR}
    write_bytes(directory / "model.onnx", model.SerializeToString())
    write_safetensors(directory / "inputs.safetensors", inputs, metadata)
    write_safetensors(directory / "expected.safetensors", expected, metadata)
    if torch_state is not None:
        write_safetensors(directory / "torch_state.safetensors", torch_state, metadata)


def main():
    torch.set_num_threads(1)
    checked = self_test()
    OUT.mkdir(parents=True, exist_ok=True)
    entries = []
    write_node_cases(entries)
    checks = write_random_cases(entries)
    write_torch_cases(entries)
    write_torch_opset_cases(entries)

    names = [e["name"] for e in entries]
    assert len(set(names)) == len(names), "duplicate case names"
    for stale in OUT.iterdir():
        if stale.is_dir() and stale.name not in names:
            shutil.rmtree(stale)
    (OUT / "manifest.json").write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    size = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    groups = {g: sum(e["group"] == g for e in entries) for g in ("node", "random", "torch", "torch-opsets")}
    print(f"{len(entries)} cases ({groups}) in {OUT.relative_to(ROOT)}, {size} bytes; self-test {checked} "
          f"configurations; random cases checked against ONNX helpers {checks['onnx_helper']}, "
          f"torch.nn {checks['torch']}, "
          f"input_forget identity {checks['input_forget']}")


if __name__ == "__main__":
    main()
