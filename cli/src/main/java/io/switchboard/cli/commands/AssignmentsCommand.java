package io.switchboard.cli.commands;

import static io.switchboard.cli.output.JsonText.at;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.cli.client.ApiClient;
import io.switchboard.cli.client.CliException;
import io.switchboard.cli.client.ExitCode;
import io.switchboard.cli.output.JsonText;
import io.switchboard.cli.output.Output;
import io.switchboard.cli.output.Table;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard assignments ...}: standing bindings of a configuration version to a selector.
 * Every agent that matches, now or later, runs the highest-priority assignment's version; changing
 * the version starts a rollout.
 */
@Command(
    name = "assignments",
    description =
        "Standing assignments of a configuration version to the agents a selector matches.",
    mixinStandardHelpOptions = true)
public final class AssignmentsCommand {

  @Spec CommandSpec spec;

  @Command(name = "list", description = "Every assignment, highest priority first.")
  int list() {
    Cli cli = Cli.of(spec);
    JsonNode page = cli.api().get("/api/assignments");
    cli.output()
        .show(
            page,
            () -> {
              Table table =
                  new Table(
                      "NAME",
                      "CONFIGURATION",
                      "VERSION",
                      "PRIORITY",
                      "AGENTS",
                      "SELECTOR",
                      "ROLLOUT");
              for (JsonNode assignment : JsonText.items(page, "assignments")) {
                table.row(
                    at(assignment, "/name"),
                    at(assignment, "/configuration"),
                    at(assignment, "/version"),
                    at(assignment, "/priority"),
                    at(assignment, "/matched_agents"),
                    selectorText(assignment.path("selector")),
                    at(assignment, "/rollout_id"));
              }
              table.print(cli.output().out());
            });
    return 0;
  }

  @Command(name = "get", description = "One assignment.")
  int get(@Parameters(paramLabel = "NAME") String name) {
    Cli cli = Cli.of(spec);
    JsonNode assignment = cli.api().get(path(name));
    cli.output().show(assignment, () -> print(cli.output(), assignment));
    return 0;
  }

  @Command(
      name = "create",
      description =
          "Assigns a published version, packages, or both to every agent the selector matches,"
              + " now or later.")
  int create(
      @Parameters(paramLabel = "NAME") String name,
      @Option(names = "--config", paramLabel = "NAME") String configuration,
      @Option(names = "--version", paramLabel = "VERSION") Integer version,
      @Option(names = "--priority", defaultValue = "0", description = "Higher wins (default 0).")
          int priority,
      @Option(names = "--description") String description,
      @Option(
              names = "--package",
              paramLabel = "NAME=VERSION",
              description = "A package the assignment offers besides its config (repeatable).")
          java.util.List<String> packages,
      @Mixin SelectorOptions selector) {
    Cli cli = Cli.of(spec);
    ObjectNode body = cli.json().createObjectNode().put("name", name).put("priority", priority);
    if (configuration != null) {
      body.put("configuration", configuration);
    }
    if (version != null) {
      body.put("version", version);
    }
    if (description != null) {
      body.put("description", description);
    }
    body.set("selector", selector.toJson(cli.json()));
    if (packages != null) {
      body.set("packages", packageSet(cli, packages));
    }
    JsonNode created = cli.api().post("/api/assignments", body);
    cli.output().show(created, () -> print(cli.output(), created));
    return 0;
  }

  @Command(
      name = "set",
      description = {
        "Changes an assignment. A new --version is a rollout through its agents, moved as the",
        "strategy and gates say (default: all at once); --watch follows it until it ends."
      })
  int set(
      @Parameters(paramLabel = "NAME") String name,
      @Option(names = "--version", paramLabel = "VERSION") Integer version,
      @Option(names = "--priority") Integer priority,
      @Option(names = "--description") String description,
      @Option(
              names = "--package",
              paramLabel = "NAME=VERSION",
              description = {
                "The package set it offers from now on (repeatable): a rollout, as a new",
                "--version is."
              })
          java.util.List<String> packages,
      @Option(names = "--no-packages", description = "It offers no packages from now on.")
          boolean noPackages,
      @Mixin SelectorOptions selector,
      @Mixin RolloutOptions rollout,
      @Option(
              names = "--watch",
              description = "Follow the version's (or package set's) rollout until it ends.")
          boolean watch) {
    Cli cli = Cli.of(spec);
    ObjectNode body = cli.json().createObjectNode();
    if (version != null) {
      body.put("version", version);
      rollout.addTo(body);
    }
    if (packages != null || noPackages) {
      body.set("packages", noPackages ? cli.json().createArrayNode() : packageSet(cli, packages));
      if (version == null) {
        rollout.addTo(body);
      }
    }
    if (priority != null) {
      body.put("priority", priority);
    }
    if (description != null) {
      body.put("description", description);
    }
    if (selector.given()) {
      body.set("selector", selector.toJson(cli.json()));
    }
    if (body.isEmpty()) {
      throw new CliException(
          ExitCode.USAGE,
          "nothing to change: give --version, --package, --priority, --description or a"
              + " selector");
    }
    JsonNode changed = cli.api().put(path(name), body);
    String rolloutId = at(changed, "/rollout_id");
    if (watch && version != null && !rolloutId.isEmpty()) {
      cli.output().note("rollout " + rolloutId + " moves " + name + " to version " + version);
      return RolloutsCommand.watch(cli, rolloutId, Duration.ofSeconds(1));
    }
    String packagesRollout = at(changed, "/packages_rollout_id");
    if (watch && packages != null && !packagesRollout.isEmpty()) {
      cli.output().note("rollout " + packagesRollout + " moves " + name + " to its new packages");
      return RolloutsCommand.watch(cli, packagesRollout, Duration.ofSeconds(1));
    }
    cli.output().show(changed, () -> print(cli.output(), changed));
    return 0;
  }

  @Command(name = "delete", description = "Deletes an assignment; its agents keep what they run.")
  int delete(@Parameters(paramLabel = "NAME") String name) {
    Cli cli = Cli.of(spec);
    cli.api().delete(path(name));
    cli.deleted("assignment", name);
    return 0;
  }

  /** {@code [{name, version}]} from {@code NAME=VERSION} arguments. */
  static com.fasterxml.jackson.databind.node.ArrayNode packageSet(
      Cli cli, java.util.List<String> packages) {
    com.fasterxml.jackson.databind.node.ArrayNode set = cli.json().createArrayNode();
    for (String pkg : packages) {
      int equals = pkg.indexOf('=');
      if (equals <= 0 || equals == pkg.length() - 1) {
        throw new CliException(ExitCode.USAGE, "--package is NAME=VERSION, not " + pkg);
      }
      set.addObject()
          .put("name", pkg.substring(0, equals))
          .put("version", pkg.substring(equals + 1));
    }
    return set;
  }

  /** {@code name version, ...}, or empty for none. */
  static String packagesText(JsonNode packages) {
    java.util.List<String> parts = new java.util.ArrayList<>();
    for (JsonNode pkg : packages) {
      parts.add(pkg.path("name").asText() + " " + pkg.path("version").asText());
    }
    return String.join(", ", parts);
  }

  /** {@code labels: ...; attributes: ...}, leaving out an empty part. */
  static String selectorText(JsonNode selector) {
    String labels = text(selector.path("labels"));
    String attributes = text(selector.path("attributes"));
    if (labels.isEmpty() && attributes.isEmpty()) {
      return "(every agent)";
    }
    if (attributes.isEmpty()) {
      return labels;
    }
    return labels.isEmpty() ? "attributes: " + attributes : labels + "; attributes: " + attributes;
  }

  private static String text(JsonNode part) {
    return part.isObject() ? JsonText.pairs(part) : part.asText("");
  }

  private static void print(Output output, JsonNode assignment) {
    output.fields(
        new Output.Fields()
            .add("name", at(assignment, "/name"))
            .add("configuration", at(assignment, "/configuration"))
            .add("version", at(assignment, "/version"))
            .add("previous version", at(assignment, "/previous_version"))
            .add("priority", at(assignment, "/priority"))
            .add("selector", selectorText(assignment.path("selector")))
            .add("matched agents", at(assignment, "/matched_agents"))
            .add("rollout", at(assignment, "/rollout_id"))
            .add("packages", packagesText(assignment.path("packages")))
            .add("previous packages", packagesText(assignment.path("previous_packages")))
            .add("packages rollout", at(assignment, "/packages_rollout_id"))
            .add("description", at(assignment, "/description"))
            .add("created", at(assignment, "/created_at"))
            .add("created by", at(assignment, "/created_by"))
            .add("updated", at(assignment, "/updated_at"))
            .list());
  }

  static String path(String name) {
    return "/api/assignments/" + ApiClient.segment(name);
  }
}
