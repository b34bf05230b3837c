#!/usr/bin/env python3
"""Check ONNX models written by `rnngraph export` with ONNX's own checker.

Run:  /usr/bin/python3 scripts/onnx/check_exported.py MODEL.onnx|FOLDER ... [--no-shape-inference]
Needs the onnx package (1.12 here). A folder argument checks every *.onnx file in it.

For each model: onnx.checker.check_model(model, full_check=True) (graph structure, operator schemas
of the model's opset, and strict shape inference), then onnx.shape_inference.infer_shapes with
strict_mode to report the output shapes ONNX infers, which are compared with the declared ones
(a fixed dimension ONNX infers must equal the declared one). Prints one line per model and a
summary; exits 1 if any model fails. A model of a newer IR version or opset than the installed onnx
knows (onnx 1.12: IR 8, opset 17) is reported as skipped, not checked.
"""
import glob
import os
import sys

import onnx
from onnx import shape_inference


def dims(value_info):
    shape = value_info.type.tensor_type.shape
    return [d.dim_value if d.HasField("dim_value") else (d.dim_param or "?") for d in shape.dim]


def too_new(model):
    """Why this onnx cannot check the model, or None."""
    opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    if model.ir_version > onnx.IR_VERSION or opset > onnx.defs.onnx_opset_version():
        return (f"IR version {model.ir_version}, opset {opset}: newer than onnx {onnx.__version__} knows "
                f"(IR {onnx.IR_VERSION}, opset {onnx.defs.onnx_opset_version()})")
    return None


def check(model, infer):
    onnx.checker.check_model(model, full_check=True)
    opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    summary = f"opset {opset}, {len(model.graph.node)} nodes"
    if infer:
        inferred = shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
        declared = {o.name: dims(o) for o in model.graph.output}
        for output in inferred.graph.output:
            got, want = dims(output), declared[output.name]
            if len(got) != len(want) or any(isinstance(g, int) and isinstance(w, int) and g != w for g, w in zip(got, want)):
                raise ValueError(f"output {output.name}: inferred shape {got} but declared {want}")
        summary += ", outputs " + ", ".join(f"{o.name}{dims(o)}" for o in model.graph.output)
    return summary


def main(argv):
    infer = "--no-shape-inference" not in argv
    paths = []
    for arg in (a for a in argv if not a.startswith("--")):
        paths += sorted(glob.glob(os.path.join(arg, "*.onnx"))) if os.path.isdir(arg) else [arg]
    if not paths:
        print("usage: check_exported.py MODEL.onnx|FOLDER ... [--no-shape-inference]", file=sys.stderr)
        return 2
    failed = skipped = 0
    for path in paths:
        try:
            model = onnx.load(path)
            reason = too_new(model)
            if reason is not None:
                skipped += 1
                print(f"skip  {os.path.basename(path)}: {reason}")
                continue
            print(f"ok    {os.path.basename(path)}: {check(model, infer)}")
        except Exception as e:  # the checker raises several exception types; report each model and go on
            failed += 1
            print(f"FAIL  {os.path.basename(path)}: {type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}")
    checked = len(paths) - skipped
    print(f"{checked - failed} of {checked} models pass onnx.checker.check_model(full_check=True) (onnx {onnx.__version__})"
          + (f"; {skipped} skipped as too new for it" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
