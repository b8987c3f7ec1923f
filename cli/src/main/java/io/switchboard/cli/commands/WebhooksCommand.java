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
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard webhooks ...}: HTTPS endpoints told about fleet events, each delivery signed
 * with the webhook's secret.
 */
@Command(
    name = "webhooks",
    description = "Endpoints told about fleet events: list, get, create, delete, deliveries.",
    mixinStandardHelpOptions = true)
public final class WebhooksCommand {

  @Spec CommandSpec spec;

  @Command(name = "list", description = "Every webhook.")
  int list() {
    Cli cli = Cli.of(spec);
    JsonNode page = cli.api().get("/api/webhooks");
    cli.output()
        .show(
            page,
            () -> {
              Table table = new Table("NAME", "URL", "EVENTS", "ENABLED");
              for (JsonNode webhook : JsonText.items(page, "webhooks")) {
                table.row(
                    at(webhook, "/name"),
                    at(webhook, "/url"),
                    events(webhook),
                    at(webhook, "/enabled"));
              }
              table.print(cli.output().out());
            });
    return 0;
  }

  @Command(name = "get", description = "One webhook.")
  int get(@Parameters(paramLabel = "NAME") String name) {
    Cli cli = Cli.of(spec);
    JsonNode webhook = cli.api().get(path(name));
    cli.output().show(webhook, () -> print(cli.output(), webhook));
    return 0;
  }

  @Command(
      name = "create",
      description = {
        "Registers an endpoint for events: agent.disconnected, agent.unhealthy, rollout.paused,",
        "rollout.completed, rollout.aborted. Without --secret-from-env the server makes the",
        "signing secret and this prints it, once."
      })
  int create(
      @Parameters(paramLabel = "NAME") String name,
      @Option(names = "--url", required = true) String url,
      @Option(names = "--event", required = true, paramLabel = "EVENT") List<String> events,
      @Option(names = "--disconnected-after-minutes", paramLabel = "MINUTES")
          Integer disconnectedAfter,
      @Option(
              names = "--secret-from-env",
              paramLabel = "VARIABLE",
              description = "Sign with the secret in this environment variable.")
          String secretVariable) {
    Cli cli = Cli.of(spec);
    ObjectNode body = cli.json().createObjectNode().put("name", name).put("url", url);
    ArrayNode eventList = body.putArray("events");
    events.forEach(eventList::add);
    if (disconnectedAfter != null) {
      body.put("disconnected_after_minutes", disconnectedAfter);
    }
    if (secretVariable != null) {
      body.put("secret", secret(cli, secretVariable));
    }
    JsonNode created = cli.api().post("/api/webhooks", body);
    cli.output()
        .show(
            created,
            () -> {
              print(cli.output(), created);
              if (secretVariable == null) {
                cli.output().out().println();
                cli.output().out().println("secret (shown once): " + at(created, "/secret"));
                cli.output().out().flush();
              }
            });
    return 0;
  }

  @Command(name = "delete", description = "Deletes a webhook and its pending deliveries.")
  int delete(@Parameters(paramLabel = "NAME") String name) {
    Cli cli = Cli.of(spec);
    cli.api().delete(path(name));
    cli.deleted("webhook", name);
    return 0;
  }

  @Command(name = "deliveries", description = "A webhook's latest deliveries and their attempts.")
  int deliveries(
      @Parameters(paramLabel = "NAME") String name,
      @Option(names = "--limit", defaultValue = "20") int limit) {
    Cli cli = Cli.of(spec);
    JsonNode page =
        cli.api()
            .get(ApiClient.query(path(name) + "/deliveries", ApiClient.parameters("limit", limit)));
    cli.output()
        .show(
            page,
            () -> {
              Table table =
                  new Table(
                      "ID", "EVENT", "CREATED", "ATTEMPTS", "LAST STATUS", "DELIVERED", "ERROR");
              for (JsonNode delivery : JsonText.items(page, "deliveries")) {
                table.row(
                    at(delivery, "/id"),
                    at(delivery, "/event"),
                    at(delivery, "/created_at"),
                    at(delivery, "/attempts"),
                    at(delivery, "/last_status"),
                    at(delivery, "/delivered_at"),
                    at(delivery, "/last_error"));
              }
              table.print(cli.output().out());
            });
    return 0;
  }

  /** The secret from the environment variable named {@code variable}; never from a flag. */
  public static String secret(Cli cli, String variable) {
    String secret = cli.env().get(variable);
    if (secret == null || secret.isEmpty()) {
      throw new CliException(
          ExitCode.USAGE, "the environment variable " + variable + " is not set");
    }
    return secret;
  }

  static String events(JsonNode webhook) {
    StringBuilder text = new StringBuilder();
    for (JsonNode event : webhook.path("events")) {
      text.append(text.isEmpty() ? "" : ",").append(event.asText());
    }
    return text.toString();
  }

  private static void print(Output output, JsonNode webhook) {
    output.fields(
        new Output.Fields()
            .add("name", at(webhook, "/name"))
            .add("url", at(webhook, "/url"))
            .add("events", events(webhook))
            .add("disconnected after", at(webhook, "/disconnected_after_minutes") + " min")
            .add("enabled", at(webhook, "/enabled"))
            .add("created", at(webhook, "/created_at"))
            .add("updated", at(webhook, "/updated_at"))
            .list());
  }

  public static String path(String name) {
    return "/api/webhooks/" + ApiClient.segment(name);
  }
}
