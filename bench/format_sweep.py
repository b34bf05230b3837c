#!/usr/bin/python3
"""Prints sweep.sh's tables (Markdown) from the JSON files it wrote into a results directory."""
import json
import os
import sys


def load(path):
    with open(path) as f:
        return json.loads(f.read().strip().splitlines()[0])


def table(out, title, names, key, label):
    print(f"### {title}")
    print()
    print(f"| {label} | torch ms | rnngraph ms | ratio | rnngraph ms per step | torch peak RSS MB | rnngraph peak RSS MB "
          "| rnngraph MB per step above the first | rnngraph compile+first step ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    first_rss = None
    first_steps = None
    for name in names:
        torch = load(os.path.join(out, f"pytorch-{name}.json"))
        ours = load(os.path.join(out, f"rnngraph-{name}.json"))
        t_ms, r_ms = torch["train"]["median_ms"], ours["median_ms"]
        steps = ours["steps"]
        if first_rss is None:
            first_rss, first_steps = ours["peak_rss_mb"], steps
        growth = "—" if key != "steps" or steps == first_steps else f"{(ours['peak_rss_mb'] - first_rss) / (steps - first_steps):.3f}"
        print(f"| {ours[key]} | {t_ms:.1f} | {r_ms:.1f} | {r_ms / t_ms:.2f} | {r_ms / steps:.3f} | {torch['peak_rss_mb_process']:.0f} "
              f"| {ours['peak_rss_mb']:.0f} | {growth} | {ours['first_call_ms']:.0f} |")
    print()


def main(out, steps, hiddens):
    table(out, "Sequence length T (LSTM I=64 H=256 B=32, train)", [f"T{t}" for t in steps.split()], "steps", "T")
    table(out, "Hidden size H (LSTM I=64 B=32 T=100, train)", [f"H{h}" for h in hiddens.split()], "hidden", "H")
    print("One thread each; median of the timed runs; ratio = RnnGraph / PyTorch. Peak RSS is each process's own "
          "(one process per point on both sides); \"MB per step above the first\" is the peak's growth per added step "
          "relative to the first row of the table (constant when memory grows linearly in T).")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
