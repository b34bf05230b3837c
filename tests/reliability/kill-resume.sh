#!/usr/bin/env bash
# Crash safety: trains examples/names.yaml once without interruption, then again while killing the process with
# SIGKILL at random moments, resuming each time with `rnngraph run RUN --resume`, until KILLS kills have happened
# (a run that finishes first is compared and a new one started). After every kill the run folder must be whole (the
# metrics end with a complete line) and at most one epoch (the checkpoint interval) may be lost; every finished run's
# weights must equal the uninterrupted run's byte for byte.
#   tests/reliability/kill-resume.sh [KILLS] [SEED]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
kills=${1:-20} seed=${2:-1}
work=$(mktemp -d /tmp/rnngraph-kill.XXXXXX)
spec=$root/examples/names.yaml
epochs=20
cd "$root"
./rnngraph --help >/dev/null  # build once, outside the runs
RANDOM=$seed

echo "uninterrupted run ($epochs epochs) ..."
./rnngraph run "$spec" --out "$work/whole" --epochs "$epochs" >/dev/null

epochs_done() { if [[ -f $1/metrics.csv ]]; then tail -n +2 "$1/metrics.csv" | grep -c . || true; else echo 0; fi; }

killed=0 resumes=0 finished=0 attempt=0
while (( killed < kills )); do
    attempt=$((attempt + 1))
    run=$work/killed-$attempt
    while :; do
        if [[ -f $run/checkpoint.safetensors ]]; then args=("$run" --resume); resumes=$((resumes + 1)); else rm -rf "$run"; args=("$spec" --out "$run" --epochs "$epochs"); fi
        before=$(epochs_done "$run")
        ./rnngraph run "${args[@]}" >"$work/log.txt" 2>&1 &
        pid=$!
        if (( killed < kills )); then
            # 1 to 9 s after the start: start-up (about 5 s to the first checkpoint here), mid-epoch and the moments
            # around checkpoint writes all get hit.
            sleep 1; sleep "$(printf '0.%03d' $((RANDOM % 1000)))"; sleep "$((RANDOM % 8))"
            if kill -0 "$pid" 2>/dev/null; then
                kill -KILL "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
                killed=$((killed + 1))
                after=$(epochs_done "$run")
                if [[ -f $run/metrics.csv && -n $(tail -c1 "$run/metrics.csv") ]]; then echo "kill $killed: metrics.csv ends mid-line" >&2; exit 1; fi
                (( after + 1 >= before )) || { echo "kill $killed: epochs went from $before to $after" >&2; exit 1; }
                continue
            fi
        fi
        wait "$pid" || { echo "run failed:" >&2; cat "$work/log.txt" >&2; exit 1; }
        (( $(epochs_done "$run") >= epochs )) && break
    done
    finished=$((finished + 1))
    cmp -s "$work/whole/weights.safetensors" "$run/weights.safetensors" \
        || { echo "attempt $attempt: final weights DIFFER from the uninterrupted run's ($work)" >&2; exit 1; }
done
echo "$killed kills, $resumes resumes over $finished finished runs: every one's final weights equal the uninterrupted run's byte for byte ($work)"
