package io.switchboard.cli.commands;

import static io.switchboard.cli.output.JsonText.at;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.cli.client.ApiClient;
import io.switchboard.cli.output.JsonText;
import io.switchboard.cli.output.Output;
import io.switchboard.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code switchboard envelopes ...}: operators' commands as stored, and what became of them. */
@Command(
    name = "envelopes",
    description = "Operators' commands as stored (envelopes) and what became of each.",
    mixinStandardHelpOptions = true)
public final class EnvelopesCommand {

  @Spec CommandSpec spec;

  @Command(name = "list", description = "Envelopes, newest first.")
  int list(
      @Option(names = "--agent", paramLabel = "INSTANCE_UID") String agent,
      @Option(names = "--state", description = "PENDING, SENT, APPLIED, FAILED, EXPIRED, ...")
          String state,
      @Option(names = "--limit", defaultValue = "50") int limit,
      @Option(names = "--before", description = "The next cursor of the page before.")
          String before) {
    Cli cli = Cli.of(spec);
    JsonNode page =
        cli.api()
            .get(
                ApiClient.query(
                    "/api/envelopes",
                    ApiClient.parameters(
                        "agent", agent, "state", state, "limit", limit, "before", before)));
    cli.output()
        .show(
            page,
            () -> {
              Table table = new Table("ID", "AGENT", "KIND", "STATE", "CREATED", "BY", "DETAIL");
              for (JsonNode envelope : JsonText.items(page, "envelopes")) {
                table.row(
                    at(envelope, "/id"),
                    at(envelope, "/instance_uid"),
                    at(envelope, "/kind"),
                    at(envelope, "/state"),
                    at(envelope, "/created_at"),
                    at(envelope, "/created_by"),
                    at(envelope, "/detail"));
              }
              table.print(cli.output().out());
            });
    if (page.path("next").isTextual() && !cli.output().json()) {
      cli.output().note("more envelopes: --before " + page.path("next").asText());
    }
    return 0;
  }

  @Command(name = "get", description = "One envelope: what was asked, and what became of it.")
  int get(@Parameters(paramLabel = "ID") String id) {
    Cli cli = Cli.of(spec);
    JsonNode envelope = cli.api().get("/api/envelopes/" + ApiClient.segment(id));
    cli.output()
        .show(
            envelope,
            () ->
                cli.output()
                    .fields(
                        new Output.Fields()
                            .add("id", at(envelope, "/id"))
                            .add("agent", at(envelope, "/instance_uid"))
                            .add("kind", at(envelope, "/kind"))
                            .add("state", at(envelope, "/state"))
                            .add("detail", at(envelope, "/detail"))
                            .add("created", at(envelope, "/created_at"))
                            .add("created by", at(envelope, "/created_by"))
                            .add("deadline", at(envelope, "/deadline"))
                            .add("sent", at(envelope, "/sent_at"))
                            .add("sent by node", at(envelope, "/sent_by_node"))
                            .add("closed", at(envelope, "/closed_at"))
                            .list()));
    return 0;
  }
}
