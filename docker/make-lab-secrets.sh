#!/usr/bin/env bash
# Makes the demo lab's secrets (docker/compose.yaml) in docker/lab-secrets/, which git ignores:
#   store_credentials        netrc line for the FTP store (read by the store and by the integrator; mode 600)
#   lab_ssh_key, .pub        an ed25519 key pair: the integrator logs in to the agents with it
#   agentN_host_key          each agent container's SSH host key (its sshd offers only this one)
#   lab_known_hosts          those host keys' public halves: the integrator verifies each agent against them
# Existing files are kept; remove the folder to make new ones.
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lab-secrets"
mkdir -p "$dir"
chmod 700 "$dir"
umask 077
if [ ! -f "$dir/store_credentials" ]; then
  printf 'machine store login dli password %s\n' "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" \
    >"$dir/store_credentials"
fi
[ -f "$dir/lab_ssh_key" ] || ssh-keygen -q -t ed25519 -N '' -C dli-demo-lab -f "$dir/lab_ssh_key"
# Host keys made here, not in the containers, so that the integrator knows them before it first connects.
: >"$dir/lab_known_hosts.new"
for agent in agent1 agent2; do
  [ -f "$dir/${agent}_host_key" ] || ssh-keygen -q -t ed25519 -N '' -C "$agent" -f "$dir/${agent}_host_key"
  printf '%s %s\n' "$agent" "$(cut -d' ' -f1,2 "$dir/${agent}_host_key.pub")" >>"$dir/lab_known_hosts.new"
done
mv "$dir/lab_known_hosts.new" "$dir/lab_known_hosts"
echo "demo-lab secrets in $dir"
