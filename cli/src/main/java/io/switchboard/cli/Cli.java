package io.switchboard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.cli.http.ApiClient;
import io.switchboard.cli.output.Output;
import picocli.CommandLine.Model.CommandSpec;

/** What a command works with: the API of the server it was pointed at, and where it prints. */
public record Cli(ApiClient api, Output output, ObjectMapper json) {

  /** The context for the command {@code spec} belongs to, from the root's flags and environment. */
  public static Cli of(CommandSpec spec) {
    SwitchboardCommand root = (SwitchboardCommand) spec.root().userObject();
    return root.cli(spec.commandLine());
  }
}
