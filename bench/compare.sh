#!/usr/bin/env bash
# RnnGraph beside PyTorch on this machine, in one run: the recurrent configurations of configs.json (train and infer,
# one thread, median of the timed runs) timed by `rnngraph bench` and by torch_baseline.py, and float32 GEMM
# (`rnngraph bench --gemm`) beside numpy's sgemm. Prints Markdown tables with ratios (RnnGraph / PyTorch).
#   bench/compare.sh [--quick | --gemm]    --quick: configs 1, 2 and 5, 3 timed runs, shorter warmups; --gemm: GEMM only
# Raw JSON goes to $BENCH_OUT (default: a fresh directory under /tmp).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
here=$root/bench
python=${PYTHON:-/usr/bin/python3}

ids=1,2,3,4,5 repeat=5 warmup=2 warmup_seconds=1
case "${1:-}" in
    --quick) ids=1,2,5 repeat=3 warmup_seconds=0.5 ;;
    --gemm) ids= ;;
    "") ;;
    *) echo "usage: bench/compare.sh [--quick | --gemm]" >&2; exit 2 ;;
esac

out=${BENCH_OUT:-$(mktemp -d /tmp/rnngraph-bench.XXXXXX)}
mkdir -p "$out"
rm -f "$out"/rnngraph-*.json

# One thread everywhere. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are left unset for PyTorch and numpy, so OpenBLAS
# picks its own kernels for this CPU (AVX-512 where present); numpy's sgemm is measured a second time with the
# environment's values when it sets them.
env_coretype=${OPENBLAS_CORETYPE:-} env_l2=${OPENBLAS_L2_SIZE:-}
single=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1)

if [[ -n $ids ]]; then
    echo "pytorch: configs $ids ..." >&2
    "${single[@]}" "$python" "$here/torch_baseline.py" recurrent --configs "$here/configs.json" --ids "$ids" \
        --warmup "$warmup" --repeat "$repeat" >"$out/pytorch.jsonl"
else
    : >"$out/pytorch.jsonl"
fi

"$root/rnngraph" --help >/dev/null # builds the CLI once (Release)
# One process per configuration and mode, so each peak resident set is its own.
for id in ${ids//,/ }; do
    read -r args modes < <("$python" "$here/config_flags.py" "$here/configs.json" "$id")
    for mode in ${modes//,/ }; do
        echo "rnngraph: config $id $mode ..." >&2
        # shellcheck disable=SC2086
        "$root/rnngraph" bench ${args//,/ } --mode "$mode" --repeat "$repeat" --warmup-seconds "$warmup_seconds" --json \
            >"$out/rnngraph-$id-$mode.json"
    done
done

echo "gemm: rnngraph and numpy ..." >&2
# rnngraph's list of shapes is the one list; numpy times the same ones.
"$root/rnngraph" bench --gemm --repeat "$repeat" --json >"$out/rnngraph-gemm.json"
"${single[@]}" "$python" "$here/torch_baseline.py" gemm --shapes-from "$out/rnngraph-gemm.json" --repeat "$repeat" \
    --min-seconds 0.2 >"$out/numpy-gemm.json"
if [[ -n $env_coretype || -n $env_l2 ]]; then
    env OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "$python" "$here/torch_baseline.py" gemm --shapes-from "$out/rnngraph-gemm.json" \
        --repeat "$repeat" --min-seconds 0.2 >"$out/numpy-gemm-env.json"
fi

"$python" "$here/format_table.py" "$out" "$here/configs.json"
echo "raw results: $out" >&2
