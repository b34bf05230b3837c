#!/usr/bin/python3
"""Makes the grapheme-to-phoneme split data/cmudict/g2p/{train,valid,test}.tsv from data/cmudict/cmudict.tsv.

    /usr/bin/python3 scripts/data/make_g2p_split.py            # rewrite data/cmudict/g2p/
    /usr/bin/python3 scripts/data/make_g2p_split.py --check    # fail unless the files are current

Deterministic (standard library only, any Python 3.8+): the same cmudict.tsv gives the same bytes.
scripts/data/convert_datasets.py calls make_split() too, so a fresh conversion of the data sets
reproduces these files and `fetch_datasets.sh --check` covers them.

Selection, in this order:
  1. Read cmudict.tsv (`WORD<TAB>PHONEMES`, one line per pronunciation; a word's alternative
     pronunciations repeat the word on the following lines). Keep each word's FIRST line only.
  2. Lower-case the word; keep it only if it is 2..15 characters, each one of a-z or an apostrophe.
  3. Strip the stress digits from the phonemes (AH0 -> AH); every phoneme must then be one of the
     39 in data/cmudict/phones.tsv.
  4. Shuffle the kept words (in file order before the shuffle) with Fisher-Yates driven by
     SplitMix64 seeded with 1: for i = n-1 down to 1, j = next() mod (i+1), swap items i and j
     (next() is SplitMix64's 64-bit output; the modulo bias is below 2^-40 here and part of the
     definition). Written out here rather than taken from `random` so the order is fixed by this
     text alone, in any language.
  5. The first 20,000 shuffled words are train, the next 1,000 valid, the next 2,000 test
     (disjoint; the rest are unused). Each file keeps the shuffled order.

Also writes g2p/README.md (what, how, counts, license pointer).
Output lines: `word<TAB>phonemes` (phonemes separated by single spaces), LF endings, UTF-8.
"""
import argparse
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SEED = 1
MIN_CHARS = 2
MAX_CHARS = 15
SIZES = (("train", 20000), ("valid", 1000), ("test", 2000))
ALLOWED = frozenset("abcdefghijklmnopqrstuvwxyz'")
MASK64 = (1 << 64) - 1


def splitmix64(seed):
    state = seed & MASK64
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        yield z ^ (z >> 31)


def shuffle(items, seed):
    rng = splitmix64(seed)
    for i in range(len(items) - 1, 0, -1):
        j = next(rng) % (i + 1)
        items[i], items[j] = items[j], items[i]


def read_phones(path):
    with open(path, encoding="utf-8") as f:
        phones = [line.split("\t")[0] for line in f.read().split("\n") if line]
    if len(phones) != 39:
        raise ValueError("%s: expected 39 phonemes, found %d" % (path, len(phones)))
    return frozenset(phones)


def select(cmudict_path, phones):
    """Returns [(word, phonemes)] of the kept words in file order, and counts for the README."""
    seen = set()
    kept = []
    words = 0
    with open(cmudict_path, encoding="utf-8") as f:
        text = f.read()
    for number, line in enumerate(text.split("\n"), 1):
        if not line:
            continue
        parts = line.split("\t")
        if len(parts) != 2:
            raise ValueError("%s:%d: expected WORD<TAB>PHONEMES" % (cmudict_path, number))
        word, pron = parts
        if word in seen:  # an alternative pronunciation: keep the first only
            continue
        seen.add(word)
        words += 1
        lower = word.lower()
        if not (MIN_CHARS <= len(lower) <= MAX_CHARS) or not set(lower) <= ALLOWED:
            continue
        stripped = [p.rstrip("012") for p in pron.split(" ")]
        bad = [p for p in stripped if p not in phones]
        if bad:
            raise ValueError("%s:%d: phoneme %r is not in phones.tsv" % (cmudict_path, number, bad[0]))
        kept.append((lower, " ".join(stripped)))
    return kept, words


def split_texts(cmudict_path, phones_path):
    kept, words = select(cmudict_path, read_phones(phones_path))
    need = sum(n for _, n in SIZES)
    if len(kept) < need:
        raise ValueError("only %d words qualify, %d needed" % (len(kept), need))
    shuffle(kept, SEED)
    texts, start = {}, 0
    for name, n in SIZES:
        part = kept[start:start + n]
        start += n
        texts[name] = "".join("%s\t%s\n" % wp for wp in part)
    return texts, {"words": words, "eligible": len(kept)}


def readme_text(stats, texts):
    rows = "\n".join("| `%s.tsv` | %s | %s | %.1f kB |" % (
        name, "{:,}".format(n), "{:,}".format(sum(len(l.split("\t")[1].split(" ")) for l in texts[name].splitlines())),
        len(texts[name].encode("utf-8")) / 1000) for name, n in SIZES)
    return f"""# Grapheme-to-phoneme split of the CMU Pronouncing Dictionary

Training data for grapheme-to-phoneme conversion (spelling in, pronunciation out), e.g.
`examples/g2p.yaml` and `scripts/baselines/g2p_pytorch.py`. Lines are `word<TAB>phonemes`:
the word in lower case (letters `a`-`z` and `'`), the phonemes as ARPAbet symbols without
stress digits (`AH0` -> `AH`), separated by single spaces; the 39 phonemes are those of
[`../phones.tsv`](../phones.tsv).

| file | words | phonemes | size |
| --- | ---: | ---: | ---: |
{rows}

The three sets are disjoint, each word at most once, in shuffled order.

## How it was made

`scripts/data/make_g2p_split.py` (deterministic; `--check` verifies these files are
current; `scripts/data/convert_datasets.py` runs it too) from [`../cmudict.tsv`](../cmudict.tsv):

1. each word's first pronunciation only (alternatives dropped);
2. words of {MIN_CHARS} to {MAX_CHARS} characters, all of them `a`-`z` or `'` after lower-casing:
   {stats['eligible']:,} of the dictionary's {stats['words']:,} spellings;
3. stress digits stripped;
4. shuffled by Fisher-Yates with SplitMix64, seed {SEED} (the script's docstring defines it
   exactly); the first {SIZES[0][1]:,} are train, the next {SIZES[1][1]:,} valid, the next
   {SIZES[2][1]:,} test; the other words are unused.

## License

Derived from the CMU Pronouncing Dictionary, BSD-2-Clause, Copyright (C) 1993-2015
Carnegie Mellon University; see [`../NOTICE.md`](../NOTICE.md) and [`../LICENSE`](../LICENSE).
"""


def make_split(cmudict_dir):
    """Writes cmudict_dir/g2p/{train,valid,test}.tsv and README.md; returns stats for data/README.md."""
    texts, stats = split_texts(os.path.join(cmudict_dir, "cmudict.tsv"), os.path.join(cmudict_dir, "phones.tsv"))
    out = os.path.join(cmudict_dir, "g2p")
    os.makedirs(out, exist_ok=True)
    texts = dict(texts, README=readme_text(stats, texts))
    for name, text in texts.items():
        path = os.path.join(out, name + (".md" if name == "README" else ".tsv"))
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    stats.update({name: n for name, n in SIZES})
    return stats


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cmudict", default=os.path.join(REPO, "data", "cmudict"),
                        help="folder holding cmudict.tsv and phones.tsv; writes its g2p/ subfolder")
    parser.add_argument("--check", action="store_true", help="fail unless g2p/ holds exactly what would be written")
    args = parser.parse_args()
    try:
        if args.check:
            texts, stats = split_texts(os.path.join(args.cmudict, "cmudict.tsv"), os.path.join(args.cmudict, "phones.tsv"))
            texts = dict(texts, README=readme_text(stats, texts))
            stale = []
            for name, text in texts.items():
                path = os.path.join(args.cmudict, "g2p", name + (".md" if name == "README" else ".tsv"))
                try:
                    with open(path, encoding="utf-8", newline="") as f:
                        if f.read() != text:
                            stale.append(path)
                except FileNotFoundError:
                    stale.append(path)
            if stale:
                sys.exit("make_g2p_split: not current: %s; run scripts/data/make_g2p_split.py" % ", ".join(stale))
            print("g2p split is current")
            return
        stats = make_split(args.cmudict)
    except (OSError, ValueError) as e:
        sys.exit("make_g2p_split: %s" % e)
    for name, _ in SIZES:
        path = os.path.join(args.cmudict, "g2p", name + ".tsv")
        print("%s: %d words, %d bytes" % (path, stats[name], os.path.getsize(path)))
    print("%d words in cmudict.tsv, %d eligible" % (stats["words"], stats["eligible"]))


if __name__ == "__main__":
    main()
