#!/usr/bin/env bash
# Installs what EvalHarness needs on a Debian machine (idempotent; quick when all is present):
# native libraries it calls (OpenBLAS, libjpeg-turbo); with EVALHARNESS_TEST_TOOLS=1 what the tests
# use besides (Chromium, PIL); with EVALHARNESS_FIXTURE_TOOLS=1, PyTorch for the fixture generators.
set -euo pipefail
need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in libopenblas0-pthread libturbojpeg0; do have "$pkg" || need+=("$pkg"); done
if [ "${EVALHARNESS_FIXTURE_TOOLS:-0}" = "1" ]; then
  for pkg in python3-torch python3-torchvision python3-pil python3-numpy; do have "$pkg" || need+=("$pkg"); done
fi
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK (dotnet) is required and was not found on PATH" >&2; exit 1; }
# The test suite also opens report.html in headless Chromium and cross-checks PNGs with PIL; those
# tests skip with a message when the packages are missing, so their installation is best-effort.
if [ "${EVALHARNESS_TEST_TOOLS:-0}" = "1" ]; then
  optional=()
  for pkg in chromium python3-pil; do have "$pkg" || optional+=("$pkg"); done
  if [ ${#optional[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "setup: installing ${optional[*]} (for the report tests)" >&2
    { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${optional[@]}" >/dev/null; } ||
      echo "setup: could not install ${optional[*]}; the tests that need them will skip" >&2
  fi
fi
