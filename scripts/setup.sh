#!/usr/bin/env bash
# Set-up on a fresh Debian 12 machine: packages, the generated model zoo, a Release build in build/.
# Usage: scripts/setup.sh [build|test]   (which package profile to install; default build)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
profile="${1:-build}"

"$root/scripts/install-deps.sh" "$profile"
# Debian's python3 has torch; a pyenv `python3` earlier on PATH would not.
/usr/bin/python3 "$root/scripts/make_models.py" --out "$root/models"
# The ONNX Runtime runner's Node packages, exactly as locked; --ignore-scripts: onnxruntime-node's install script
# downloads CUDA parts from a host that is not reachable, and the CPU library it needs ships in the package.
if [ ! -d "$root/src/runners/onnxruntime/node_modules/onnxruntime-node" ]; then
  (cd "$root/src/runners/onnxruntime" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
# The browser tests' driver, playwright-core, exactly as locked (the browser is Debian's Chromium).
if [ "$profile" = test ] && [ ! -d "$root/tests/browser/node_modules/playwright-core" ]; then
  (cd "$root/tests/browser" && npm ci --no-audit --no-fund --loglevel=error)
fi
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" -j "$(nproc)"
