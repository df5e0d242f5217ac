#!/usr/bin/env bash
# The site the browser tests open (site.test.mjs): two nights of a small real sweep on this machine (the digits CNN
# under OpenCV DNN, two batch sizes and two thread counts, so the page has plots and a trend), plus a launcher whose
# parameter and failure carry markup a page must show as text, recorded in a history and published.
# Usage: make_site.sh DLI_INTEGRATOR MODELS_DIR WORK_DIR
set -euo pipefail
integrator="$1" models="$2" work="$3"
rm -rf "$work"
mkdir -p "$work"
cat > "$work/fleet.yaml" <<FLEET
hosts:
  - {name: local, kind: local, work_dir: $work/agent}
FLEET
cat > "$work/sweep.yaml" <<'SWEEP'
name: browser-site
fleet: fleet.yaml
models:
  - {name: digits, file: MODELS/digits_cnn.onnx, format: onnx, input_shape: [1, 8, 8]}
launchers:
  - opencv-dnn
  - framework: command
    params:
      command: "echo '<img src=x onerror=window.__pwned=1>' >&2; exit 3"
batch_sizes: [1, 2]
modes: [sync]
threads: [1, 2]
measure: {iterations: 40, min_seconds: 0.05, warmup_iterations: 3, max_cv: 0, max_busy_share: 0, timeout_seconds: 60}
SWEEP
sed -i "s#MODELS#$models#" "$work/sweep.yaml"
for night in 1 2; do
  status=0
  "$integrator" run "$work/sweep.yaml" --store "file://$work/store" --out "$work/out/$night" \
    --history "$work/history.sqlite" --no-progress >"$work/run-$night.log" 2>&1 || status=$?
  # 1: the hostile launcher's tests fail, as they must; anything else is a broken fixture.
  if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
    cat "$work/run-$night.log" >&2
    exit "$status"
  fi
done
"$integrator" publish "$work/site" --history "$work/history.sqlite" --title "dli browser test"
