# The simulator server: a Java 17 runtime and the simulator jar, nothing else.
# Build from the repository root:  docker build -f docker/simulator.Dockerfile -t pygym-simulator .
# Run:  docker run -e PYGYM_TOKEN=<secret> -p 127.0.0.1:25333:25333 pygym-simulator
# The token is required (at least 16 characters): the server listens beyond the container's loopback, and the
# health check uses it. It answers the session API only; --tls-cert/--tls-key (mounted PEM files) add TLS.

# Any Debian-based image; the default is the public one. `make images` builds a local stand-in with
# mmdebstrap (docker/build-base.sh) where registries cannot be reached.
ARG BASE_IMAGE=debian:bookworm-slim

FROM ${BASE_IMAGE} AS build
# The JDK's post-install links its manual pages, a folder that slim images leave out (Debian #863199).
RUN mkdir -p /usr/share/man/man1 \
    && apt-get update \
    && apt-get install -y --no-install-recommends openjdk-17-jdk-headless make \
    && apt-get clean && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile ./
COPY peersim-java/src/main ./peersim-java/src/main
# The Makefile's own build target (javac --release 17 + jar); -o skips the Python virtualenv that it
# would set up first, which the jar does not need.
RUN make -o .venv/.installed build \
    && mkdir /out && cp pygym/_java/edgesim.jar /out/edgesim.jar
# A Java 17 runtime holding only the modules the jar uses (jdeps), plus jdk.crypto.ec, which TLS loads
# as a service provider that jdeps cannot see: about 35 MB instead of 190 MB for the full JRE.
# (--strip-debug would run objcopy on native libraries that Debian ships stripped already.)
RUN modules="$(jdeps --ignore-missing-deps --print-module-deps --multi-release 17 /out/edgesim.jar),jdk.crypto.ec" \
    && echo "runtime modules: $modules" \
    && jlink --add-modules "$modules" --strip-java-debug-attributes --no-man-pages --no-header-files --compress=2 \
        --output /out/java

FROM ${BASE_IMAGE}
RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin pygym
COPY --from=build /out/java /opt/java
COPY --from=build /out/edgesim.jar /opt/pygym/
ENV PATH=/opt/java/bin:$PATH
USER pygym
EXPOSE 25333
# Healthy when the server accepts the token (its auth command), not merely when the port is open.
HEALTHCHECK --interval=15s --timeout=10s --start-period=30s --retries=3 \
    CMD ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", \
         "-cp", "/opt/pygym/edgesim.jar", "edgesim.bridge.HealthCheck", "--port", "25333"]
ENTRYPOINT ["java", "-cp", "/opt/pygym/edgesim.jar", "edgesim.bridge.Server"]
CMD ["--host", "0.0.0.0", "--port", "25333"]
