# The Switchboard node image, built from the distribution archive (switchboard-VERSION.tar.gz):
#   docker build -t switchboard:0.1.0 .
# No container engine runs on this project's CI machines, so CI does not build this image; it does
# build the archive the image unpacks, and DistributionTest starts a node from that archive with
# the same bin/switchboard-node this image runs.

# Pinned to one Temurin release (a floating tag changes under a rebuild); move it on purpose.
ARG JDK_IMAGE=eclipse-temurin:17.0.17_10-jdk
FROM ${JDK_IMAGE} AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q -DskipTests -pl distribution -am package \
 && mkdir -p /opt/switchboard \
 && tar -xzf distribution/target/switchboard-*.tar.gz -C /opt/switchboard --strip-components=1

# A JDK, not a JRE: Kamon attaches its Kanela agent at start-up through the attach API (jdk.attach),
# which a JRE image may leave out; without it the node runs with no pekko_* and executor_* series.
FROM ${JDK_IMAGE}
# A user of its own; the data directory only matters for a single node with the embedded database.
RUN useradd --system --uid 10001 --home-dir /var/lib/switchboard --create-home switchboard
COPY --from=build /opt/switchboard/ /opt/switchboard/
WORKDIR /opt/switchboard
USER 10001
# The environment wins over conf/switchboard.conf (docs/configuration.md), so these hold whatever
# the file says; a mounted file can replace conf/switchboard.conf or be named by
# SWITCHBOARD_CONFIG_FILE.
ENV SWITCHBOARD_DATA_DIR=/var/lib/switchboard \
    SWITCHBOARD_LOG_FORMAT=json \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
VOLUME /var/lib/switchboard
# OpAMP, operator API and dashboard, Pekko Management (probes), Prometheus, Pekko remoting.
EXPOSE 4320 8080 7626 9095 7355
# The script execs the JVM, which stays PID 1 and so receives the container's SIGTERM itself.
ENTRYPOINT ["/opt/switchboard/bin/switchboard-node"]
