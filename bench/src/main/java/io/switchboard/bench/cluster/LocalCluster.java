package io.switchboard.bench.cluster;

import io.switchboard.persistence.Database;
import io.switchboard.persistence.EmbeddedDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * K node processes forming one cluster, every one healthy before the scenario goes on. One node
 * keeps its own embedded PostgreSQL, as a node started alone does; several share one embedded
 * PostgreSQL that the bench starts (and migrates once, so that nodes starting together do not race
 * for it), the first node being the seed.
 */
public final class LocalCluster implements AutoCloseable {

  /**
   * How long a node may take to start and join ({@code -DhealthyTimeout}; on a machine shared with
   * other work a node of two took longer than 240 s).
   */
  private static final Duration HEALTHY_TIMEOUT =
      io.switchboard.bench.BenchProperties.duration("healthyTimeout", "240s");

  private final List<LocalNode> nodes;
  private final Optional<EmbeddedDatabase> database;
  private final Optional<Path> databaseDirectory;

  private LocalCluster(
      List<LocalNode> nodes,
      Optional<EmbeddedDatabase> database,
      Optional<Path> databaseDirectory) {
    this.nodes = List.copyOf(nodes);
    this.database = database;
    this.databaseDirectory = databaseDirectory;
  }

  /**
   * Starts {@code count} nodes, each with heap {@code maxHeap} and {@code jvmOptions}: one is named
   * {@code name}, several {@code name-0}, {@code name-1}, ...
   */
  public static LocalCluster start(String name, int count, String maxHeap, List<String> jvmOptions)
      throws Exception {
    return start(name, count, maxHeap, jvmOptions, false);
  }

  private static LocalCluster start(
      String name, int count, String maxHeap, List<String> jvmOptions, boolean sharedForOne)
      throws Exception {
    if (count < 1) {
      throw new IllegalArgumentException("-Dnodes=" + count + ": at least one node");
    }
    if (count == 1 && !sharedForOne) {
      LocalNode node =
          LocalNode.start(
              name,
              maxHeap,
              new LocalNode.Database.Embedded(Ports.free()),
              Ports.free(),
              Optional.empty(),
              jvmOptions);
      return new LocalCluster(List.of(node), Optional.empty(), Optional.empty()).awaitHealthy();
    }
    Path dataDir = Files.createTempDirectory("switchboard-bench-" + name + "-db");
    EmbeddedDatabase database = EmbeddedDatabase.start(dataDir.resolve("postgres"), Ports.free());
    List<LocalNode> nodes = new ArrayList<>();
    try {
      Database.migrate(database.endpoint());
      // The node's role and its generated password (URL-safe base64) from the embedded database.
      String url =
          "postgresql://"
              + database.endpoint().user()
              + ":"
              + database.endpoint().password()
              + "@127.0.0.1:"
              + database.endpoint().hosts().get(0).port()
              + "/"
              + database.endpoint().database();
      int seed = Ports.free();
      for (int i = 0; i < count; i++) {
        nodes.add(
            LocalNode.start(
                name + "-" + i,
                maxHeap,
                new LocalNode.Database.Shared(url),
                i == 0 ? seed : Ports.free(),
                Optional.of(seed),
                jvmOptions));
      }
    } catch (Exception | Error e) {
      new LocalCluster(nodes, Optional.of(database), Optional.of(dataDir)).close();
      throw e;
    }
    return new LocalCluster(nodes, Optional.of(database), Optional.of(dataDir)).awaitHealthy();
  }

  /**
   * As {@link #start}, but even one node uses a PostgreSQL the bench started, so that the bench can
   * read the database's own counters (rows, WAL, its processes' CPU) whatever the node count.
   */
  public static LocalCluster startOnSharedDatabase(
      String name, int count, String maxHeap, List<String> jvmOptions) throws Exception {
    return start(name, count, maxHeap, jvmOptions, true);
  }

  /** The PostgreSQL the bench started for the nodes; empty when a lone node keeps its own. */
  public Optional<EmbeddedDatabase> database() {
    return database;
  }

  /**
   * The pid of that PostgreSQL's postmaster (its backends are its children), read from its data
   * directory.
   */
  public Optional<Long> databasePid() {
    return databaseDirectory.flatMap(
        dir -> {
          try {
            return Optional.of(
                Long.parseLong(
                    Files.readAllLines(dir.resolve("postgres/postmaster.pid")).get(0).trim()));
          } catch (java.io.IOException | RuntimeException e) {
            return Optional.empty();
          }
        });
  }

  private LocalCluster awaitHealthy() throws Exception {
    try {
      for (LocalNode node : nodes) {
        node.awaitHealthy(HEALTHY_TIMEOUT);
      }
      return this;
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  public List<LocalNode> nodes() {
    return nodes;
  }

  /** The nodes' process ids, in the nodes' order. */
  public List<Long> pids() {
    return nodes.stream().map(LocalNode::pid).toList();
  }

  /** Stops every node still running (as an operator would), then the shared PostgreSQL. */
  @Override
  public void close() {
    nodes.forEach(LocalNode::close);
    database.ifPresent(EmbeddedDatabase::close);
  }
}
