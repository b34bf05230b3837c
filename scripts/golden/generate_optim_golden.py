#!/usr/bin/env python3
"""Generate the PyTorch golden data for RnnGraph's optimizers, gradient clipping and LR schedules.

Run from anywhere:  /usr/bin/python3 scripts/golden/generate_optim_golden.py
Needs PyTorch (written against 1.13); the tests that read the output need no Python. Output is
deterministic: seeded per case, one thread, so a re-run leaves `git diff` empty.

What it writes, under tests/golden/optim/:

  manifest.json            every case with its configuration:
                           "optimizers": name, optimizer (sgd|adam|adamw|rmsprop), options (the
                             PyTorch keyword arguments), steps, file, parameters [{name, shape}],
                             and for training-loop cases also schedule {...} and clip {...}
                           "clipping": name, kind (norm|value), max_norm/norm_type or clip_value,
                             parameters [{name, shape}] (all in clipping.safetensors)
                           "schedules": name, schedule {kind, ...}, values (torch's LR per epoch)
  <case>.safetensors       F32 <param>.initial [shape], <param>.grad [steps, *shape] (the fixed
                           gradients fed at each step), <param>.expected [steps, *shape] (the
                           parameter after each step), state.<param>.<key> (torch's optimizer state
                           after the last step, e.g. exp_avg), F64 lr [steps] (the LR of each step);
                           loop cases add F32 total_norm [steps] (clip_grad_norm_'s return value)
  clipping.safetensors     F32 <case>.<param>.grad, <case>.<param>.expected, <case>.total_norm []

Optimizers run their single-tensor (foreach=False) CPU implementation in float32, as PyTorch trains.
Schedule values come from stepping the real torch.optim.lr_scheduler objects once per epoch.
"""

import json
import math
import os
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "golden" / "optim"
GENERATOR = "scripts/golden/generate_optim_golden.py"

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_rnn_golden import write_safetensors  # noqa: E402  (same layout rules as the RNN golden data)

# Odd shapes so vectorized bodies and scalar tails of PyTorch's kernels both take part.
PARAMETERS = [("dense.weight", [7, 5]), ("rnn.bias_hh_l0", [13]), ("cell.kernel", [3, 4, 5])]
STEPS = 8
# Gradient scale per step: ordinary, small, large and tiny magnitudes (eps matters for the tiny ones).
GRAD_SCALES = [1.0, 0.5, 3.0, 1e-3, 2.0, 0.1, 10.0, 1.0]

OPTIMIZER_CASES = [
    ("sgd_plain", "sgd", 0.1, {}),
    ("sgd_momentum", "sgd", 0.05, {"momentum": 0.9}),
    ("sgd_momentum_dampening", "sgd", 0.05, {"momentum": 0.8, "dampening": 0.3}),
    ("sgd_nesterov", "sgd", 0.05, {"momentum": 0.9, "nesterov": True}),
    ("sgd_nesterov_weight_decay", "sgd", 0.05, {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("sgd_weight_decay", "sgd", 0.1, {"weight_decay": 0.05}),
    ("sgd_maximize", "sgd", 0.05, {"momentum": 0.5, "maximize": True}),
    ("adam_default", "adam", 1e-3, {}),
    ("adam_betas_eps", "adam", 1e-2, {"betas": [0.8, 0.95], "eps": 1e-6}),
    ("adam_weight_decay", "adam", 1e-2, {"weight_decay": 0.1}),
    ("adam_amsgrad", "adam", 1e-2, {"amsgrad": True}),
    ("adam_amsgrad_weight_decay", "adam", 3e-3, {"amsgrad": True, "weight_decay": 0.01, "betas": [0.5, 0.9]}),
    ("adam_maximize", "adam", 1e-2, {"maximize": True}),
    ("adamw_default", "adamw", 1e-3, {}),
    ("adamw_weight_decay", "adamw", 1e-2, {"weight_decay": 0.1, "betas": [0.85, 0.98]}),
    ("adamw_amsgrad", "adamw", 1e-2, {"amsgrad": True, "weight_decay": 0.05}),
    ("adamw_no_decay", "adamw", 1e-2, {"weight_decay": 0.0, "eps": 1e-7}),
    ("rmsprop_default", "rmsprop", 1e-2, {}),
    ("rmsprop_alpha", "rmsprop", 1e-2, {"alpha": 0.9, "eps": 1e-6}),
    ("rmsprop_momentum", "rmsprop", 1e-3, {"momentum": 0.9}),
    ("rmsprop_centered", "rmsprop", 1e-3, {"centered": True}),
    ("rmsprop_centered_momentum_weight_decay", "rmsprop", 1e-3,
     {"centered": True, "momentum": 0.5, "weight_decay": 0.01, "alpha": 0.95}),
    ("rmsprop_maximize", "rmsprop", 1e-2, {"maximize": True, "weight_decay": 0.1}),
]

# Training loops: clip, step the optimizer with the scheduled LR, step the schedule.
LOOP_CASES = [
    ("loop_adamw_warmup_cosine_clip_norm", "adamw", {"weight_decay": 0.05},
     {"kind": "warmup", "warmup_steps": 3, "start_factor": 0.1,
      "then": {"kind": "cosine", "base_lr": 3e-3, "t_max": 4, "eta_min": 1e-4}},
     {"kind": "norm", "max_norm": 1.0, "norm_type": 2.0}),
    ("loop_sgd_step_clip_inf", "sgd", {"momentum": 0.9, "nesterov": True},
     {"kind": "step", "base_lr": 0.05, "step_size": 3, "gamma": 0.5},
     {"kind": "norm", "max_norm": 0.5, "norm_type": "inf"}),
    ("loop_rmsprop_constant_clip_value", "rmsprop", {"centered": True},
     {"kind": "constant", "base_lr": 1e-2},
     {"kind": "value", "clip_value": 0.25}),
]

SCHEDULE_CASES = [
    ("constant", {"kind": "constant", "base_lr": 0.1}, 12),
    ("step_3_half", {"kind": "step", "base_lr": 0.1, "step_size": 3, "gamma": 0.5}, 20),
    ("step_1_default_gamma", {"kind": "step", "base_lr": 1.0, "step_size": 1, "gamma": 0.1}, 12),
    ("step_1_0.97", {"kind": "step", "base_lr": 3e-4, "step_size": 1, "gamma": 0.97}, 60),
    ("cosine_10", {"kind": "cosine", "base_lr": 0.1, "t_max": 10, "eta_min": 0.0}, 35),
    ("cosine_7_eta_min", {"kind": "cosine", "base_lr": 1e-3, "t_max": 7, "eta_min": 1e-5}, 25),
    ("warmup_5_cosine", {"kind": "warmup", "warmup_steps": 5, "start_factor": 0.1,
                         "then": {"kind": "cosine", "base_lr": 1e-3, "t_max": 20, "eta_min": 1e-5}}, 30),
    ("warmup_4_step", {"kind": "warmup", "warmup_steps": 4, "start_factor": 1.0 / 3,
                       "then": {"kind": "step", "base_lr": 0.05, "step_size": 5, "gamma": 0.5}}, 20),
    ("warmup_1_constant", {"kind": "warmup", "warmup_steps": 1, "start_factor": 0.0,
                           "then": {"kind": "constant", "base_lr": 2e-3}}, 6),
]

CLIP_CASES = [
    ("norm2_clipped", {"kind": "norm", "max_norm": 1.0, "norm_type": 2.0}, [[7, 5], [13], [3, 4, 5]], 3.0),
    ("norm2_not_clipped", {"kind": "norm", "max_norm": 100.0, "norm_type": 2.0}, [[7, 5], [13]], 1.0),
    ("norm2_single_tensor", {"kind": "norm", "max_norm": 0.5, "norm_type": 2.0}, [[6]], 1.0),
    ("norm2_long_tensor", {"kind": "norm", "max_norm": 2.0, "norm_type": 2.0}, [[257], [31, 9], [4]], 0.7),
    ("norm2_zero_grads", {"kind": "norm", "max_norm": 1.0, "norm_type": 2.0}, [[5], [3]], 0.0),
    ("norm_inf_clipped", {"kind": "norm", "max_norm": 0.5, "norm_type": "inf"}, [[7, 5], [13], [3, 4, 5]], 2.0),
    ("norm_inf_not_clipped", {"kind": "norm", "max_norm": 50.0, "norm_type": "inf"}, [[7, 5], [13]], 2.0),
    ("value_0.5", {"kind": "value", "clip_value": 0.5}, [[7, 5], [13], [3, 4, 5]], 1.0),
    ("value_2", {"kind": "value", "clip_value": 2.0}, [[11], [2, 3]], 1.5),
]


def make_optimizer(kind, params, lr, options):
    kwargs = dict(options)
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    constructor = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam,
                   "adamw": torch.optim.AdamW, "rmsprop": torch.optim.RMSprop}[kind]
    return constructor(params, lr=lr, foreach=False, **kwargs)


def make_schedule(optimizer, spec):
    """The torch scheduler for a schedule spec; warmup is LinearLR then the inner one via SequentialLR."""
    from torch.optim import lr_scheduler as S
    kind = spec["kind"]
    if kind == "constant":
        return S.LambdaLR(optimizer, lambda epoch: 1.0)
    if kind == "step":
        return S.StepLR(optimizer, step_size=spec["step_size"], gamma=spec["gamma"])
    if kind == "cosine":
        return S.CosineAnnealingLR(optimizer, T_max=spec["t_max"], eta_min=spec["eta_min"])
    if kind == "warmup":
        warmup = S.LinearLR(optimizer, start_factor=spec["start_factor"], end_factor=1.0,
                            total_iters=spec["warmup_steps"])
        return S.SequentialLR(optimizer, [warmup, make_schedule(optimizer, spec["then"])],
                              milestones=[spec["warmup_steps"]])
    raise ValueError(kind)


def base_lr(spec):
    return spec["then"]["base_lr"] if spec["kind"] == "warmup" else spec["base_lr"]


def initial_parameters(generator):
    return [torch.randn(shape, generator=generator) for _, shape in PARAMETERS]


def gradient_sequence(generator):
    """STEPS gradients per parameter; a few exact zeros so eps and zero updates take part."""
    sequence = []
    for step in range(STEPS):
        grads = []
        for _, shape in PARAMETERS:
            g = torch.randn(shape, generator=generator) * GRAD_SCALES[step]
            g.view(-1)[::11] = 0.0
            grads.append(g)
        sequence.append(grads)
    return sequence


def clip(params, spec):
    if spec["kind"] == "value":
        torch.nn.utils.clip_grad_value_(params, spec["clip_value"])
        return None
    norm_type = math.inf if spec["norm_type"] == "inf" else spec["norm_type"]
    return torch.nn.utils.clip_grad_norm_(params, spec["max_norm"], norm_type=norm_type)


def run_optimizer_case(name, kind, options, lr_for_step, schedule=None, clip_spec=None):
    """Steps one optimizer STEPS times on fixed gradients; returns the tensors of its safetensors file."""
    generator = torch.Generator().manual_seed(sum(name.encode()))
    params = [torch.nn.Parameter(p.clone()) for p in initial_parameters(generator)]
    grads = gradient_sequence(generator)
    tensors = {f"{n}.initial": p.detach().clone() for (n, _), p in zip(PARAMETERS, params)}
    optimizer = make_optimizer(kind, params, lr_for_step(0) if schedule is None else base_lr(schedule), options)
    scheduler = make_schedule(optimizer, schedule) if schedule is not None else None
    expected = [[] for _ in PARAMETERS]
    lrs, norms = [], []
    for step in range(STEPS):
        for p, g in zip(params, grads[step]):
            p.grad = g.clone()
        if clip_spec is not None:
            total = clip(params, clip_spec)
            if total is not None:
                norms.append(float(total))
        if scheduler is None:
            for group in optimizer.param_groups:
                group["lr"] = lr_for_step(step)
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        for i, p in enumerate(params):
            expected[i].append(p.detach().clone())
    for i, (n, _) in enumerate(PARAMETERS):
        tensors[f"{n}.grad"] = torch.stack([g[i] for g in grads])
        tensors[f"{n}.expected"] = torch.stack(expected[i])
        for key, value in optimizer.state[params[i]].items():
            if torch.is_tensor(value) and value.numel() > 1:
                tensors[f"state.{n}.{key}"] = value.detach().clone()
    tensors["lr"] = torch.tensor(lrs, dtype=torch.float64)
    if norms:
        tensors["total_norm"] = torch.tensor(norms, dtype=torch.float32)
    return tensors


def schedule_values(spec, epochs):
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base_lr(spec))
    scheduler = make_schedule(optimizer, spec)
    values = []
    for _ in range(epochs):
        values.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return values


def clipping_tensors(name, spec, shapes, scale, generator):
    params = [torch.nn.Parameter(torch.zeros(shape)) for shape in shapes]
    tensors = {}
    for i, p in enumerate(params):
        p.grad = torch.randn(shapes[i], generator=generator) * scale
        tensors[f"{name}.g{i}.grad"] = p.grad.clone()
    total = clip(params, spec)
    for i, p in enumerate(params):
        tensors[f"{name}.g{i}.expected"] = p.grad.clone()
    if total is not None:
        tensors[f"{name}.total_norm"] = total.detach().reshape([])
    return tensors


def write(path, tensors):
    write_safetensors(path, tensors, {"generator": GENERATOR, "torch": torch.__version__})


def main():
    torch.set_num_threads(1)
    import warnings
    warnings.filterwarnings("ignore", category=UserWarning)  # SequentialLR's step(0) deprecation notice
    OUT.mkdir(parents=True, exist_ok=True)
    for stale in OUT.glob("*.safetensors"):
        stale.unlink()
    parameters = [{"name": n, "shape": s} for n, s in PARAMETERS]
    manifest = {"generator": GENERATOR, "torch": torch.__version__, "optimizers": [], "clipping": [], "schedules": []}

    for name, kind, lr, options in OPTIMIZER_CASES:
        # The LR changes every step, as a schedule would change it.
        tensors = run_optimizer_case(name, kind, options, lambda step, lr=lr: lr * (1.0 - 0.07 * step))
        write(OUT / f"{name}.safetensors", tensors)
        manifest["optimizers"].append({"name": name, "optimizer": kind, "options": options, "steps": STEPS,
                                       "file": f"{name}.safetensors", "parameters": parameters})
    for name, kind, options, schedule, clip_spec in LOOP_CASES:
        tensors = run_optimizer_case(name, kind, options, None, schedule, clip_spec)
        write(OUT / f"{name}.safetensors", tensors)
        manifest["optimizers"].append({"name": name, "optimizer": kind, "options": options, "steps": STEPS,
                                       "file": f"{name}.safetensors", "parameters": parameters,
                                       "schedule": schedule, "clip": clip_spec})

    clipping, generator = {}, torch.Generator().manual_seed(7)
    for name, spec, shapes, scale in CLIP_CASES:
        clipping.update(clipping_tensors(name, spec, shapes, scale, generator))
        manifest["clipping"].append({"name": name, **spec, "parameters": [{"name": f"g{i}", "shape": s} for i, s in enumerate(shapes)]})
    write(OUT / "clipping.safetensors", clipping)

    for name, spec, epochs in SCHEDULE_CASES:
        manifest["schedules"].append({"name": name, "schedule": spec, "values": schedule_values(spec, epochs)})

    text = json.dumps(manifest, indent=2) + "\n"
    temp = OUT / "manifest.json.tmp"
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, OUT / "manifest.json")
    size = sum(f.stat().st_size for f in OUT.iterdir())
    print(f"wrote {len(manifest['optimizers'])} optimizer, {len(manifest['clipping'])} clipping and "
          f"{len(manifest['schedules'])} schedule cases to {OUT} ({size} bytes)")


if __name__ == "__main__":
    main()
