package io.switchboard.cli;

import io.switchboard.cli.client.CliException;
import io.switchboard.cli.client.ExitCode;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;

/** The {@code switchboard} command's entry point. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    System.exit(run(System.getenv(), out, err, args));
  }

  /** Runs one command line with this environment, printing to {@code out} and {@code err}. */
  public static int run(Map<String, String> env, PrintWriter out, PrintWriter err, String... args) {
    CommandLine command = new CommandLine(new SwitchboardCommand(env));
    command.setCaseInsensitiveEnumValuesAllowed(true);
    command.setOut(out);
    command.setErr(err);
    command.setExecutionExceptionHandler(
        (exception, failed, parsed) -> {
          if (exception instanceof CliException known) {
            failed.getErr().println("error: " + known.getMessage());
            return known.exitCode().code();
          }
          failed.getErr().println("error: unexpected " + exception);
          return ExitCode.FAILED.code();
        });
    return command.execute(args);
  }
}
