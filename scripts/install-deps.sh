#!/usr/bin/env bash
# Installs every Debian package dli needs to build, generate its models, run and test.
# Idempotent and non-interactive; shared by scripts/setup.sh and the Dockerfiles in docker/.
# Usage: scripts/install-deps.sh [build|runtime|test]   (default: test, which is everything)
set -euo pipefail
profile="${1:-test}"

# libonnx1 and libprotobuf32: the integrator counts each ONNX model's operations; libsqlite3-0 and libpq5: its
# history (docs/history.md); libopenblas0-pthread (below): the agent measures its host's GEMM peak
# (docs/methodology.md, "Efficiency"). postgresql (servers): the history's tests start a real server; slurmctld,
# slurmd, slurm-client and munge: the Slurm tests start a private cluster (docs/slurm.md).
runtime=(libcurl4 libyaml-cpp0.7 libfmt9 libspdlog1.10 libssh2-1 libopencv-dnn406 libopencv-core406
         libonnx1 libprotobuf32 libsqlite3-0 libpq5 ca-certificates procps)
# The frameworks the runners drive (docs/runners.md). OpenBLAS: Debian's libtorch otherwise uses the reference BLAS
# (resnet50 about 7x slower). Node.js runs the ONNX Runtime runner; python3-torch the PyTorch runner.
frameworks=(libtorch-dev libopenblas0-pthread python3 python3-torch)
build=(build-essential cmake ninja-build pkg-config git
       libcurl4-openssl-dev libyaml-cpp-dev nlohmann-json3-dev libfmt-dev libspdlog-dev libcli11-dev libssh2-1-dev
       libopencv-dnn-dev libgtest-dev libgmock-dev googletest libbenchmark-dev
       libonnx-dev libprotobuf-dev libopenblas-dev libsqlite3-dev libpq-dev
       dpkg-dev file)  # scripts/package.sh: CPack's Depends come from dpkg-shlibdeps, which needs `file` to find ELF
models=(python3 python3-torch python3-torchvision python3-sklearn)
servers=(vsftpd openssh-server openssl iproute2 postgresql slurmctld slurmd slurm-client munge)
# The browser tests (tests/browser): Debian's Chromium, driven by npm's playwright-core (never a downloaded browser).
browser=(chromium)
# The bounded fuzzing run of scripts/test.sh (docs/fuzzing.md): clang, and libFuzzer's runtime
# (libclang_rt.fuzzer*.a), which Debian 12 ships in libclang-rt-14-dev, only recommended by clang-14.
fuzz=(clang libclang-rt-14-dev)
# The packages' test (tests/packaging, docs/packages.md): lintian, and mmdebstrap for a clean Debian 12 root.
packaging=(lintian mmdebstrap)

case "$profile" in
  runtime) want=("${runtime[@]}" "${frameworks[@]}") ;;
  build) want=("${runtime[@]}" "${frameworks[@]}" "${build[@]}" "${models[@]}") ;;
  test) want=("${runtime[@]}" "${frameworks[@]}" "${build[@]}" "${models[@]}" "${servers[@]}" "${fuzz[@]}"
              "${browser[@]}" "${packaging[@]}") ;;
  *) echo "usage: $0 [build|runtime|test]" >&2; exit 2 ;;
esac

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# Node.js and npm: Debian's packages unless a Node.js (with its npm) is installed already, as on machines whose
# image ships one; Debian's npm would conflict with it.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
