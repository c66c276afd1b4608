#!/usr/bin/env pwsh
# Runs every config given (default: configs/*.yaml that have a dataset: section) through
# `evalharness run-all`; the logic lives in the CLI, so machines without PowerShell run
#   bash scripts/evalharness.sh run-all [configs...] [--limit N] [--quiet]
# Examples:
#   ./run-all.ps1
#   ./run-all.ps1 configs/quickstart.yaml configs/shared-squeezenet.yaml --limit 20 --quiet
$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
if ($IsLinux -and (Test-Path "$root/scripts/setup.sh")) { bash "$root/scripts/setup.sh"; if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE } }
dotnet build "$root/src/EvalHarness.Cli" -c Release -v quiet -nologo "-clp:NoSummary;ErrorsOnly" | Out-Host
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
Push-Location $root
try {
    dotnet "$root/src/EvalHarness.Cli/bin/Release/net10.0/evalharness.dll" run-all @args
    exit $LASTEXITCODE
}
finally {
    Pop-Location
}
