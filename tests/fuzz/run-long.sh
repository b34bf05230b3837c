#!/usr/bin/env bash
# The long fuzz run: the seeded fuzz suites with every case count multiplied by SCALE (default 100):
#   specs and weights (tests/RnnGraph.Runtime.Tests/Fuzz/SeededFuzzTests.cs): 250,000 spec mutants, 200,000 weight-file mutants;
#   ONNX models (tests/RnnGraph.Onnx.Tests/Fuzz/OnnxFuzzTests.cs): 188,000 byte mutants, 282,000 message mutants.
# The CI-sized run (SCALE 1) is part of `dotnet test`; its seeds are the first of this one. Prints the counts at the end.
#   tests/fuzz/run-long.sh [SCALE]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
scale=${1:-100}
log=$(mktemp /tmp/rnngraph-fuzz.XXXXXX.log)
start=$(date +%s)
status=0
for suite in "tests/RnnGraph.Runtime.Tests SeededFuzzTests" "tests/RnnGraph.Onnx.Tests OnnxFuzzTests"; do
    set -- $suite
    RNNGRAPH_FUZZ_SCALE=$scale dotnet test "$1" -c Release --filter "FullyQualifiedName~$2" \
        --logger "console;verbosity=detailed" >>"$log" 2>&1 || status=$?
done
grep -E "mutants|Passed!|Failed!" "$log" | grep -v -E "^ *[a-z_0-9]+: [0-9]+ (byte|message) mutants" | sed 's/^ *//' | sort -u
# The ONNX suite logs per model; sum them.
grep -E "(byte|message) mutants:" "$log" | sed -E 's/.*: ([0-9]+) (byte|message) mutants: ([0-9]+) ran, ([0-9]+) refused/\2 \1 \3 \4/' |
    awk '{n[$1]+=$2; r[$1]+=$3; f[$1]+=$4} END {for (k in n) printf "ONNX %s mutants: %d, %d ran, %d refused with an OnnxException\n", k, n[k], r[k], f[k]}'
echo "scale $scale, $(( $(date +%s) - start )) s, exit $status (full log: $log)"
exit $status
