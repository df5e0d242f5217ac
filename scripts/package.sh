#!/usr/bin/env bash
# Builds the Debian packages (docs/packages.md) from a configured build folder into BUILD/packages/:
# dli-agent, dli-integrator and one dli-runner-<framework> per runner that was built.
# Usage: scripts/package.sh [BUILD]   (default: build/ of the repository)
# Needs dpkg-dev (dpkg-shlibdeps computes each package's Depends). Then, on a host:
#   apt install ./dli-agent_*.deb ./dli-runner-opencv_*.deb
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"

[ -f "$build/CPackConfig.cmake" ] || { echo "package.sh: $build is not a configured build folder" >&2; exit 2; }
for tool in dpkg-shlibdeps file; do
  command -v "$tool" >/dev/null || { echo "package.sh: $tool missing: scripts/install-deps.sh build" >&2; exit 2; }
done
# Only what the packages hold; the tests and benchmarks are not needed for them.
cmake --build "$build" --target dli-agent dli-integrator dli_runners dli_package_docs
rm -rf "$build/packages"
(cd "$build" && cpack -G DEB --config CPackConfig.cmake >"$build/cpack.log" 2>&1) || {
  tail -n 40 "$build/cpack.log" >&2
  exit 1
}
rm -rf "$build/packages/_CPack_Packages"  # CPack's staging copies (the Node runner's is ~70 MB)
ls -l "$build"/packages/*.deb
