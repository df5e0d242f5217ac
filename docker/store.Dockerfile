# The demo lab's store (docker/compose.yaml): vsftpd serving ftp://dli@store/store. The FTP password is the one in
# the lab's secret `store_credentials` (netrc: `machine store login dli password ...`), the file the integrator
# reads too, so the two cannot disagree.
FROM debian:12
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends vsftpd \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --home-dir /srv/dli --shell /bin/sh dli && grep -qx /bin/sh /etc/shells \
 && mkdir -p /var/run/vsftpd/empty
COPY docker/store-vsftpd.conf /etc/vsftpd.conf
COPY docker/store-entrypoint.sh /usr/local/sbin/store-entrypoint
EXPOSE 21 30000-30009
ENTRYPOINT ["/usr/local/sbin/store-entrypoint"]
