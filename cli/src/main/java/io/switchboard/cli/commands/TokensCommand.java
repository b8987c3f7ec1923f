package io.switchboard.cli.commands;

import static io.switchboard.cli.output.JsonText.at;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.cli.client.ApiClient;
import io.switchboard.cli.output.JsonText;
import io.switchboard.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code switchboard tokens ...}: API tokens for automation. */
@Command(
    name = "tokens",
    description = "API tokens: list yours (an admin sees all), create one, revoke one.",
    mixinStandardHelpOptions = true)
public final class TokensCommand {

  @Spec CommandSpec spec;

  @Command(name = "list", description = "Tokens, without their secrets.")
  int list() {
    Cli cli = Cli.of(spec);
    JsonNode page = cli.api().get("/api/tokens");
    cli.output()
        .show(
            page,
            () -> {
              Table table =
                  new Table("ID", "NAME", "OWNER", "ROLE", "CREATED", "EXPIRES", "LAST USED");
              for (JsonNode token : JsonText.items(page, "tokens")) {
                table.row(
                    at(token, "/id"),
                    at(token, "/name"),
                    at(token, "/owner"),
                    at(token, "/role"),
                    at(token, "/created_at"),
                    at(token, "/expires_at"),
                    at(token, "/last_used_at"));
              }
              table.print(cli.output().out());
            });
    return 0;
  }

  @Command(
      name = "create",
      description = "A new token; prints it once (the server keeps only its hash).")
  int create(
      @Parameters(paramLabel = "NAME") String name,
      @Option(
              names = "--role",
              required = true,
              description = "VIEWER, OPERATOR or ADMIN, at most your own role.")
          String role,
      @Option(
              names = "--expires-in",
              defaultValue = "P30D",
              description = "An ISO-8601 duration (default P30D).")
          String expiresIn) {
    Cli cli = Cli.of(spec);
    ObjectNode body =
        cli.json()
            .createObjectNode()
            .put("name", name)
            .put("role", role)
            .put("expires_in", expiresIn);
    JsonNode created = cli.api().post("/api/tokens", body);
    cli.output().show(created, () -> cli.output().out().println(at(created, "/token")));
    if (!cli.output().json()) {
      cli.output()
          .note(
              "token "
                  + at(created, "/id")
                  + " expires "
                  + at(created, "/expires_at")
                  + "; it is shown this once");
    }
    return 0;
  }

  @Command(name = "revoke", description = "Revokes a token now.")
  int revoke(@Parameters(paramLabel = "ID") String id) {
    Cli cli = Cli.of(spec);
    JsonNode answer = cli.api().delete("/api/tokens/" + ApiClient.segment(id));
    cli.output().show(answer, () -> cli.output().out().println("revoked token " + id));
    return 0;
  }
}
