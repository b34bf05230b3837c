#!/usr/bin/env bash
# The g2p encoder-decoder (examples/g2p.yaml) beside PyTorch (scripts/baselines/g2p_pytorch.py) on this machine, in one
# run: the same model, data and batches for N epochs (default 2) on each side, then greedy and beam-5 decoding of the
# 2,000 test words. PyTorch runs on one thread; RnnGraph on one thread and on its default (--threads 2, which runs the
# encoder's two directions side by side). Prints a Markdown table of seconds with ratios (RnnGraph / PyTorch).
#   bench/g2p.sh [EPOCHS]
# Raw output goes to $BENCH_OUT (default: a fresh directory under /tmp).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${PYTHON:-/usr/bin/python3}
epochs=${1:-2}
out=${BENCH_OUT:-$(mktemp -d /tmp/rnngraph-g2p.XXXXXX)}
mkdir -p "$out"
single=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1)

"$root/rnngraph" --help >/dev/null # builds the CLI once (Release)
echo "pytorch: $epochs epochs ..." >&2
"${single[@]}" "$python" "$root/scripts/baselines/g2p_pytorch.py" --epochs "$epochs" | tail -n 1 >"$out/pytorch.json"
for threads in 1 2; do
    echo "rnngraph --threads $threads: $epochs epochs ..." >&2
    rm -rf "$out/rnngraph-t$threads"
    "$root/rnngraph" run "$root/examples/g2p.yaml" --epochs "$epochs" --threads "$threads" --out "$out/rnngraph-t$threads" >/dev/null
done

"$python" - "$out" <<'PY'
import json, sys, os
out = sys.argv[1]
torch = json.load(open(os.path.join(out, "pytorch.json")))
def ours(threads):
    folder = os.path.join(out, f"rnngraph-t{threads}")
    epochs = [json.loads(l) for l in open(os.path.join(folder, "metrics.jsonl")) if l.strip()]
    decoding = json.load(open(os.path.join(folder, "decoding.json")))
    return [e["seconds"] for e in epochs], decoding["test greedy"]["seconds"], decoding["test beam 5"]["seconds"]
t_epochs = [e["seconds"] for e in torch["epochs"]]
rows = [(f"training epoch {i + 1}", t_epochs[i], i) for i in range(len(t_epochs))]
r1, r2 = ours(1), ours(2)
def line(name, theirs, a, b):
    print(f"| {name} | {theirs:.2f} | {a:.2f} | {a / theirs:.2f} | {b:.2f} | {b / theirs:.2f} |")
print(f"torch {torch['torch']}, one thread; seconds; ratio = RnnGraph / PyTorch (below 1: RnnGraph is faster)\n")
print("| work | PyTorch | RnnGraph, 1 thread | ratio | RnnGraph, 2 threads | ratio |")
print("|---|---|---|---|---|---|")
for name, theirs, i in rows: line(name, theirs, r1[0][i], r2[0][i])
mean = lambda xs: sum(xs) / len(xs)
line("training, mean epoch", mean(t_epochs), mean(r1[0]), mean(r2[0]))
line("test greedy (2,000 words)", torch["test"]["greedy"]["seconds"], r1[1], r2[1])
line("test beam 5 (2,000 words)", torch["test"]["beam5"]["seconds"], r1[2], r2[2])
PY
