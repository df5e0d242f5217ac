#!/usr/bin/env bash
# Set-up on a fresh Debian 12 machine: packages, the generated model zoo, a Release build in build/.
# Usage: scripts/setup.sh [build|test]   (which package profile to install; default build)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
profile="${1:-build}"

"$root/scripts/install-deps.sh" "$profile"
# Debian's python3 has torch; a pyenv `python3` earlier on PATH would not.
/usr/bin/python3 "$root/scripts/make_models.py" --out "$root/models"
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" -j "$(nproc)"
