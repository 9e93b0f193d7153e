# syntax=docker/dockerfile:1
# Mini Dynamo node image. Build: docker compose build (or: docker build -t mini-dynamo .)
# Run one node: docker run mini-dynamo --id n1 --config /app/nodes.docker.conf --data-dir /data --listen 0.0.0.0:9001

# ---- stage 1: build the shaded jar -------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
# Dependencies first: this layer is reused until pom.xml changes.
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline
COPY src ./src
# application.conf (if kept at the root) and nodes*.conf
COPY *.conf ./
# The class-data-sharing archive is made in the runtime stage: it must match the JVM that uses it.
RUN mvn -B -q package -DskipTests -Dclass-archive.skip=true

# ---- stage 2: runtime -------------------------------------------------------
FROM eclipse-temurin:17-jre
# Unprivileged user; /data is created and owned by it before VOLUME so that a
# fresh named volume inherits that ownership.
RUN groupadd --system dynamo \
 && useradd --system --gid dynamo --home-dir /app --no-create-home --shell /usr/sbin/nologin dynamo \
 && mkdir -p /app /data \
 && chown dynamo:dynamo /data
WORKDIR /app
COPY --from=build /build/target/mini-dynamo.jar /app/mini-dynamo.jar
COPY --from=build /build/nodes*.conf /app/
# The classes a node loads at start, prepared once (io.minidynamo.ClassArchive): a node starts in
# about half the time. A start without the archive works too, only slower.
COPY scripts/class-archive.sh /tmp/class-archive.sh
RUN bash /tmp/class-archive.sh /app/mini-dynamo.jar && rm /tmp/class-archive.sh
USER dynamo
VOLUME /data
# 9001-9003: HTTP client API; 2551-2553: Pekko Artery (node to node)
EXPOSE 9001-9003 2551-2553
# Exec form: java is PID 1 and receives SIGTERM from `docker stop` directly.
# Extra JVM options: set JAVA_TOOL_OPTIONS in the environment.
ENTRYPOINT ["java", "-XX:SharedArchiveFile=/app/mini-dynamo.jsa", "-jar", "/app/mini-dynamo.jar"]
