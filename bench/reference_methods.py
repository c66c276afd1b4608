#!/usr/bin/env python3
"""Times the published reference implementations of EvalHarness's saliency methods and of the RISE
deletion/insertion metric on the input EvalHarness's `--methods` benchmark wrote, and compares maps.

The references are imported from PYTHONPATH when present (see bench/README.md); a missing one is
reported on its rows ("missing: ..."), never downloaded:
  pytorch-grad-cam   gradcam, gradcam++, xgradcam, layercam, ablationcam, scorecam
  LIFT-CAM code      liftcam (vgg16 and resnet50: the authors' Model_Part has no other head)
  Captum             gradient (Saliency), inputxgradient, integratedgradients, guidedbackprop,
                     deconvnet (Deconvolution), lrp (LRP, default ε rules; vgg16 only)
  RISE code          rise (explanations.RISE, same N, s = 7, p = 0.5; its own random masks, so the
                     maps are not compared), and with --causal: evaluation.CausalMetric.single_run

Models: torchvision with eh-init-v1 weights (seed 0; tests/fixtures/gen_models.py), the same as the C#
side; the input is DIR/input_<model>.npy. Each row: one JSON line on stdout and in DIR/reference.jsonl
with ms per image (median of runs after a warm-up) and max |map − EvalHarness map|.

Usage: /usr/bin/python3 bench/reference_methods.py --dir DIR [--models vgg16,resnet50,squeezenet1_0]
           [--only m1,m2] [--min-seconds 3] [--rise-masks 500] [--threads 2] [--causal]
       /usr/bin/python3 bench/reference_methods.py --table DIR
"""
import argparse
import json
import math
import os
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "fixtures"))
import gen_models  # noqa: E402  (eh-init-v1 torchvision models)
import reference_code  # noqa: E402

PGC = {"gradcam": "GradCAM", "gradcam++": "GradCAMPlusPlus", "xgradcam": "XGradCAM", "layercam": "LayerCAM",
       "ablationcam": "AblationCAM", "scorecam": "ScoreCAM"}
CAPTUM = {"gradient": ("Saliency", "abs-max"), "inputxgradient": ("InputXGradient", "abs-sum"),
          "integratedgradients": ("IntegratedGradients", "abs-sum"), "guidedbackprop": ("GuidedBackprop", "abs-max"),
          "deconvnet": ("Deconvolution", "abs-max"), "lrp": ("LRP", "abs-sum")}
ORDER = list(PGC) + ["liftcam"] + list(CAPTUM) + ["rise"]
REFERENCE_NAME = {**{m: "pytorch-grad-cam" for m in PGC}, "liftcam": "LIFT-CAM code",
                  **{m: "captum" for m in CAPTUM}, "rise": "RISE code"}


def layer_of(arch, model):
    return {"vgg16": lambda: model.features[29], "resnet50": lambda: model.layer4,
            "squeezenet1_0": lambda: model.features[12]}[arch]()


def reduce_map(attr, how):
    a = attr.detach()[0].numpy().astype(np.float32)
    m = np.abs(a).max(0) if how == "abs-max" else np.abs(a.sum(0))
    top = m.max()
    return m / top if top > 0 else m


def reference_for(name, arch, model, x, target, rise_masks):
    """(callable returning the H×W map or None, reason when missing)."""
    if name in PGC:
        pgc, why = reference_code.grad_cam()
        if pgc is None:
            return None, why
        from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
        cam = getattr(pgc, PGC[name])(model=model, target_layers=[layer_of(arch, model)])
        targets = [ClassifierOutputTarget(target)]
        return (lambda: cam(input_tensor=x, targets=targets)[0]), None
    if name == "liftcam":
        lift, why = reference_code.lift_cam()
        if lift is None:
            return None, why
        if arch not in ("vgg16", "resnet50"):
            return None, "the LIFT-CAM code supports vgg16 and resnet50 only"
        explain = lift.CAM_Explanation(model, "LIFT-CAM")
        return (lambda: explain(x, target, (x.shape[3], x.shape[2]))[0, 0].numpy()), None
    if name in CAPTUM:
        attr, why = reference_code.captum_attr()
        if attr is None:
            return None, why
        cls, how = CAPTUM[name]
        if name == "lrp" and arch != "vgg16":
            return None, "captum's LRP has no rule for residual additions / concatenations"
        method = getattr(attr, cls)(model)
        kwargs = {"target": target}
        if name == "gradient":
            kwargs["abs"] = True
        if name == "integratedgradients":
            kwargs.update(baselines=torch.zeros_like(x), n_steps=50, method="gausslegendre", internal_batch_size=16)
        return (lambda: reduce_map(method.attribute(x, **kwargs), how)), None
    if name == "rise":
        rise, why = reference_code.rise("explanations")
        if rise is None:
            return None, why
        prob = nn.Sequential(model, nn.Softmax(dim=1)).eval()
        explainer = rise.RISE(prob, (x.shape[2], x.shape[3]), gpu_batch=16)
        with tempfile.TemporaryDirectory() as tmp:
            np.random.seed(0)
            explainer.generate_masks(N=rise_masks, s=7, p1=0.5, savepath=os.path.join(tmp, "masks.npy"))

        def run():
            with torch.no_grad():
                return explainer(x)[target].numpy()
        return run, None
    return None, f"no reference for {name}"


def timed(fn, min_seconds):
    """Median ms after warm-up calls (as MethodBench.Time: until 5 calls and 2 s when a call takes under 2 s, else one;
    a call over 20 s is timed once, without warm-up); spread = (max − min)/median; the fastest call in last_best_ms."""
    cpu_start = time.process_time()
    t0 = time.perf_counter()
    out = fn()
    first = (time.perf_counter() - t0) * 1000
    calls = 1
    while first < 2000 and (calls < 5 or time.perf_counter() - t0 < 2.0):
        out = fn()
        calls += 1
    times = [first] if first > 20000 else []
    start = time.perf_counter()
    cpu0 = cpu_start if times else time.process_time()
    while first <= 20000 and (not times or (time.perf_counter() - start < min_seconds and len(times) < 50) or (len(times) < 3 and first < 5000)):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    global last_cpu_ms
    last_cpu_ms = (time.process_time() - cpu0) * 1000 / len(times)
    times.sort()
    med = times[len(times) // 2]
    global last_best_ms
    last_best_ms = times[0]
    return out, med, len(times), (times[-1] - times[0]) / med


last_cpu_ms = 0.0   # process CPU ms per call of the last timed() (all threads)
last_best_ms = 0.0  # the fastest call of the last timed(): other work only ever slows a call


def emit(path, row):
    line = json.dumps(row)
    print(line, flush=True)
    with open(path, "a") as f:
        f.write(line + "\n")


def methods(args):
    log = os.path.join(args.dir, "reference.jsonl")
    only = set(filter(None, args.only.split(",")))
    for arch in args.models.split(","):
        model = gen_models.build_model(arch)
        x = torch.from_numpy(np.load(os.path.join(args.dir, f"input_{arch}.npy")))
        with torch.no_grad():
            target = int(model(x).argmax(1))
        for name in ORDER:
            if only and name not in only:
                continue
            fn, why = reference_for(name, arch, model, x, target, args.rise_masks)
            row = {"engine": REFERENCE_NAME[name], "model": arch, "method": name, "target": target}
            if fn is None:
                emit(log, {**row, "missing": why})
                continue
            ref_map, ms, runs, spread = timed(fn, args.min_seconds)
            row.update(ms_per_image=round(ms, 2), best_ms=round(last_best_ms, 2), cpu_ms=round(last_cpu_ms, 1), runs=runs,
                       spread=round(spread, 3))
            eh = os.path.join(args.dir, f"{arch}__{name}.npy")
            if name == "rise":
                row["max_diff"] = "n/a (independent random masks)"
            elif os.path.exists(eh):
                row["max_diff"] = float(np.abs(np.load(eh).astype(np.float64) - np.asarray(ref_map, dtype=np.float64)).max())
            emit(log, row)


def causal(args):
    """Deletion + insertion of one 224×224 image on resnet50 with the RISE code's CausalMetric.single_run."""
    log = os.path.join(args.dir, "reference.jsonl")
    ev, why = reference_code.rise("evaluation")
    row = {"engine": "RISE code", "model": "resnet50", "method": "deletion+insertion"}
    if ev is None:
        emit(log, {**row, "missing": why})
        return
    model = gen_models.build_model("resnet50")
    for p in model.parameters():
        p.requires_grad_(False)
    # As MethodBench.Causal: fc scaled by 2^-8 (exact) so that the softmax scores are not all 1.0.
    model.fc.weight.mul_(1 / 256)
    model.fc.bias.mul_(1 / 256)
    prob = nn.Sequential(model, nn.Softmax(dim=1)).eval()
    x = torch.from_numpy(np.load(os.path.join(args.dir, "input_resnet50.npy")))
    sal = np.load(os.path.join(args.dir, "causal_map.npy"))
    kern = ev.gkern(11, 5)
    blur = lambda t: nn.functional.conv2d(t, kern, padding=11 // 2)  # noqa: E731  (RISE Evaluation.ipynb)
    deletion = ev.CausalMetric(prob, "del", 224, substrate_fn=torch.zeros_like)
    insertion = ev.CausalMetric(prob, "ins", 224, substrate_fn=blur)

    def run():
        with torch.no_grad():
            return deletion.single_run(x.clone(), sal), insertion.single_run(x.clone(), sal)
    d, i = run()  # warm-up
    # The same number of forward passes, batched (16), in PyTorch, for scale.
    passes = len(d) + len(i)

    def forward_only():
        with torch.no_grad():
            for s in range(0, passes, 16):
                prob(x.expand(min(16, passes - s), -1, -1, -1).contiguous())
    forward_only()  # warm-up

    def once(fn):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        return out, (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
    # As MethodBench.Causal: the metric and the plain forward passes alternate, so that drift falls on both alike.
    rounds = max(2, math.ceil(args.min_seconds / 10))
    times, cpus, ftimes = [], [], []
    for _ in range(rounds):
        (d, i), ms, c = once(run)
        times.append(ms)
        cpus.append(c)
        ftimes.append(once(forward_only)[1])
    ms, cpu, fms, runs = float(np.median(times)), float(np.median(cpus)), float(np.median(ftimes)), rounds
    spread = (max(times) - min(times)) / ms
    row.update(ms_per_image=round(ms, 1), cpu_ms=round(cpu, 1), runs=runs, spread=round(spread, 3), forward_passes=passes,
               torch_batched_forward_ms=round(fms, 1), deletion_auc=float(ev.auc(d)), insertion_auc=float(ev.auc(i)))
    eh_path = os.path.join(args.dir, "causal_evalharness.json")
    if os.path.exists(eh_path):
        eh = json.load(open(eh_path))
        row["max_diff"] = float(max(np.abs(np.array(eh["deletion_scores"]) - d).max(),
                                    np.abs(np.array(eh["insertion_scores"]) - i).max()))
    emit(log, row)


def table(folder):
    """Joins DIR/evalharness.jsonl and DIR/reference.jsonl (medians over repeated rounds) into a table."""
    def rows(name):
        path = os.path.join(folder, name)
        return [json.loads(line) for line in open(path)] if os.path.exists(path) else []
    eh, ref = {}, {}
    for r in rows("evalharness.jsonl"):
        eh.setdefault((r["model"], r["method"]), []).append(r)
    for r in rows("reference.jsonl"):
        ref.setdefault((r["model"], r["method"]), []).append(r)
    print(f"{'model':14} {'method':20} {'EvalHarness ms':>15} {'reference ms':>13} {'ratio':>14} {'best-call ratio':>15} {'CPU-time ratio':>15} {'max diff':>10}  reference")
    for key in sorted(set(eh) | set(ref), key=lambda k: (k[0], ORDER.index(k[1]) if k[1] in ORDER else 99)):
        e, r = eh.get(key, []), ref.get(key, [])
        ems = [x["ms_per_image"] for x in e]
        rms = [x["ms_per_image"] for x in r if "ms_per_image" in x]
        ratios = [b / a for a, b in zip(ems, rms)]   # per round: both sides measured back to back
        ratio = f"{np.median(ratios):.2f}×" + (f" [{min(ratios):.2f}-{max(ratios):.2f}]" if len(ratios) > 1 else "") if ratios else "-"
        cpu_ratios = [b["cpu_ms"] / a["cpu_ms"] for a, b in zip(e, [x for x in r if "ms_per_image" in x])
                      if a.get("cpu_ms") and b.get("cpu_ms")]
        cpu_ratio = f"{np.median(cpu_ratios):.2f}×" if cpu_ratios else "-"
        best_ratios = [b["best_ms"] / a["best_ms"] for a, b in zip(e, [x for x in r if "ms_per_image" in x])
                       if a.get("best_ms") and b.get("best_ms")]
        best_ratio = (f"{np.median(best_ratios):.2f}×" + (f" [{min(best_ratios):.2f}-{max(best_ratios):.2f}]" if len(best_ratios) > 1 else "")
                      if best_ratios else "-")
        diff = r[-1].get("max_diff", "") if r else ""
        diff = f"{diff:.1e}" if isinstance(diff, float) else ("n/a" if diff else "")
        note = r[-1].get("missing", r[-1].get("engine", "")) if r else "no reference row"
        print(f"{key[0]:14} {key[1]:20} {np.median(ems) if ems else float('nan'):15.1f} "
              f"{np.median(rms) if rms else float('nan'):13.1f} {ratio:>14} {best_ratio:>15} {cpu_ratio:>15} {diff:>10}  {note}")
        if key[1] == "deletion+insertion" and e:
            cpu = (f", CPU time {e[-1]['cpu_ms'] / e[-1]['forward_only_cpu_ms']:.3f}" if e[-1].get("forward_only_cpu_ms") else "")
            print(f"{'':35} EvalHarness: {e[-1]['forward_passes']} forward passes batched alone {e[-1]['forward_only_ms']} ms "
                  f"→ metric/forward = {e[-1]['ms_per_image'] / e[-1]['forward_only_ms']:.3f} (wall){cpu}"
                  + (f"; PyTorch batched forward {r[-1].get('torch_batched_forward_ms')} ms" if r else ""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir")
    ap.add_argument("--table")
    ap.add_argument("--models", default="vgg16,resnet50,squeezenet1_0")
    ap.add_argument("--only", default="")
    ap.add_argument("--min-seconds", type=float, default=3.0)
    ap.add_argument("--rise-masks", type=int, default=500)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--causal", action="store_true")
    args = ap.parse_args()
    if args.table:
        table(args.table)
        return
    if not args.dir:
        ap.error("--dir DIR (the folder EvalHarness's --methods run wrote) is required")
    torch.set_num_threads(args.threads)
    if args.causal:
        causal(args)
    else:
        methods(args)


if __name__ == "__main__":
    main()
