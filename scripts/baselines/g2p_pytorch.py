#!/usr/bin/python3
"""PyTorch baseline for grapheme-to-phoneme conversion (encoder-decoder with attention) on data/cmudict/g2p.

Trains on train.tsv, keeps the weights of the epoch with the lowest valid loss, and reports held-out (test)
word accuracy and phoneme error rate with greedy and beam-search decoding, as JSON on the last line.

    /usr/bin/python3 scripts/baselines/g2p_pytorch.py                          # 10 epochs, the defaults below
    nice -n 19 /usr/bin/python3 scripts/baselines/g2p_pytorch.py --epochs 1 --train-limit 2000   # smoke run

Every number below is a command-line option; the defaults are the architecture RnnGraph's examples/g2p.yaml
builds.

Data: each line of train/valid/test.tsv is word<TAB>phonemes (see data/cmudict/g2p/README.md). --train-limit N
keeps the first N training lines (the file is already shuffled); valid and test are always whole.
Vocabularies (built from the training lines actually used, ids in this order):
  source: <pad>=0, <unk>=1, then every distinct character of the training words sorted by code point
          (for the full split: ' = 2, a = 3, ..., z = 28; 29 tokens). The source is the word's characters only,
          no <bos>/<eos>; characters not in the vocabulary -> <unk>.
  target: <pad>=0, <bos>=1, <eos>=2, <unk>=3, then every distinct phoneme of the training lines sorted by code
          point (AA=4, AE=5, AH=6, ..., ZH=42; 43 tokens for the full split). The decoder's input sequence is
          <bos> p1..pn, its target sequence p1..pn <eos>.
Model (B = batch, S = source length, E = 2 * encoder hidden):
  encoder   x_j = Embedding(29, 64)(c_j); bidirectional 1-layer GRU, hidden 128 per direction, zero initial
            states, packed-sequence semantics (the backward direction starts at each word's last character);
            h_j = [forward_j; backward_j] (E = 256).
  bridge    s_0 = [forward state after the last character; backward state after the first character] (256;
            no projection, so the decoder hidden must equal E).
  additive attention (default, Bahdanau), at decoder step t = 1, 2, ...:
            e_tj = v^T tanh(W_s s_{t-1} + W_h h_j + b)   W_s: 256->128 no bias; W_h: 256->128 with bias b;
                                                          v: 128->1 no bias (attention size 128)
            a_t = softmax_j(e_t), positions j >= source length set to -inf first;  context_t = sum_j a_tj h_j
            s_t = GRUCell([Embedding(43, 64)(y_{t-1}); context_t], s_{t-1})   (input 64 + 256, hidden 256)
            logits_t = Linear(512 -> 43)([s_t; context_t])
  multiplicative attention (--luong dot|general, Luong et al. 2015 with input feeding):
            s_t = GRUCell([Embedding(43, 64)(y_{t-1}); g_{t-1}], s_{t-1}),  g_0 = 0 (256 zeros)
            e_tj = s_t . h_j (dot; needs decoder hidden = E)  or  s_t . (W_a h_j) (general; W_a: E->256 no bias)
            a_t = masked softmax as above; context_t = sum_j a_tj h_j
            g_t = tanh(W_c [context_t; s_t])   W_c: E + 256 -> 256, no bias
            logits_t = Linear(256 -> 43)(g_t)
  Initialization: PyTorch defaults (Embedding N(0,1); GRU, GRUCell and Linear uniform(-1/sqrt(fan), ..)).
  The bidirectional encoder is two unidirectional nn.GRU (same initial distribution as one bidirectional nn.GRU;
  pack_padded_sequence's backward is very slow on torch 1.13 CPU).
Loss: cross-entropy of logits_t against the target tokens (p1..pn <eos>), averaged over the non-padding target
tokens of a batch (ignore_index = <pad>); the epoch train loss and the valid loss are token-weighted means.
Teacher forcing: y_{t-1} is the reference token with probability r, else the argmax of logits_{t-1} (detached),
drawn per (step, word) from a seeded generator; r = 1.0 by default (always the reference; no draws). With
--teacher-forcing-end r1 the ratio decays linearly over the epochs: r_e = r + (r1 - r) * (e - 1) / (epochs - 1).
Training: Adam lr 0.002 (other settings PyTorch defaults), clip_grad_norm_ 1.0 before each step, batch 64,
10 epochs. Each epoch shuffles the training words with a seeded torch.Generator, sorts consecutive groups of
8 batches by descending source length, cuts them into batches and shuffles the batches (as RnnGraph's Batcher).
After each epoch the valid loss (teacher forcing 1.0) is computed; the weights of the best epoch are kept.
Decoding (test set, best epoch's weights), at most --max-length 20 output tokens, never <pad>/<bos>/<unk>
(their logits are set to -inf):
  greedy  y_t = argmax logits_t until <eos> or the maximum length.
  beam    width 5; every step ranks all one-token extensions of the live hypotheses by total log-probability;
          each of the first `width` extensions that ends in <eos> becomes a finished hypothesis, and the first
          `width` that do not become the live hypotheses. A finished hypothesis of n tokens (<eos> included) has
          score = logprob / lp(n): lp = 1 (--length-penalty none, default), n (average), ((5+n)/6)^alpha (gnmt,
          --gnmt-alpha 0.6). Live hypotheses still open at the maximum length finish there (no <eos>). A word is
          done when its best finished score >= logprob / lp(max length) of every live hypothesis (an upper bound
          of what a live one can still reach, as log-probs only fall and lp only grows). Output: the best.
Metrics: word accuracy = exact-match share of test words; phoneme error rate = sum of Levenshtein distances
(insertions, deletions, substitutions cost 1) between predicted and reference phonemes / sum of reference
lengths (<eos> excluded from both).
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SOURCE_SPECIALS = ("<pad>", "<unk>")
TARGET_SPECIALS = ("<pad>", "<bos>", "<eos>", "<unk>")
PAD, BOS, EOS, UNK = 0, 1, 2, 3
SOURCE_UNK = 1


def read_pairs(path, limit=None):
    pairs = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f.read().split("\n"), 1):
            if not line:
                continue
            word, tab, phones = line.partition("\t")
            if not tab or not word or not phones:
                sys.exit(f"{path}:{number}: expected word<TAB>phonemes")
            pairs.append((word, phones.split(" ")))
    return pairs[:limit] if limit is not None else pairs


def build_vocabularies(train):
    source = list(SOURCE_SPECIALS) + sorted({c for w, _ in train for c in w})
    target = list(TARGET_SPECIALS) + sorted({p for _, ps in train for p in ps})
    return {t: i for i, t in enumerate(source)}, {t: i for i, t in enumerate(target)}


def encode(pairs, src_vocab, tgt_vocab):
    return [([src_vocab.get(c, SOURCE_UNK) for c in w], [tgt_vocab.get(p, UNK) for p in ps]) for w, ps in pairs]


class Encoder(nn.Module):
    def __init__(self, vocab, embed, hidden):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.forward_gru = nn.GRU(embed, hidden, batch_first=True)
        self.backward_gru = nn.GRU(embed, hidden, batch_first=True)

    def forward(self, src, lengths):
        """src [B,S], lengths [B] -> outputs [B,S,2H] (meaningless at padding), final [B,2H]."""
        x = self.embed(src)
        steps = src.shape[1]
        t = torch.arange(steps).unsqueeze(0)  # [1,S]
        valid = t < lengths.unsqueeze(1)  # [B,S]
        # reverse[b,t] = lengths[b]-1-t on valid steps, t on padded ones: an involution, so it also un-reverses.
        reverse = torch.where(valid, lengths.unsqueeze(1) - 1 - t, t).unsqueeze(-1)
        fwd, _ = self.forward_gru(x)  # padding follows the valid steps, so it cannot reach them
        bwd_rev, _ = self.backward_gru(x.gather(1, reverse.expand(-1, -1, x.shape[2])))
        bwd = bwd_rev.gather(1, reverse.expand(-1, -1, bwd_rev.shape[2]))
        last = (lengths - 1).view(-1, 1, 1).expand(-1, 1, fwd.shape[2])
        final = torch.cat([fwd.gather(1, last).squeeze(1), bwd[:, 0]], dim=1)
        return torch.cat([fwd, bwd], dim=2), final


class AdditiveAttention(nn.Module):
    def __init__(self, query, keys, size):
        super().__init__()
        self.query = nn.Linear(query, size, bias=False)  # W_s
        self.key = nn.Linear(keys, size)  # W_h and b
        self.v = nn.Linear(size, 1, bias=False)

    def prepare(self, enc):
        return self.key(enc)

    def forward(self, query, prepared, enc, mask):
        e = self.v(torch.tanh(prepared + self.query(query).unsqueeze(1))).squeeze(2)
        a = torch.softmax(e.masked_fill(~mask, float("-inf")), dim=1)
        return torch.bmm(a.unsqueeze(1), enc).squeeze(1), a


class MultiplicativeAttention(nn.Module):
    def __init__(self, kind, query, keys):
        super().__init__()
        if kind == "dot" and query != keys:
            sys.exit(f"--luong dot needs the decoder hidden size ({query}) to equal the encoder output size ({keys})")
        self.key = nn.Linear(keys, query, bias=False) if kind == "general" else None  # W_a

    def prepare(self, enc):
        return self.key(enc) if self.key is not None else enc

    def forward(self, query, prepared, enc, mask):
        e = torch.bmm(prepared, query.unsqueeze(2)).squeeze(2)
        a = torch.softmax(e.masked_fill(~mask, float("-inf")), dim=1)
        return torch.bmm(a.unsqueeze(1), enc).squeeze(1), a


class Seq2Seq(nn.Module):
    def __init__(self, args, src_vocab, tgt_vocab):
        super().__init__()
        enc_out = 2 * args.encoder_hidden
        if args.decoder_hidden != enc_out:
            sys.exit(f"the bridge concatenates the encoder's final states ({enc_out} values): "
                     f"--decoder-hidden must be {enc_out}, not {args.decoder_hidden}")
        self.luong = args.luong
        self.encoder = Encoder(src_vocab, args.source_embed, args.encoder_hidden)
        self.embed = nn.Embedding(tgt_vocab, args.target_embed)
        feed = enc_out if self.luong is None else args.decoder_hidden
        self.cell = nn.GRUCell(args.target_embed + feed, args.decoder_hidden)
        if self.luong is None:
            self.attention = AdditiveAttention(args.decoder_hidden, enc_out, args.attention_size)
            self.out = nn.Linear(args.decoder_hidden + enc_out, tgt_vocab)
        else:
            self.attention = MultiplicativeAttention(self.luong, args.decoder_hidden, enc_out)
            self.combine = nn.Linear(enc_out + args.decoder_hidden, args.decoder_hidden, bias=False)  # W_c
            self.out = nn.Linear(args.decoder_hidden, tgt_vocab)

    def start(self, src, lengths):
        """-> memory (enc, prepared keys, mask), state (s, feed)."""
        enc, final = self.encoder(src, lengths)
        mask = torch.arange(src.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)
        memory = (enc, self.attention.prepare(enc), mask)
        feed = torch.zeros_like(final) if self.luong is not None else None
        return memory, (final, feed)

    def step(self, memory, state, y_prev):
        enc, prepared, mask = memory
        s_prev, feed = state
        if self.luong is None:
            context, _ = self.attention(s_prev, prepared, enc, mask)
            s = self.cell(torch.cat([self.embed(y_prev), context], dim=1), s_prev)
            return self.out(torch.cat([s, context], dim=1)), (s, None)
        s = self.cell(torch.cat([self.embed(y_prev), feed], dim=1), s_prev)
        context, _ = self.attention(s, prepared, enc, mask)
        g = torch.tanh(self.combine(torch.cat([context, s], dim=1)))
        return self.out(g), (s, g)


def select_rows(memory, state, index):
    pick = lambda t: None if t is None else t.index_select(0, index)  # noqa: E731
    return tuple(pick(t) for t in memory), tuple(pick(t) for t in state)


def make_batch(pairs):
    lengths = torch.tensor([len(s) for s, _ in pairs])
    steps = max(len(t) for _, t in pairs) + 1
    src = torch.zeros(len(pairs), int(lengths.max()), dtype=torch.long)
    dec_in = torch.zeros(len(pairs), steps, dtype=torch.long)
    target = torch.zeros(len(pairs), steps, dtype=torch.long)
    for b, (s, t) in enumerate(pairs):
        src[b, : len(s)] = torch.tensor(s)
        dec_in[b, : len(t) + 1] = torch.tensor([BOS] + t)
        target[b, : len(t) + 1] = torch.tensor(t + [EOS])
    return src, lengths, dec_in, target


def batch_loss(model, batch, ratio, generator):
    src, lengths, dec_in, target = batch
    memory, state = model.start(src, lengths)
    logits_all = []
    y = dec_in[:, 0]
    for t in range(dec_in.shape[1]):
        if t > 0:
            y = dec_in[:, t]
            if ratio < 1.0:
                force = torch.rand(y.shape[0], generator=generator) < ratio
                y = torch.where(force, y, logits_all[-1].detach().argmax(dim=1))
        logits, state = model.step(memory, state, y)
        logits_all.append(logits)
    logits = torch.stack(logits_all, dim=1)
    tokens = int((target != PAD).sum())
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1), ignore_index=PAD), tokens


def training_batches(train, batch_size, generator):
    order = torch.randperm(len(train), generator=generator).tolist()
    group = batch_size * 8
    batches = []
    for g in range(0, len(order), group):
        chunk = sorted(order[g : g + group], key=lambda i: -len(train[i][0]))
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in torch.randperm(len(batches), generator=generator).tolist()]


def banned(logits):
    logits = logits.clone()
    logits[:, [PAD, BOS, UNK]] = float("-inf")
    return logits


def greedy_decode(model, src, lengths, max_length):
    memory, state = model.start(src, lengths)
    y = torch.full((src.shape[0],), BOS, dtype=torch.long)
    out = [[] for _ in range(src.shape[0])]
    done = torch.zeros(src.shape[0], dtype=torch.bool)
    for _ in range(max_length):
        logits, state = model.step(memory, state, y)
        y = banned(logits).argmax(dim=1)
        for b in (~done).nonzero().flatten().tolist():
            if y[b] != EOS:
                out[b].append(int(y[b]))
        done |= y == EOS
        if bool(done.all()):
            break
    return out


def length_penalty(kind, alpha):
    if kind == "none":
        return lambda n: 1.0
    if kind == "average":
        return lambda n: float(n)
    return lambda n: ((5.0 + n) / 6.0) ** alpha


def beam_decode(model, src, lengths, max_length, width, lp):
    batch = src.shape[0]
    memory, state = model.start(src, lengths)
    rows = torch.arange(batch).repeat_interleave(width)
    memory, state = select_rows(memory, state, rows)
    scores = torch.full((batch, width), float("-inf"))
    scores[:, 0] = 0.0
    seqs = [[[] for _ in range(width)] for _ in range(batch)]
    finished = [[] for _ in range(batch)]  # (score, tokens)
    done = [False] * batch
    y = torch.full((batch * width,), BOS, dtype=torch.long)
    bound = lp(max_length)
    for t in range(1, max_length + 1):
        logits, state = model.step(memory, state, y)
        logp = torch.log_softmax(banned(logits), dim=1)
        vocab = logp.shape[1]
        cand = (scores.reshape(-1, 1) + logp).reshape(batch, width * vocab)
        top_s, top_i = cand.topk(2 * width, dim=1)
        parents = torch.zeros(batch, width, dtype=torch.long)
        next_y = torch.full((batch, width), EOS, dtype=torch.long)
        next_scores = torch.full((batch, width), float("-inf"))
        for b in range(batch):
            parents[b] = b * width
            if done[b]:
                continue
            live, new_seqs = 0, [[] for _ in range(width)]
            for rank, (s, i) in enumerate(zip(top_s[b].tolist(), top_i[b].tolist())):
                if s == float("-inf") or live == width:
                    break
                p, tok = divmod(i, vocab)
                if tok == EOS:
                    if rank < width:
                        finished[b].append((s / lp(t), seqs[b][p]))
                    continue
                parents[b, live] = b * width + p
                next_y[b, live] = tok
                next_scores[b, live] = s
                new_seqs[live] = seqs[b][p] + [tok]
                live += 1
            seqs[b] = new_seqs
            if t == max_length:
                finished[b] += [(next_scores[b, i].item() / lp(t), new_seqs[i]) for i in range(live)]
            best_live = next_scores[b].max().item()
            if finished[b] and max(f[0] for f in finished[b]) >= best_live / bound:
                done[b] = True
                next_scores[b] = float("-inf")
        if all(done):
            break
        memory, state = select_rows(memory, state, parents.flatten())
        scores, y = next_scores, next_y.flatten()
    return [max(f, key=lambda x: x[0])[1] if f else [] for f in finished]


def levenshtein(a, b):
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def score(predictions, references):
    exact = sum(p == r for p, r in zip(predictions, references))
    edits = sum(levenshtein(p, r) for p, r in zip(predictions, references))
    return {"word_accuracy": exact / len(references), "phoneme_error_rate": edits / sum(len(r) for r in references),
            "words": len(references)}


def evaluate_loss(model, batches):
    total, tokens = 0.0, 0
    with torch.no_grad():
        for batch in batches:
            loss, n = batch_loss(model, batch, 1.0, None)
            total += loss.item() * n
            tokens += n
    return total / tokens


def decode_set(model, pairs, args, beam):
    out = []
    lp = length_penalty(args.length_penalty, args.gnmt_alpha)
    with torch.no_grad():
        for i in range(0, len(pairs), args.decode_batch):
            src, lengths, _, _ = make_batch(pairs[i : i + args.decode_batch])
            if beam:
                out += beam_decode(model, src, lengths, args.max_length, args.beam_width, lp)
            else:
                out += greedy_decode(model, src, lengths, args.max_length)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=os.path.join(REPO, "data/cmudict/g2p"), help="folder of train/valid/test.tsv")
    parser.add_argument("--train-limit", type=int, default=None, help="use only the first N training words")
    parser.add_argument("--source-embed", type=int, default=64)
    parser.add_argument("--target-embed", type=int, default=64)
    parser.add_argument("--encoder-hidden", type=int, default=128, help="per direction")
    parser.add_argument("--decoder-hidden", type=int, default=256, help="must be 2 * --encoder-hidden (bridge)")
    parser.add_argument("--attention-size", type=int, default=128, help="additive attention only")
    parser.add_argument("--luong", choices=["dot", "general"], default=None,
                        help="multiplicative attention instead of additive")
    parser.add_argument("--teacher-forcing", type=float, default=1.0, help="ratio in the first epoch")
    parser.add_argument("--teacher-forcing-end", type=float, default=None,
                        help="ratio in the last epoch (linear decay); default: constant")
    parser.add_argument("--lr", type=float, default=0.002)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--clip", type=float, default=1.0, help="gradient norm clip")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--max-length", type=int, default=20, help="maximum output tokens when decoding")
    parser.add_argument("--beam-width", type=int, default=5)
    parser.add_argument("--length-penalty", choices=["none", "average", "gnmt"], default="none")
    parser.add_argument("--gnmt-alpha", type=float, default=0.6)
    parser.add_argument("--decode-batch", type=int, default=256, help="words decoded together")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    for name in ("source_embed", "target_embed", "encoder_hidden", "decoder_hidden", "attention_size", "batch_size",
                 "epochs", "max_length", "beam_width", "decode_batch", "threads"):
        if getattr(args, name) < 1:
            sys.exit(f"--{name.replace('_', '-')} must be at least 1")
    for name in ("teacher_forcing", "teacher_forcing_end"):
        value = getattr(args, name)
        if value is not None and not 0.0 <= value <= 1.0:
            sys.exit(f"--{name.replace('_', '-')} must be between 0 and 1")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    train_pairs = read_pairs(os.path.join(args.data, "train.tsv"), args.train_limit)
    valid_pairs = read_pairs(os.path.join(args.data, "valid.tsv"))
    test_pairs = read_pairs(os.path.join(args.data, "test.tsv"))
    src_vocab, tgt_vocab = build_vocabularies(train_pairs)
    train, valid, test = (encode(p, src_vocab, tgt_vocab) for p in (train_pairs, valid_pairs, test_pairs))
    print(f"torch {torch.__version__}, {args.threads} thread(s); {len(train)} train / {len(valid)} valid / "
          f"{len(test)} test words; source vocab {len(src_vocab)}, target vocab {len(tgt_vocab)}", flush=True)

    model = Seq2Seq(args, len(src_vocab), len(tgt_vocab))
    parameters = sum(p.numel() for p in model.parameters())
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    shuffle = torch.Generator().manual_seed(args.seed)
    forcing = torch.Generator().manual_seed(args.seed + 1)
    valid_batches = [make_batch(valid[i : i + args.batch_size]) for i in range(0, len(valid), args.batch_size)]
    end = args.teacher_forcing if args.teacher_forcing_end is None else args.teacher_forcing_end
    best = (math.inf, 0, None)
    epochs = []
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        ratio = args.teacher_forcing + (end - args.teacher_forcing) * ((epoch - 1) / (args.epochs - 1) if args.epochs > 1 else 0.0)
        model.train()
        total, tokens = 0.0, 0
        for indices in training_batches(train, args.batch_size, shuffle):
            optimizer.zero_grad()
            loss, n = batch_loss(model, make_batch([train[i] for i in indices]), ratio, forcing)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            optimizer.step()
            total += loss.item() * n
            tokens += n
        model.eval()
        valid_loss = evaluate_loss(model, valid_batches)
        seconds = time.perf_counter() - t0
        epochs.append({"epoch": epoch, "teacher_forcing": ratio, "train_loss": total / tokens,
                       "valid_loss": valid_loss, "seconds": seconds})
        print(f"epoch {epoch}/{args.epochs}  teacher forcing {ratio:.2f}  train loss {total / tokens:.4f}  "
              f"valid loss {valid_loss:.4f}  {tokens / seconds:.0f} tokens/s  {seconds:.1f}s", flush=True)
        if valid_loss < best[0]:
            best = (valid_loss, epoch, {k: v.clone() for k, v in model.state_dict().items()})
    model.load_state_dict(best[2])
    model.eval()

    references = [t for _, t in test]
    results = {}
    for name, beam in (("greedy", False), (f"beam{args.beam_width}", True)):
        t0 = time.perf_counter()
        results[name] = score(decode_set(model, test, args, beam), references)
        results[name]["seconds"] = time.perf_counter() - t0
        print(f"test {name}: word accuracy {results[name]['word_accuracy']:.2%}, phoneme error rate "
              f"{results[name]['phoneme_error_rate']:.2%}  ({results[name]['seconds']:.1f}s)", flush=True)
    config = {k: v for k, v in vars(args).items() if k != "data"}
    print(json.dumps({"torch": torch.__version__, "config": config, "parameters": parameters,
                      "source_vocab": len(src_vocab), "target_vocab": len(tgt_vocab),
                      "train_words": len(train), "best_epoch": best[1], "best_valid_loss": best[0],
                      "epochs": epochs, "seconds_per_epoch": sum(e["seconds"] for e in epochs) / len(epochs),
                      "test": results}))


if __name__ == "__main__":
    main()
