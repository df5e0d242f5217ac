# dli-agent images, installed from the project's Debian packages (docs/packages.md). From the repository root:
#   docker build -f docker/agent.Dockerfile -t dli-agent .                      the agent and every runner
#   docker build -f docker/agent.Dockerfile --target agent-sshd -t dli-agent-sshd .   the same, reached over SSH
# RUNNERS picks the dli-runner-* packages (torch and pytorch pull in ~1 GB of Debian's torch).
ARG RUNNERS="opencv torch onnxruntime pytorch command"

# The packages, built as on any Debian 12 machine: scripts/install-deps.sh, npm ci, cmake, scripts/package.sh.
# Kept identical in integrator.Dockerfile, so one build serves both images from the builder's cache.
FROM debian:12 AS packages
COPY . /src
RUN bash /src/scripts/install-deps.sh build \
 && (cd /src/src/runners/onnxruntime && npm ci --ignore-scripts --no-audit --no-fund) \
 && cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DDLI_BUILD_TESTS=OFF -DDLI_BUILD_BENCH=OFF \
 && /src/scripts/package.sh /build

# apt resolves each package's Depends from Debian's archive: nothing is listed by hand here.
FROM debian:12 AS runtime
ARG RUNNERS
COPY --from=packages /build/packages/ /tmp/dli-debs/
RUN cd /tmp/dli-debs \
 && debs="./dli-agent_*.deb" && for runner in $RUNNERS; do debs="$debs ./dli-runner-${runner}_*.deb"; done \
 && apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $debs \
 && rm -rf /var/lib/apt/lists/* /tmp/dli-debs

# A fleet host of the demo lab (docker/compose.yaml): sshd in the foreground, user `bench` logging in with the key
# the lab's secret `lab_ssh_key_pub` holds; no password login.
FROM runtime AS agent-sshd
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends openssh-server \
 && rm -rf /var/lib/apt/lists/* /etc/ssh/ssh_host_*_key* \
 && useradd --create-home --shell /bin/bash bench && usermod -p '*' bench
COPY docker/agent-sshd.conf /etc/ssh/sshd_config.d/dli.conf
COPY docker/agent-sshd-entrypoint.sh /usr/local/sbin/agent-sshd-entrypoint
EXPOSE 22
ENTRYPOINT ["/usr/local/sbin/agent-sshd-entrypoint"]

# The default image: dli-agent itself (`docker run dli-agent describe`).
FROM runtime AS agent
ENTRYPOINT ["/usr/bin/dli-agent"]
CMD ["--help"]
