# dli-agent image: what a fleet host needs to run tests: the agent and every runner (docs/runners.md) beside it.
# Built from the repository root:
#   docker build -f docker/agent.Dockerfile -t dli-agent .
# Packages come from scripts/install-deps.sh, the same script the set-up runs, so the two cannot drift apart.
FROM debian:12 AS build
COPY . /src
RUN bash /src/scripts/install-deps.sh build \
 && (cd /src/src/runners/onnxruntime && npm ci --ignore-scripts --no-audit --no-fund) \
 && cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DDLI_BUILD_TESTS=OFF -DDLI_BUILD_BENCH=OFF \
 && cmake --build /build --target dli-agent dli_runners

FROM debian:12
COPY scripts/install-deps.sh /opt/dli/install-deps.sh
RUN bash /opt/dli/install-deps.sh runtime && rm -rf /var/lib/apt/lists/*
# The agent looks for runners in its own folder; the script runners keep their packages beside them.
COPY --from=build /build/dli-agent /build/dli-run-null /build/dli-run-opencv /build/dli-run-torch \
     /build/dli-run-command /opt/dli/bin/
COPY --from=build /src/src/runners/onnxruntime /opt/dli/runners/onnxruntime
COPY --from=build /src/src/runners/pytorch/dli-run-pytorch /opt/dli/bin/dli-run-pytorch
RUN ln -s /opt/dli/runners/onnxruntime/dli-run-onnxruntime /opt/dli/bin/dli-run-onnxruntime \
 && ln -s /opt/dli/bin/dli-agent /usr/local/bin/dli-agent
ENTRYPOINT ["/opt/dli/bin/dli-agent"]
CMD ["--help"]
