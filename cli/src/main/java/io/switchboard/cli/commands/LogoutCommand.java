package io.switchboard.cli.commands;

import io.switchboard.cli.client.ApiClient;
import io.switchboard.cli.client.CliException;
import io.switchboard.cli.client.CliSettings;
import io.switchboard.cli.client.ExitCode;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code switchboard logout}: revokes the token {@code login} saved, and forgets it. */
@Command(
    name = "logout",
    description = "Revokes the token that login saved and removes it from the config file.",
    mixinStandardHelpOptions = true)
public final class LogoutCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Cli cli = Cli.of(spec);
    String id = CliSettings.savedTokenId(cli.env());
    if (id == null) {
      throw new CliException(ExitCode.USAGE, "no token saved by login in the config file");
    }
    try {
      cli.api().delete("/api/tokens/" + ApiClient.segment(id));
    } catch (CliException e) {
      if (e.exitCode() != ExitCode.DENIED && e.exitCode() != ExitCode.NOT_FOUND) {
        throw e;
      }
      cli.output().note("the token was already revoked or expired");
    }
    Map<String, String> forget = new HashMap<>();
    forget.put("token", null);
    forget.put("token_id", null);
    CliSettings.save(cli.env(), forget);
    cli.output().out().println("signed out: token " + id + " revoked");
    cli.output().out().flush();
    return 0;
  }
}
