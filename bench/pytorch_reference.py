#!/usr/bin/env python3
"""Times the PyTorch reference for EvalHarness's engine benchmarks (Debian python3-torch 1.13, CPU).

Rows: model x {forward, forward+input-backward} x batch, at 224x224, with random weights (timings do
not depend on the values). Prints one JSON object per row on stdout:
{"model": ..., "mode": "forward"|"forward+input-grad", "batch": B, "ms_per_image": ..., "runs": R,
 "peak_rss_mb": the process's peak resident set so far (run one row per process to attribute it)}

Usage: /usr/bin/python3 bench/pytorch_reference.py [--threads 2] [--models vgg16,resnet50,squeezenet1_0]
                                                   [--batches 1,16] [--min-seconds 3]
"""
import argparse
import json
import os
import resource
import time

import torch
import torchvision


def time_row(model, batch, mode, min_seconds):
    x = torch.randn(batch, 3, 224, 224)

    def once():
        if mode == "forward":
            with torch.no_grad():
                model(x)
        else:
            xi = x.clone().requires_grad_(True)
            y = model(xi)
            y[torch.arange(batch), y.argmax(1)].sum().backward()

    once()  # warm-up (allocations, oneDNN primitive caches)
    once()
    runs, start = 0, time.perf_counter()
    while True:
        once()
        runs += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds and runs >= 3:
            break
    return elapsed / runs / batch * 1000.0, runs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--models", default="vgg16,resnet50,squeezenet1_0")
    ap.add_argument("--batches", default="1,16")
    ap.add_argument("--modes", default="forward,forward+input-grad")
    ap.add_argument("--min-seconds", type=float, default=3.0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    for name in args.models.split(","):
        model = getattr(torchvision.models, name)(weights=None).eval()
        for p in model.parameters():
            p.requires_grad_(False)
        for mode in args.modes.split(","):
            for batch in [int(b) for b in args.batches.split(",")]:
                ms, runs = time_row(model, batch, mode, args.min_seconds)
                print(json.dumps({"engine": "pytorch-" + torch.__version__, "model": name, "mode": mode,
                                  "batch": batch, "ms_per_image": round(ms, 3), "runs": runs,
                                  "threads": args.threads,
                                  "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default"),
                                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}),
                      flush=True)


if __name__ == "__main__":
    main()
