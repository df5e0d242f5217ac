#!/usr/bin/env bash
# First command of the README: set up, then run the quickstart sweep on this machine (local host, file:// store).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh" build
cd "$root"
status=0
./build/dli-integrator run configs/quickstart.yaml --out dli-out/quickstart || status=$?
echo
echo "Open dli-out/quickstart/results.html in a browser; the CSV is beside it."
exit "$status"
