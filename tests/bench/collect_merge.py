#!/usr/bin/env python3
"""The plain merge dli_collect_bench compares `dli-integrator collect` with (docs/benchmarks.md).

What a lab would write without dli: read every result JSON of a run in a file:// store, write one CSV line per
result with the columns of dli's results.csv (docs/results-csv.md) that a result alone can fill. json and csv
modules only, one file after the other.

usage: collect_merge.py STORE_ROOT RUN_ID OUT_CSV
"""
import csv
import json
import os
import sys


def ms(value):
    return "" if value is None else f"{value * 1000:.3f}"


def row_of(result):
    spec = result["spec"]
    m = result.get("measurement") or {}
    request = m.get("request", {})
    throughput = m.get("throughput", {})
    verdict = m.get("verdict", {})
    env = result.get("environment") or {}
    histogram = " ".join(f"{index}:{count}" for index, count in m.get("histogram", {}).get("buckets", []))
    streams = m.get("streams", [])
    return [
        result["status"], spec["id"], spec["model"]["name"], spec["model"]["format"], spec["framework"],
        result.get("framework_version", ""), "x".join(str(d) for d in spec["model"]["input_shape"]),
        spec["model"]["precision"], spec["batch"], spec["mode"], spec["threads"], spec["requests"],
        ";".join(f"{k}={v}" for k, v in sorted(spec["params"].items())), spec["host"],
        ms(throughput.get("avg_pass_s")), ms(throughput.get("latency_s")),
        "" if not m else f"{throughput['fps']:.2f}",
        ms(request.get("p90_s")), ms(request.get("p95_s")), ms(request.get("p99_s")), ms(request.get("min_s")),
        ms(request.get("max_s")), ms(request.get("mean_s")), ms(request.get("stddev_s")),
        m.get("iterations", ""), m.get("warmup_iterations", ""),
        "" if not m else f"{m['wall_s']:.3f}", "" if not m else f"{m['load_s']:.3f}",
        ms(m.get("first_inference_s")), m.get("peak_rss_kb", ""),
        result["started_at"], result["finished_at"], result["reason"], spec["device"], spec["dataset"]["name"],
        ";".join(f"{k}={v}" for k, v in sorted(result["details"].items())),
        ms(request.get("p999_s")), "" if not m else f"{request['cv']:.4f}",
        "" if not m else ("VALID" if verdict["valid"] else "INVALID"), ";".join(verdict.get("reasons", [])),
        m.get("stop_reason", ""), m.get("latency_percentile", ""), histogram,
        "; ".join(env.get("warnings", [])), env.get("other_cpu_share", ""), env.get("load_1m", ""),
        env.get("governor", ""), env.get("build_type", ""), spec["model"].get("macs", ""),
        ";".join(str(t) for t in m.get("stream_threads", [])),
        ";".join(ms(s["median_s"]) for s in streams), ";".join(verdict.get("notes", [])),
    ]


HEADER = [
    "status", "task", "model", "format", "framework", "framework_version", "input_shape", "precision", "batch",
    "mode", "threads", "requests", "parameters", "host", "avg_pass_ms", "latency_ms", "fps", "p90_ms", "p95_ms",
    "p99_ms", "min_ms", "max_ms", "mean_ms", "stddev_ms", "iterations", "warmup_iterations", "wall_s", "load_s",
    "first_inference_ms", "peak_rss_kb", "started_at", "finished_at", "error", "device", "dataset", "details",
    "p999_ms", "cv", "verdict", "verdict_reasons", "stop_reason", "latency_percentile", "histogram", "warnings",
    "other_cpu_share", "load_1m", "governor", "build_type", "macs", "stream_threads", "stream_medians_ms",
    "verdict_notes",
]


def main():
    store, run, out = sys.argv[1:4]
    hosts = os.path.join(store, "runs", run, "hosts")
    with open(out, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        for host in sorted(os.listdir(hosts)):
            folder = os.path.join(hosts, host, "results")
            for name in sorted(os.listdir(folder)):
                if name.endswith(".json"):
                    with open(os.path.join(folder, name)) as result:
                        writer.writerow(row_of(json.load(result)))


if __name__ == "__main__":
    main()
