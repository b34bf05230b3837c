#!/usr/bin/env bash
# Records a dated run into bench/RESULTS.md: compare.sh (configs 1–5 and GEMM, RnnGraph beside PyTorch and numpy),
# the thread comparison, and sweep.sh (T and H scaling). Run it on a quiet machine: it takes several minutes and
# every number it writes is measured in this one run. The file is written atomically (temp file, then rename).
#   bench/record.sh [--no-sweep]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
here=$root/bench
sweep=1
case "${1:-}" in
    --no-sweep) sweep=0 ;;
    "") ;;
    *) echo "usage: bench/record.sh [--no-sweep]" >&2; exit 2 ;;
esac

out=$(mktemp -d /tmp/rnngraph-record.XXXXXX)
tmp=$(mktemp "$here/.RESULTS.md.XXXXXX")
trap 'rm -f "$tmp"' EXIT

{
    echo "# Benchmark results"
    echo
    echo "Recorded by \`bench/record.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$root" rev-parse --short HEAD)" \
        "$(git -C "$root" diff --quiet HEAD -- src bench || echo '(with uncommitted changes)'), on $(nproc) logical CPUs" \
        "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), numpy $(/usr/bin/python3 -c 'import numpy; print(numpy.__version__)'), .NET $(dotnet --version)."
    echo "How it is measured, and what the numbers mean: [docs/performance.md](../docs/performance.md)."
    echo
    echo "## Recurrent configurations and GEMM (\`bench/compare.sh\`)"
    echo
    BENCH_OUT=$out/compare bash "$here/compare.sh"
    echo
    echo "## Threads (\`bench/threads.sh\`)"
    echo
    if [[ -x $here/threads.sh ]]; then BENCH_OUT=$out/threads bash "$here/threads.sh"; else echo "(no thread comparison in this version)"; fi
    if ((sweep)); then
        echo
        echo "## Scaling (\`bench/sweep.sh\`)"
        echo
        BENCH_OUT=$out/sweep bash "$here/sweep.sh"
    fi
} >"$tmp"
mv "$tmp" "$here/RESULTS.md"
trap - EXIT
echo "wrote bench/RESULTS.md (raw JSON under $out)" >&2
