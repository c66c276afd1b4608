#!/usr/bin/env bash
# Runs the EvalHarness CLI from source: installs what it needs, builds it (Release) once, then runs it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/setup.sh"
dotnet build "$root/src/EvalHarness.Cli" -c Release -v quiet -nologo "-clp:NoSummary;ErrorsOnly" >&2
exec dotnet "$root/src/EvalHarness.Cli/bin/Release/net10.0/evalharness.dll" "$@"
