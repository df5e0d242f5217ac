#!/usr/bin/env bash
# Packages.InstallIntoACleanRootAndDescribe (docs/packages.md): the Debian packages as a new host gets them.
#   1. scripts/package.sh builds the .deb files into BUILD/packages/;
#   2. lintian checks each one: any E: line fails the test (warnings are printed, not counted);
#   3. mmdebstrap makes a clean Debian 12 root from the archive, and in it apt installs ./dli-agent, ./dli-integrator,
#      ./dli-runner-opencv and ./dli-runner-command with whatever Debian packages they depend on;
#   4. there `dli-agent describe` must offer exactly the installed runners (found in /usr/lib/dli/runners), and
#      `dli-integrator --version` must print this version.
# Usage: install_into_clean_root.sh SOURCE_DIR BUILD_DIR VERSION
# Exit 77 (ctest's SKIP_RETURN_CODE) when mmdebstrap or lintian is missing, or not root (scripts/install-deps.sh test).
set -euo pipefail
source_dir="$1" build_dir="$2" version="$3"
mirror="${DLI_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

for tool in mmdebstrap lintian dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed (scripts/install-deps.sh test)"; exit 77; }
done
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (mmdebstrap's root mode and chroot)"; exit 77; }

work="$(mktemp -d "$build_dir/packaging-test.XXXXXX")"
root="$work/root"
# The root's /proc, /sys and /dev are mounted by mmdebstrap for its hooks and unmounted by it; should it be killed
# half-way, whatever is still mounted under the root is unmounted here before anything is removed.
cleanup() {
  local status=$?
  set +e  # a cleanup step that fails must not stop the others, nor change the test's result
  if [ -d "$root" ]; then
    findmnt -rn -o TARGET | grep -F "$root/" | sort -r | while read -r mount; do umount -l "$mount"; done
  fi
  rm -rf --one-file-system "$work"
  exit "$status"
}
trap cleanup EXIT

started=$SECONDS
step() { echo "== $(( SECONDS - started )) s: $*"; }

step "building the packages"
"$source_dir/scripts/package.sh" "$build_dir"
packages="$build_dir/packages"
for name in dli-agent dli-integrator dli-runner-opencv dli-runner-command; do
  ls "$packages/${name}_${version}-"*.deb >/dev/null || { echo "FAIL: no $name package for version $version"; exit 1; }
done

step "lintian"
# One run for all the packages (its start-up is most of the time); overrides shipped in the packages are honoured.
# Exit status 1 means errors were found, 2 that lintian itself failed: both fail the test, as does any E: line.
lintian_status=0
report="$(lintian --tag-display-limit 0 "$packages"/*.deb 2>&1)" || lintian_status=$?
printf '%s\n' "$report" | grep -v '^running with root privileges' || true
if [ "$lintian_status" -ne 0 ] || grep -q '^E: ' <<<"$report"; then
  echo "FAIL: lintian exited with $lintian_status; errors: $(grep -c '^E: ' <<<"$report" || true)"
  exit 1
fi

step "a clean Debian 12 root, and the packages installed in it with apt"
mkdir -p "$work/debs"
cp "$packages"/dli-agent_*.deb "$packages"/dli-integrator_*.deb "$packages"/dli-runner-opencv_*.deb \
   "$packages"/dli-runner-command_*.deb "$work/debs/"
# Hooks run on this machine with the root as $1; `chroot "$1" apt-get install ./x.deb` is what an admin types.
mmdebstrap --variant=apt --quiet \
  --customize-hook="mkdir -p \"\$1/tmp/dli-debs\" && cp $work/debs/*.deb \"\$1/tmp/dli-debs/\"" \
  --customize-hook='chroot "$1" sh -c "cd /tmp/dli-debs && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      --no-install-recommends ./dli-agent_*.deb ./dli-integrator_*.deb ./dli-runner-opencv_*.deb \
      ./dli-runner-command_*.deb"' \
  --customize-hook="chroot \"\$1\" dli-agent describe > $work/describe.txt 2> $work/describe.err" \
  --customize-hook="chroot \"\$1\" dli-agent describe --json > $work/describe.json 2>> $work/describe.err" \
  --customize-hook="chroot \"\$1\" dli-integrator --version > $work/integrator-version.txt" \
  --customize-hook="chroot \"\$1\" dpkg-query -W -f='\${Package} \${Version}\n' 'dli-*' > $work/installed.txt" \
  --customize-hook="chroot \"\$1\" ls -l /usr/bin/dli-agent /usr/lib/dli/runners > $work/files.txt" \
  --customize-hook="chroot \"\$1\" sh -c 'ls /usr/bin/dli-run-* 2>/dev/null || true' > $work/in-bin.txt" \
  bookworm "$root" "$mirror"

step "checking what the installed programs said"
cat "$work/installed.txt" "$work/files.txt" "$work/describe.txt"
failed=0
check() {  # check DESCRIPTION COMMAND...: runs the command, reports a failure without stopping
  if ! "${@:2}"; then echo "FAIL: $1"; failed=1; fi
}
for name in dli-agent dli-integrator dli-runner-opencv dli-runner-command; do
  check "$name $version not installed" grep -q "^$name ${version}-" "$work/installed.txt"
done
# The runners are where the packages put them, and nowhere else the agent looks (its own folder, /usr/bin).
for runner in dli-run-null dli-run-opencv dli-run-command dli-gemm-peak; do
  check "$runner not in /usr/lib/dli/runners" grep -q " $runner\$" "$work/files.txt"
  check "$runner also in /usr/bin" bash -c "! grep -q '$runner' '$work/in-bin.txt'"
done
check "dli-integrator --version does not print $version" grep -qF "$version" "$work/integrator-version.txt"
# The JSON description: each runner with its path and whether it is available (docs/runners.md, section 2).
python_check="$(cat <<'EOF'
import json, sys
host = json.load(open(sys.argv[1]))["host"]
runners = {r["framework"]: r for r in host["runners"]}
problems = []
for framework in ("null", "opencv-dnn", "command"):
    runner = runners.get(framework)
    if runner is None or not runner.get("available"):
        problems.append(f"{framework}: not available: {runner}")
# Nothing else: a runner whose package is not installed is not offered (the agent leaves it out, or says why not).
available = sorted(name for name, runner in runners.items() if runner.get("available"))
if available != ["command", "null", "opencv-dnn"]:
    problems.append(f"available runners {available}, expected exactly command, null, opencv-dnn")
print("\n".join(problems) if problems else f"describe: available runners {available}")
sys.exit(1 if problems else 0)
EOF
)"
check "dli-agent describe --json" /usr/bin/python3 -c "$python_check" "$work/describe.json"
step "done"
exit "$failed"
