#!/usr/bin/python3
"""PyTorch (and numpy sgemm) side of bench/compare.sh: one JSON object per line on stdout.

  torch_baseline.py recurrent --configs configs.json --ids 1,2,5 [--warmup 2] [--repeat 5]
  torch_baseline.py gemm --shapes-from rnngraph-gemm.json [--repeat 5] [--min-seconds 0.2]

"train" = forward of nn.RNN/GRU/LSTM + nn.Linear head to one output at every step, loss = mean of the squared
outputs, backward (parameter gradients only; the input needs none), SGD step -- what `rnngraph bench` times. "infer" = the same forward and
loss under torch.no_grad(). One thread. Thread counts of OpenBLAS/OpenMP come from the environment (compare.sh
sets them to 1).
"""
import argparse
import json
import os
import statistics
import time

import numpy as np
import torch

CELLS = {"rnn_tanh": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}


def timed(step, warmup, repeat):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": round(statistics.median(times), 3), "min_ms": round(min(times), 3),
            "times_ms": [round(t, 3) for t in times]}


def peak_rss_mb():
    # VmHWM: the process's peak resident set, the counterpart of .NET's PeakWorkingSet64.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def recurrent(config, warmup, repeat):
    torch.manual_seed(1)
    cell = CELLS[config["cell"]]
    kwargs = {"nonlinearity": "tanh"} if config["cell"] == "rnn_tanh" else {}
    directions = 2 if config["bidirectional"] else 1
    rnn = cell(config["input"], config["hidden"], num_layers=config["layers"],
               bidirectional=config["bidirectional"], **kwargs)
    head = torch.nn.Linear(directions * config["hidden"], config["outputs"])
    parameters = list(rnn.parameters()) + list(head.parameters())
    optimizer = torch.optim.SGD(parameters, lr=0.01)
    T, B = config["steps"], config["batch"]
    x = torch.rand(T, B, config["input"]) * 2 - 1
    def loss():
        output, _ = rnn(x)
        return (head(output) ** 2).mean()

    def train():
        optimizer.zero_grad()
        value = loss()
        value.backward()
        optimizer.step()

    def infer():
        with torch.no_grad():
            loss()

    result = {"id": config["id"], "name": config["name"], "runtime": "pytorch", "torch": torch.__version__,
              "threads": torch.get_num_threads(), "parameters": sum(p.numel() for p in parameters)}
    if "train" in config["modes"]:
        result["train"] = timed(train, warmup, repeat)
    if "infer" in config["modes"]:
        result["infer"] = timed(infer, warmup, repeat)
    result["peak_rss_mb_process"] = peak_rss_mb()
    return result


def gemm(shapes, repeat, min_seconds):
    rng = np.random.default_rng(1)
    results = []
    for m, n, k, variant in shapes:
        # Stored as RnnGraph stores them; the transposed views go to sgemm as transpose flags, not copies.
        a = rng.uniform(-1, 1, (k, m) if variant[0] == "T" else (m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, (n, k) if variant[1] == "T" else (k, n)).astype(np.float32)
        a_op = a.T if variant[0] == "T" else a
        b_op = b.T if variant[1] == "T" else b
        c = np.empty((m, n), dtype=np.float32)

        def multiply():
            np.matmul(a_op, b_op, out=c)

        multiply()
        start = time.perf_counter()
        multiply()
        once = max(time.perf_counter() - start, 1e-6)
        calls = max(1, int(np.ceil(min_seconds / once)))

        def batch():
            for _ in range(calls):
                multiply()

        times = timed(batch, 1, repeat)["times_ms"]
        median = statistics.median(times) / calls
        results.append({"shape": f"{m}x{n}x{k} {variant}", "m": m, "n": n, "k": k, "variant": variant,
                        "median_ms": round(median, 4), "gflops": round(2.0 * m * n * k / (median * 1e6), 2)})
    return {"runtime": "numpy", "numpy": np.__version__,
            "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
            "openblas_l2_size": os.environ.get("OPENBLAS_L2_SIZE"),
            "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS"), "gemm": results}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["recurrent", "gemm"])
    parser.add_argument("--configs", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "configs.json"))
    parser.add_argument("--ids", default="1,2,3,4,5")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--min-seconds", type=float, default=0.2)
    parser.add_argument("--shapes-from", help="gemm: time the shapes of this `rnngraph bench --gemm --json` output")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.mode == "gemm":
        with open(args.shapes_from) as f:
            shapes = [(g["m"], g["n"], g["k"], g["variant"]) for g in json.load(f)["gemm"]]
        print(json.dumps(gemm(shapes, args.repeat, args.min_seconds)), flush=True)
        return
    with open(args.configs) as f:
        configs = {c["id"]: c for c in json.load(f)}
    for config_id in (int(i) for i in args.ids.split(",")):
        print(json.dumps(recurrent(configs[config_id], args.warmup, args.repeat)), flush=True)


if __name__ == "__main__":
    main()
