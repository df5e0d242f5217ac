#!/usr/bin/env bash
# First command of the README: set up, then run the quickstart sweep on this machine (local host, file:// store).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh" build
cd "$root"
status=0
./build/dli-integrator run configs/quickstart.yaml --out dli-out/quickstart || status=$?
# Every run goes into dli-out/history.sqlite; the site shows them all, with trends from the second run on.
./build/dli-integrator publish dli-out/site --history dli-out/history.sqlite || status=$?
mobilenet_8_cameras() {
  ./build/dli-integrator advise "$(ls dli-store/runs | grep -e "-quickstart" | sort | tail -1)" --model mobilenet_v2 --streams 8 --fps 10 \
    --p99-ms 200 --store "file://$root/dli-store" || true
}
echo
echo "The seed's question, answered from this run: 8 cameras at 10 frames/s, each frame within 200 ms:"
mobilenet_8_cameras
echo
echo "Open dli-out/quickstart/results.html in a browser (the CSV is beside it), or the site: dli-out/site/index.html"
exit "$status"
