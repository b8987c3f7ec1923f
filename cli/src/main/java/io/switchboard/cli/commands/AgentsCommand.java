package io.switchboard.cli.commands;

import static io.switchboard.cli.output.JsonText.at;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.cli.client.ApiClient;
import io.switchboard.cli.client.CliException;
import io.switchboard.cli.client.ExitCode;
import io.switchboard.cli.output.JsonText;
import io.switchboard.cli.output.Output;
import io.switchboard.cli.output.Table;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code switchboard agents ...}: the fleet's agents, their labels, and commands to one agent. */
@Command(
    name = "agents",
    description = "List and inspect agents, label them, and send one agent a command.",
    mixinStandardHelpOptions = true)
public final class AgentsCommand {

  private static final String SERVICE = "/description/identifying_attributes/service.name";

  @Spec CommandSpec spec;

  @Command(name = "list", description = "Agents, filtered; one page unless --all.")
  int list(
      @Option(
              names = {"-l", "--selector"},
              paramLabel = "EXPR",
              description =
                  "Over labels: env=prod,ring!=canary,tier in (a,b),zone notin (x),gpu,!legacy.")
          String labelSelector,
      @Option(
              names = {"-a", "--attribute-selector"},
              paramLabel = "EXPR",
              description = "Over reported attributes, in the same grammar.")
          String attributeSelector,
      @Option(names = "--label", paramLabel = "KEY=VALUE", description = "An operator label.")
          List<String> labels,
      @Option(
              names = "--attribute",
              paramLabel = "KEY=VALUE",
              description = "An attribute the agent reported (identifying or not).")
          List<String> attributes,
      @Option(names = "--connection-state", description = "CONNECTED or DISCONNECTED.")
          String connectionState,
      @Option(names = "--healthy", description = "true or false.") Boolean healthy,
      @Option(names = "--remote-config-status", description = "APPLIED, APPLYING, FAILED or UNSET.")
          String remoteConfigStatus,
      @Option(names = "--limit", defaultValue = "100", description = "Agents per page.") int limit,
      @Option(names = "--after", description = "The next cursor of the page before.") String after,
      @Option(names = "--all", description = "Every page, not just the first.") boolean all) {
    Cli cli = Cli.of(spec);
    Map<String, Object> parameters =
        ApiClient.parameters(
            "label", SelectorOptions.expression(labelSelector, KeyValues.parse(labels, "--label")),
            "attribute",
                SelectorOptions.expression(
                    attributeSelector, KeyValues.parse(attributes, "--attribute")),
            "connection_state", connectionState,
            "healthy", healthy,
            "remote_config_status", remoteConfigStatus,
            "limit", limit);
    ArrayNode agents = cli.json().createArrayNode();
    String next = after;
    do {
      parameters.put("after", next);
      JsonNode page = cli.api().get(ApiClient.query("/api/agents", parameters));
      JsonText.items(page, "agents").forEach(agents::add);
      next = page.path("next").isTextual() ? page.path("next").asText() : null;
    } while (all && next != null);
    ObjectNode result = cli.json().createObjectNode();
    result.set("agents", agents);
    result.put("next", next);
    String more = next;
    cli.output()
        .show(
            result,
            () -> {
              Table table =
                  new Table(
                      "INSTANCE UID",
                      "SERVICE",
                      "CONNECTION",
                      "HEALTHY",
                      "CONFIG",
                      "NODE",
                      "LAST SEEN");
              for (JsonNode agent : agents) {
                table.row(
                    at(agent, "/instance_uid"),
                    at(agent, SERVICE),
                    at(agent, "/connection_state"),
                    at(agent, "/health/healthy"),
                    configState(agent),
                    at(agent, "/owner_node"),
                    at(agent, "/last_seen"));
              }
              table.print(cli.output().out());
            });
    if (more != null && !cli.output().json()) {
      cli.output().note("more agents: --all, or --after " + more);
    }
    return 0;
  }

  @Command(name = "get", description = "One agent: what it reported and what it was sent.")
  int get(@Parameters(paramLabel = "INSTANCE_UID") String uid) {
    Cli cli = Cli.of(spec);
    JsonNode agent = cli.api().get(path(uid));
    cli.output()
        .show(
            agent,
            () ->
                cli.output()
                    .fields(
                        new Output.Fields()
                            .add("instance uid", at(agent, "/instance_uid"))
                            .add("service", at(agent, SERVICE))
                            .add(
                                "version",
                                at(agent, "/description/identifying_attributes/service.version"))
                            .add("connection", at(agent, "/connection_state"))
                            .add("healthy", at(agent, "/health/healthy"))
                            .add("health status", at(agent, "/health/status"))
                            .add("last error", at(agent, "/health/last_error"))
                            .add("config", configState(agent))
                            .add("config error", at(agent, "/remote_config_status/error_message"))
                            .add("desired config", at(agent, "/desired_config_hash"))
                            .add("labels", JsonText.pairs(agent.get("labels")))
                            .add("credential", at(agent, "/principal"))
                            .add("node", at(agent, "/owner_node"))
                            .add("session epoch", at(agent, "/session_epoch"))
                            .add("first seen", at(agent, "/first_seen"))
                            .add("last seen", at(agent, "/last_seen"))
                            .list()));
    return 0;
  }

  @Command(
      name = "label",
      description = "Sets labels (key=value) and removes them (key-); other labels stay.")
  int label(
      @Parameters(index = "0", paramLabel = "INSTANCE_UID") String uid,
      @Parameters(index = "1..*", paramLabel = "KEY=VALUE|KEY-", arity = "1..*")
          List<String> changes) {
    Cli cli = Cli.of(spec);
    ObjectNode labels = cli.json().createObjectNode();
    JsonNode current = cli.api().get(path(uid)).path("labels");
    if (current.isObject()) {
      labels.setAll((ObjectNode) current);
    }
    List<String> sets = new ArrayList<>();
    for (String change : changes) {
      if (change.endsWith("-") && !change.contains("=")) {
        labels.remove(change.substring(0, change.length() - 1));
      } else {
        sets.add(change);
      }
    }
    KeyValues.parse(sets, "a label").forEach(labels::put);
    ObjectNode body = cli.json().createObjectNode();
    body.set("labels", labels);
    JsonNode agent = cli.api().put(path(uid) + "/labels", body);
    cli.output().show(agent, () -> cli.output().out().println(JsonText.pairs(agent.get("labels"))));
    return 0;
  }

  @Command(name = "restart", description = "Asks the agent to restart.")
  int restart(@Parameters(paramLabel = "INSTANCE_UID") String uid) {
    Cli cli = Cli.of(spec);
    return sent(cli, cli.api().post(path(uid) + "/restart", null));
  }

  @Command(
      name = "set-config",
      description = "Sends the agent a remote config made of these files (a command to one agent).")
  int setConfig(
      @Parameters(index = "0", paramLabel = "INSTANCE_UID") String uid,
      @Option(
              names = {"-f", "--file"},
              required = true,
              paramLabel = "FILE",
              description = "A file of the config, named as the file is.")
          List<Path> files) {
    Cli cli = Cli.of(spec);
    ObjectNode body = cli.json().createObjectNode();
    body.set("config_map", ConfigFiles.configMap(files, cli.json()));
    return sent(cli, cli.api().put(path(uid) + "/remote-config", body));
  }

  @Command(
      name = "remove",
      description = "Removes the agent and its history now; if it reports again it is new.")
  int remove(@Parameters(paramLabel = "INSTANCE_UID") String uid) {
    Cli cli = Cli.of(spec);
    JsonNode answer = cli.api().delete(path(uid));
    cli.output().show(answer, () -> cli.output().out().println("removed " + uid));
    return 0;
  }

  @Command(
      name = "reset-credential",
      description = "Forgets which credential the agent is bound to, for a re-enrolment.")
  int resetCredential(@Parameters(paramLabel = "INSTANCE_UID") String uid) {
    Cli cli = Cli.of(spec);
    JsonNode answer = cli.api().delete(path(uid) + "/credential");
    cli.output().show(answer, () -> cli.output().out().println("credential reset for " + uid));
    return 0;
  }

  private static String path(String uid) {
    if (uid.isBlank()) {
      throw new CliException(ExitCode.USAGE, "an instance uid is required");
    }
    return "/api/agents/" + ApiClient.segment(uid);
  }

  /** The envelope a command became, as the API answered it. */
  private static int sent(Cli cli, JsonNode envelope) {
    cli.output()
        .show(
            envelope,
            () ->
                cli.output()
                    .out()
                    .println(
                        at(envelope, "/kind")
                            + " for "
                            + at(envelope, "/instance_uid")
                            + ": envelope "
                            + at(envelope, "/id")
                            + " "
                            + at(envelope, "/state")));
    return 0;
  }

  /** The agent's remote config status, marked when it runs another config than it was sent. */
  private static String configState(JsonNode agent) {
    String status = at(agent, "/remote_config_status/status");
    return agent.path("drifted").asBoolean() ? status + " (drifted)" : status;
  }
}
