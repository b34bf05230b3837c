#!/usr/bin/env python3
"""Writes the data shipped with examples/char-lstm.yaml (run from the repo root with Debian's python3-torch):

  examples/data/char-lstm.weights.safetensors   PyTorch-initialized nn.LSTM(27, 32, 2) + nn.Linear(32, 27),
                                                 under RnnGraph's CONTRACT names (rnn.*, dense.*)
  examples/data/char-lstm.inputs.safetensors    x [T=16, B=2, 27]: two phrases as one-hot characters
  examples/data/char-lstm.expected.safetensors  PyTorch's y (softmax per step), h_n, c_n, computed in float64

Deterministic (seeded); rerunning reproduces identical files.
"""
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "golden"))
from generate_rnn_golden import write_safetensors  # noqa: E402

ALPHABET = "abcdefghijklmnopqrstuvwxyz "
PHRASES = ["hello recurrent ", "graphs unrolled "]


def one_hot(phrases):
    steps = len(phrases[0])
    x = torch.zeros(steps, len(phrases), len(ALPHABET))
    for b, phrase in enumerate(phrases):
        for t, ch in enumerate(phrase):
            x[t, b, ALPHABET.index(ch)] = 1.0
    return x


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    lstm = torch.nn.LSTM(len(ALPHABET), 32, num_layers=2)
    dense = torch.nn.Linear(32, len(ALPHABET))
    weights = {f"rnn.{k}": v.detach().float().contiguous() for k, v in lstm.state_dict().items()}
    weights.update({f"dense.{k}": v.detach().float().contiguous() for k, v in dense.state_dict().items()})
    x = one_hot(PHRASES)

    with torch.no_grad():
        y, (h_n, c_n) = lstm.double()(x.double())
        y = torch.softmax(dense.double()(y), dim=-1)

    out = Path("examples/data")
    out.mkdir(parents=True, exist_ok=True)
    write_safetensors(out / "char-lstm.weights.safetensors", weights)
    write_safetensors(out / "char-lstm.inputs.safetensors", {"x": x})
    write_safetensors(out / "char-lstm.expected.safetensors", {"y": y, "h_n": h_n, "c_n": c_n})
    print("wrote", ", ".join(str(p) for p in sorted(out.glob("char-lstm.*"))))


if __name__ == "__main__":
    main()
