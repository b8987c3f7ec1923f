package io.switchboard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.cli.apply.ApplyCommand;
import io.switchboard.cli.client.ApiClient;
import io.switchboard.cli.client.CliSettings;
import io.switchboard.cli.client.ExitCode;
import io.switchboard.cli.commands.AgentsCommand;
import io.switchboard.cli.commands.AssignmentsCommand;
import io.switchboard.cli.commands.AuditCommand;
import io.switchboard.cli.commands.Cli;
import io.switchboard.cli.commands.ConfigsCommand;
import io.switchboard.cli.commands.EnvelopesCommand;
import io.switchboard.cli.commands.LoginCommand;
import io.switchboard.cli.commands.LogoutCommand;
import io.switchboard.cli.commands.RolloutsCommand;
import io.switchboard.cli.commands.TokensCommand;
import io.switchboard.cli.commands.WebhooksCommand;
import io.switchboard.cli.output.Format;
import io.switchboard.cli.output.Output;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code switchboard}: the root command, holding the flags every subcommand takes. */
@Command(
    name = "switchboard",
    mixinStandardHelpOptions = true,
    versionProvider = CliVersion.class,
    description = "Operates a Switchboard fleet through the node's REST API.",
    footer = {
      "",
      "The server, token and output come from the flags, else SWITCHBOARD_SERVER, SWITCHBOARD_TOKEN",
      "and SWITCHBOARD_OUTPUT, else the config file (SWITCHBOARD_CONFIG, default",
      "~/.config/switchboard/config, lines of server = ..., token = ..., output = ...).",
      "Exit codes: 0 done, 1 server failure, 2 usage, 3 not found, 4 not signed in or not allowed,",
      "5 refused (invalid or conflicting), 6 server unreachable, 7 rollout did not complete."
    },
    subcommands = {
      AgentsCommand.class,
      ConfigsCommand.class,
      AssignmentsCommand.class,
      RolloutsCommand.class,
      EnvelopesCommand.class,
      AuditCommand.class,
      WebhooksCommand.class,
      TokensCommand.class,
      ApplyCommand.class,
      LoginCommand.class,
      LogoutCommand.class,
      AutoComplete.GenerateCompletion.class
    })
public final class SwitchboardCommand implements Callable<Integer>, Cli.Root {

  @Spec CommandSpec spec;

  @Option(
      names = "--server",
      scope = ScopeType.INHERIT,
      paramLabel = "URL",
      description = "The node's API (default " + CliSettings.DEFAULT_SERVER + ").")
  String server;

  @Option(
      names = "--token",
      scope = ScopeType.INHERIT,
      paramLabel = "TOKEN",
      description =
          "An API token; prefer SWITCHBOARD_TOKEN or the config file, which ps cannot show.")
  String token;

  @Option(
      names = {"-o", "--output"},
      scope = ScopeType.INHERIT,
      paramLabel = "FORMAT",
      description = "table (for people) or json (the server's JSON, for scripts).")
  Format format;

  private final Map<String, String> env;
  private final ObjectMapper json = new ObjectMapper();

  public SwitchboardCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCode.USAGE.code();
  }

  @Override
  public Cli cli(CommandLine command) {
    CliSettings settings = CliSettings.resolve(server, token, format, env);
    return new Cli(
        new ApiClient(settings.server(), settings.token(), json),
        new Output(command.getOut(), command.getErr(), settings.format(), json),
        json,
        env);
  }
}
