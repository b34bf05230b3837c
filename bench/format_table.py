#!/usr/bin/python3
"""Prints compare.sh's tables (Markdown) from the JSON files it wrote into a results directory."""
import json
import os
import platform
import sys


def lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def load(path):
    with open(path) as f:
        return json.load(f)


def ms(result, mode):
    return result.get(mode, {}).get("median_ms") if result else None


def cell(value, digits=1):
    return "—" if value is None else f"{value:.{digits}f}"


def ratio(ours, theirs):
    return "—" if ours is None or theirs is None else f"{ours / theirs:.2f}"


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main(out, configs):
    torch = {r["id"]: r for r in lines(os.path.join(out, "pytorch.jsonl"))}
    names = {c["id"]: c["name"] for c in load(configs)}
    ours = {}
    for config_id in names:
        for mode in ("train", "infer"):
            path = os.path.join(out, f"rnngraph-{config_id}-{mode}.json")
            if os.path.exists(path):
                ours.setdefault(config_id, {})[mode] = load(path)
    first = next(iter(torch.values()), {})
    if torch or ours:
        recurrent_table(torch, ours, names, first)
    gemm_table(out)


def recurrent_table(torch, ours, names, first):
    print(f"# {cpu_name()}, {os.cpu_count()} logical CPUs; PyTorch {first.get('torch', '?')}, one thread each; "
          "median of the timed runs (ms); ratio = RnnGraph / PyTorch, below 1 means RnnGraph is faster")
    print()
    print("| config | torch train | rnngraph train | ratio | torch infer | rnngraph infer | ratio "
          "| rnngraph GFLOP/s (train) | rnngraph alloc/train step | rnngraph peak RSS MB | torch peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for config_id in sorted(set(torch) | set(ours)):
        t, r = torch.get(config_id), ours.get(config_id, {})
        train, infer = r.get("train"), r.get("infer")
        ours_train = train["median_ms"] if train else None
        ours_infer = infer["median_ms"] if infer else None
        peak = max((x["peak_rss_mb"] for x in r.values()), default=None)
        allocated = f"{train['allocated_bytes_per_step'] / 1024:.1f} KiB" if train else "—"
        print(f"| {config_id}. {names.get(config_id, '?')} | {cell(ms(t, 'train'))} | {cell(ours_train)} | {ratio(ours_train, ms(t, 'train'))} "
              f"| {cell(ms(t, 'infer'), 2)} | {cell(ours_infer, 2)} | {ratio(ours_infer, ms(t, 'infer'))} "
              f"| {cell(train['gflops'] if train else None)} | {allocated} | {cell(peak)} "
              f"| {cell(t.get('peak_rss_mb_process') if t else None)} |")
    print()
    print("torch peak RSS is the Python process's peak after all configs so far (it runs them in one process); "
          "rnngraph's is per config (one process per mode, compiling the graphs included).")
    print()


def gemm_table(out):
    numpy = load(os.path.join(out, "numpy-gemm.json"))
    numpy_env_path = os.path.join(out, "numpy-gemm-env.json")
    numpy_env = load(numpy_env_path) if os.path.exists(numpy_env_path) else None
    rnngraph = {g["shape"]: g for g in load(os.path.join(out, "rnngraph-gemm.json"))["gemm"]}
    env_header = ""
    if numpy_env:
        env_header = f" numpy GFLOP/s (env OPENBLAS_CORETYPE={numpy_env['openblas_coretype']}) |"
    print(f"| GEMM m×n×k op ({cpu_name()}, one thread) | rnngraph GFLOP/s | numpy GFLOP/s (OPENBLAS_CORETYPE unset) "
          "| rnngraph / numpy GFLOP/s |" + env_header)
    print("|---|---:|---:|---:|" + ("---:|" if numpy_env else ""))
    env_by_shape = {g["shape"]: g for g in numpy_env["gemm"]} if numpy_env else {}
    for g in numpy["gemm"]:
        r = rnngraph.get(g["shape"])
        ours_gflops = r["gflops"] if r else None
        row = f"| {g['shape']} | {cell(ours_gflops, 2)} | {cell(g['gflops'], 2)} | {ratio(ours_gflops, g['gflops'])} |"
        if numpy_env:
            row += f" {cell(env_by_shape.get(g['shape'], {}).get('gflops'), 2)} |"
        print(row)
    print()
    print("numpy: float32 `@` on one thread (OPENBLAS_NUM_THREADS=1) with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE left "
          "unset, so OpenBLAS picks its kernels for this CPU; rnngraph: `rnngraph bench --gemm` (MatMulKernel<float>.Multiply). "
          "NT = B transposed, TN = A transposed (transpose flags, no copies).")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
