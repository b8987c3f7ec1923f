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
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code switchboard rollouts ...}: moving agents from one version to the next, in batches. */
@Command(
    name = "rollouts",
    description = "Create rollouts, watch them, and pause, resume, abort or roll them back.",
    mixinStandardHelpOptions = true)
public final class RolloutsCommand {

  private static final Set<String> ENDED = Set.of("COMPLETED", "ABORTED", "ROLLED_BACK");

  @Spec CommandSpec spec;

  @Command(name = "list", description = "Rollouts, newest first.")
  int list() {
    Cli cli = Cli.of(spec);
    JsonNode page = cli.api().get("/api/rollouts");
    cli.output()
        .show(
            page,
            () -> {
              Table table =
                  new Table("ID", "CONFIGURATION", "VERSION", "STATE", "BATCH", "CREATED", "BY");
              for (JsonNode rollout : JsonText.items(page, "rollouts")) {
                table.row(
                    at(rollout, "/id"),
                    at(rollout, "/configuration"),
                    at(rollout, "/version"),
                    at(rollout, "/state"),
                    (rollout.path("current_batch").asInt() + 1)
                        + "/"
                        + rollout.path("batch_count").asInt(),
                    at(rollout, "/created_at"),
                    at(rollout, "/created_by"));
              }
              table.print(cli.output().out());
            });
    return 0;
  }

  @Command(name = "get", description = "One rollout with its progress per batch.")
  int get(@Parameters(paramLabel = "ID") String id) {
    Cli cli = Cli.of(spec);
    JsonNode rollout = cli.api().get(path(id));
    cli.output().show(rollout, () -> print(cli.output(), rollout));
    return 0;
  }

  @Command(
      name = "create",
      description = "Moves the agents a selector matches to a published version, batch by batch.")
  int create(
      @Option(names = "--config", required = true, paramLabel = "NAME") String configuration,
      @Option(names = "--version", required = true, paramLabel = "VERSION") int version,
      @Mixin SelectorOptions selector,
      @Mixin RolloutOptions rollout,
      @Option(names = "--watch", description = "Then watch it until it ends.") boolean watch) {
    Cli cli = Cli.of(spec);
    ObjectNode body =
        cli.json().createObjectNode().put("configuration", configuration).put("version", version);
    body.set("selector", selector.toJson(cli.json()));
    rollout.addTo(body);
    JsonNode created = cli.api().post("/api/rollouts", body);
    if (watch) {
      cli.output().note("rollout " + at(created, "/id") + " created");
      return watch(cli, at(created, "/id"), Duration.ofSeconds(1));
    }
    cli.output().show(created, () -> print(cli.output(), created));
    return 0;
  }

  @Command(
      name = "watch",
      description = {
        "Follows a rollout until it ends: bars per batch on a terminal, a line per change",
        "when piped. Exits 0 when it completes, 7 when it was aborted or rolled back."
      })
  int watch(
      @Parameters(paramLabel = "ID") String id,
      @Option(
              names = "--interval",
              defaultValue = "1",
              paramLabel = "SECONDS",
              description = "How often to look (default 1).")
          double seconds) {
    if (!(seconds > 0 && seconds <= 3600)) {
      throw new CliException(ExitCode.USAGE, "--interval must be between 0 and 3600 seconds");
    }
    return watch(Cli.of(spec), id, Duration.ofMillis((long) (seconds * 1000)));
  }

  @Command(name = "pause", description = "Stops a running rollout between batches.")
  int pause(@Parameters(paramLabel = "ID") String id) {
    return act(id, "pause");
  }

  @Command(name = "resume", description = "Resumes a paused rollout.")
  int resume(@Parameters(paramLabel = "ID") String id) {
    return act(id, "resume");
  }

  @Command(name = "abort", description = "Ends a rollout; agents keep what they have.")
  int abort(@Parameters(paramLabel = "ID") String id) {
    return act(id, "abort");
  }

  @Command(name = "rollback", description = "Sends the rollout's agents the version before.")
  int rollback(@Parameters(paramLabel = "ID") String id) {
    return act(id, "rollback");
  }

  private int act(String id, String action) {
    Cli cli = Cli.of(spec);
    JsonNode rollout = cli.api().post(path(id) + "/" + action, null);
    cli.output()
        .show(
            rollout,
            () -> cli.output().out().println("rollout " + id + " " + at(rollout, "/state")));
    return 0;
  }

  static int watch(Cli cli, String id, Duration interval) {
    boolean terminal = System.console() != null && !cli.output().json();
    RolloutProgress progress = new RolloutProgress(cli.output().out(), terminal);
    while (true) {
      JsonNode rollout = cli.api().get(path(id));
      String state = at(rollout, "/state");
      if (cli.output().json()) {
        if (ENDED.contains(state)) {
          cli.output().printJson(rollout);
        }
      } else {
        progress.show(rollout);
      }
      if (ENDED.contains(state)) {
        return "COMPLETED".equals(state)
            ? ExitCode.OK.code()
            : ExitCode.ROLLOUT_NOT_COMPLETED.code();
      }
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException(ExitCode.FAILED, "interrupted");
      }
    }
  }

  private static void print(Output output, JsonNode rollout) {
    output.fields(
        new Output.Fields()
            .add("id", at(rollout, "/id"))
            .add("configuration", at(rollout, "/configuration"))
            .add("version", at(rollout, "/version"))
            .add("previous version", at(rollout, "/previous_version"))
            .add("state", at(rollout, "/state"))
            .add("detail", at(rollout, "/detail"))
            .add(
                "batch",
                (rollout.path("current_batch").asInt() + 1)
                    + "/"
                    + rollout.path("batch_count").asInt())
            .add("created", at(rollout, "/created_at"))
            .add("created by", at(rollout, "/created_by"))
            .list());
    if (rollout.path("batches").size() > 0) {
      output.out().println();
      Table table =
          new Table(
              "BATCH",
              "TARGETS",
              "APPLIED",
              "FAILED",
              "OPEN",
              "EXPIRED",
              "DISCONNECTED",
              "UNHEALTHY",
              "NOT SENT");
      for (JsonNode batch : rollout.path("batches")) {
        table.row(
            Integer.toString(batch.path("batch").asInt() + 1),
            at(batch, "/targets"),
            at(batch, "/applied"),
            at(batch, "/failed"),
            at(batch, "/open"),
            at(batch, "/expired"),
            at(batch, "/disconnected"),
            at(batch, "/unhealthy"),
            at(batch, "/not_dispatched"));
      }
      table.print(output.out());
    }
  }

  private static String path(String id) {
    return "/api/rollouts/" + ApiClient.segment(id);
  }
}
