package io.switchboard.cli;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.CommandType;
import io.switchboard.opamp.proto.RemoteConfigStatus;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.testkit.FreePorts;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestNodes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code switchboard} command against a node started here, as an operator's shell or a CI job
 * runs it: each command's answer on standard output, its errors on standard error, and the exit
 * code a script branches on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliTest {

  /** ReportsStatus, AcceptsRemoteConfig, AcceptsRestartCommand, ReportsRemoteConfig. */
  private static final long CAPABILITIES = 0x1 | 0x2 | 0x400 | 0x1000;

  private final ObjectMapper json = new ObjectMapper();
  @TempDir Path home;
  private SwitchboardNode node;

  @BeforeAll
  void startNode() {
    node = SwitchboardNode.start(TestNodes.config());
  }

  @AfterAll
  void stopNode() {
    node.close();
  }

  @Test
  void agentsAreListedShownLabelledAndSentCommands() throws Exception {
    ByteString uid = newUid();
    String agent = InstanceUid.toText(uid);
    try (RawAgent raw = connect(uid, "cli-agents")) {
      CliRun list = cli("agents", "list", "--attribute", "service.name=cli-agents");
      assertEquals(0, list.code(), list.toString());
      assertTrue(list.out().startsWith("INSTANCE UID"), list.toString());
      assertTrue(list.out().contains(agent) && list.out().contains("CONNECTED"), list.toString());

      JsonNode page =
          parse(cli("-o", "json", "agents", "list", "--attribute", "service.name=cli-agents"));
      assertEquals(1, page.path("agents").size());
      assertEquals(agent, page.at("/agents/0/instance_uid").asText());

      assertEquals(0, cli("agents", "label", agent, "env=prod", "ring=canary").code());
      CliRun relabelled = cli("agents", "label", agent, "ring-", "tier=edge");
      assertEquals("env=prod,tier=edge", relabelled.out().trim(), relabelled.toString());
      // The list filters with the selector grammar, over labels and attributes.
      JsonNode selected =
          parse(
              cli(
                  "-o",
                  "json",
                  "agents",
                  "list",
                  "-l",
                  "tier in (edge,core),!ring",
                  "-a",
                  "service.name in (cli-agents,other),os.type notin (x)"));
      assertEquals(List.of(agent), uids(selected));
      JsonNode none =
          parse(
              cli(
                  "-o",
                  "json",
                  "agents",
                  "list",
                  "--selector",
                  "tier!=edge",
                  "--attribute",
                  "service.name=cli-agents"));
      assertEquals(List.of(), uids(none));
      assertEquals(
          "prod",
          parse(cli("agents", "get", agent, "-o", "json")).at("/labels/env").asText(),
          "the output flag is taken after the subcommand too");
      CliRun shown = cli("agents", "get", agent);
      assertTrue(shown.out().contains("service:"), shown.toString());
      assertTrue(shown.out().contains("cli-agents"), shown.toString());
      assertTrue(shown.out().contains("env=prod,tier=edge"), shown.toString());

      CliRun restart = cli("agents", "restart", agent);
      assertEquals(0, restart.code(), restart.toString());
      assertTrue(
          restart.out().startsWith("RESTART for " + agent + ": envelope "), restart.toString());
      assertEquals(
          CommandType.CommandType_Restart, nextWith(raw, "command").getCommand().getType());

      Path file = home.resolve("collector.yaml");
      Files.writeString(file, "receivers: {otlp: {}}\n");
      CliRun setConfig = cli("-o", "json", "agents", "set-config", agent, "-f", file.toString());
      assertEquals("REMOTE_CONFIG", parse(setConfig).path("kind").asText(), setConfig.toString());
      ServerToAgent config = nextWith(raw, "remote config");
      assertEquals(
          "receivers: {otlp: {}}\n",
          config
              .getRemoteConfig()
              .getConfig()
              .getConfigMapMap()
              .get("collector.yaml")
              .getBody()
              .toString(StandardCharsets.UTF_8));

      CliRun envelopes = cli("envelopes", "list", "--agent", agent);
      assertTrue(
          envelopes.out().contains("RESTART") && envelopes.out().contains("REMOTE_CONFIG"),
          envelopes.toString());
      String envelope =
          parse(cli("-o", "json", "envelopes", "list", "--agent", agent))
              .at("/envelopes/0/id")
              .asText();
      CliRun one = cli("envelopes", "get", envelope);
      assertTrue(one.out().contains("agent:") && one.out().contains(agent), one.toString());

      CliRun audit = cli("audit", "--target", "agent/" + agent);
      assertEquals(0, audit.code(), audit.toString());
      assertTrue(audit.out().contains("agent/" + agent), audit.toString());
    }
  }

  @Test
  void anUnknownAgentExitsThreeAndAMalformedIdFive() {
    CliRun unknown = cli("agents", "get", UUID.randomUUID().toString());
    assertEquals(3, unknown.code(), unknown.toString());
    assertTrue(unknown.err().startsWith("error: not found"), unknown.toString());
    assertEquals("", unknown.out());

    CliRun restart = cli("agents", "restart", UUID.randomUUID().toString());
    assertEquals(3, restart.code(), restart.toString());

    CliRun malformed = cli("agents", "get", "not-an-id");
    assertEquals(5, malformed.code(), malformed.toString());
    assertTrue(malformed.err().contains("(HTTP 400)"), malformed.toString());
  }

  @Test
  void configurationsAreCreatedDraftedDiffedAndPublishedOnce() throws Exception {
    String name = "cli-" + UUID.randomUUID().toString().substring(0, 8);
    Path v1 = Files.createDirectories(home.resolve("v1")).resolve("collector.yaml");
    Path v2 = Files.createDirectories(home.resolve("v2")).resolve("collector.yaml");
    Files.writeString(v1, "exporters: {debug: {}}\n");
    Files.writeString(v2, "exporters: {otlp: {}}\n");

    CliRun created = cli("configs", "create", name, "--description", "edge", "-f", v1.toString());
    assertEquals(0, created.code(), created.toString());
    CliRun drafted = cli("configs", "draft", name, "-f", v2.toString());
    assertEquals(name + " version 2 (DRAFT)", drafted.out().trim(), drafted.toString());

    CliRun diff = cli("configs", "diff", name, "1", "2");
    assertTrue(diff.out().contains("collector.yaml: changed"), diff.toString());
    assertTrue(diff.out().contains("+exporters: {otlp: {}}"), diff.toString());

    assertEquals(name + " version 1 PUBLISHED", cli("configs", "publish", name, "1").out().trim());
    CliRun again = cli("configs", "publish", name, "1");
    assertEquals(5, again.code(), again.toString());
    assertTrue(again.err().contains("(HTTP 409)"), again.toString());

    CliRun show = cli("configs", "show", name, "1");
    assertTrue(show.out().contains("state:"), show.toString());
    assertTrue(show.out().contains("--- collector.yaml (text/yaml)"), show.toString());
    assertTrue(show.out().contains("exporters: {debug: {}}"), show.toString());
    CliRun versions = cli("configs", "show", name);
    assertTrue(
        versions.out().contains("PUBLISHED") && versions.out().contains("DRAFT"),
        versions.toString());
    CliRun list = cli("configs", "list");
    assertTrue(list.out().lines().anyMatch(line -> line.startsWith(name + " ")), list.toString());

    CliRun duplicate = cli("configs", "create", name);
    assertEquals(5, duplicate.code(), duplicate.toString());
  }

  @Test
  void aWatchedRolloutEndsWithItsOutcome() throws Exception {
    String service = "cli-rollout-" + UUID.randomUUID().toString().substring(0, 8);
    String name = service;
    Path file = home.resolve(name + ".yaml");
    Files.writeString(file, "service: {pipelines: {}}\n");
    assertEquals(0, cli("configs", "create", name, "-f", file.toString()).code());
    assertEquals(0, cli("configs", "publish", name, "1").code());
    ByteString uid = newUid();
    try (RawAgent raw = connect(uid, service)) {
      CompletableFuture<CliRun> watched =
          CompletableFuture.supplyAsync(
              () ->
                  cli(
                      "rollouts",
                      "create",
                      "--config",
                      name,
                      "--version",
                      "1",
                      "--attribute",
                      "service.name=" + service,
                      "--watch"));
      ServerToAgent config = nextWith(raw, "remote config");
      raw.send(
          AgentToServer.newBuilder()
              .setInstanceUid(uid)
              .setSequenceNum(2)
              .setCapabilities(CAPABILITIES)
              .setRemoteConfigStatus(
                  RemoteConfigStatus.newBuilder()
                      .setLastRemoteConfigHash(config.getRemoteConfig().getConfigHash())
                      .setStatus(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED))
              .build());
      CliRun watch = watched.get(60, TimeUnit.SECONDS);
      assertEquals(0, watch.code(), watch.toString());
      String last = watch.out().lines().reduce((first, second) -> second).orElse("");
      assertTrue(last.contains("COMPLETED") && last.contains("1/1 applied"), watch.toString());

      String id = parse(cli("-o", "json", "rollouts", "list")).at("/rollouts/0/id").asText();
      CliRun get = cli("rollouts", "get", id);
      assertTrue(get.out().contains("COMPLETED") && get.out().contains(name), get.toString());
      CliRun pause = cli("rollouts", "pause", id);
      assertEquals(5, pause.code(), "a completed rollout cannot pause: " + pause);
    }
  }

  @Test
  void aServerThatIsDownExitsSixAndUsageErrorsExitTwo() {
    String nowhere = "http://127.0.0.1:" + FreePorts.next();
    CliRun down = CliRun.run(CliRun.env(home.toString(), nowhere), "agents", "list");
    assertEquals(6, down.code(), down.toString());
    assertTrue(down.err().startsWith("error: cannot reach " + nowhere), down.toString());

    CliRun unknownOption = cli("agents", "list", "--colour");
    assertEquals(2, unknownOption.code(), unknownOption.toString());
    CliRun nothing = cli();
    assertEquals(2, nothing.code());
    assertTrue(nothing.err().contains("Usage: switchboard"), nothing.toString());
  }

  @Test
  void loginSavesATokenThatLaterCommandsUseAndLogoutRevokesIt() throws Exception {
    try (SwitchboardNode guarded =
        SwitchboardNode.start(
            TestNodes.config(
                Map.of(
                    "switchboard.api.auth.enabled",
                    true,
                    "switchboard.api.auth.admin-password",
                    "correct horse battery")))) {
      String server = "http://localhost:" + guarded.apiPort();
      Map<String, String> env = CliRun.env(home.toString(), null);

      CliRun badToken =
          CliRun.run(env, "--server", server, "--token", "sbt_nope", "agents", "list");
      assertEquals(4, badToken.code(), badToken.toString());
      assertTrue(badToken.err().contains("(HTTP 401)"), badToken.toString());

      Path wrong = Files.writeString(home.resolve("wrong"), "battery staple\n");
      CliRun refused =
          CliRun.run(
              env,
              "--server",
              server,
              "login",
              "--username",
              "admin",
              "--password-file",
              wrong.toString());
      assertEquals(4, refused.code(), refused.toString());
      assertTrue(refused.err().startsWith("error: sign-in refused for admin"), refused.toString());

      Path right = Files.writeString(home.resolve("right"), "correct horse battery\n");
      CliRun login =
          CliRun.run(
              env,
              "--server",
              server,
              "login",
              "--username",
              "admin",
              "--password-file",
              right.toString());
      assertEquals(0, login.code(), login.toString());
      Path config = home.resolve(".config/switchboard/config");
      assertTrue(Files.readString(config).contains("token = sbt_"), Files.readString(config));
      assertEquals(
          "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config)));

      CliRun listed = CliRun.run(env, "agents", "list");
      assertEquals(0, listed.code(), "the server and token come from the config file: " + listed);

      CliRun created = CliRun.run(env, "tokens", "create", "ci", "--role", "VIEWER");
      assertEquals(0, created.code(), created.toString());
      String viewer = created.out().trim();
      assertTrue(viewer.startsWith("sbt_"), created.toString());
      CliRun notAllowed = CliRun.run(env, "--token", viewer, "configs", "create", "forbidden");
      assertEquals(4, notAllowed.code(), notAllowed.toString());
      assertTrue(notAllowed.err().contains("(HTTP 403)"), notAllowed.toString());
      assertEquals(0, CliRun.run(env, "--token", viewer, "configs", "list").code());

      JsonNode tokens = parse(CliRun.run(env, "-o", "json", "tokens", "list"));
      String ciId = null;
      for (JsonNode token : tokens.path("tokens")) {
        if (token.path("name").asText().equals("ci")) {
          ciId = token.path("id").asText();
        }
      }
      assertEquals(2, tokens.path("tokens").size(), tokens.toString());
      assertEquals(0, CliRun.run(env, "tokens", "revoke", ciId).code());
      assertEquals(4, CliRun.run(env, "--token", viewer, "configs", "list").code());

      CliRun logout = CliRun.run(env, "logout");
      assertEquals(0, logout.code(), logout.toString());
      assertTrue(!Files.readString(config).contains("token"), Files.readString(config));
      CliRun afterwards = CliRun.run(env, "agents", "list");
      assertEquals(4, afterwards.code(), afterwards.toString());
    }
  }

  @Test
  void assignmentsAreCreatedListedChangedAndDeleted() throws Exception {
    String config = "assigned-" + UUID.randomUUID().toString().substring(0, 8);
    Path file = home.resolve("collector.yaml");
    Files.writeString(file, "exporters:\n  debug: {}\n");
    assertEquals(0, cli("configs", "create", config, "-f", file.toString()).code());
    assertEquals(0, cli("configs", "publish", config, "1").code());
    assertEquals(0, cli("configs", "draft", config, "-f", file.toString()).code());
    assertEquals(0, cli("configs", "publish", config, "2").code());

    CliRun created =
        cli(
            "assignments",
            "create",
            config,
            "--config",
            config,
            "--version",
            "1",
            "--priority",
            "5",
            "-l",
            "env=prod,ring notin (canary,early)",
            "-a",
            "service.name=" + config);
    assertEquals(0, created.code(), created.toString());
    assertTrue(created.out().contains("ring notin (canary,early)"), created.toString());
    CliRun list = cli("assignments", "list");
    assertTrue(list.out().startsWith("NAME") && list.out().contains(config), list.toString());

    CliRun badSelector =
        cli(
            "assignments",
            "create",
            config + "-bad",
            "--config",
            config,
            "--version",
            "1",
            "-l",
            "env in (prod");
    assertEquals(5, badSelector.code(), badSelector.toString());

    assertEquals(0, cli("assignments", "set", config, "--priority", "9").code());
    JsonNode changed = parse(cli("-o", "json", "assignments", "set", config, "--version", "2"));
    assertEquals(2, changed.path("version").asInt(), changed.toString());
    JsonNode shown = parse(cli("-o", "json", "assignments", "get", config));
    assertEquals(9, shown.path("priority").asInt(), shown.toString());

    assertEquals(0, cli("assignments", "delete", config).code());
    CliRun gone = cli("assignments", "get", config);
    assertEquals(3, gone.code(), gone.toString());
    assertTrue(gone.err().contains("(HTTP 404)"), gone.toString());
  }

  @Test
  void webhooksAreCreatedWithAPrintedOrGivenSecretListedAndDeleted() throws Exception {
    String name = "hook-" + UUID.randomUUID().toString().substring(0, 8);
    CliRun created =
        cli(
            "webhooks",
            "create",
            name,
            "--url",
            "https://hooks.example.invalid/switchboard",
            "--event",
            "rollout.paused",
            "--event",
            "rollout.aborted");
    assertEquals(0, created.code(), created.toString());
    assertTrue(created.out().contains("secret (shown once): "), created.toString());
    CliRun list = cli("webhooks", "list");
    assertTrue(
        list.out().contains(name) && list.out().contains("rollout.paused,rollout.aborted"),
        list.toString());
    assertEquals(
        0, parse(cli("-o", "json", "webhooks", "deliveries", name)).path("deliveries").size());

    Map<String, String> env = CliRun.env(home.toString(), "http://localhost:" + node.apiPort());
    CliRun unset =
        CliRun.run(
            env,
            "webhooks",
            "create",
            name + "-2",
            "--url",
            "https://x.invalid",
            "--event",
            "rollout.paused",
            "--secret-from-env",
            "HOOK_SECRET");
    assertEquals(2, unset.code(), unset.toString());
    assertTrue(unset.err().contains("HOOK_SECRET is not set"), unset.toString());
    env.put("HOOK_SECRET", "a-given-secret-long-enough");
    CliRun given =
        CliRun.run(
            env,
            "webhooks",
            "create",
            name + "-2",
            "--url",
            "https://x.invalid",
            "--event",
            "rollout.paused",
            "--secret-from-env",
            "HOOK_SECRET");
    assertEquals(0, given.code(), given.toString());
    assertTrue(
        !given.out().contains("a-given-secret-long-enough"), "a given secret is not printed");

    assertEquals(0, cli("webhooks", "delete", name).code());
    assertEquals(0, cli("webhooks", "delete", name + "-2").code());
    CliRun gone = cli("webhooks", "get", name);
    assertEquals(3, gone.code(), gone.toString());
  }

  @Test
  void completionIsGeneratedForBash() {
    CliRun completion = cli("generate-completion");
    assertEquals(0, completion.code(), completion.toString());
    assertTrue(completion.out().contains("complete -F"), completion.toString());
    assertTrue(completion.out().contains("rollouts"), completion.toString());
  }

  private CliRun cli(String... args) {
    return CliRun.run(CliRun.env(home.toString(), "http://localhost:" + node.apiPort()), args);
  }

  private JsonNode parse(CliRun run) throws Exception {
    assertEquals(0, run.code(), run.toString());
    return json.readTree(run.out());
  }

  private RawAgent connect(ByteString uid, String service) throws Exception {
    RawAgent raw = RawAgent.connect(node.opampPort());
    raw.send(fullState(uid, 1, service).toBuilder().setCapabilities(CAPABILITIES).build());
    raw.receive();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                HttpProbe.get(node.apiPort(), "/api/agents/" + InstanceUid.toText(uid)).statusCode()
                    == 200);
    return raw;
  }

  /** The next message to the agent that carries {@code what}, skipping the others. */
  private static ServerToAgent nextWith(RawAgent raw, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      Optional<ServerToAgent> message = raw.poll(Duration.ofSeconds(1));
      if (message.isPresent()
          && (what.equals("command")
              ? message.get().hasCommand()
              : message.get().hasRemoteConfig())) {
        return message.get();
      }
    }
    throw new AssertionError("the agent got no " + what + " within 30 s");
  }

  private static List<String> uids(JsonNode page) {
    List<String> uids = new java.util.ArrayList<>();
    page.path("agents").forEach(agent -> uids.add(agent.path("instance_uid").asText()));
    return uids;
  }
}
