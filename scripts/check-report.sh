#!/usr/bin/env bash
# Opens a run's report.html in headless Chromium and checks that the page rendered its plots.
#
#   scripts/check-report.sh [RUN_FOLDER] [--screenshot FILE.png]
#
# Without RUN_FOLDER it first trains examples/names.yaml for 2 epochs into a temporary folder (about 10 s).
# Checks: the page's load script ran (data-report-ready), every figure[data-plot] was laid out with a
# non-zero size (its data-rendered attribute, written by the page after layout), the plots a run report
# must have are present (loss, learning-rate, a validation metric, gradient-flow, graph), and the
# screenshot is a real picture (a PNG well above the size of a blank page). Exit 0 when all hold, 1 when
# one fails; when Chromium is not installed it says so and exits 0 (so CI without it skips the check).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

browser=""
for candidate in chromium chromium-browser google-chrome; do
  if command -v "$candidate" >/dev/null 2>&1; then browser="$candidate"; break; fi
done
if [[ -z "$browser" ]]; then
  echo "check-report: skipped: no Chromium on PATH (apt-get install chromium)"
  exit 0
fi

run=""
screenshot=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --screenshot) screenshot="$2"; shift 2 ;;
    *) run="$1"; shift ;;
  esac
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [[ -z "$run" ]]; then
  run="$work/names"
  ./rnngraph run examples/names.yaml --epochs 2 --out "$run" >"$work/run.log" 2>&1 || { cat "$work/run.log"; exit 1; }
fi
report="$(cd "$run" && pwd)/report.html"
[[ -f "$report" ]] || { echo "check-report: FAIL: $report does not exist"; exit 1; }
[[ -n "$screenshot" ]] || screenshot="$work/report.png"

flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --virtual-time-budget=3000)
timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$report" >"$work/dom.html" 2>"$work/browser.log"
timeout 120 "$browser" "${flags[@]}" --window-size=1400,2400 --screenshot="$screenshot" "file://$report" >>"$work/browser.log" 2>&1

fail=0
if ! grep -q 'data-report-ready="yes"' "$work/dom.html"; then
  echo "check-report: FAIL: the page's load script did not run"; fail=1
fi
plots=$(grep -o 'data-plot="[a-z-]*" data-rendered="[0-9]*x[0-9]*"' "$work/dom.html" || true)
for required in loss learning-rate gradient-flow graph; do
  if ! grep -q "data-plot=\"$required\"" <<<"$plots"; then echo "check-report: FAIL: no rendered '$required' plot"; fail=1; fi
done
if ! grep -qE 'data-plot="(perplexity|accuracy)"' <<<"$plots"; then echo "check-report: FAIL: no rendered validation metric plot"; fail=1; fi
while read -r line; do
  [[ -z "$line" ]] && continue
  size="${line##*data-rendered=\"}"; size="${size%\"}"
  width="${size%x*}"; height="${size#*x}"
  name="${line#data-plot=\"}"; name="${name%%\"*}"
  if (( width < 100 || height < 100 )); then echo "check-report: FAIL: plot '$name' rendered at ${size}"; fail=1; fi
done <<<"$plots"
bytes=$(stat -c %s "$screenshot" 2>/dev/null || echo 0)
if (( bytes < 40000 )); then echo "check-report: FAIL: the screenshot has only $bytes bytes (a blank page)"; fail=1; fi

count=$(grep -c . <<<"$plots" || true)
if (( fail )); then exit 1; fi
echo "check-report: ok: $count plots rendered ($(tr '\n' ' ' <<<"$plots" | sed 's/data-plot=//g; s/ data-rendered=/ /g')); screenshot $bytes bytes"
