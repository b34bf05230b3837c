#!/usr/bin/env bash
# `rnngraph bench` at --threads 1, --threads 2 and the default (no --threads) on the configurations of configs.json,
# train and infer: one process per point, the three thread settings interleaved (1, 2, default, 1, 2, default, ...) for
# a few rounds so a load that comes and goes hits all three alike. Prints a Markdown table of the medians over the
# rounds (each round's number is that process's median of its timed runs) with ratios to one thread.
#   bench/threads.sh [--quick] [--rounds K] [--ids 1,3]    --quick: configs 1, 3 and 5, 3 timed runs, shorter warmups;
#   --ids: these configurations only
# Raw JSON goes to $BENCH_OUT (default: a fresh directory under /tmp).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
here=$root/bench
python=${PYTHON:-/usr/bin/python3}

ids=1,2,3,4,5 repeat=5 warmup_seconds=1 rounds=3
while (($#)); do
    case "$1" in
        --quick) ids=1,3,5 repeat=3 warmup_seconds=0.5 ;;
        --rounds) rounds=${2:?--rounds needs a number}; shift ;;
        --ids) ids=${2:?--ids needs a list like 1,3}; shift ;;
        *) echo "usage: bench/threads.sh [--quick] [--rounds K] [--ids 1,3]" >&2; exit 2 ;;
    esac
    shift
done

out=${BENCH_OUT:-$(mktemp -d /tmp/rnngraph-threads.XXXXXX)}
mkdir -p "$out"
rm -f "$out"/threads-*.json

"$root/rnngraph" --help >/dev/null # builds the CLI once (Release)
for ((round = 1; round <= rounds; round++)); do
    for id in ${ids//,/ }; do
        read -r args modes < <("$python" "$here/config_flags.py" "$here/configs.json" "$id")
        for mode in ${modes//,/ }; do
            for threads in 1 2 default; do
                echo "rnngraph: round $round config $id $mode threads $threads ..." >&2
                flag=()
                [[ $threads == default ]] || flag=(--threads "$threads")
                # shellcheck disable=SC2086
                "$root/rnngraph" bench ${args//,/ } --mode "$mode" "${flag[@]}" --repeat "$repeat" \
                    --warmup-seconds "$warmup_seconds" --json >"$out/threads-$id-$mode-$threads-$round.json"
            done
        done
    done
done

"$python" - "$out" "$here/configs.json" "$rounds" <<'PY'
import glob, json, os, statistics, sys
out, configs, rounds = sys.argv[1], json.load(open(sys.argv[2])), int(sys.argv[3])
points = {}
for path in glob.glob(os.path.join(out, "threads-*.json")):
    _, cid, mode, threads, _ = os.path.basename(path)[:-5].split("-")
    with open(path) as f:
        points.setdefault((int(cid), mode, threads), []).append(json.load(f))
print(f"Median over {rounds} interleaved round(s) of each process's median step time (ms); ratio = time / time at one thread"
      " (below 1: faster). Default: no --threads. Lanes at 2: planned → used in the timed steps, per round (2 planned where the"
      " cost model predicts enough parallel work; used only where the executor's own interleaved trial found two lanes"
      " faster), with the predicted speedup; trial: that trial's median ms, one lane / two, per round.")
print()
print("| config | mode | 1 thread | 2 threads | default | 2 / 1 | default / 1 | lanes at 2 (predicted) | trial one / two (ms) |")
print("|---|---|---:|---:|---:|---:|---:|---|---|")
for c in configs:
    for mode in c["modes"]:
        runs = {t: points.get((c["id"], mode, t)) for t in ("1", "2", "default")}
        if not runs["1"]:
            continue
        med = {t: statistics.median(r["median_ms"] for r in v) if v else None for t, v in runs.items()}
        def ratio(t):
            return "—" if med[t] is None else f"{med[t] / med['1']:.2f}"
        def cell(t):
            return "—" if med[t] is None else f"{med[t]:.2f}"
        two = runs["2"] or []
        lanes = (f"{two[0].get('planned_lanes', '—')} → {','.join(str(r.get('lanes', '—')) for r in two)}"
                 f" ({two[0].get('predicted_speedup', 0):.2f}×)") if two else "—"
        trials = [r["lane_trial_ms"] for r in two if r.get("lane_trial_ms")]
        trial = ", ".join(f"{t['one']:.1f} / {t['two']:.1f}" for t in trials) or "—"
        print(f"| {c['id']}: {c['name']} | {mode} | {cell('1')} | {cell('2')} | {cell('default')} | {ratio('2')} | {ratio('default')} | {lanes} | {trial} |")
PY
echo "raw results: $out" >&2
