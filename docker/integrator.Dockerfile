# dli-integrator image: plans sweeps, drives the fleet, renders the reports. Built from the repository root:
#   docker build -f docker/integrator.Dockerfile -t dli-integrator .
# It also carries dli-agent, for fleets whose hosts include this machine (kind: local).
FROM debian:12 AS build
COPY . /src
RUN bash /src/scripts/install-deps.sh build \
 && cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DDLI_BUILD_TESTS=OFF -DDLI_BUILD_BENCH=OFF \
 && cmake --build /build --target dli-integrator dli-agent

FROM debian:12
COPY scripts/install-deps.sh /opt/dli/install-deps.sh
RUN bash /opt/dli/install-deps.sh runtime && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/dli-integrator /build/dli-agent /usr/local/bin/
COPY configs /opt/dli/configs
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/dli-integrator"]
CMD ["--help"]
