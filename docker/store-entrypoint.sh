#!/bin/sh
# The demo store starts here: the FTP user's password from the lab's secret, the store folder, vsftpd.
set -eu
password="$(sed -n 's/.*[[:space:]]password[[:space:]]\{1,\}\([^[:space:]]*\).*/\1/p' /run/secrets/store_credentials)"
[ -n "$password" ] || { echo "store: no password in /run/secrets/store_credentials" >&2; exit 1; }
printf 'dli:%s\n' "$password" | chpasswd
install -d -o dli -g dli /srv/dli /srv/dli/store
exec /usr/sbin/vsftpd /etc/vsftpd.conf
