#!/usr/bin/python3
"""PyTorch baseline for examples/spam.yaml (bidirectional GRU spam/ham classifier with max pooling).

Trains the same architecture with the same hyperparameters on the same split as one or more RnnGraph run
folders, then compares the held-out accuracy with each run folder's last metrics.csv row.

    ./rnngraph run examples/spam.yaml --out /tmp/spam-rg
    ./rnngraph run examples/spam.yaml --set training.seed=2 --out /tmp/spam-rg2
    /usr/bin/python3 scripts/baselines/spam_pytorch.py /tmp/spam-rg /tmp/spam-rg2 --seeds 1 2 3

Model: Embedding(V,32) -> bidirectional GRU(32->32, 1 layer) -> max over the valid time steps of the
concatenated [forward, backward] outputs (64 values) -> Linear(64->2), PyTorch default initialization
(embedding N(0,1), GRU and Linear uniform). The loss is cross-entropy over the two labels, averaged over the
sequences of a batch (as RnnGraph: each sequence counts once, however long).
Data: every non-blank line of the data file is label<TAB>text. The held-out examples are the run folder's
validation.tsv; the training examples are all other lines (a multiset difference, duplicates kept). Label ids
are the indices in labels.json. Texts are tokenized like RnnGraph's WordTokenizer with lowercasing (see
tokenize()), cut to their first 100 tokens (max_tokens), and encoded with the run folder's vocab.json (unknown
tokens -> <unk>); no <bos>/<eos>. The script rebuilds the min_frequency-2 vocabulary from the training texts
and stops if it differs from vocab.json, which checks the tokenizer and the split.
Training: Adam lr 0.003 (other settings PyTorch defaults), clip_grad_norm_ 5 before each step, batch size 32,
4 epochs. Each epoch shuffles the training examples with a seeded torch.Generator, sorts consecutive groups of
256 by descending length, cuts them into batches of 32 and shuffles the batches, as RnnGraph's Batcher does
(little padding). One thread (torch.set_num_threads(1)).
Packed-sequence semantics without pack_padded_sequence (whose backward is very slow on torch 1.13 CPU): the
forward direction is a unidirectional nn.GRU on the padded batch (padding follows the valid steps, so it cannot
reach them), the backward direction a second nn.GRU on each sequence reversed within its own length, its outputs
then un-reversed; padded steps are set to -inf before the max. Two default-initialized unidirectional GRUs have
the same initial distribution as one bidirectional nn.GRU. At startup the script checks on a random batch that
this equals nn.GRU(bidirectional=True) on a packed sequence.
What differs, and why: RnnGraph's shuffle order and its initial weights come from its own seeded RNG and cannot
be reproduced here, so results differ by run-to-run noise; use several seeds and compare with their spread.
With 883 held-out examples one example is 0.11 points of accuracy.
"""
import argparse
import collections
import csv
import json
import os
import statistics
import sys
import time
import unicodedata

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

EMBED_DIM = 32
HIDDEN = 32
EPOCHS = 4
BATCH_SIZE = 32
BUCKET_SIZE = BATCH_SIZE * 8
LEARNING_RATE = 0.003
CLIP_NORM = 5.0
MAX_TOKENS = 100
MIN_FREQUENCY = 2
SPECIALS = ("<pad>", "<unk>", "<bos>", "<eos>")

# The Unicode White_Space property (what .NET's Rune.IsWhiteSpace and char.IsWhiteSpace test); Python's
# str.isspace() also accepts U+001C..U+001F, so it is not used.
WHITE_SPACE = frozenset(
    [chr(c) for c in range(0x09, 0x0E)] + [" ", "\x85", "\xa0", "\u1680"]
    + [chr(c) for c in range(0x2000, 0x200B)] + ["\u2028", "\u2029", "\u202f", "\u205f", "\u3000"])
WORD_CATEGORIES = frozenset(["Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Nl", "No", "Mn", "Mc", "Me", "Pc"])


def lower_invariant(text):
    """.NET's ToLowerInvariant: a simple (one-to-one) mapping per code point, so no context (Python maps a final
    capital sigma to 'ς') and no expansion (Python maps U+0130 to 'i' + U+0307; .NET leaves it unchanged)."""
    out = []
    for ch in text:
        low = ch.lower()
        out.append(low if len(low) == 1 else ch)
    return "".join(out)


def tokenize(text):
    """RnnGraph's WordTokenizer(lowercase: true): a word is a maximal run of letters, numbers, marks and
    connector punctuation; any other non-whitespace code point is a token of its own; whitespace separates."""
    tokens, word = [], []
    for ch in lower_invariant(text):
        if ch in WHITE_SPACE:
            if word:
                tokens.append("".join(word))
                word = []
        elif unicodedata.category(ch) in WORD_CATEGORIES:
            word.append(ch)
        else:
            if word:
                tokens.append("".join(word))
                word = []
            tokens.append(ch)
    if word:
        tokens.append("".join(word))
    return tokens


def is_blank(line):
    return all(ch in WHITE_SPACE for ch in line)


def read_examples(path):
    """(label, text) of every non-blank line: the label ends at the first tab and is trimmed; the text is the rest."""
    with open(path, encoding="utf-8-sig") as f:
        lines = [l[:-1] if l.endswith("\r") else l for l in f.read().split("\n")]
    examples = []
    for number, line in enumerate(lines, 1):
        if is_blank(line):
            continue
        label, tab, text = line.partition("\t")
        if not tab:
            sys.exit(f"{path}:{number}: expected label<TAB>text")
        examples.append((label.strip(), text))
    return examples


def data_file(run_folder):
    """The data file of a run folder: spec.yaml's data.file resolved against data-folder.txt."""
    try:
        import yaml
        with open(os.path.join(run_folder, "spec.yaml"), encoding="utf-8") as f:
            relative = yaml.safe_load(f)["data"]["file"]
        with open(os.path.join(run_folder, "data-folder.txt"), encoding="utf-8") as f:
            folder = f.read().strip()
        return os.path.normpath(os.path.join(folder, relative))
    except (ImportError, OSError, KeyError, TypeError):
        return os.path.join(REPO, "data/spam/spam.tsv")


def load(run_folder, data_path):
    with open(os.path.join(run_folder, "vocab.json"), encoding="utf-8") as f:
        vocab = json.load(f)["tokens"]
    for index, name in enumerate(SPECIALS):
        if vocab.get(name) != index:
            sys.exit(f"{run_folder}/vocab.json: expected {name} = {index}, found {vocab.get(name)}")
    with open(os.path.join(run_folder, "labels.json"), encoding="utf-8") as f:
        labels = json.load(f)["labels"]
    label_ids = {label: i for i, label in enumerate(labels)}

    examples = read_examples(data_path)
    validation = read_examples(os.path.join(run_folder, "validation.tsv"))
    remaining = collections.Counter(validation)
    train = []
    for example in examples:
        if remaining[example] > 0:
            remaining[example] -= 1
        else:
            train.append(example)
    missing = sum(remaining.values())
    if missing:
        sys.exit(f"{missing} lines of {run_folder}/validation.tsv are not in {data_path}: wrong data file?")
    unknown = {l for l, _ in examples} - set(label_ids)
    if unknown:
        sys.exit(f"labels {sorted(unknown)} of {data_path} are not in {run_folder}/labels.json")

    train_tokens = [tokenize(t)[:MAX_TOKENS] for _, t in train]
    counts = collections.Counter(tok for toks in train_tokens for tok in toks)
    rebuilt = {tok for tok, n in counts.items() if n >= MIN_FREQUENCY}
    expected = set(vocab) - set(SPECIALS)
    if rebuilt != expected:
        only_here, only_there = sorted(rebuilt - expected), sorted(expected - rebuilt)
        sys.exit(f"tokenizer check failed: the rebuilt vocabulary differs from {run_folder}/vocab.json: "
                 f"{len(only_here)} tokens only here (e.g. {only_here[:10]}), "
                 f"{len(only_there)} only in vocab.json (e.g. {only_there[:10]})")

    def encode(tokens):
        return [vocab.get(tok, 1) for tok in tokens]

    train_set = [(encode(toks), label_ids[l]) for toks, (l, _) in zip(train_tokens, train)]
    val_set = [(encode(tokenize(t)[:MAX_TOKENS]), label_ids[l]) for l, t in validation]
    return vocab, labels, train_set, val_set


class SpamGru(nn.Module):
    def __init__(self, vocab_size, labels):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, EMBED_DIM)
        self.forward_gru = nn.GRU(EMBED_DIM, HIDDEN)
        self.backward_gru = nn.GRU(EMBED_DIM, HIDDEN)
        self.dense = nn.Linear(2 * HIDDEN, labels)

    def forward(self, inputs, lengths):  # inputs [T,B], lengths [B]
        outputs, valid = bidirectional_outputs(self.forward_gru, self.backward_gru, self.embed(inputs), lengths)
        pooled = outputs.masked_fill(~valid.unsqueeze(-1), float("-inf")).max(dim=0).values  # [B,2H]
        return self.dense(pooled)


def bidirectional_outputs(forward_gru, backward_gru, x, lengths):
    """[T,B,2H] outputs of a bidirectional GRU over x [T,B,E] whose sequence b is valid for lengths[b] steps, with
    packed-sequence semantics (the backward direction starts at each sequence's last valid step); also the [T,B]
    validity mask. Outputs at padded steps are meaningless."""
    steps = x.shape[0]
    t = torch.arange(steps).unsqueeze(1)  # [T,1]
    valid = t < lengths.unsqueeze(0)  # [T,B]
    # reverse[t,b] = lengths[b]-1-t on valid steps, t on padded ones: an involution, so it also un-reverses.
    reverse = torch.where(valid, lengths.unsqueeze(0) - 1 - t, t)
    index = reverse.unsqueeze(-1)
    forward_out, _ = forward_gru(x)
    backward_out, _ = backward_gru(x.gather(0, index.expand(-1, -1, x.shape[2])))
    backward_out = backward_out.gather(0, index.expand(-1, -1, backward_out.shape[2]))
    return torch.cat([forward_out, backward_out], dim=2), valid


def check_against_packed_gru():
    """The two-GRU construction must equal nn.GRU(bidirectional=True) on a packed sequence."""
    torch.manual_seed(0)
    reference = nn.GRU(EMBED_DIM, HIDDEN, bidirectional=True)
    forward_gru, backward_gru = nn.GRU(EMBED_DIM, HIDDEN), nn.GRU(EMBED_DIM, HIDDEN)
    with torch.no_grad():
        for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            getattr(forward_gru, name).copy_(getattr(reference, name))
            getattr(backward_gru, name).copy_(getattr(reference, name + "_reverse"))
    lengths = torch.tensor([7, 1, 4, 7, 2, 5])
    x = torch.randn(int(lengths.max()), len(lengths), EMBED_DIM)
    with torch.no_grad():
        packed, _ = reference(pack_padded_sequence(x, lengths, enforce_sorted=False))
        expected, _ = pad_packed_sequence(packed, total_length=x.shape[0])
        actual, valid = bidirectional_outputs(forward_gru, backward_gru, x, lengths)
    diff = (actual - expected).abs()[valid].max().item()
    assert diff < 1e-5, f"two-GRU bidirectional outputs differ from packed nn.GRU by {diff}"


def make_batch(examples):
    lengths = torch.tensor([len(ids) for ids, _ in examples])
    inputs = torch.zeros(int(lengths.max()), len(examples), dtype=torch.long)
    for b, (ids, _) in enumerate(examples):
        inputs[: len(ids), b] = torch.tensor(ids)
    targets = torch.tensor([label for _, label in examples])
    return inputs, lengths, targets


def bucketed(order, examples):
    """Consecutive groups of BUCKET_SIZE sorted by descending length (stable), cut into batches."""
    batches = []
    for g in range(0, len(order), BUCKET_SIZE):
        group = sorted(order[g : g + BUCKET_SIZE], key=lambda i: -len(examples[i][0]))
        batches += [group[i : i + BATCH_SIZE] for i in range(0, len(group), BATCH_SIZE)]
    return batches


def evaluate(model, batches, loss_fn):
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for inputs, lengths, targets in batches:
            logits = model(inputs, lengths)
            total += loss_fn(logits, targets).item() * len(targets)
            correct += int((logits.argmax(dim=1) == targets).sum())
            count += len(targets)
    return total / count, correct / count


def train_one(seed, vocab_size, labels, train, validation, quiet=False):
    torch.manual_seed(seed)
    model = SpamGru(vocab_size, labels)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    loss_fn = nn.CrossEntropyLoss()
    shuffle = torch.Generator().manual_seed(seed)
    val_batches = [make_batch([validation[i] for i in b]) for b in bucketed(list(range(len(validation))), validation)]
    start = time.perf_counter()
    for epoch in range(1, EPOCHS + 1):
        t0 = time.perf_counter()
        model.train()
        order = torch.randperm(len(train), generator=shuffle).tolist()
        batches = bucketed(order, train)
        batches = [batches[i] for i in torch.randperm(len(batches), generator=shuffle).tolist()]
        total, tokens = 0.0, 0
        for indices in batches:
            inputs, lengths, targets = make_batch([train[i] for i in indices])
            optimizer.zero_grad()
            loss = loss_fn(model(inputs, lengths), targets)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), CLIP_NORM)
            optimizer.step()
            total += loss.item() * len(indices)
            tokens += int(lengths.sum())
        train_loss = total / len(train)
        seconds = time.perf_counter() - t0
        val_loss, val_acc = evaluate(model, val_batches, loss_fn)
        if not quiet:
            print(f"  seed {seed} epoch {epoch}/{EPOCHS}  train loss {train_loss:.4f}  validation loss {val_loss:.4f}"
                  f"  accuracy {val_acc:.2%}  {tokens / seconds:.0f} tokens/s  {seconds:.1f}s", flush=True)
    return train_loss, val_loss, val_acc, time.perf_counter() - start


def spread(values):
    return statistics.mean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def compare(run_folder, data_path, seeds, quiet):
    vocab, labels, train, validation = load(run_folder, data_path)
    print(f"{run_folder}: data {data_path}; vocab {len(vocab)} (matches the rebuilt min_frequency {MIN_FREQUENCY} "
          f"vocabulary), {len(train)} training / {len(validation)} validation examples, labels "
          + ", ".join(f"{l} ({sum(1 for _, y in train if y == i)})" for i, l in enumerate(labels)), flush=True)
    results = []
    for seed in seeds:
        tl, vl, acc, seconds = train_one(seed, len(vocab), len(labels), train, validation, quiet)
        results.append((tl, vl, acc, seconds))
        print(f"seed {seed}: train loss {tl:.4f}, held-out loss {vl:.4f}, held-out accuracy {acc:.2%}, {seconds:.1f}s", flush=True)

    with open(os.path.join(run_folder, "metrics.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    last = rows[-1]
    rg_acc, rg_loss = float(last["validation_accuracy"]), float(last["validation_loss"])
    rg_seconds = sum(float(r["seconds"]) for r in rows)

    accs = [r[2] for r in results]
    acc_mean, acc_sd = spread(accs)
    loss_mean, loss_sd = spread([r[1] for r in results])
    time_mean, _ = spread([r[3] for r in results])
    rel = (rg_acc - acc_mean) / acc_mean
    print(f"pytorch ({len(results)} seeds {' '.join(map(str, seeds))}): held-out accuracy {acc_mean:.2%} ± {acc_sd:.2%} "
          f"(min {min(accs):.2%}, max {max(accs):.2%}), loss {loss_mean:.4f} ± {loss_sd:.4f}, {time_mean:.1f}s per run")
    print(f"rnngraph (epoch {last['epoch']}): held-out accuracy {rg_acc:.2%}, loss {rg_loss:.4f}, "
          f"{rg_seconds:.1f}s training (sum of epoch seconds)")
    print(f"relative difference (rnngraph - torch)/torch of held-out accuracy: {rel:+.2%}", flush=True)
    return dict(folder=run_folder, rg_acc=rg_acc, rg_loss=rg_loss, acc=(acc_mean, acc_sd), loss=(loss_mean, loss_sd), rel=rel)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("run_folders", nargs="+", metavar="run_folder",
                        help="RnnGraph run folders of examples/spam.yaml (vocab.json, labels.json, validation.tsv, metrics.csv); "
                             "PyTorch is trained on each one's split")
    parser.add_argument("--data", help="the labelled data file (default: the run folder's spec.yaml data.file, "
                                       "resolved against its data-folder.txt)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--quiet", action="store_true", help="print only the per-seed and summary lines")
    args = parser.parse_args()
    torch.set_num_threads(1)
    check_against_packed_gru()
    print(f"torch {torch.__version__}, 1 thread; two-GRU bidirectional layer equals packed nn.GRU(bidirectional=True)", flush=True)

    summaries = []
    for folder in args.run_folders:
        summaries.append(compare(folder, args.data or data_file(folder), args.seeds, args.quiet))
        print()

    width = max(len("run folder"), *(len(s["folder"]) for s in summaries))
    print(f"{'run folder':<{width}}  rnngraph acc  rnngraph loss  pytorch acc (mean ± sd)  pytorch loss (mean ± sd)  (rg - pt)/pt")
    for s in summaries:
        print(f"{s['folder']:<{width}}  {s['rg_acc']:>12.2%}  {s['rg_loss']:>13.4f}  "
              f"{s['acc'][0]:>11.2%} ± {s['acc'][1]:<9.2%}  {s['loss'][0]:>12.4f} ± {s['loss'][1]:<9.4f}  {s['rel']:>+12.2%}")
    if len(summaries) > 1:
        rg_mean, rg_sd = spread([s["rg_acc"] for s in summaries])
        pt_mean, _ = spread([s["acc"][0] for s in summaries])
        print(f"over {len(summaries)} run folders: rnngraph accuracy {rg_mean:.2%} ± {rg_sd:.2%}, pytorch (mean of means) "
              f"{pt_mean:.2%}, relative difference {(rg_mean - pt_mean) / pt_mean:+.2%}")


if __name__ == "__main__":
    main()
