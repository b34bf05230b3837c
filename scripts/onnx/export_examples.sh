#!/usr/bin/env bash
# Exports models with `rnngraph export` and checks every one with ONNX's checker:
#   - examples/char-lstm.yaml with examples/data/char-lstm.weights.safetensors, at opsets 14 to 17
#     (onnx 1.12's checker knows opsets up to 17), and with --initial-states;
#   - every model the export tests write (RNNGRAPH_EXPORT_DIR): the built-in and custom-cell cases of
#     tests/RnnGraph.Onnx.Tests/Export and each PyTorch golden case of tests/golden/rnn.
# Usage: scripts/onnx/export_examples.sh [OUT_DIR]   (default: a new temporary folder)
# Needs /usr/bin/python3 with onnx (scripts/onnx/check_exported.py).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$(mktemp -d -t rnngraph-export-XXXXXX)}"
mkdir -p "$out"
cd "$root"

for opset in 14 15 16 17; do
    ./rnngraph export examples/char-lstm.yaml --weights examples/data/char-lstm.weights.safetensors \
        --onnx "$out/char-lstm-opset$opset.onnx" --opset "$opset"
done
./rnngraph export examples/char-lstm.yaml --weights examples/data/char-lstm.weights.safetensors \
    --onnx "$out/char-lstm-initial-states.onnx" --initial-states

RNNGRAPH_EXPORT_DIR="$out" dotnet test tests/RnnGraph.Onnx.Tests --filter "FullyQualifiedName~Export" -v q -nologo

/usr/bin/python3 scripts/onnx/check_exported.py "$out"
