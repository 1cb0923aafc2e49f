# Fjord: one image with every role's executable (fjord, fjord-gateway, fjord-ingester, fjord-querier,
# fjord-compactor, fjord-ruler, fjord-agent). Choose the role with the command, e.g.
#   docker run fjord:dev fjord-ingester -config.file=/etc/fjord/config/ingester.yaml
# The default command is the all-in-one `fjord` with /etc/fjord/config/fjord.yaml.
# curl serves the health checks, openssl the compose set-up of throwaway certificates (compose/microservices/init.sh).
# Build: docker build -t fjord:dev .      (docs/getting-started.md, docs/decisions/0017-deployment.md)

# ---- build: the official Swift image on Debian 12, the same distribution scripts/setup targets ----
FROM swift:6.3-bookworm AS build
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libzstd-dev libsnappy-dev libre2-dev zlib1g-dev libssl-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Shared Shared
COPY Services Services
COPY Benchmarks Benchmarks
COPY Tests Tests
# The Swift runtime and Foundation are linked statically: the runtime image needs only the C libraries below
# (scripts/check-deploy checks that they cover every shared library the executables link, by Debian package).
# Every executable of Package.swift but the benchmarks (scripts/check-deploy compares the lists).
ARG PRODUCTS="fjord fjord-gateway fjord-ingester fjord-querier fjord-compactor fjord-ruler fjord-agent"
RUN for product in $PRODUCTS; do swift build -c release --static-swift-stdlib --product "$product" || exit 1; done
RUN bin=$(swift build -c release --static-swift-stdlib --show-bin-path) && mkdir -p /staging/bin \
 && for product in $PRODUCTS; do cp "$bin/$product" /staging/bin/ || exit 1; done
# Readable crash backtraces (optional: present in the official toolchain images).
RUN if [ -x /usr/libexec/swift/linux/swift-backtrace-static ]; then \
      cp /usr/libexec/swift/linux/swift-backtrace-static /staging/bin/; fi

# ---- run: a slim Debian with the shared libraries the build linked ----
FROM debian:bookworm-slim
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libzstd1 libsnappy1v5 libre2-9 zlib1g libssl3 libstdc++6 ca-certificates tzdata curl openssl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 fjord \
 && useradd --system --uid 10001 --gid fjord --home-dir /var/lib/fjord --shell /usr/sbin/nologin fjord \
 && mkdir -p /var/lib/fjord /etc/fjord/config \
 && chown -R fjord:fjord /var/lib/fjord
COPY --from=build /staging/bin/ /usr/local/bin/
ENV SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/usr/local/bin/swift-backtrace-static
USER 10001:10001
WORKDIR /var/lib/fjord
VOLUME ["/var/lib/fjord"]
# 3100: HTTP (Loki's API on the gateway and all-in-one; /ready and /metrics on every role). 9095: internal wire.
EXPOSE 3100 9095
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:3100/ready || curl -fsSk -o /dev/null https://127.0.0.1:3100/ready || exit 1
CMD ["fjord", "-config.file=/etc/fjord/config/fjord.yaml", "-config.expand-env=true"]
