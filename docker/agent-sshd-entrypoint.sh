#!/bin/sh
# A demo-lab agent container starts here: the host key the lab made for it (docker/make-lab-secrets.sh; the
# integrator's known_hosts holds its public half), the lab's public key for `bench`, sshd in the foreground (it is
# the container's main process, so its log goes to `docker compose logs`).
set -eu
install -m 600 /run/secrets/ssh_host_key /etc/ssh/ssh_host_ed25519_key
install -d -m 700 -o bench -g bench /home/bench/.ssh
install -m 600 -o bench -g bench /run/secrets/lab_ssh_key_pub /home/bench/.ssh/authorized_keys
mkdir -p /run/sshd
exec /usr/sbin/sshd -D -e -o HostKey=/etc/ssh/ssh_host_ed25519_key
