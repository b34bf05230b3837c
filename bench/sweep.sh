#!/usr/bin/env bash
# Scaling sweep: training time and peak memory of one LSTM layer against the sequence length T (H fixed) and against
# the hidden size H (T fixed), RnnGraph beside PyTorch in the same run, one thread, one process per point on both
# sides so each peak resident set is that point's alone. Prints Markdown tables; raw JSON goes to $BENCH_OUT.
#   bench/sweep.sh [--quick]     --quick: T 25..400 and H 64..256, 3 timed runs
# Fixed sizes: I=64, B=32; T sweep at H=256, H sweep at T=100.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
here=$root/bench
python=${PYTHON:-/usr/bin/python3}

steps="25 50 100 200 400 800 1600" hiddens="64 128 256 512 1024" repeat=5
case "${1:-}" in
    --quick) steps="25 50 100 200 400" hiddens="64 128 256" repeat=3 ;;
    "") ;;
    *) echo "usage: bench/sweep.sh [--quick]" >&2; exit 2 ;;
esac

out=${BENCH_OUT:-$(mktemp -d /tmp/rnngraph-sweep.XXXXXX)}
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.jsonl
single=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1)
"$root/rnngraph" --help >/dev/null # builds the CLI once (Release)

point() { # point NAME T H
    local name=$1 t=$2 h=$3
    echo "sweep: $name (T=$t H=$h) ..." >&2
    printf '[{"id": 1, "name": "%s", "cell": "lstm", "input": 64, "hidden": %d, "batch": 32, "steps": %d, "layers": 1, "bidirectional": false, "outputs": 1, "modes": ["train"]}]\n' \
        "$name" "$h" "$t" >"$out/config-$name.json"
    "${single[@]}" "$python" "$here/torch_baseline.py" recurrent --configs "$out/config-$name.json" --ids 1 \
        --warmup 1 --repeat "$repeat" >"$out/pytorch-$name.json"
    "$root/rnngraph" bench --cell lstm --input 64 --hidden "$h" --batch 32 --steps "$t" --mode train \
        --repeat "$repeat" --warmup-seconds 0.5 --json >"$out/rnngraph-$name.json"
}

for t in $steps; do point "T$t" "$t" 256; done
for h in $hiddens; do point "H$h" 100 "$h"; done

"$python" "$here/format_sweep.py" "$out" "$steps" "$hiddens"
echo "raw results: $out" >&2
