package io.switchboard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;

/**
 * A real PgBouncer (Debian's {@code pgbouncer} package, which {@code .ci/run} installs) in
 * transaction mode in front of a test database, with fewer server connections than its clients
 * hold: consecutive transactions of one client connection land on whichever server connection is
 * free, as in production behind a pooler.
 */
public final class PgBouncer implements AutoCloseable {

  private static final Path BINARY = Path.of("/usr/sbin/pgbouncer");

  private final Process process;
  private final Path dir;
  private final int port;
  private final String database;
  private final String user;

  private PgBouncer(Process process, Path dir, int port, String database, String user) {
    this.process = process;
    this.dir = dir;
    this.port = port;
    this.database = database;
    this.user = user;
  }

  /**
   * Starts PgBouncer with {@code serverConnections} connections to {@code backend}, and waits until
   * it listens.
   */
  public static PgBouncer start(TestDatabase backend, int serverConnections) throws IOException {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(
          BINARY + " is missing: install Debian's pgbouncer package (.ci/run does)");
    }
    // PgBouncer refuses to run as root; started as root it drops to the postgres user (-u), which
    // must be able to read its configuration and write its log.
    Path dir = Files.createTempDirectory("switchboard-pgbouncer");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    int port = FreePorts.next();
    Files.writeString(dir.resolve("users.txt"), "\"" + backend.user() + "\" \"\"\n");
    Files.writeString(
        dir.resolve("pgbouncer.ini"),
        String.join(
            "\n",
            "[databases]",
            backend.databaseName()
                + " = host="
                + backend.host()
                + " port="
                + backend.port()
                + " dbname="
                + backend.databaseName(),
            "[pgbouncer]",
            "listen_addr = 127.0.0.1",
            "listen_port = " + port,
            "unix_socket_dir =",
            "auth_type = trust",
            "auth_file = " + dir.resolve("users.txt"),
            "pool_mode = transaction",
            "default_pool_size = " + serverConnections,
            "max_client_conn = 200",
            // pgjdbc sends extra_float_digits at start-up; a pooler cannot keep it per client.
            "ignore_startup_parameters = extra_float_digits",
            "logfile = " + dir.resolve("pgbouncer.log"),
            ""));
    List<String> command = new ArrayList<>(List.of(BINARY.toString()));
    if ("root".equals(System.getProperty("user.name"))) {
      command.addAll(List.of("-u", "postgres"));
    }
    command.add(dir.resolve("pgbouncer.ini").toString());
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .start();
    PgBouncer bouncer = new PgBouncer(process, dir, port, backend.databaseName(), backend.user());
    Awaitility.await("PgBouncer listening on " + port)
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new IllegalStateException(
                    "PgBouncer exited: " + Files.readString(dir.resolve("stdout.log")));
              }
              try (Socket probe = new Socket("127.0.0.1", port)) {
                return true;
              } catch (IOException notYet) {
                return false;
              }
            });
    return bouncer;
  }

  /** The URL a node is configured with to reach the database through PgBouncer. */
  public String url() {
    return "postgresql://" + user + "@127.0.0.1:" + port + "/" + database;
  }

  @Override
  public void close() throws IOException {
    process.destroy();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !process.isAlive());
    try (var files = Files.walk(dir)) {
      files.sorted((a, b) -> b.compareTo(a)).forEach(path -> path.toFile().delete());
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
