#!/usr/bin/python3
"""PyTorch baseline for examples/names.yaml (character-level LSTM language model of first names).

Trains the same architecture with the same hyperparameters on the same split as an RnnGraph run folder,
then compares the held-out perplexity with the run folder's last metrics.csv row.

    ./rnngraph run examples/names.yaml --out /tmp/names-rg
    /usr/bin/python3 scripts/baselines/names_pytorch.py /tmp/names-rg --seeds 1 2 3

Model: Embedding(V,16) -> LSTM(16->64, 1 layer) -> Linear(64->V), PyTorch default initialization.
Data: every non-empty line of the data file (split on '\\n', trailing '\\r' removed), tokenized into
characters and wrapped as <bos> c1..cn <eos>; ids come from the run folder's vocab.json (unknown
characters -> <unk>). The held-out lines are the run folder's validation.txt; the training lines are all
other lines (a multiset difference, duplicates kept).
Training: Adam lr 0.005 (other settings PyTorch defaults), clip_grad_norm_ 5 before each step, batch
size 32, 20 epochs, batches shuffled every epoch with a seeded torch.Generator. RnnGraph's own shuffle
order (and its initial weights) cannot be reproduced, so results differ by run-to-run noise; use
several seeds and compare with their spread.
Loss: cross-entropy averaged over the non-padding targets of a batch (ignore_index = <pad> = 0); the
epoch train loss and the validation loss are token-weighted means of batch losses; perplexity = exp(loss).
"""
import argparse
import collections
import csv
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

EMBED_DIM = 16
HIDDEN = 64
EPOCHS = 20
BATCH_SIZE = 32
LEARNING_RATE = 0.005
CLIP_NORM = 5.0


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return [l.rstrip("\r") for l in text.split("\n") if l.rstrip("\r")]


def load(run_folder, data_path):
    with open(os.path.join(run_folder, "vocab.json"), encoding="utf-8") as f:
        vocab = json.load(f)["tokens"]
    for name, index in (("<pad>", 0), ("<unk>", 1), ("<bos>", 2), ("<eos>", 3)):
        if vocab.get(name) != index:
            sys.exit(f"vocab.json: expected {name} = {index}, found {vocab.get(name)}")
    lines = read_lines(data_path)
    validation = read_lines(os.path.join(run_folder, "validation.txt"))
    remaining = collections.Counter(validation)
    train = []
    for line in lines:
        if remaining[line] > 0:
            remaining[line] -= 1
        else:
            train.append(line)
    missing = sum(remaining.values())
    if missing:
        sys.exit(f"{missing} validation lines are not in {data_path}: wrong --data?")

    def encode(line):
        return [2] + [vocab.get(c, 1) for c in line] + [3]

    return vocab, [encode(l) for l in train], [encode(l) for l in validation]


class CharLstm(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, EMBED_DIM)
        self.lstm = nn.LSTM(EMBED_DIM, HIDDEN, num_layers=1)
        self.dense = nn.Linear(HIDDEN, vocab_size)

    def forward(self, inputs, lengths):  # inputs [T,B]
        packed = pack_padded_sequence(self.embed(inputs), lengths, enforce_sorted=False)
        out, _ = self.lstm(packed)
        out, _ = pad_packed_sequence(out, total_length=inputs.shape[0])
        return self.dense(out)  # [T,B,V]


def make_batch(seqs):
    lengths = torch.tensor([len(s) - 1 for s in seqs])
    steps = int(lengths.max())
    inputs = torch.zeros(steps, len(seqs), dtype=torch.long)
    targets = torch.zeros(steps, len(seqs), dtype=torch.long)
    for b, s in enumerate(seqs):
        inputs[: len(s) - 1, b] = torch.tensor(s[:-1])
        targets[: len(s) - 1, b] = torch.tensor(s[1:])
    return inputs, targets, lengths


def batch_loss(model, batch, loss_fn):
    inputs, targets, lengths = batch
    logits = model(inputs, lengths)
    return loss_fn(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1)), int(lengths.sum())


def train_one(seed, vocab_size, train, validation, quiet=False):
    torch.manual_seed(seed)
    model = CharLstm(vocab_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    loss_fn = nn.CrossEntropyLoss(ignore_index=0)
    shuffle = torch.Generator().manual_seed(seed)
    val_batches = [make_batch(validation[i : i + BATCH_SIZE]) for i in range(0, len(validation), BATCH_SIZE)]
    start = time.perf_counter()
    history = []
    for epoch in range(1, EPOCHS + 1):
        t0 = time.perf_counter()
        model.train()
        order = torch.randperm(len(train), generator=shuffle).tolist()
        total, tokens = 0.0, 0
        for i in range(0, len(order), BATCH_SIZE):
            batch = make_batch([train[j] for j in order[i : i + BATCH_SIZE]])
            optimizer.zero_grad()
            loss, n = batch_loss(model, batch, loss_fn)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), CLIP_NORM)
            optimizer.step()
            total += loss.item() * n
            tokens += n
        train_loss = total / tokens
        model.eval()
        with torch.no_grad():
            vt, vn = 0.0, 0
            for batch in val_batches:
                loss, n = batch_loss(model, batch, loss_fn)
                vt += loss.item() * n
                vn += n
        val_loss = vt / vn
        history.append((epoch, train_loss, val_loss))
        if not quiet:
            print(f"seed {seed} epoch {epoch}/{EPOCHS}  train loss {train_loss:.4f}  validation loss {val_loss:.4f}"
                  f"  perplexity {math.exp(val_loss):.2f}  {tokens / (time.perf_counter() - t0):.0f} tokens/s"
                  f"  {time.perf_counter() - t0:.1f}s", flush=True)
    return history, time.perf_counter() - start


def spread(values):
    mean = statistics.mean(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return mean, sd


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("run_folder", help="an RnnGraph run folder of examples/names.yaml (vocab.json, validation.txt, metrics.csv)")
    parser.add_argument("--data", default=os.path.join(REPO, "data/names/female.txt"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--quiet", action="store_true", help="print only the per-seed and final lines")
    args = parser.parse_args()
    torch.set_num_threads(1)

    vocab, train, validation = load(args.run_folder, args.data)
    print(f"torch {torch.__version__}, 1 thread; vocab {len(vocab)}, {len(train)} training lines, "
          f"{len(validation)} validation lines ({sum(len(s) - 1 for s in train)} / {sum(len(s) - 1 for s in validation)} target tokens)")

    results = []
    for seed in args.seeds:
        history, seconds = train_one(seed, len(vocab), train, validation, args.quiet)
        _, tl, vl = history[-1]
        results.append((seed, tl, vl, seconds))
        print(f"seed {seed}: train loss {tl:.4f}, validation loss {vl:.4f} (perplexity {math.exp(vl):.3f}), {seconds:.1f}s", flush=True)

    with open(os.path.join(args.run_folder, "metrics.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    last = rows[-1]
    rg_loss = float(last["validation_loss"])
    rg_ppl = float(last["validation_perplexity"])
    rg_seconds = sum(float(r["seconds"]) for r in rows)

    ppls = [math.exp(vl) for _, _, vl, _ in results]
    loss_mean, loss_sd = spread([vl for _, _, vl, _ in results])
    ppl_mean, ppl_sd = spread(ppls)
    time_mean, _ = spread([s for *_, s in results])
    rel = (rg_ppl - ppl_mean) / ppl_mean
    rels = [(rg_ppl - p) / p for p in ppls]
    print(f"pytorch ({len(results)} seeds {' '.join(map(str, args.seeds))}): held-out loss {loss_mean:.4f} ± {loss_sd:.4f}, "
          f"perplexity {ppl_mean:.3f} ± {ppl_sd:.3f} (min {min(ppls):.3f}, max {max(ppls):.3f}), {time_mean:.1f}s per run")
    print(f"rnngraph (epoch {last['epoch']}): held-out loss {rg_loss:.4f}, perplexity {rg_ppl:.3f}, {rg_seconds:.1f}s training (sum of epoch seconds)")
    print(f"relative difference (rnngraph - torch)/torch of held-out perplexity: {rel:+.2%} "
          f"(per seed {min(rels):+.2%} .. {max(rels):+.2%})")


if __name__ == "__main__":
    main()
