package io.switchboard.cli.commands;

import static io.switchboard.cli.output.JsonText.at;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.cli.client.ApiClient;
import io.switchboard.cli.output.JsonText;
import io.switchboard.cli.output.Table;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code switchboard audit}: who did what, newest first. */
@Command(
    name = "audit",
    description = "Operators' actions, newest first.",
    mixinStandardHelpOptions = true)
public final class AuditCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--target",
      description = "Only actions on this: agent/UID, configuration/NAME/VERSION, rollout/ID, ...")
  String target;

  @Option(names = "--limit", defaultValue = "50")
  int limit;

  @Option(names = "--before", description = "The next cursor of the page before.")
  Long before;

  @Override
  public Integer call() {
    Cli cli = Cli.of(spec);
    JsonNode page =
        cli.api()
            .get(
                ApiClient.query(
                    "/api/audit",
                    ApiClient.parameters("target", target, "limit", limit, "before", before)));
    cli.output()
        .show(
            page,
            () -> {
              Table table = new Table("AT", "ACTOR", "ACTION", "TARGET");
              for (JsonNode event : JsonText.items(page, "events")) {
                table.row(
                    at(event, "/at"),
                    at(event, "/actor"),
                    at(event, "/action"),
                    at(event, "/target"));
              }
              table.print(cli.output().out());
            });
    if (!page.path("next").isMissingNode() && !page.path("next").isNull() && !cli.output().json()) {
      cli.output().note("more events: --before " + page.path("next").asText());
    }
    return 0;
  }
}
