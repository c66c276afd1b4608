#!/usr/bin/env python3
"""How far float32 rounding alone moves a gradient map: compares EvalHarness's map and Captum's (both
float32) with the same map computed in float64 by PyTorch, on the input and eh-init-v1 weights of a
`--methods` benchmark folder (bench/compare-methods.sh --out DIR).

When EvalHarness's map and Captum's differ, this says whether that is a bug or rounding: if Captum's own
float32 map is about as far from the float64 map as EvalHarness's is, the difference is rounding (deep
random-weight networks amplify it where a ReLU or max-pool input is near a tie).

Usage: /usr/bin/python3 bench/precision_check.py --dir DIR [--models resnet50] [--methods gradient,integratedgradients]
Captum must be on PYTHONPATH (bench/README.md).
"""
import argparse
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "fixtures"))
import gen_models  # noqa: E402
import reference_code  # noqa: E402


def cell(a, b):
    return f"{np.abs(a - b).max():.1e} / {np.linalg.norm(a - b) / np.linalg.norm(b):.1e}"


def reduce_map(attr, how):
    a = attr.detach()[0].double().numpy()
    m = np.abs(a).max(0) if how == "abs-max" else np.abs(a.sum(0))
    return m / m.max() if m.max() > 0 else m


HOW = {"gradient": ("Saliency", "abs-max", {"abs": True}),
       "inputxgradient": ("InputXGradient", "abs-sum", {}),
       "integratedgradients": ("IntegratedGradients", "abs-sum", {"n_steps": 50, "method": "gausslegendre", "internal_batch_size": 16})}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--models", default="resnet50")
    p.add_argument("--methods", default="gradient,integratedgradients")
    args = p.parse_args()
    torch.set_num_threads(2)
    attr, why = reference_code.captum_attr()
    if attr is None:
        sys.exit(f"captum is missing: {why}")
    print("maps ÷ their max; each cell: max |difference| over pixels / relative L2 error ‖a − b‖/‖b‖")
    print(f"{'model':14} {'method':20} {'EH vs f64':>20} {'Captum f32 vs f64':>20} {'EH vs Captum f32':>20}")
    for arch in args.models.split(","):
        x32 = torch.from_numpy(np.load(os.path.join(args.dir, f"input_{arch}.npy")))
        m32 = gen_models.build_model(arch).eval()
        m64 = gen_models.build_model(arch).eval().double()
        with torch.no_grad():
            target = int(m32(x32).argmax(1))
        for name in args.methods.split(","):
            eh_path = os.path.join(args.dir, f"{arch}__{name}.npy")
            if not os.path.exists(eh_path):
                print(f"{arch:14} {name:20} (no EvalHarness map in {args.dir})")
                continue
            eh = np.load(eh_path).astype(np.float64)
            cls, how, kw = HOW[name]
            extra = dict(kw)
            if name == "integratedgradients":
                extra["baselines"] = torch.zeros_like(x32)
            c32 = reduce_map(getattr(attr, cls)(m32).attribute(x32, target=target, **extra), how)
            if name == "integratedgradients":
                extra["baselines"] = torch.zeros_like(x32.double())
            c64 = reduce_map(getattr(attr, cls)(m64).attribute(x32.double(), target=target, **extra), how)
            print(f"{arch:14} {name:20} {cell(eh, c64):>20} {cell(c32, c64):>20} {cell(eh, c32):>20}")


if __name__ == "__main__":
    main()
