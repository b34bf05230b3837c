#!/usr/bin/env bash
# RnnGraph beside PyTorch on this machine, in one run: the recurrent configurations of configs.json
# (train and infer, one thread, median of the timed runs) and float32 GEMM beside numpy's sgemm.
#   scripts/bench/compare.sh [--quick]    --quick: configs 1, 2 and 5, 3 timed runs, shorter GEMM runs
# Raw JSON goes to $BENCH_OUT (default: a fresh directory under /tmp); the tables go to stdout.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$root/scripts/bench
python=${PYTHON:-/usr/bin/python3}

ids=1,2,3,4,5 repeat=5 warmup=2 warmup_seconds=1 gemm_seconds=0.2
case "${1:-}" in
    --quick) ids=1,2,5 repeat=3 warmup_seconds=0.5 gemm_seconds=0.1 ;;
    "") ;;
    *) echo "usage: scripts/bench/compare.sh [--quick]" >&2; exit 2 ;;
esac

out=${BENCH_OUT:-$(mktemp -d /tmp/rnngraph-bench.XXXXXX)}
mkdir -p "$out"
: >"$out/pytorch.jsonl"
: >"$out/rnngraph.jsonl"

echo "building bench/RnnGraph.Bench (Release) ..." >&2
dotnet build "$root/bench/RnnGraph.Bench/RnnGraph.Bench.csproj" -c Release -nologo -v q >"$out/build.log" 2>&1 \
    || { cat "$out/build.log" >&2; exit 1; }
bench=$root/bench/RnnGraph.Bench/bin/Release/net10.0/rnngraph-bench

# One thread everywhere. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are left unset for PyTorch and numpy, so OpenBLAS
# picks its own kernels for this CPU (AVX-512 where present); numpy's sgemm is measured a second time with the
# environment's values when it sets them.
env_coretype=${OPENBLAS_CORETYPE:-} env_l2=${OPENBLAS_L2_SIZE:-}
single=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1)

echo "pytorch: configs $ids ..." >&2
"${single[@]}" "$python" "$here/pytorch_bench.py" recurrent --configs "$here/configs.json" --ids "$ids" \
    --warmup "$warmup" --repeat "$repeat" >"$out/pytorch.jsonl"

# One process per configuration, so each peak working set is its own configuration's.
for id in ${ids//,/ }; do
    echo "rnngraph: config $id ..." >&2
    "$bench" recurrent --configs "$here/configs.json" --id "$id" --warmup "$warmup" \
        --warmup-seconds "$warmup_seconds" --repeat "$repeat" >>"$out/rnngraph.jsonl"
done

echo "gemm: numpy and rnngraph ..." >&2
"${single[@]}" "$python" "$here/pytorch_bench.py" gemm --repeat "$repeat" --min-seconds "$gemm_seconds" >"$out/numpy-gemm.json"
if [[ -n $env_coretype || -n $env_l2 ]]; then
    env OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "$python" "$here/pytorch_bench.py" gemm --repeat "$repeat" \
        --min-seconds "$gemm_seconds" >"$out/numpy-gemm-env.json"
fi
"$bench" gemm --repeat "$repeat" --min-seconds "$gemm_seconds" >"$out/rnngraph-gemm.json"

"$python" "$here/format_table.py" "$out"
echo "raw results: $out" >&2
