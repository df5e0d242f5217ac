#!/bin/sh
# A demo-lab agent container starts here: its own host keys, the lab's public key for `bench`, sshd in the
# foreground (it is the container's main process, so its log goes to `docker compose logs`).
set -eu
ssh-keygen -A >/dev/null
install -d -m 700 -o bench -g bench /home/bench/.ssh
install -m 600 -o bench -g bench /run/secrets/lab_ssh_key_pub /home/bench/.ssh/authorized_keys
mkdir -p /run/sshd
exec /usr/sbin/sshd -D -e
