package io.switchboard.distribution;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.testkit.FreePorts;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive this build made, used as a person without Maven uses it: unpacked, a node started
 * with {@code bin/switchboard-node} on its embedded PostgreSQL, the fleet listed with {@code
 * bin/switchboard}, the node stopped with SIGTERM.
 */
@Tag("slow")
class DistributionTest {

  private static final Path ARCHIVE = Path.of(System.getProperty("switchboard.distribution"));
  private static final String VERSION = System.getProperty("switchboard.version");

  @TempDir Path unpacked;
  @TempDir Path dataDir;
  @TempDir Path userHome;

  @Test
  void anUnpackedArchiveRunsANodeThatTheCommandLineToolLists() throws Exception {
    Path home = unpack();
    int apiPort = FreePorts.next();
    int opampPort = FreePorts.next();
    // The configuration file names the API port; for the OpAMP port it is overruled by the
    // environment, as docs/configuration.md says, so agents reach the node on opampPort only.
    Files.writeString(
        home.resolve("conf/switchboard.conf"),
        "\nswitchboard.api.port = " + apiPort + "\nswitchboard.opamp.port = " + FreePorts.next(),
        StandardOpenOption.APPEND);

    ProcessBuilder builder =
        new ProcessBuilder(home.resolve("bin/switchboard-node").toString())
            .redirectErrorStream(true)
            .redirectOutput(Path.of("target", "distribution-node.log").toFile());
    Map<String, String> env = cleanEnvironment(builder.environment());
    env.put("JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC");
    env.put("SWITCHBOARD_DATA_DIR", dataDir.toString());
    env.put("SWITCHBOARD_OPAMP_PORT", Integer.toString(opampPort));
    env.put("SWITCHBOARD_EMBEDDED_DATABASE_PORT", Integer.toString(FreePorts.next()));
    env.put("SWITCHBOARD_METRICS_PORT", Integer.toString(FreePorts.next()));
    env.put("SWITCHBOARD_MANAGEMENT_PORT", Integer.toString(FreePorts.next()));
    env.put("SWITCHBOARD_REMOTE_PORT", "0");
    Process node = builder.start();
    try {
      // Patient: a loaded 2-core machine has taken two minutes to start a node here.
      await()
          .atMost(Duration.ofSeconds(240))
          .ignoreExceptions()
          .until(() -> node.isAlive() && HttpProbe.get(apiPort, "/api/health").statusCode() == 200);
      assertTrue(
          node.info().command().orElse("").endsWith("/java"),
          "the script replaced itself with the JVM (exec), so signals reach the node: "
              + node.info().command());
      assertTrue(
          List.of(node.info().arguments().orElse(new String[0])).contains("-Xmx256m"),
          "JAVA_OPTS reaches the JVM: " + node.info().commandLine());

      Path password = dataDir.resolve("admin-password");
      await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(password));
      Run login =
          cli(
              home,
              "--server",
              "http://localhost:" + apiPort,
              "login",
              "--username",
              "admin",
              "--password-file",
              password.toString());
      assertEquals(0, login.code(), login.toString());

      ByteString uid = newUid();
      String agent = InstanceUid.toText(uid);
      try (RawAgent raw = RawAgent.connect(opampPort)) {
        raw.send(fullState(uid, 1, "from-the-archive"));
        raw.receive(Duration.ofSeconds(30));
        Run[] list = new Run[1];
        await()
            .atMost(Duration.ofSeconds(120))
            .until(
                () -> {
                  list[0] = cli(home, "agents", "list");
                  return list[0].out().contains(agent);
                });
        assertEquals(0, list[0].code(), list[0].toString());
        assertTrue(list[0].out().startsWith("INSTANCE UID"), list[0].toString());
        assertTrue(list[0].out().contains("CONNECTED"), list[0].toString());
        assertEquals("", list[0].err(), list[0].toString());
      }
    } finally {
      node.destroy();
    }
    assertTrue(node.waitFor(120, TimeUnit.SECONDS), "the node exits after SIGTERM");
    assertEquals(0, node.exitValue(), "a clean stop, not death by signal (143)");
  }

  private Path unpack() throws Exception {
    assertTrue(Files.isRegularFile(ARCHIVE), "the build made " + ARCHIVE);
    Process tar =
        new ProcessBuilder("tar", "-xzf", ARCHIVE.toString(), "-C", unpacked.toString())
            .inheritIO()
            .start();
    assertTrue(tar.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, tar.exitValue());
    Path home = unpacked.resolve("switchboard-" + VERSION);
    for (String file : List.of("bin/switchboard-node", "bin/switchboard")) {
      assertTrue(Files.isExecutable(home.resolve(file)), file + " is executable");
    }
    for (String file :
        List.of(
            "LICENSE",
            "README.md",
            "conf/switchboard.conf",
            "lib/switchboard-node-" + VERSION + ".jar",
            "lib/switchboard-cli-" + VERSION + ".jar")) {
      assertTrue(Files.isRegularFile(home.resolve(file)), file + " is in the archive");
    }
    assertTrue(Files.readString(home.resolve("LICENSE")).contains("Apache License"), "the license");
    return home;
  }

  /** One run of {@code bin/switchboard} as a user whose home holds its config file. */
  private Run cli(Path home, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(home.resolve("bin/switchboard").toString());
    command.addAll(List.of(args));
    Path out = Files.createTempFile(userHome, "out", ".txt");
    Path err = Files.createTempFile(userHome, "err", ".txt");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    Map<String, String> env = cleanEnvironment(builder.environment());
    env.put("HOME", userHome.toString());
    env.remove("XDG_CONFIG_HOME");
    Process cli = builder.start();
    assertTrue(cli.waitFor(120, TimeUnit.SECONDS), "the command ends: " + command);
    return new Run(cli.exitValue(), Files.readString(out), Files.readString(err));
  }

  /**
   * This JVM's environment without any Switchboard setting, and this JVM's Java for the scripts.
   */
  private static Map<String, String> cleanEnvironment(Map<String, String> env) {
    env.keySet().removeIf(name -> name.startsWith("SWITCHBOARD_") || name.equals("JAVA_OPTS"));
    env.put("JAVA_HOME", System.getProperty("java.home"));
    return env;
  }

  private record Run(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
    }
  }
}
