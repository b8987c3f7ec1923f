package io.switchboard.cli.commands;

import static io.switchboard.cli.output.JsonText.at;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.cli.client.ApiClient;
import io.switchboard.cli.output.JsonText;
import io.switchboard.cli.output.Output;
import io.switchboard.cli.output.Table;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard configs ...}: configurations and their versions. A version starts as a draft
 * and is published before it goes to agents; a published version never changes.
 */
@Command(
    name = "configs",
    description = "Configurations and their versions: list, show, diff, create, publish.",
    mixinStandardHelpOptions = true)
public final class ConfigsCommand {

  @Spec CommandSpec spec;

  @Command(name = "list", description = "Every configuration with its latest version.")
  int list() {
    Cli cli = Cli.of(spec);
    JsonNode page = cli.api().get("/api/configurations");
    cli.output()
        .show(
            page,
            () -> {
              Table table = new Table("NAME", "VERSIONS", "LATEST", "STATE", "DESCRIPTION");
              for (JsonNode configuration : JsonText.items(page, "configurations")) {
                JsonNode versions = configuration.path("versions");
                JsonNode latest = latest(versions);
                table.row(
                    at(configuration, "/name"),
                    Integer.toString(versions.size()),
                    latest == null ? "" : at(latest, "/version"),
                    latest == null ? "" : at(latest, "/state"),
                    at(configuration, "/description"));
              }
              table.print(cli.output().out());
            });
    return 0;
  }

  @Command(
      name = "show",
      description = "A configuration and its versions, or one version with its files.")
  int show(
      @Parameters(index = "0", paramLabel = "NAME") String name,
      @Parameters(index = "1", arity = "0..1", paramLabel = "VERSION") Integer version) {
    Cli cli = Cli.of(spec);
    if (version == null) {
      JsonNode configuration = cli.api().get(path(name));
      cli.output()
          .show(
              configuration,
              () -> {
                cli.output()
                    .fields(
                        new Output.Fields()
                            .add("name", at(configuration, "/name"))
                            .add("description", at(configuration, "/description"))
                            .add("created", at(configuration, "/created_at"))
                            .add("created by", at(configuration, "/created_by"))
                            .list());
                cli.output().out().println();
                Table table = new Table("VERSION", "STATE", "CREATED", "PUBLISHED");
                for (JsonNode one : configuration.path("versions")) {
                  table.row(
                      at(one, "/version"),
                      at(one, "/state"),
                      at(one, "/created_at"),
                      at(one, "/published_at"));
                }
                table.print(cli.output().out());
              });
      return 0;
    }
    JsonNode shown = cli.api().get(path(name) + "/versions/" + version);
    cli.output().show(shown, () -> printVersion(cli.output(), shown));
    return 0;
  }

  @Command(name = "diff", description = "What changed between two versions, file by file.")
  int diff(
      @Parameters(index = "0", paramLabel = "NAME") String name,
      @Parameters(index = "1", paramLabel = "FROM") int from,
      @Parameters(index = "2", paramLabel = "TO") int to) {
    Cli cli = Cli.of(spec);
    JsonNode diff =
        cli.api()
            .get(
                ApiClient.query(
                    path(name) + "/diff", ApiClient.parameters("from", from, "to", to)));
    cli.output()
        .show(
            diff,
            () -> {
              PrintWriter out = cli.output().out();
              for (JsonNode file : diff.path("files")) {
                out.println(at(file, "/file") + ": " + at(file, "/change"));
                String text = at(file, "/diff");
                if (!text.isEmpty()) {
                  out.print(text.endsWith("\n") ? text : text + "\n");
                }
              }
            });
    return 0;
  }

  @Command(
      name = "create",
      description = "A new configuration; with files, also its first version, as a draft.")
  int create(
      @Parameters(paramLabel = "NAME") String name,
      @Option(names = "--description", defaultValue = "") String description,
      @Option(
              names = {"-f", "--file"},
              paramLabel = "FILE",
              description = "A file of the first version, named as the file is.")
          List<Path> files) {
    Cli cli = Cli.of(spec);
    ObjectNode body =
        cli.json().createObjectNode().put("name", name).put("description", description);
    JsonNode created = cli.api().post("/api/configurations", body);
    if (files == null || files.isEmpty()) {
      cli.output().show(created, () -> cli.output().out().println("created configuration " + name));
      return 0;
    }
    JsonNode draft = draft(cli, name, files);
    cli.output()
        .show(
            draft,
            () ->
                cli.output()
                    .out()
                    .println("created configuration " + name + " with version 1 (DRAFT)"));
    return 0;
  }

  @Command(name = "draft", description = "Adds the next version of a configuration, as a draft.")
  int draft(
      @Parameters(paramLabel = "NAME") String name,
      @Option(
              names = {"-f", "--file"},
              required = true,
              paramLabel = "FILE",
              description = "A file of the version, named as the file is.")
          List<Path> files) {
    Cli cli = Cli.of(spec);
    JsonNode draft = draft(cli, name, files);
    cli.output()
        .show(
            draft,
            () ->
                cli.output()
                    .out()
                    .println(name + " version " + at(draft, "/version") + " (DRAFT)"));
    return 0;
  }

  @Command(name = "publish", description = "Publishes a draft: from then on it never changes.")
  int publish(
      @Parameters(index = "0", paramLabel = "NAME") String name,
      @Parameters(index = "1", paramLabel = "VERSION") int version) {
    return transition(name, version, "publish");
  }

  @Command(name = "archive", description = "Archives a published version.")
  int archive(
      @Parameters(index = "0", paramLabel = "NAME") String name,
      @Parameters(index = "1", paramLabel = "VERSION") int version) {
    return transition(name, version, "archive");
  }

  private int transition(String name, int version, String action) {
    Cli cli = Cli.of(spec);
    JsonNode answer = cli.api().post(path(name) + "/versions/" + version + "/" + action, null);
    cli.output()
        .show(
            answer,
            () ->
                cli.output()
                    .out()
                    .println(name + " version " + version + " " + at(answer, "/state")));
    return 0;
  }

  private static JsonNode draft(Cli cli, String name, List<Path> files) {
    ObjectNode body = cli.json().createObjectNode();
    body.set("config_map", ConfigFiles.configMap(files, cli.json()));
    return cli.api().post(path(name) + "/versions", body);
  }

  private static void printVersion(Output output, JsonNode version) {
    output.fields(
        new Output.Fields()
            .add("configuration", at(version, "/name"))
            .add("version", at(version, "/version"))
            .add("state", at(version, "/state"))
            .add("config hash", at(version, "/config_hash"))
            .add("created", at(version, "/created_at"))
            .add("created by", at(version, "/created_by"))
            .add("published", at(version, "/published_at"))
            .list());
    PrintWriter out = output.out();
    for (Iterator<Map.Entry<String, JsonNode>> files = version.path("config_map").fields();
        files.hasNext(); ) {
      Map.Entry<String, JsonNode> file = files.next();
      out.println();
      out.println("--- " + file.getKey() + " (" + at(file.getValue(), "/content_type") + ")");
      String body = at(file.getValue(), "/body");
      if ("base64".equals(at(file.getValue(), "/body_encoding"))) {
        byte[] bytes = Base64.getDecoder().decode(body);
        out.println("(" + bytes.length + " bytes, not text)");
      } else {
        out.print(body.endsWith("\n") ? body : body + "\n");
      }
    }
    out.flush();
  }

  private static JsonNode latest(JsonNode versions) {
    JsonNode latest = null;
    for (JsonNode version : versions) {
      if (latest == null || version.path("version").asInt() > latest.path("version").asInt()) {
        latest = version;
      }
    }
    return latest;
  }

  static String path(String name) {
    return "/api/configurations/" + ApiClient.segment(name);
  }
}
