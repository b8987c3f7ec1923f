# The Switchboard node image, built from the Maven artifact:
#   docker build -t switchboard:0.1.0 .
# No container engine runs on this project's CI machines, so CI does not build this image; the
# artifact it copies (node/target/switchboard-node-*.jar with its libraries in node/target/lib) is
# the node the README's start command builds.

# Pinned to one Temurin release (a floating tag changes under a rebuild); move it on purpose.
ARG JDK_IMAGE=eclipse-temurin:17.0.17_10-jdk
FROM ${JDK_IMAGE} AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q -DskipTests -pl node -am package

# A JDK, not a JRE: Kamon attaches its Kanela agent at start-up through the attach API (jdk.attach),
# which a JRE image may leave out; without it the node runs with no pekko_* and executor_* series.
FROM ${JDK_IMAGE}
# A user of its own; the data directory only matters for a single node with the embedded database.
RUN useradd --system --uid 10001 --home-dir /var/lib/switchboard --create-home switchboard
WORKDIR /opt/switchboard
COPY --from=build /src/node/target/lib/ lib/
COPY --from=build /src/node/target/switchboard-node-*.jar switchboard-node.jar
USER 10001
ENV SWITCHBOARD_DATA_DIR=/var/lib/switchboard \
    SWITCHBOARD_LOG_FORMAT=json \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
VOLUME /var/lib/switchboard
# OpAMP, operator API and dashboard, Pekko Management (probes), Prometheus, Pekko remoting.
EXPOSE 4320 8080 7626 9095 7355
ENTRYPOINT ["java", "-cp", "/opt/switchboard/switchboard-node.jar:/opt/switchboard/lib/*", "io.switchboard.node.Main"]
