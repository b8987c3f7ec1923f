package io.switchboard.cli.client;

/**
 * A failure to report on standard error as one line, with the exit code it ends the command with.
 */
public final class CliException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final ExitCode exitCode;

  public CliException(ExitCode exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public CliException(ExitCode exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public ExitCode exitCode() {
    return exitCode;
  }
}
