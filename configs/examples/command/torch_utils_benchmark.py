#!/usr/bin/python3
"""A `framework: command` adapter around an external timing tool: PyTorch's own torch.utils.benchmark.Timer.

dli-run-command runs this script (docs/command-runner.md); the script loads a TorchScript model, lets
torch.utils.benchmark time it, and writes the runner protocol result (docs/runners.md 3.3) to --result.

What is measured, honestly stated:
- load_s and first_inference_s are timed here (time.perf_counter), outside the tool;
- warm-up: at least --warmup requests and at least --warmup-time seconds, untimed;
- the timed figures are the tool's: Timer.blocked_autorange(min_run_time=...) runs the model in blocks of
  `number_per_run` requests and reports each block's mean. Those per-block means are the "request times" of the
  result (details.timing says so, details.requests_per_block gives the block sizes). The tool grows a block tenfold
  until it takes at least 10,000 times the timer's overhead and a thousandth of --min-time: one request for a
  model of tens of milliseconds, 100 for a 0.1 ms one. blocked_autorange stops on time only, so it is called again
  until there are at least --iterations blocks (details.autorange_calls);
- wall_s is the sum of the timed blocks. The request times go in the result as they are (runner protocol 2); the
  agent computes the statistics, the histogram and the verdict from them (docs/methodology.md).

One stream only: async and accuracy tests are answered `unsupported` (exit code 3).
Run with Debian's /usr/bin/python3 (python3-torch 1.13), or any Python with torch.
"""
import argparse
import json
import os
import resource
import sys
import tempfile
import time

# torch's intra-op pool does the parallel work; a BLAS that starts its own threads inside each op would
# oversubscribe the cores (Debian's torch calls the system BLAS, OpenBLAS when installed).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

EXIT_FAILED = 1
EXIT_UNSUPPORTED = 3
ADAPTER = "torch.utils.benchmark"


def write_result(path, document):
    """Atomically: a temporary file in the same folder, then a rename."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=".result-", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(document, out, indent=2)
        out.write("\n")
    os.replace(temporary, path)


def result(status, reason="", framework_version=ADAPTER, measurement=None, details=None):
    return {
        "runner_protocol": 2,
        "status": status,
        "reason": reason,
        "framework_version": framework_version,
        "measurement": measurement,
        "accuracy": None,
        "details": details or {},
    }


def to_host(output):
    """The output on the host, so a device's request ends when its result is back (docs/methodology.md)."""
    if hasattr(output, "cpu"):
        return output.cpu()
    if isinstance(output, (list, tuple)):
        return [to_host(each) for each in output]
    if isinstance(output, dict):
        return {key: to_host(value) for key, value in output.items()}
    return output


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="TorchScript file ({model})")
    parser.add_argument("--result", required=True, help="where to write the result ({result})")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1, help="intra-op threads")
    parser.add_argument("--shape", default="3,224,224", help="input shape without the batch ({input_shape})")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    parser.add_argument("--mode", default="sync", help="sync only")
    parser.add_argument("--iterations", type=int, default=100, help="at least this many timed samples")
    parser.add_argument("--min-time", type=float, default=1.0, help="and at least this many seconds")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up requests (at least 1)")
    parser.add_argument("--warmup-time", type=float, default=0.0, help="and at least this many seconds")
    return parser.parse_args()


def measure(args):
    if args.mode != "sync":
        return result("unsupported", f"{ADAPTER} times one stream at a time: mode {args.mode} is not supported"), \
            EXIT_UNSUPPORTED

    import torch
    import torch.utils.benchmark as benchmark

    version = f"PyTorch {torch.__version__} ({ADAPTER})"
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        return result("unsupported", f"device {args.device}: this PyTorch sees no CUDA device",
                      framework_version=version), EXIT_UNSUPPORTED
    if args.device != "cpu" and not args.device.startswith("cuda"):
        return result("unsupported", f"device {args.device} is not cpu or cuda[:N]",
                      framework_version=version), EXIT_UNSUPPORTED
    shape = [int(dim) for dim in args.shape.split(",") if dim.strip()]
    if args.batch < 1 or args.threads < 1 or args.iterations < 1:
        raise ValueError("batch, threads and iterations must be at least 1")

    torch.set_num_threads(args.threads)
    torch.set_grad_enabled(False)
    device = torch.device(args.device)

    started = time.perf_counter()
    # Traced on the CPU, a TorchScript model keeps its constants there: load it with the device as map location.
    model = torch.jit.load(args.model, map_location=device)
    model.eval()
    load_s = time.perf_counter() - started

    # Deterministic pseudo-random input in [0, 1), prepared before any clock starts. Each request copies it into
    # the model's input tensor (on the device, if any): the copy into the framework is part of a request's time.
    source = torch.rand([args.batch] + shape, generator=torch.Generator().manual_seed(42))
    model_input = torch.empty_like(source, device=device)

    def request():
        return to_host(model(model_input.copy_(source)))

    started = time.perf_counter()
    request()
    first_inference_s = time.perf_counter() - started

    warmup_count = 0
    started = time.perf_counter()
    while warmup_count < max(1, args.warmup) or time.perf_counter() - started < args.warmup_time:
        request()
        warmup_count += 1

    timer = benchmark.Timer(stmt="request()", globals={"request": request}, num_threads=args.threads,
                            label=os.path.basename(args.model), description=f"batch {args.batch}")
    times, wall_s, block_sizes, calls = [], 0.0, set(), 0
    min_run_time = max(args.min_time, 0.0)
    while True:
        measured = timer.blocked_autorange(min_run_time=min_run_time)
        calls += 1
        times.extend(measured.times)  # per-block means: raw block time / number_per_run
        wall_s += sum(measured.raw_times)
        block_sizes.add(measured.number_per_run)
        if len(times) >= args.iterations and wall_s >= args.min_time:
            break
        # Not enough samples yet: ask for the time the missing blocks take at the pace of the fastest block so far.
        # No block is faster, so the call never runs far past the count (on a busy host one slow block must not
        # make the next call run for a minute); asking too little only costs another call and its calibration.
        per_block = min(times) * measured.number_per_run
        min_run_time = (args.iterations - len(times)) * per_block

    measurement = {
        "framework_version": version,
        "load_s": load_s,
        "first_inference_s": first_inference_s,
        "warmup_iterations": warmup_count,
        "wall_s": wall_s,
        "stop_reason": "min_reached",
        "request_times": {"counts": [len(times)], "seconds": times},
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }
    details = {
        "timing": f"{ADAPTER} blocked_autorange, per-block means",
        "requests_per_block": ",".join(str(size) for size in sorted(block_sizes)),
        "autorange_calls": str(calls),
        "intra_op_threads": str(torch.get_num_threads()),
        "inter_op_threads": str(torch.get_num_interop_threads()),
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", ""),
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "input_memory": "pageable",
    }
    return result("ok", framework_version=version, measurement=measurement, details=details), 0


def main():
    args = parse_args()
    try:
        document, code = measure(args)
    except Exception as error:  # the framework refused the model, a bad argument: a failed test, with the reason
        document, code = result("failed", f"{type(error).__name__}: {error}"), EXIT_FAILED
    print(f"torch_utils_benchmark: {document['status']} {document['reason']}".rstrip(), file=sys.stderr)
    write_result(args.result, document)
    return code


if __name__ == "__main__":
    sys.exit(main())
