#!/usr/bin/env python3
"""Golden data for the encoder-decoder topology: forward pass, loss and gradients for given weights.

Run from anywhere with Debian's python3-torch:  /usr/bin/python3 scripts/golden/generate_seq2seq_golden.py

Writes tests/golden/seq2seq/<case>.safetensors (one file per case) and tests/golden/seq2seq/manifest.json
(README.md there is written by hand).
Each file holds, time-major (T decoder steps, S source steps, B batch):
  parameters (F32)    encoder.embed.weight [Vs,Es]; encoder.rnn.{weight_ih,weight_hh,bias_ih,bias_hh}_l{l}[_reverse]
                      (PyTorch nn.GRU/nn.LSTM names and gate order); bridge.{h,c}.{weight,bias}_l{l} (bridge dense,
                      c for lstm); decoder.embed.weight [Vt,Et]; decoder.rnn.*_l{l} (layer 0 input Et + F);
                      attention.query.weight [A,H_dec], attention.key.weight [A,E], attention.key.bias [A],
                      attention.v.weight [1,A] (additive); attention.key.weight [H_dec,E] (general);
                      attention.combine.weight [H_dec,E+H_dec] (dot, general); decoder.dense.weight [Vt,|o_t|],
                      decoder.dense.bias [Vt]
  inputs              src [S,B] (F32 token ids, 0 past src_len), src_len [B] (I64), dec_in [T,B] (F32: <bos> then
                      the reference, 0 past target_len), target [T,B] (F32: the reference then <eos>, 0 past
                      target_len), target_len [B] (I64, the non-pad targets)
  references (F32)    logits [T,B,Vt], attention [T,B,S] (cases with attention; 0 at j >= src_len), loss [] and
                      grad.<param> for every parameter (d loss / d param)
  intermediates (F32) encoder_outputs [S,B,E] (0 past src_len), encoder_h_n / encoder_c_n [Lenc*D,B,H_enc] (PyTorch's
                      h_n order: l0 fwd, l0 bwd, l1 fwd, ...), decoder_h0 / decoder_c0 [Ldec,B,H_dec] (after the bridge)
  __metadata__        the case: cell, bidirectional, encoder_layers, decoder_layers, bridge, attention and the sizes
Token ids follow RnnGraph's vocabulary: 0 <pad>, 1 <unk>, 2 <bos>, 3 <eos>, words from 4.

The model (E = D*H_enc; encoder and decoder use the same cell):
  encoder   embed -> nn.GRU/LSTM over pack_padded_sequence(src_len, enforce_sorted=False); outputs h_j [S,B,E]
            (0 past src_len), finals h_n (c_n) [L*D,B,H_enc] as PyTorch returns them for packed input.
  bridge    decoder layer l's initial h (and c) from encoder layer l's finals fwd = n[l*D], bwd = n[l*D+1]:
            none 0; copy fwd; sum fwd + bwd; concat [fwd; bwd]; dense tanh(W [fwd; bwd] + b).
  decoder   teacher forcing at every step t = 0..T-1, stack of cells, layer 0 input x_t:
            none      x_t = emb(dec_in_t); o_t = top h_t
            additive  c_t = attend(e_j = v . tanh(W_q q + W_k h_j + b_k)) with q = top h_{t-1} (the bridged state
                      at t = 0); x_t = [emb; c_t]; o_t = [h_t; c_t]
            dot       x_t = [emb; g_{t-1}] (g_{-1} = 0); stack step; e_j = h_t . h_j; c_t = attend;
                      g_t = tanh(W_c [c_t; h_t]); o_t = g_t  (Luong with input feeding)
            general   as dot with e_j = h_t . (W_a h_j)
            attend    a = softmax over j < src_len (others -inf), c = sum_j a_j h_j; h_t is the top layer's.
            logits_t = decoder.dense(o_t)
  loss      F.cross_entropy(logits, target, ignore_index=0), the mean over the non-pad targets.
The decoder runs all T steps for every sequence: at t >= target_len it reads <pad> (id 0) and goes on, so those
logits/attention rows are well defined but take no part in the loss; compare them or skip them as you like.

Weights and inputs are drawn in float32; the references are computed in float64 from those float32 values and
stored rounded to float32. Before writing, every case is checked three ways: (1) a second, independent float64
implementation (per example, hand-written cell equations, explicit loops over steps, directions and source
positions, a hand-written log-softmax) must agree with the packed nn.GRU/LSTM path to 1e-10 in logits, attention,
loss, the intermediates and all gradients (both via torch.autograd); (2) central finite differences (step 1e-5) of
the float64 loss on 3 random entries of every parameter must match the autograd gradient (relative error < 1e-6,
relative to max(|g|, 1e-3));
(3) the same model run in float32 must be within |f32 - ref| <= 1e-5 + 1e-4*max|ref| of every stored tensor, so a
correct float32 implementation can pass. Deterministic: seeded per case, one thread; a re-run leaves git diff empty.
"""
import json
import sys
import zlib
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_rnn_golden import write_safetensors  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "golden" / "seq2seq"
GENERATOR = "scripts/golden/generate_seq2seq_golden.py"
PAD, BOS, EOS, FIRST_WORD = 0, 2, 3, 4
B, S, T = 3, 5, 4
AGREE_TOL, FD_TOL, FD_FLOOR, FD_EPS = 1e-10, 1e-6, 1e-3, 1e-5
ABS_TOL, REL_TOL = 1e-5, 1e-4


def case(name, cell, bidirectional, encoder_layers, decoder_layers, bridge, attention, Vs, Es, H_enc, Vt, Et, H_dec,
         A, src_len, target_len):
    return dict(name=name, cell=cell, bidirectional=bidirectional, encoder_layers=encoder_layers,
                decoder_layers=decoder_layers, bridge=bridge, attention=attention, Vs=Vs, Es=Es, H_enc=H_enc, Vt=Vt,
                Et=Et, H_dec=H_dec, A=A, src_len=src_len, target_len=target_len)


CASES = [
    case("gru_bi_concat_additive", "gru", True, 1, 1, "concat", "additive", 10, 3, 4, 8, 4, 8, 5, [5, 3, 2], [4, 2, 3]),
    case("gru_bi_dense_general", "gru", True, 1, 1, "dense", "general", 8, 4, 4, 9, 3, 6, 0, [2, 5, 4], [3, 4, 1]),
    case("lstm_uni_l2_copy_dot", "lstm", False, 2, 2, "copy", "dot", 11, 4, 6, 8, 5, 6, 0, [4, 1, 5], [4, 3, 2]),
    case("gru_bi_sum_none", "gru", True, 1, 1, "sum", "none", 10, 5, 5, 7, 4, 5, 0, [3, 5, 2], [2, 4, 4]),
    case("lstm_bi_dense_additive", "lstm", True, 1, 1, "dense", "additive", 11, 3, 3, 9, 4, 5, 4, [5, 2, 4], [4, 1, 3]),
    case("gru_uni_none_additive", "gru", False, 1, 1, "none", "additive", 12, 4, 5, 8, 3, 7, 6, [3, 4, 5], [3, 4, 2]),
    case("gru_bi_l2_dense_additive", "gru", True, 2, 2, "dense", "additive", 8, 3, 3, 8, 4, 4, 5, [1, 5, 3],
         [4, 2, 3]),
]


def states_of(c):
    return ["h", "c"] if c["cell"] == "lstm" else ["h"]


def feed_size(c):
    """F: what the decoder's layer 0 reads besides the embedding."""
    E = (2 if c["bidirectional"] else 1) * c["H_enc"]
    return {"none": 0, "additive": E, "dot": c["H_dec"], "general": c["H_dec"]}[c["attention"]]


def head_size(c):
    E = (2 if c["bidirectional"] else 1) * c["H_enc"]
    return c["H_dec"] + E if c["attention"] == "additive" else c["H_dec"]


def rnn_param_shapes(prefix, cell, input_size, hidden, layers, bidirectional):
    gates = 4 if cell == "lstm" else 3
    shapes = {}
    for l in range(layers):
        size = input_size if l == 0 else hidden * (2 if bidirectional else 1)
        for suffix in ["", "_reverse"] if bidirectional else [""]:
            shapes[f"{prefix}.weight_ih_l{l}{suffix}"] = [gates * hidden, size]
            shapes[f"{prefix}.weight_hh_l{l}{suffix}"] = [gates * hidden, hidden]
            shapes[f"{prefix}.bias_ih_l{l}{suffix}"] = [gates * hidden]
            shapes[f"{prefix}.bias_hh_l{l}{suffix}"] = [gates * hidden]
    return shapes


def param_shapes(c):
    D = 2 if c["bidirectional"] else 1
    E, H = D * c["H_enc"], c["H_dec"]
    shapes = {"encoder.embed.weight": [c["Vs"], c["Es"]], "decoder.embed.weight": [c["Vt"], c["Et"]]}
    shapes.update(rnn_param_shapes("encoder.rnn", c["cell"], c["Es"], c["H_enc"], c["encoder_layers"],
                                   c["bidirectional"]))
    shapes.update(rnn_param_shapes("decoder.rnn", c["cell"], c["Et"] + feed_size(c), H, c["decoder_layers"], False))
    if c["bridge"] == "dense":
        for s in states_of(c):
            for l in range(c["decoder_layers"]):
                shapes[f"bridge.{s}.weight_l{l}"] = [H, E]
                shapes[f"bridge.{s}.bias_l{l}"] = [H]
    if c["attention"] == "additive":
        shapes.update({"attention.query.weight": [c["A"], H], "attention.key.weight": [c["A"], E],
                       "attention.key.bias": [c["A"]], "attention.v.weight": [1, c["A"]]})
    if c["attention"] == "general":
        shapes["attention.key.weight"] = [H, E]
    if c["attention"] in ("dot", "general"):
        shapes["attention.combine.weight"] = [H, E + H]
    shapes.update({"decoder.dense.weight": [c["Vt"], head_size(c)], "decoder.dense.bias": [c["Vt"]]})
    return shapes


def check_case(c):
    D = 2 if c["bidirectional"] else 1
    assert len(c["src_len"]) == B and max(c["src_len"]) == S and min(c["src_len"]) < S, c["name"]
    assert len(c["target_len"]) == B and max(c["target_len"]) == T and min(c["target_len"]) < T, c["name"]
    if c["bridge"] != "none":
        assert c["decoder_layers"] == c["encoder_layers"], c["name"]
    width = {"none": None, "copy": c["H_enc"], "sum": c["H_enc"], "concat": D * c["H_enc"], "dense": None}
    assert width[c["bridge"]] in (None, c["H_dec"]), c["name"]
    assert c["bridge"] != "copy" or D == 1, c["name"]
    assert c["bridge"] != "sum" or D == 2, c["name"]
    assert c["attention"] != "dot" or c["H_dec"] == D * c["H_enc"], c["name"]


def draw(c):
    """Float32 parameters and the batch, from a generator seeded by the case name."""
    gen = torch.Generator().manual_seed(zlib.crc32(c["name"].encode()))
    shapes, params = param_shapes(c), {}
    for name, shape in shapes.items():
        if name.endswith("embed.weight"):
            params[name] = torch.randn(shape, generator=gen)
            continue
        # U(+-k/sqrt(fan_in)), k twice PyTorch's 1 so the small models' attention is less uniform (4 for attention)
        fan_in = shape[1] if len(shape) == 2 else shapes[name.replace("bias", "weight", 1)][1]
        k = 4.0 if name.startswith("attention.") else 2.0
        params[name] = (torch.rand(shape, generator=gen) * 2 - 1) * (k / fan_in ** 0.5)
    src = torch.zeros([S, B])
    dec_in, target = torch.zeros([T, B]), torch.zeros([T, B])
    for b in range(B):
        n = c["src_len"][b]
        src[:n, b] = torch.randint(FIRST_WORD, c["Vs"], [n], generator=gen).float()
        words = torch.randint(FIRST_WORD, c["Vt"], [c["target_len"][b] - 1], generator=gen).float()
        dec_in[: len(words) + 1, b] = torch.cat([torch.tensor([float(BOS)]), words])
        target[: len(words) + 1, b] = torch.cat([words, torch.tensor([float(EOS)])])
    data = {"src": src, "src_len": torch.tensor(c["src_len"], dtype=torch.int64), "dec_in": dec_in,
            "target": target, "target_len": torch.tensor(c["target_len"], dtype=torch.int64)}
    return params, data


# ---------------------------------------------------------------------------------------
# path 1: the packed nn.GRU/nn.LSTM encoder, a batched decoder loop over nn.GRU/nn.LSTM steps
# ---------------------------------------------------------------------------------------

def rnn_module(c, prefix, params, input_size, hidden, layers, bidirectional, dtype):
    kind = {"gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[c["cell"]]
    module = kind(input_size, hidden, num_layers=layers, bidirectional=bidirectional).to(dtype)
    for name, _ in list(module.named_parameters()):
        delattr(module, name)
        setattr(module, name, params[f"{prefix}.{name}"])  # RNNBase.__setattr__ refreshes _flat_weights
    module.flatten_parameters = lambda: None
    return module


def bridge(c, params, finals, layer):
    """The decoder's initial states of one layer from the encoder's finals {s: [L*D,B,H_enc]}."""
    D = 2 if c["bidirectional"] else 1
    result = {}
    for s, n in finals.items():
        dirs = [n[layer * D + d] for d in range(D)]
        mode = c["bridge"]
        if mode == "none":
            result[s] = torch.zeros([B, c["H_dec"]], dtype=n.dtype)
        elif mode == "copy":
            result[s] = dirs[0]
        elif mode == "sum":
            result[s] = dirs[0] + dirs[1]
        elif mode == "concat":
            result[s] = torch.cat(dirs, -1)
        else:
            result[s] = torch.tanh(torch.cat(dirs, -1) @ params[f"bridge.{s}.weight_l{layer}"].t()
                                   + params[f"bridge.{s}.bias_l{layer}"])
    return result


def forward_packed(c, params, data):
    dtype = params["decoder.dense.weight"].dtype
    D, Lenc, Ldec = 2 if c["bidirectional"] else 1, c["encoder_layers"], c["decoder_layers"]
    src, dec_in = data["src"].long(), data["dec_in"].long()
    lengths = data["src_len"]
    encoder = rnn_module(c, "encoder.rnn", params, c["Es"], c["H_enc"], Lenc, c["bidirectional"], dtype)
    packed = pack_padded_sequence(F.embedding(src, params["encoder.embed.weight"]), lengths, enforce_sorted=False)
    out, finals = encoder(packed)
    keys, _ = pad_packed_sequence(out, total_length=S)  # [S,B,E], zeros past each length
    finals = dict(zip(states_of(c), finals)) if c["cell"] == "lstm" else {"h": finals}
    init = [bridge(c, params, finals, l) for l in range(Ldec)]
    hx = {s: torch.stack([init[l][s] for l in range(Ldec)]) for s in states_of(c)}  # [Ldec,B,H]
    intermediates = {"encoder_outputs": keys, **{f"encoder_{s}_n": v for s, v in finals.items()},
                     **{f"decoder_{s}0": v for s, v in hx.items()}}
    decoder = rnn_module(c, "decoder.rnn", params, c["Et"] + feed_size(c), c["H_dec"], Ldec, False, dtype)
    valid = torch.arange(S)[:, None] < lengths[None, :]  # [S,B]

    def attend(scores):  # scores [S,B] -> weights [S,B], context [B,E]
        weights = torch.softmax(scores.masked_fill(~valid, float("-inf")), dim=0)
        return weights, (weights[..., None] * keys).sum(0)

    logits, attention = [], []
    feed = torch.zeros([B, c["H_dec"]], dtype=dtype)
    for t in range(T):
        emb = F.embedding(dec_in[t], params["decoder.embed.weight"])
        if c["attention"] == "additive":
            query = hx["h"][-1] @ params["attention.query.weight"].t()
            hidden = torch.tanh(query[None] + keys @ params["attention.key.weight"].t() + params["attention.key.bias"])
            weights, context = attend((hidden @ params["attention.v.weight"].t())[..., 0])
            x = torch.cat([emb, context], -1)
        elif c["attention"] in ("dot", "general"):
            x = torch.cat([emb, feed], -1)
        else:
            x = emb
        state = (hx["h"], hx["c"]) if c["cell"] == "lstm" else hx["h"]
        _, state = decoder(x[None], state)
        hx = dict(zip(states_of(c), state)) if c["cell"] == "lstm" else {"h": state}
        top = hx["h"][-1]
        if c["attention"] == "additive":
            o = torch.cat([top, context], -1)
        elif c["attention"] in ("dot", "general"):
            projected = keys if c["attention"] == "dot" else keys @ params["attention.key.weight"].t()
            weights, context = attend((projected * top[None]).sum(-1))
            feed = torch.tanh(torch.cat([context, top], -1) @ params["attention.combine.weight"].t())
            o = feed
        else:
            o = top
        logits.append(o @ params["decoder.dense.weight"].t() + params["decoder.dense.bias"])
        if c["attention"] != "none":
            attention.append(weights.t())  # [B,S]
    logits = torch.stack(logits)
    loss = F.cross_entropy(logits.reshape(-1, c["Vt"]), data["target"].long().reshape(-1), ignore_index=PAD)
    out = {"logits": logits, "loss": loss, **intermediates}
    if attention:
        out["attention"] = torch.stack(attention)
    return out


# ---------------------------------------------------------------------------------------
# path 2: one example at a time, hand-written cells and loops (the independent check)
# ---------------------------------------------------------------------------------------

def cell_step(cell, p, prefix, suffix, x, state):
    """One step of a GRU or LSTM cell on vectors, PyTorch's gate order (r, z, n) / (i, f, g, o)."""
    w_ih, w_hh = p[f"{prefix}.weight_ih{suffix}"], p[f"{prefix}.weight_hh{suffix}"]
    gi = w_ih @ x + p[f"{prefix}.bias_ih{suffix}"]
    gh = w_hh @ state["h"] + p[f"{prefix}.bias_hh{suffix}"]
    if cell == "gru":
        H = state["h"].shape[0]
        r = torch.sigmoid(gi[:H] + gh[:H])
        z = torch.sigmoid(gi[H:2 * H] + gh[H:2 * H])
        n = torch.tanh(gi[2 * H:] + r * gh[2 * H:])
        return {"h": (1 - z) * n + z * state["h"]}
    H = state["h"].shape[0]
    g = gi + gh
    i, f, u, o = (torch.sigmoid(g[:H]), torch.sigmoid(g[H:2 * H]), torch.tanh(g[2 * H:3 * H]),
                  torch.sigmoid(g[3 * H:]))
    c = f * state["c"] + i * u
    return {"h": o * torch.tanh(c), "c": c}


def forward_per_example(c, p, data):
    D, states = 2 if c["bidirectional"] else 1, states_of(c)
    total_loss, count = 0.0, 0
    logits = [[None] * B for _ in range(T)]
    attention = [[None] * B for _ in range(T)]
    outputs, encoder_finals, decoder_init = [], [], []  # per example
    for b in range(B):
        n = int(data["src_len"][b])
        layer_in = [p["encoder.embed.weight"][int(data["src"][j, b])] for j in range(n)]
        finals = []  # (layer, direction) -> states, in h_n order
        for l in range(c["encoder_layers"]):
            outs = []
            for d in range(D):
                suffix = f"_l{l}" + ("_reverse" if d else "")
                state = {s: torch.zeros(c["H_enc"], dtype=torch.float64) for s in states}
                seq = [None] * n
                for j in (reversed(range(n)) if d else range(n)):
                    state = cell_step(c["cell"], p, "encoder.rnn", suffix, layer_in[j], state)
                    seq[j] = state["h"]
                outs.append(seq)
                finals.append(state)
            layer_in = [torch.cat([outs[d][j] for d in range(D)]) for j in range(n)]
        keys = layer_in  # the top layer's outputs at the n valid positions
        outputs.append(torch.stack(keys + [torch.zeros(D * c["H_enc"], dtype=torch.float64)] * (S - n)))
        encoder_finals.append(finals)
        dec = []
        for l in range(c["decoder_layers"]):
            dirs = [finals[l * D + d] for d in range(D)] if c["bridge"] != "none" else []
            init = {}
            for s in states:
                if c["bridge"] == "none":
                    init[s] = torch.zeros(c["H_dec"], dtype=torch.float64)
                elif c["bridge"] == "copy":
                    init[s] = dirs[0][s]
                elif c["bridge"] == "sum":
                    init[s] = dirs[0][s] + dirs[1][s]
                elif c["bridge"] == "concat":
                    init[s] = torch.cat([dirs[0][s], dirs[1][s]])
                else:
                    both = torch.cat([dirs[d][s] for d in range(D)])
                    init[s] = torch.tanh(p[f"bridge.{s}.weight_l{l}"] @ both + p[f"bridge.{s}.bias_l{l}"])
            dec.append(init)
        decoder_init.append(list(dec))

        def attend(scores):
            top = max(float(e) for e in scores)
            exps = [torch.exp(e - top) for e in scores]
            total = sum(exps)
            weights = [e / total for e in exps]
            context = sum(w * k for w, k in zip(weights, keys))
            return torch.stack(weights + [torch.zeros((), dtype=torch.float64)] * (S - n)), context

        feed = torch.zeros(c["H_dec"], dtype=torch.float64)
        for t in range(T):
            emb = p["decoder.embed.weight"][int(data["dec_in"][t, b])]
            if c["attention"] == "additive":
                q = p["attention.query.weight"] @ dec[-1]["h"]
                scores = [p["attention.v.weight"][0] @ torch.tanh(
                    q + p["attention.key.weight"] @ k + p["attention.key.bias"]) for k in keys]
                weights, context = attend(scores)
                x = torch.cat([emb, context])
            elif c["attention"] in ("dot", "general"):
                x = torch.cat([emb, feed])
            else:
                x = emb
            for l in range(c["decoder_layers"]):
                dec[l] = cell_step(c["cell"], p, "decoder.rnn", f"_l{l}", x, dec[l])
                x = dec[l]["h"]
            h = dec[-1]["h"]
            if c["attention"] == "additive":
                o = torch.cat([h, context])
            elif c["attention"] in ("dot", "general"):
                if c["attention"] == "dot":
                    scores = [h @ k for k in keys]
                else:
                    scores = [h @ (p["attention.key.weight"] @ k) for k in keys]
                weights, context = attend(scores)
                feed = torch.tanh(p["attention.combine.weight"] @ torch.cat([context, h]))
                o = feed
            else:
                o = h
            row = p["decoder.dense.weight"] @ o + p["decoder.dense.bias"]
            logits[t][b] = row
            if c["attention"] != "none":
                attention[t][b] = weights
            target = int(data["target"][t, b])
            if target != PAD:
                top = row.max().detach()
                total_loss = total_loss + top + torch.log(torch.exp(row - top).sum()) - row[target]
                count += 1
    out = {"logits": torch.stack([torch.stack(r) for r in logits]), "loss": total_loss / count,
           "encoder_outputs": torch.stack(outputs, 1)}
    for s in states:
        out[f"encoder_{s}_n"] = torch.stack([torch.stack([f[s] for f in fs]) for fs in encoder_finals], 1)
        out[f"decoder_{s}0"] = torch.stack([torch.stack([d[s] for d in ds]) for ds in decoder_init], 1)
    if c["attention"] != "none":
        out["attention"] = torch.stack([torch.stack(r) for r in attention])
    return out


# ---------------------------------------------------------------------------------------
# checks and output
# ---------------------------------------------------------------------------------------

def run(c, forward, params32, data, dtype):
    params = {k: v.to(dtype).requires_grad_() for k, v in params32.items()}
    out = forward(c, params, data)
    grads = torch.autograd.grad(out["loss"], list(params.values()))
    out.update({f"grad.{k}": g for k, g in zip(params, grads)})
    return {k: v.detach() for k, v in out.items()}


def max_diff(a, b):
    return float((a - b).abs().max()) if a.numel() else 0.0


def finite_difference_check(c, params32, data, reference):
    gen = torch.Generator().manual_seed(zlib.crc32(c["name"].encode()) + 1)
    base = {k: v.double() for k, v in params32.items()}
    worst = 0.0
    for name in sorted(base):
        for index in torch.randint(0, base[name].numel(), [3], generator=gen).tolist():
            losses = []
            for sign in (1, -1):
                params = dict(base)
                params[name] = base[name].clone()
                params[name].view(-1)[index] += sign * FD_EPS
                with torch.no_grad():
                    losses.append(float(forward_packed(c, params, data)["loss"]))
            estimate = (losses[0] - losses[1]) / (2 * FD_EPS)
            exact = float(reference[f"grad.{name}"].view(-1)[index])
            error = abs(estimate - exact) / max(abs(exact), FD_FLOOR)
            worst = max(worst, error)
            if error >= FD_TOL:
                raise SystemExit(f"{c['name']}: finite differences disagree at {name}[{index}]: "
                                 f"{estimate!r} vs autograd {exact!r} (relative {error:.2e})")
    return worst


def metadata(c):
    D = 2 if c["bidirectional"] else 1
    meta = {"generator": GENERATOR, "torch": torch.__version__, "case": c["name"], "cell": c["cell"],
            "bidirectional": "true" if c["bidirectional"] else "false", "encoder_layers": c["encoder_layers"],
            "decoder_layers": c["decoder_layers"], "bridge": c["bridge"], "attention": c["attention"],
            "batch": B, "src_steps": S, "tgt_steps": T, "src_vocab": c["Vs"], "src_embed": c["Es"],
            "encoder_hidden": c["H_enc"], "encoder_output": D * c["H_enc"], "tgt_vocab": c["Vt"],
            "tgt_embed": c["Et"], "decoder_hidden": c["H_dec"], "decoder_feed": feed_size(c),
            "head_input": head_size(c), "pad_id": PAD, "bos_id": BOS, "eos_id": EOS,
            "teacher_forcing": "1.0", "loss": "cross_entropy mean over non-pad targets (ignore_index 0)"}
    if c["attention"] == "additive":
        meta["attention_units"] = c["A"]
    return {k: str(v) for k, v in meta.items()}


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.safetensors"):  # README.md stays: it is written by hand
        old.unlink()
    manifest = []
    for c in CASES:
        check_case(c)
        params32, data = draw(c)
        reference = run(c, forward_packed, params32, data, torch.float64)
        second = run(c, forward_per_example, params32, data, torch.float64)
        assert sorted(reference) == sorted(second), c["name"]
        agree = max(max_diff(reference[k], second[k]) for k in reference)
        if agree > AGREE_TOL:
            worst = max(reference, key=lambda k: max_diff(reference[k], second[k]))
            raise SystemExit(f"{c['name']}: the two float64 paths differ by {agree:.2e} in {worst}")
        fd = finite_difference_check(c, params32, data, reference)
        single = run(c, forward_packed, params32, data, torch.float32)
        for k, ref in reference.items():
            bound = ABS_TOL + REL_TOL * float(ref.abs().max())
            if max_diff(single[k].double(), ref) > bound:
                raise SystemExit(f"{c['name']}: float32 misses the parity tolerance in {k}")
        tensors = {**params32, **data, **{k: v.float() for k, v in reference.items()}}
        path = OUT / f"{c['name']}.safetensors"
        write_safetensors(path, tensors, metadata(c))
        size = path.stat().st_size
        assert size < 50_000, (c["name"], size)
        manifest.append({"name": c["name"], "file": path.name, "config": metadata(c),
                         "parameters": {k: list(v.shape) for k, v in sorted(params32.items())},
                         "references": sorted(k for k in reference if not k.startswith("grad."))})
        print(f"{c['name']}: loss {float(reference['loss']):.6f}, paths agree to {agree:.1e}, "
              f"finite differences to {fd:.1e}, {size} bytes")
    (OUT / "manifest.json").write_text(json.dumps({"generator": GENERATOR, "torch": torch.__version__,
                                                   "cases": manifest}, indent=2) + "\n")
    print(f"wrote {len(manifest)} cases to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
