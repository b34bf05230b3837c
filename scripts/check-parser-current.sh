#!/usr/bin/env bash
# Fails (exit 1) when the committed generated parser does not match CellEquations.g4,
# i.e. someone edited the grammar or the generated code without running generate-parser.sh.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
committed="$repo_root/src/RnnGraph.Dsl/Equations/Generated"

fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT

"$repo_root/scripts/generate-parser.sh" "$fresh" >/dev/null

if ! diff -ru "$committed" "$fresh" >"$fresh.diff" 2>&1; then
    cat "$fresh.diff"
    rm -f "$fresh.diff"
    echo >&2
    echo "error: src/RnnGraph.Dsl/Equations/Generated is out of date with CellEquations.g4." >&2
    echo "       Run scripts/generate-parser.sh and commit the result." >&2
    exit 1
fi
rm -f "$fresh.diff"
echo "parser is up to date with CellEquations.g4"
