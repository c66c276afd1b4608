#!/usr/bin/env bash
# Times EvalHarness's saliency methods (and, with --causal, deletion+insertion) against the reference
# implementations in the same run, back to back per model and round, and prints one table with the
# ratio (reference ms / EvalHarness ms, per round) and the max map difference of each row.
#
# Usage: bench/compare-methods.sh [--models vgg16,resnet50,squeezenet1_0] [--only gradcam,scorecam]
#                                 [--rounds 2] [--min-seconds 3] [--rise-masks 500] [--causal] [--out DIR]
# The reference packages must be on PYTHONPATH (bench/README.md); missing ones are named in the table.
set -euo pipefail
cd "$(dirname "$0")/.."

models=vgg16,resnet50,squeezenet1_0; only=""; rounds=2; min_seconds=3; rise_masks=500; causal=0; out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --models) models=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --min-seconds) min_seconds=$2; shift 2 ;;
    --rise-masks) rise_masks=$2; shift 2 ;;
    --causal) causal=1; shift ;;
    --out) out=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
out=${out:-$(mktemp -d /tmp/evalharness-methods.XXXXXX)}
mkdir -p "$out"
py=${PYTHON:-/usr/bin/python3}

dotnet build bench/EvalHarness.Benchmarks -c Release -v q -nologo >/dev/null
bin=bench/EvalHarness.Benchmarks/bin/Release/net10.0/EvalHarness.Benchmarks.dll
common=(--min-seconds "$min_seconds" --rise-masks "$rise_masks")
[ -n "$only" ] && common+=(--only "$only")

echo "# results in $out; load at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
for ((r = 1; r <= rounds; r++)); do
  for m in ${models//,/ }; do
    echo "# round $r, $m: EvalHarness, then reference (load $(cut -d' ' -f1 /proc/loadavg))"
    dotnet "$bin" --methods --out "$out" --models "$m" "${common[@]}" > /dev/null
    "$py" bench/reference_methods.py --dir "$out" --models "$m" --threads 2 "${common[@]}" > /dev/null
  done
  if [ "$causal" = 1 ]; then
    echo "# round $r, deletion+insertion on resnet50 (load $(cut -d' ' -f1 /proc/loadavg))"
    dotnet "$bin" --methods --causal --out "$out" --min-seconds "$min_seconds" > /dev/null
    "$py" bench/reference_methods.py --dir "$out" --causal --threads 2 --min-seconds "$min_seconds" > /dev/null 2>&1
  fi
done
echo "# load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
"$py" bench/reference_methods.py --table "$out"
