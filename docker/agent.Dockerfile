# dli-agent image: what a fleet host needs to run tests. Built from the repository root:
#   docker build -f docker/agent.Dockerfile -t dli-agent .
# Packages come from scripts/install-deps.sh, the same script the set-up runs, so the two cannot drift apart.
FROM debian:12 AS build
COPY . /src
RUN bash /src/scripts/install-deps.sh build \
 && cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DDLI_BUILD_TESTS=OFF -DDLI_BUILD_BENCH=OFF \
 && cmake --build /build --target dli-agent

FROM debian:12
COPY scripts/install-deps.sh /opt/dli/install-deps.sh
RUN bash /opt/dli/install-deps.sh runtime && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/dli-agent /usr/local/bin/dli-agent
ENTRYPOINT ["/usr/local/bin/dli-agent"]
CMD ["--help"]
