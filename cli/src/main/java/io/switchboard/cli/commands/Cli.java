package io.switchboard.cli.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.cli.client.ApiClient;
import io.switchboard.cli.output.Output;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What a command works with: the API of the server it was pointed at, where it prints, and the
 * environment it was started with (where the config file is).
 */
public record Cli(ApiClient api, Output output, ObjectMapper json, Map<String, String> env) {

  /** The root command: it holds the flags and environment that say which server and how. */
  public interface Root {
    Cli cli(CommandLine command);
  }

  /** Says that {@code name} is gone: {@code {"deleted": name}} as JSON, a line for people. */
  public void deleted(String kind, String name) {
    if (output.json()) {
      output.printJson(json.createObjectNode().put("deleted", name));
    } else {
      output.out().println("deleted " + kind + " " + name);
      output.out().flush();
    }
  }

  /** The context for the command {@code spec} belongs to. */
  public static Cli of(CommandSpec spec) {
    return ((Root) spec.root().userObject()).cli(spec.commandLine());
  }
}
