# dli-integrator image, installed from the project's Debian packages (docs/packages.md). From the repository root:
#   docker build -f docker/integrator.Dockerfile -t dli-integrator .
# It also carries dli-agent and the null runner, for fleets whose hosts include this machine (kind: local).

# The packages, built as on any Debian 12 machine (identical to agent.Dockerfile's stage: one build for both).
FROM debian:12 AS packages
COPY . /src
RUN bash /src/scripts/install-deps.sh build \
 && (cd /src/src/runners/onnxruntime && npm ci --ignore-scripts --no-audit --no-fund) \
 && cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DDLI_BUILD_TESTS=OFF -DDLI_BUILD_BENCH=OFF \
 && /src/scripts/package.sh /build

FROM debian:12
COPY --from=packages /build/packages/dli-integrator_*.deb /build/packages/dli-agent_*.deb /tmp/dli-debs/
RUN cd /tmp/dli-debs \
 && apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      ./dli-integrator_*.deb ./dli-agent_*.deb \
 && rm -rf /var/lib/apt/lists/* /tmp/dli-debs
WORKDIR /var/lib/dli
ENTRYPOINT ["/usr/bin/dli-integrator"]
CMD ["--help"]
