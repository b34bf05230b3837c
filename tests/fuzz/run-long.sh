#!/usr/bin/env bash
# The long fuzz run: the seeded fuzz suite (tests/RnnGraph.Runtime.Tests/Fuzz/SeededFuzzTests.cs) with every case
# count multiplied by SCALE (default 100: 250,000 spec mutants and 200,000 weight-file mutants). The CI-sized run
# (SCALE 1) is part of `dotnet test`; its seeds are the first of this one. Prints the per-suite counts at the end.
#   tests/fuzz/run-long.sh [SCALE]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
scale=${1:-100}
log=$(mktemp /tmp/rnngraph-fuzz.XXXXXX.log)
start=$(date +%s)
status=0
RNNGRAPH_FUZZ_SCALE=$scale dotnet test tests/RnnGraph.Runtime.Tests -c Release --filter "FullyQualifiedName~SeededFuzzTests" \
    --logger "console;verbosity=detailed" >"$log" 2>&1 || status=$?
grep -E "mutants|Passed!|Failed!" "$log" | sed 's/^ *//' | sort -u
echo "scale $scale, $(( $(date +%s) - start )) s, exit $status (full log: $log)"
exit $status
