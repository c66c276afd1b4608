#!/usr/bin/env bash
# Times EvalHarness against PyTorch 1.13 on whole networks at 224x224 and prints a markdown table.
#
# Each row (model x mode x batch) runs as a PyTorch process (bench/pytorch_reference.py) and then an
# EvalHarness process (EvalHarness.Benchmarks --models-quick), back to back, so that load from other
# work on the machine hits both alike; the pair is repeated --reps times (rows take turns) and the
# table shows the median of the per-pair ratios. Absolute times depend on the machine's load and
# clock; the ratios are what this measures.
#
# PyTorch runs with OMP_WAIT_POLICY=PASSIVE by default: its OpenMP workers then block when idle, as
# EvalHarness's do. With the default (spinning) policy PyTorch slows down several-fold whenever another
# process wants a core, which would flatter EvalHarness on a shared machine (--omp-wait-policy default
# restores it).
#
# Usage: bench/compare.sh [--reps 3] [--models vgg16,resnet50,squeezenet1_0] [--batches 1,16]
#                         [--modes forward,forward+input-grad] [--min-seconds 2] [--threads 2]
#                         [--omp-wait-policy PASSIVE|ACTIVE|default] [--no-build] [--out results.jsonl]
#                         [--dll path/to/EvalHarness.Benchmarks.dll (a copied build; implies --no-build)]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python=/usr/bin/python3
reps=3
models=vgg16,resnet50,squeezenet1_0
batches=1,16
modes=forward,forward+input-grad
min_seconds=2
threads=2
omp_policy=PASSIVE
build=1
out=""
dll=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --reps) reps="$2"; shift 2 ;;
        --models) models="$2"; shift 2 ;;
        --batches) batches="$2"; shift 2 ;;
        --modes) modes="$2"; shift 2 ;;
        --min-seconds) min_seconds="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --omp-wait-policy) omp_policy="$2"; shift 2 ;;
        --no-build) build=0; shift ;;
        --out) out="$2"; shift 2 ;;
        --dll) dll="$2"; build=0; shift 2 ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

project="$here/EvalHarness.Benchmarks"
dll="${dll:-$project/bin/Release/net10.0/EvalHarness.Benchmarks.dll}"
if [[ $build -eq 1 ]]; then
    dotnet build "$project" -c Release -nologo -v quiet >&2
fi
[[ -f "$dll" ]] || { echo "missing $dll (build it or drop --no-build)" >&2; exit 1; }

results="${out:-$(mktemp /tmp/evalharness-compare.XXXXXX.jsonl)}"
: > "$results"
echo "# raw rows: $results" >&2

IFS=, read -r -a model_list <<< "$models"
IFS=, read -r -a mode_list <<< "$modes"
IFS=, read -r -a batch_list <<< "$batches"

for ((rep = 1; rep <= reps; rep++)); do
    for model in "${model_list[@]}"; do
        for mode in "${mode_list[@]}"; do
            for batch in "${batch_list[@]}"; do
                echo "# rep $rep/$reps: $model $mode batch $batch" >&2
                common=(--models "$model" --modes "$mode" --batches "$batch" --min-seconds "$min_seconds")
                if [[ "$omp_policy" == default ]]; then
                    env -u OMP_WAIT_POLICY "$python" "$here/pytorch_reference.py" "${common[@]}" --threads "$threads" \
                        | sed "s/^{/{\"rep\": $rep, /" >> "$results"
                else
                    OMP_WAIT_POLICY="$omp_policy" "$python" "$here/pytorch_reference.py" "${common[@]}" --threads "$threads" \
                        | sed "s/^{/{\"rep\": $rep, /" >> "$results"
                fi
                dotnet "$dll" --models-quick "${common[@]}" --threads "$threads" \
                    | sed "s/^{/{\"rep\": $rep, /" >> "$results"
            done
        done
    done
done

"$python" - "$results" "$omp_policy" <<'PY'
import json, statistics, sys
from collections import defaultdict

path, policy = sys.argv[1], sys.argv[2]
rows = [json.loads(line) for line in open(path) if line.startswith("{")]
by = defaultdict(dict)  # (model, mode, batch) -> rep -> {"torch": row, "ours": row}
order = []
for r in rows:
    key = (r["model"], r["mode"], r["batch"])
    if key not in order:
        order.append(key)
    side = "torch" if r["engine"].startswith("pytorch") else "ours"
    by[key].setdefault(r["rep"], {})[side] = r

peak_lo, peak_hi = 256.0, 316.0
engine = next((r["engine"] for r in rows if not r["engine"].startswith("pytorch")), "evalharness")
print(f"EvalHarness ({engine}) vs PyTorch 1.13, 224x224, 2 threads each, PyTorch OMP_WAIT_POLICY={policy}.")
print("Each pair ran back to back on a shared, busy machine: the ratios are meaningful, the absolute times are not")
print("(they move with the load and the 2.5-3 GHz clock). ratio = EvalHarness / PyTorch, median over the pairs;")
print("GFLOP/s counts the direct convolution and linear FLOPs (forward+input-grad: twice the forward) over")
print("EvalHarness's median time, so Winograd layers show as an effective rate; % of the 256-316 GFLOP/s fp32 peak.")
print()
print("| model | mode | batch | PyTorch ms/img | EvalHarness ms/img | ratio | ratios (each pair) | GFLOP/s | % of peak |")
print("|---|---|---|---|---|---|---|---|---|")
for key in order:
    pairs = [p for _, p in sorted(by[key].items()) if "torch" in p and "ours" in p]
    if not pairs:
        continue
    ratios = [p["ours"]["ms_per_image"] / p["torch"]["ms_per_image"] for p in pairs]
    torch_ms = statistics.median(p["torch"]["ms_per_image"] for p in pairs)
    ours_ms = statistics.median(p["ours"]["ms_per_image"] for p in pairs)
    gflop = pairs[0]["ours"]["gflop_per_image"]
    rate = gflop / (ours_ms / 1000.0)
    model, mode, batch = key
    print(f"| {model} | {mode} | {batch} | {torch_ms:.1f} | {ours_ms:.1f} | **{statistics.median(ratios):.2f}** | "
          f"{', '.join(f'{x:.2f}' for x in ratios)} | {rate:.0f} | {100 * rate / peak_hi:.0f}-{100 * rate / peak_lo:.0f}% |")
print()
for key in order:
    pairs = [p for _, p in sorted(by[key].items()) if "torch" in p and "ours" in p]
    if key[0] == "vgg16" and key[1] == "forward+input-grad" and pairs:
        ours = max(p["ours"]["peak_working_set_mb"] for p in pairs)
        theirs = max(p["torch"].get("peak_rss_mb", float("nan")) for p in pairs)
        print(f"Peak memory, vgg16 {key[1]} batch {key[2]} (whole process): EvalHarness {ours:.0f} MB working set, "
              f"PyTorch {theirs:.0f} MB resident.")
PY
